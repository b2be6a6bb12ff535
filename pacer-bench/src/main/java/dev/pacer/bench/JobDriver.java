package dev.pacer.bench;

import dev.pacer.bench.contenders.Contender;
import dev.pacer.bench.contenders.Setup;
import dev.pacer.simulator.RequestRecord;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;

/**
 * Runs one contender on one scenario: a fresh simulator, the whole job handed over at once, the
 * server's events on schedule, and the figures from the simulator's stats and the attempt log.
 */
public final class JobDriver {

  /** Width of one step of the chart, as a share of the window. */
  static final double CHART_STEP_WINDOWS = 1.0 / 12;

  private final long seed;
  private final Path trace;

  /** A driver; with {@code trace} set, each run's attempts go to a CSV file there. */
  public JobDriver(long seed, Path trace) {
    this.seed = seed;
    this.trace = trace;
  }

  private void trace(Scenario scenario, Contender contender, AttemptLog log, Outcome[] outcomes) {
    StringBuilder csv = new StringBuilder("index,sent_seconds,status\n");
    log.attempts().stream().sorted(Comparator.comparingLong(AttemptLog.Attempt::sentNanos)).forEach(a ->
        csv.append(a.index()).append(',').append(String.format(java.util.Locale.ROOT, "%.4f", a.sentNanos() / 1e9))
            .append(',').append(a.status()).append('\n'));
    try {
      Files.createDirectories(trace);
      Files.writeString(trace.resolve(scenario.name() + "." + contender.name() + ".csv"), csv);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The longest a run may take before unfinished requests count as failed. */
  static Duration cap(LowerBound bound) {
    return Duration.ofMillis(Math.round((bound.seconds() * 4 + 30) * 1000));
  }

  /** Worker threads for pool-driven contenders: twice the in-flight the told limits allow (Little's law), 4 to 64. */
  static int workers(Scenario scenario, Calibration calibration) {
    Setup probe = new Setup(scenario, "", null, 1, 0);
    double latency = scenario.latency().nanosUntilToken(Math.round(calibration.meanOutput())) / 1e9;
    double perSecond = probe.requestsPerSecond();
    return (int) Math.max(4, Math.min(64, Math.ceil(2 * perSecond * latency)));
  }

  public RunResult run(Scenario scenario, Calibration calibration, Contender contender) throws InterruptedException {
    LowerBound bound = calibration.lowerBound(scenario);
    int workers = workers(scenario, calibration);
    List<JobRequest> job = scenario.job();
    Outcome[] outcomes = new Outcome[job.size()];
    try (Simulator sim = Simulator.start(Calibration.simulatorConfig(scenario, seed))) {
      AttemptLog log = new AttemptLog();
      // The client is built before the clock starts: OkHttp loads the trust store for each one.
      Contender.Session session = contender.open(new Setup(scenario, sim.baseUrl(), log, workers, seed));
      sim.resetStats();
      long origin = log.start();
      Instant originWall = Instant.now();
      Thread events = Thread.ofPlatform().daemon().name("bench-events").start(() -> driveEvents(scenario, sim, origin));
      ExecutorService pool = session.workers() > 0
          ? Executors.newFixedThreadPool(session.workers(),
              Thread.ofPlatform().daemon().name("bench-worker-", 0).factory())
          : Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("bench-request-", 0).factory());
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < job.size(); i++) {
        int slot = i;
        JobRequest request = job.get(i);
        futures.add(pool.submit(() -> {
          try {
            session.send(request);
            outcomes[slot] = Outcome.success(System.nanoTime() - origin);
          } catch (Throwable e) {
            outcomes[slot] = Outcome.failure(System.nanoTime() - origin, describe(e));
          }
        }));
      }
      long deadline = origin + cap(bound).toNanos();
      for (Future<?> future : futures) {
        try {
          future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          break;
        } catch (java.util.concurrent.ExecutionException e) {
          // recorded in its outcome
        }
      }
      long stopped = System.nanoTime() - origin;
      pool.shutdownNow();
      events.interrupt();
      pool.awaitTermination(5, TimeUnit.SECONDS);
      session.close();
      SimulatorStats stats = sim.stats();
      if (trace != null) {
        trace(scenario, contender, log, outcomes);
      }
      return figures(scenario, contender, bound, workers, job, outcomes, stopped, log, stats, originWall);
    }
  }

  private static void driveEvents(Scenario scenario, Simulator sim, long origin) {
    record Step(long atNanos, Runnable action) {}
    List<Step> steps = new ArrayList<>();
    for (ServerEvent event : scenario.events()) {
      steps.add(new Step(event.at().toNanos(), () -> event.start(sim)));
      if (event.until().compareTo(event.at()) > 0) {
        steps.add(new Step(event.until().toNanos(), () -> event.end(sim)));
      }
    }
    steps.sort(Comparator.comparingLong(Step::atNanos));
    try {
      for (Step step : steps) {
        long wait = origin + step.atNanos() - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        step.action().run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static RunResult figures(Scenario scenario, Contender contender, LowerBound bound, int workers,
      List<JobRequest> job, Outcome[] outcomes, long stoppedNanos, AttemptLog log, SimulatorStats stats,
      Instant originWall) {
    Map<Integer, List<AttemptLog.Attempt>> byIndex = new HashMap<>();
    for (AttemptLog.Attempt attempt : log.attempts()) {
      byIndex.computeIfAbsent(attempt.index(), k -> new ArrayList<>()).add(attempt);
    }
    Histogram queue = new Histogram(3_600_000_000L, 3);
    long last = 0;
    int failed = 0;
    int unfinished = 0;
    RunResult.NeverFit neverFit = null;
    for (int i = 0; i < job.size(); i++) {
      JobRequest request = job.get(i);
      Outcome outcome = outcomes[i];
      List<AttemptLog.Attempt> attempts = byIndex.getOrDefault(request.index(), List.of());
      if (outcome == null) {
        last = Math.max(last, stoppedNanos);
      } else {
        last = Math.max(last, outcome.endNanos());
      }
      if (request.neverFits()) {
        neverFit = outcome == null
            ? new RunResult.NeverFit(false, stoppedNanos / 1e9, attempts.size(), "still running at the cap")
            : new RunResult.NeverFit(!outcome.ok(), outcome.endNanos() / 1e9, attempts.size(),
                outcome.ok() ? "succeeded" : outcome.error());
        continue;
      }
      if (outcome == null) {
        failed++;
        unfinished++;
      } else if (!outcome.ok()) {
        failed++;
      } else {
        long sent = attempts.stream().filter(a -> a.status() == 200).mapToLong(AttemptLog.Attempt::sentNanos)
            .max().orElse(outcome.endNanos());
        queue.recordValue(Math.max(0, sent / 1_000));
      }
    }
    double seconds = last / 1e9;
    double p50 = queue.getTotalCount() == 0 ? 0 : queue.getValueAtPercentile(50) / 1e6;
    double p99 = queue.getTotalCount() == 0 ? 0 : queue.getValueAtPercentile(99) / 1e6;
    return new RunResult(contender.name(), scenario.name(), seconds, bound.seconds(),
        seconds > 0 ? bound.seconds() / seconds : 0, job.size(), failed, unfinished, stats.attempts(),
        stats.rateLimited(), stats.overloaded(), bound.attemptsFloor(), p50, p99, neverFit, workers,
        chart(scenario, stats.records(), originWall, seconds), null);
  }

  /** The chart bucket's use per window, in steps of {@link #CHART_STEP_WINDOWS}, over the run. */
  static List<Double> chart(Scenario scenario, List<RequestRecord> records, Instant originWall, double seconds) {
    double window = scenario.window().toNanos() / 1e9;
    double step = window * CHART_STEP_WINDOWS;
    int steps = (int) Math.ceil(seconds / step) + 1;
    double[] sums = new double[steps];
    for (RequestRecord record : records) {
      if (record.status() != 200) {
        continue;
      }
      double at = Duration.between(originWall, record.time()).toNanos() / 1e9;
      int i = (int) Math.floor(at / step);
      if (i < 0 || i >= steps) {
        continue;
      }
      sums[i] += switch (scenario.chartBucket()) {
        case REQUESTS -> 1;
        case INPUT_TOKENS -> record.inputTokens() + record.cacheCreationInputTokens();
        case OUTPUT_TOKENS -> record.outputTokens();
      };
    }
    List<Double> perWindow = new ArrayList<>(steps);
    for (double sum : sums) {
      perWindow.add(sum / CHART_STEP_WINDOWS);
    }
    return perWindow;
  }

  private static String describe(Throwable e) {
    Throwable cause = e;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() == null ? "" : cause.getMessage().replaceAll("\\s+", " ").trim();
    if (message.length() > 240) {
      message = message.substring(0, 240) + "…";
    }
    return cause.getClass().getSimpleName() + ": " + message;
  }

  private record Outcome(boolean ok, long endNanos, String error) {
    static Outcome success(long at) {
      return new Outcome(true, at, null);
    }

    static Outcome failure(long at, String error) {
      return new Outcome(false, at, error);
    }
  }
}
