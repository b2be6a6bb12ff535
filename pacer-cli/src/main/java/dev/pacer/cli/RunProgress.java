package dev.pacer.cli;

import dev.pacer.jobs.Durations;
import dev.pacer.jobs.JobProgress;
import dev.pacer.jobs.JobRunner;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * {@code pacer run}'s progress: a bar on a terminal (done/total, rates against each limit, 429s,
 * retries, cost so far, ETA), or a plain line every few seconds when the output is a file or a pipe.
 */
final class RunProgress implements AutoCloseable {

  enum Mode {
    BAR,
    LINES,
    NONE
  }

  private final Mode mode;
  private final PrintStream err;
  private final Duration lineInterval;
  private JobRunner runner;
  private ScheduledExecutorService ticker;
  private ProgressBar bar;

  RunProgress(Mode mode, PrintStream err, Duration lineInterval) {
    this.mode = mode;
    this.err = err;
    this.lineInterval = lineInterval;
  }

  /** A bar when stderr looks like a terminal, else lines. */
  static Mode detect() {
    String term = System.getenv("TERM");
    if (System.getenv("CI") != null || "dumb".equals(term)) {
      return Mode.LINES;
    }
    java.io.Console console = System.console();
    if (console == null) {
      return Mode.LINES;
    }
    try {
      // Java 22+: a console exists even when redirected; ask whether it is a terminal.
      Object terminal = java.io.Console.class.getMethod("isTerminal").invoke(console);
      return Boolean.TRUE.equals(terminal) ? Mode.BAR : Mode.LINES;
    } catch (ReflectiveOperationException e) {
      return Mode.BAR; // Java 21: a console means a terminal.
    }
  }

  /** Starts showing {@code runner}'s progress once it has begun sending {@code toSend} requests. */
  synchronized void start(JobRunner job, int toSend) {
    this.runner = job;
    if (mode == Mode.NONE || toSend == 0) {
      return;
    }
    ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "pacer-progress");
      thread.setDaemon(true);
      return thread;
    });
    if (mode == Mode.BAR) {
      bar = new ProgressBarBuilder()
          .setTaskName("pacer")
          .setInitialMax(toSend)
          .setStyle(ProgressBarStyle.ASCII)
          .setConsumer(new ConsoleProgressBarConsumer(err))
          .setUpdateIntervalMillis(250)
          .continuousUpdate()
          .hideEta()
          .build();
      ticker.scheduleAtFixedRate(this::updateBar, 0, 250, TimeUnit.MILLISECONDS);
    } else {
      long millis = lineInterval.toMillis();
      ticker.scheduleAtFixedRate(this::printLine, millis, millis, TimeUnit.MILLISECONDS);
    }
  }

  /** Prints a message above the bar (or as a line). */
  synchronized void message(String text) {
    if (bar != null) {
      err.print("\r\033[2K");
    }
    err.println(text);
  }

  private synchronized void updateBar() {
    if (bar == null) {
      return;
    }
    JobProgress p = runner.progress();
    bar.stepTo(p.done());
    bar.setExtraMessage(details(p, true));
  }

  private synchronized void printLine() {
    JobProgress p = runner.progress();
    err.println("pacer: " + p.done() + "/" + p.toSend() + " done (" + p.succeeded() + " ok, " + p.errored()
        + " errored, " + p.inFlight() + " in flight) " + details(p, false));
  }

  /** Rates against limits, 429s, retries, cost, ETA. */
  static String details(JobProgress p, boolean compact) {
    StringBuilder text = new StringBuilder();
    for (JobProgress.PoolRate rate : p.pools()) {
      String per = rate.window().equals(Duration.ofMinutes(1)) ? "/min" : "/" + Durations.format(rate.window());
      text.append(compact ? " " : " · ").append(rate.pool()).append(' ')
          .append(RunOptions.compact(rate.requests())).append(limit(rate.requestLimit())).append(" req")
          .append(per).append(", ").append(RunOptions.compact(rate.inputTokens())).append(limit(rate.inputTokenLimit()))
          .append(" in, ").append(RunOptions.compact(rate.outputTokens())).append(limit(rate.outputTokenLimit()))
          .append(" out");
    }
    text.append(compact ? " | " : " · ").append("429s ").append(p.rateLimited()).append(", retries ").append(p.retries())
        .append(", ").append(RunOptions.dollars(p.costUsd()));
    p.eta().ifPresent(eta -> text.append(compact ? " | ETA " : " · ETA ").append(Durations.format(eta)));
    if (p.stopping()) {
      text.append(compact ? " | stopping" : " · stopping");
    }
    return text.toString().strip();
  }

  private static String limit(java.util.OptionalLong limit) {
    return limit.isPresent() ? "/" + RunOptions.compact(limit.getAsLong()) : "";
  }

  @Override
  public synchronized void close() {
    if (ticker != null) {
      ticker.shutdownNow();
    }
    if (bar != null) {
      JobProgress p = runner.progress();
      bar.stepTo(p.done());
      bar.setExtraMessage(details(p, true));
      bar.close();
      bar = null;
    }
  }

  static String lower(Mode mode) {
    return mode.name().toLowerCase(Locale.ROOT);
  }
}
