package dev.pacer.bench.report;

import dev.pacer.bench.Goals;
import dev.pacer.bench.LowerBound;
import dev.pacer.bench.RunResult;
import dev.pacer.bench.Scenario;
import dev.pacer.bench.ServerEvent;
import dev.pacer.bench.Units;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The board as Markdown: E per scenario and contender, then each scenario's figures, then the goals. */
public final class MarkdownReport {

  private MarkdownReport() {}

  public static String render(List<Scenario> scenarios, Map<String, LowerBound> bounds,
      Map<String, List<RunResult>> byScenario, List<String> contenders, List<Goals.Miss> misses) {
    StringBuilder md = new StringBuilder();
    md.append(summary(scenarios, bounds, byScenario, contenders)).append('\n');
    for (Scenario scenario : scenarios) {
      List<RunResult> runs = byScenario.getOrDefault(scenario.name(), List.of());
      md.append(scenarioTable(scenario, bounds.get(scenario.name()), runs))
          .append('\n');
    }
    md.append(goals(misses));
    return md.toString();
  }

  /**
   * E = T_lb / T for every scenario (rows) and contender (columns); the best of each row among runs
   * that lost no request in bold; † marks runs where requests failed (their T leaves those out).
   */
  public static String summary(List<Scenario> scenarios, Map<String, LowerBound> bounds,
      Map<String, List<RunResult>> byScenario, List<String> contenders) {
    StringBuilder md = new StringBuilder();
    md.append("| scenario | T_lb | ").append(String.join(" | ", contenders)).append(" |\n");
    md.append("|---|---:|").append(contenders.stream().map(c -> "---:").collect(Collectors.joining("|"))).append("|\n");
    for (Scenario scenario : scenarios) {
      List<RunResult> runs = byScenario.getOrDefault(scenario.name(), List.of());
      double best = runs.stream().filter(r -> r.failed() == 0 && r.error() == null)
          .mapToDouble(RunResult::efficiency).max().orElse(0);
      md.append("| ").append(scenario.name()).append(" | ")
          .append(Units.seconds(bounds.get(scenario.name()).seconds()));
      for (String contender : contenders) {
        RunResult run = runs.stream().filter(r -> r.contender().equals(contender)).findFirst().orElse(null);
        md.append(" | ");
        if (run == null) {
          md.append("–");
        } else {
          String e = efficiency(run);
          md.append(run.failed() == 0 && Math.abs(run.efficiency() - best) < 0.0005 ? "**" + e + "**" : e);
        }
      }
      md.append(" |\n");
    }
    return md.toString();
  }

  static String scenarioTable(Scenario scenario, LowerBound bound, List<RunResult> runs) {
    StringBuilder md = new StringBuilder();
    md.append("#### ").append(scenario.name()).append(": ").append(scenario.title()).append("\n\n");
    md.append(describe(scenario, bound)).append("\n\n");
    md.append("| contender | E | T | failed | 429 /1k req | 529 /1k req | attempts /req | queue p50 | queue p99 |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (RunResult run : runs) {
      md.append("| ").append(run.contender())
          .append(" | ").append(efficiency(run))
          .append(" | ").append(run.error() == null ? Units.seconds(run.seconds()) : "–")
          .append(" | ").append(run.failed())
          .append(run.unfinished() > 0 ? " (" + run.unfinished() + " unfinished)" : "")
          .append(" | ").append(Units.fixed(run.rateLimitedPerThousand(), 0))
          .append(" | ").append(Units.fixed(run.overloadedPerThousand(), 0))
          .append(" | ").append(Units.fixed(run.attemptsPerRequest(), 2))
          .append(" | ").append(Units.seconds(run.queueP50Seconds()))
          .append(" | ").append(Units.seconds(run.queueP99Seconds()))
          .append(" |\n");
    }
    boolean neverFits = runs.stream().anyMatch(r -> r.neverFit() != null);
    if (neverFits) {
      md.append("\nThe request that can never fit:\n\n");
      for (RunResult run : runs) {
        RunResult.NeverFit n = run.neverFit();
        if (n != null) {
          md.append(String.format(Locale.ROOT, "- %s: %s after %s and %d attempts: `%s`%n", run.contender(),
              n.failed() ? "failed" : "did not fail", Units.seconds(n.seconds()), n.attempts(),
              n.message() == null ? "" : n.message().replace('`', '\'')));
        }
      }
    }
    List<RunResult> broken = runs.stream().filter(r -> r.error() != null).toList();
    for (RunResult run : broken) {
      md.append("\n").append(run.contender()).append(" could not run: ").append(run.error()).append('\n');
    }
    return md.toString();
  }

  static String describe(Scenario scenario, LowerBound bound) {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "Server: %s (RPM / ITPM / OTPM) per %s window", scenario.limits(),
        Units.seconds(scenario.window())));
    scenario.burst().ifPresentOrElse(b -> s.append(", burst ").append(Units.seconds(b)).append(" of refill"),
        () -> s.append(", burst a whole window"));
    s.append(", output rule ").append(scenario.outputRule().name().toLowerCase(Locale.ROOT));
    s.append(", latency ").append(scenario.latency()).append(", answers ").append(scenario.minOutput()).append('–')
        .append(scenario.maxOutput()).append(" tokens");
    for (ServerEvent event : scenario.events()) {
      s.append("; ").append(event);
    }
    s.append(". ");
    if (!scenario.told().equals(scenario.limits())) {
      s.append("Users were told ").append(scenario.told()).append(". ");
    }
    long neverFit = scenario.job().stream().filter(r -> r.neverFits()).count();
    s.append("Job: ").append(scenario.job().size() - neverFit).append(" requests");
    if (neverFit > 0) {
      s.append(" + ").append(neverFit).append(" that can never fit");
    }
    boolean live = scenario.outputRule() == dev.pacer.simulator.OutputRule.LIVE;
    s.append(String.format(Locale.ROOT, ". T_lb = %s (%s); attempts floor %.3f per request.",
        Units.seconds(bound.seconds()),
        live ? "an ideal client under the live rule" : bound.binding().label() + " bind",
        bound.attemptsFloor()));
    return s.toString();
  }

  static String goals(List<Goals.Miss> misses) {
    if (misses.isEmpty()) {
      return "**Pacer met every goal on this board.**\n";
    }
    StringBuilder md = new StringBuilder("**Pacer missed " + misses.size() + " goal(s):**\n\n");
    for (Goals.Miss miss : misses) {
      md.append("- ").append(miss).append('\n');
    }
    return md.toString();
  }

  private static String efficiency(RunResult run) {
    if (run.error() != null) {
      return "error";
    }
    return (run.unfinished() > 0 ? "≤" : "") + Units.fixed(run.efficiency(), 2) + (run.failed() > 0 ? "†" : "");
  }
}
