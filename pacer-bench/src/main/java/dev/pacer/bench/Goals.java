package dev.pacer.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Pacer's own goals (issue 10), checked against a board's figures:
 * <ul>
 *   <li>{@code pacer}: E ≥ 0.97 and no 429 wherever the limits it was told are the true ones for
 *       the whole run; elsewhere it is held to the learner's goal;
 *   <li>{@code pacer-learning}: E ≥ 0.93 and at most 1% of attempts answered 429;
 *   <li>both: no failed request apart from the one that can never fit, which must fail before any
 *       attempt, within a second, with a message that names the limit; attempts per request within
 *       5% of the floor the injected faults allow;
 *   <li>{@code pacer}: E at least the best baseline's (among baselines that lost no request) in every
 *       scenario, within {@link #E_TOLERANCE} for run-to-run noise, with fewer 429s than any baseline
 *       whose E comes within {@link #COMPARABLE_E} of it.
 * </ul>
 */
public final class Goals {

  public static final double KNOWN_E = 0.97;
  public static final double LEARNING_E = 0.93;
  public static final double LEARNING_429_SHARE = 0.01;
  public static final double ATTEMPTS_SLACK = 1.05;
  public static final double E_TOLERANCE = 0.01;
  public static final double COMPARABLE_E = 0.05;
  public static final double FAIL_FAST_SECONDS = 1.0;

  private Goals() {}

  /** A goal a figure missed. */
  public record Miss(String contender, String scenario, String goal, String detail) {
    @Override
    public String toString() {
      return contender + " on " + scenario + ": " + goal + " — " + detail;
    }
  }

  /** Every miss on a board; empty when Pacer met all its goals. */
  public static List<Miss> check(List<Scenario> scenarios, Map<String, List<RunResult>> byScenario) {
    List<Miss> misses = new ArrayList<>();
    for (Scenario scenario : scenarios) {
      List<RunResult> runs = byScenario.getOrDefault(scenario.name(), List.of());
      find(runs, "pacer").ifPresent(pacer -> {
        boolean known = scenario.limitsKnown();
        checkOwn(misses, scenario, pacer, known ? KNOWN_E : LEARNING_E, known);
        checkAgainstBaselines(misses, scenario, pacer, runs);
      });
      find(runs, "pacer-learning").ifPresent(learning -> checkOwn(misses, scenario, learning, LEARNING_E, false));
    }
    return misses;
  }

  private static void checkOwn(List<Miss> misses, Scenario scenario, RunResult run, double minE, boolean zero429) {
    String who = run.contender();
    String where = scenario.name();
    if (run.error() != null) {
      misses.add(new Miss(who, where, "the run completes", run.error()));
      return;
    }
    if (run.efficiency() < minE) {
      misses.add(new Miss(who, where, "E ≥ " + minE, f("E = %.3f (T = %.2f s, T_lb = %.2f s)", run.efficiency(),
          run.seconds(), run.lowerBoundSeconds())));
    }
    if (zero429 && run.rateLimited() > 0) {
      misses.add(new Miss(who, where, "zero 429s with known limits", run.rateLimited() + " attempts answered 429"));
    }
    if (!zero429 && run.rateLimitedShare() > LEARNING_429_SHARE) {
      misses.add(new Miss(who, where, "at most 1% of attempts answered 429",
          f("%d of %d attempts (%.1f%%)", run.rateLimited(), run.attempts(), 100 * run.rateLimitedShare())));
    }
    if (run.failed() > 0) {
      misses.add(new Miss(who, where, "no failed request", run.failed() + " failed"
          + (run.unfinished() > 0 ? " (" + run.unfinished() + " unfinished at the cap)" : "")));
    }
    double ceiling = run.attemptsFloor() * ATTEMPTS_SLACK;
    if (run.attemptsPerRequest() > ceiling + 1e-9) {
      misses.add(new Miss(who, where, "attempts per request within 5% of the floor",
          f("%.3f attempts per request; floor %.3f, so at most %.3f", run.attemptsPerRequest(), run.attemptsFloor(),
              ceiling)));
    }
    RunResult.NeverFit neverFit = run.neverFit();
    if (neverFit != null) {
      boolean namesLimit = neverFit.message() != null
          && neverFit.message().toLowerCase(Locale.ROOT).matches(".*(input tokens|output tokens|requests).*");
      if (!neverFit.failed() || neverFit.attempts() > 0 || neverFit.seconds() > FAIL_FAST_SECONDS || !namesLimit) {
        misses.add(new Miss(who, where, "the request that can never fit fails fast, naming the limit",
            f("failed=%s after %.2f s and %d attempts: %s", neverFit.failed(), neverFit.seconds(), neverFit.attempts(),
                neverFit.message())));
      }
    }
  }

  private static void checkAgainstBaselines(List<Miss> misses, Scenario scenario, RunResult pacer,
      List<RunResult> runs) {
    List<RunResult> baselines = runs.stream().filter(r -> !r.contender().startsWith("pacer") && r.error() == null)
        .toList();
    // A baseline that lost requests finished a smaller job: its E is not comparable.
    baselines.stream().filter(r -> r.failed() == 0).max((a, b) -> Double.compare(a.efficiency(), b.efficiency()))
        .ifPresent(best -> {
      if (pacer.efficiency() < best.efficiency() - E_TOLERANCE) {
        misses.add(new Miss("pacer", scenario.name(), "E at least the best baseline's",
            f("pacer E = %.3f, %s E = %.3f", pacer.efficiency(), best.contender(), best.efficiency())));
      }
    });
    for (RunResult baseline : baselines) {
      boolean comparable = baseline.efficiency() >= pacer.efficiency() - COMPARABLE_E;
      boolean fewer = pacer.rateLimited() < baseline.rateLimited()
          || (pacer.rateLimited() == 0 && baseline.rateLimited() == 0);
      if (comparable && !fewer) {
        misses.add(new Miss("pacer", scenario.name(), "fewer 429s than any baseline of comparable E",
            f("pacer %d 429s at E = %.3f, %s %d 429s at E = %.3f", pacer.rateLimited(), pacer.efficiency(),
                baseline.contender(), baseline.rateLimited(), baseline.efficiency())));
      }
    }
  }

  private static Optional<RunResult> find(List<RunResult> runs, String name) {
    return runs.stream().filter(r -> r.contender().equals(name)).findFirst();
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
