package dev.pacer.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pacer.bench.contenders.Contender;
import dev.pacer.bench.report.MarkdownReport;
import dev.pacer.bench.report.SvgChart;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The scoreboard: every contender on every scenario, one run at a time (the machine has two
 * cores), each against a fresh simulator. Writes {@code scoreboard.md}, {@code scoreboard.json} and
 * {@code scoreboard.svg} into the output directory.
 */
public final class Board {

  private final List<Scenario> scenarios;
  private final List<Contender> contenders;
  private final long seed;
  private final PrintStream progress;
  private final Path trace;
  private boolean warmUp = true;
  private java.util.function.BiPredicate<Scenario, Contender> selected = (s, c) -> true;

  /** A board; with {@code trace} set, every run's attempts are written there as CSV. */
  public Board(List<Scenario> scenarios, List<Contender> contenders, long seed, PrintStream progress, Path trace) {
    this.scenarios = List.copyOf(scenarios);
    this.contenders = List.copyOf(contenders);
    this.seed = seed;
    this.progress = progress;
    this.trace = trace;
  }

  /** Only the pairs {@code which} accepts (the quick board). */
  public Board only(java.util.function.BiPredicate<Scenario, Contender> which) {
    selected = which;
    return this;
  }

  /** Without the warm-up runs (for tests of the machinery, where figures do not matter). */
  Board withoutWarmUp() {
    warmUp = false;
    return this;
  }

  /** What a board found. */
  public record Outcome(List<Scenario> scenarios, Map<String, LowerBound> bounds, Map<String, List<RunResult>> runs,
      List<String> contenders, List<Goals.Miss> misses, double seconds) {

    public String markdown() {
      return MarkdownReport.render(scenarios, bounds, runs, contenders, misses);
    }
  }

  public Outcome run() throws Exception {
    long started = System.nanoTime();
    JobDriver driver = new JobDriver(seed, trace);
    Map<String, LowerBound> bounds = new LinkedHashMap<>();
    Map<String, List<RunResult>> runs = new LinkedHashMap<>();
    if (warmUp) {
      long warming = System.nanoTime();
      warmUp(driver);
      progress.printf(Locale.ROOT, "warm-up took %.1f s%n", (System.nanoTime() - warming) / 1e9);
    }
    for (Scenario scenario : scenarios) {
      Calibration calibration = Calibration.of(scenario, seed);
      LowerBound bound = calibration.lowerBound(scenario);
      bounds.put(scenario.name(), bound);
      progress.printf(Locale.ROOT, "%s: T_lb %.2f s (%s bind), %d requests%n", scenario.name(), bound.seconds(),
          bound.binding().label(), scenario.job().size());
      List<RunResult> results = new ArrayList<>();
      for (Contender contender : contenders) {
        if (!selected.test(scenario, contender)) {
          continue;
        }
        RunResult result;
        long runStarted = System.nanoTime();
        try {
          result = driver.run(scenario, calibration, contender);
        } catch (InterruptedException e) {
          throw e;
        } catch (Exception e) {
          result = failedRun(scenario, bound, contender, e);
        }
        results.add(result);
        progress.printf(Locale.ROOT, "  %-15s E %.3f  T %6.2f s  failed %d  429 %d  529 %d  attempts %d  (%.1f s)%n",
            result.contender(), result.efficiency(), result.seconds(), result.failed(), result.rateLimited(),
            result.overloaded(), result.attempts(), (System.nanoTime() - runStarted) / 1e9);
      }
      runs.put(scenario.name(), results);
    }
    List<Goals.Miss> misses = Goals.check(scenarios, runs);
    List<String> names = contenders.stream().map(Contender::name).toList();
    return new Outcome(scenarios, bounds, runs, names, misses, (System.nanoTime() - started) / 1e9);
  }

  /** One small run per contender first, so that no contender pays for the JIT and class loading. */
  private void warmUp(JobDriver driver) throws Exception {
    Scenario first = scenarios.get(0);
    Scenario small = first.withJob(first.job().stream().filter(r -> !r.neverFits()).limit(12).toList());
    Calibration calibration = Calibration.of(small, seed);
    JobDriver quiet = new JobDriver(seed, null);
    for (Contender contender : contenders) {
      quiet.run(small, calibration, contender);
    }
  }

  private static RunResult failedRun(Scenario scenario, LowerBound bound, Contender contender, Exception e) {
    return new RunResult(contender.name(), scenario.name(), 0, bound.seconds(), 0, scenario.job().size(),
        scenario.servable().size(), 0, 0, 0, 0, bound.attemptsFloor(), 0, 0, null, 0, List.of(),
        e.getClass().getSimpleName() + ": " + e.getMessage());
  }

  /** Writes the Markdown table, the JSON and the chart into {@code out}; returns the Markdown. */
  public static String write(Outcome outcome, Path out, Map<String, Object> settings) throws IOException {
    Files.createDirectories(out);
    String md = outcome.markdown();
    Files.writeString(out.resolve("scoreboard.md"), md);
    Files.writeString(out.resolve("scoreboard.svg"),
        SvgChart.render(outcome.scenarios(), outcome.runs(), outcome.contenders(), JobDriver.CHART_STEP_WINDOWS));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("generated", Instant.now().toString());
    json.put("settings", settings);
    json.put("seconds", outcome.seconds());
    List<Map<String, Object>> scenarioJson = new ArrayList<>();
    for (Scenario scenario : outcome.scenarios()) {
      Map<String, Object> s = new LinkedHashMap<>();
      LowerBound bound = outcome.bounds().get(scenario.name());
      s.put("name", scenario.name());
      s.put("title", scenario.title());
      s.put("limits", scenario.limits());
      s.put("told", scenario.told());
      s.put("windowSeconds", scenario.window().toNanos() / 1e9);
      s.put("burstSeconds", scenario.burst().map(b -> b.toNanos() / 1e9).orElse(null));
      s.put("outputRule", scenario.outputRule().name());
      s.put("latency", scenario.latency().toString());
      s.put("events", scenario.events().stream().map(Object::toString).toList());
      s.put("requests", scenario.job().size());
      s.put("limitsKnown", scenario.limitsKnown());
      s.put("lowerBoundSeconds", bound.seconds());
      s.put("binding", bound.binding().label());
      s.put("attemptsFloor", bound.attemptsFloor());
      s.put("chartBucket", scenario.chartBucket().label());
      s.put("chartStepSeconds", scenario.window().toNanos() / 1e9 * JobDriver.CHART_STEP_WINDOWS);
      s.put("runs", outcome.runs().get(scenario.name()));
      scenarioJson.add(s);
    }
    json.put("scenarios", scenarioJson);
    json.put("misses", outcome.misses());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("scoreboard.json").toFile(),
        json);
    return md;
  }
}
