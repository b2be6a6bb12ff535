package dev.pacer.bench;

import dev.pacer.bench.contenders.Contender;
import dev.pacer.bench.jmh.JmhMain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./pacer bench}: the scoreboard, or JMH.
 *
 * <pre>
 * ./pacer bench                 the full board (about 15 minutes)
 * ./pacer bench --quick         a subset (under 3 minutes); exits 1 when Pacer misses a goal
 * ./pacer bench --jmh [--full]  the governor's cost per acquire+settle, against three limiters
 * </pre>
 */
public final class BenchMain {

  static final String USAGE = """
      usage: pacer bench [--quick] [--out DIR] [--scenarios A,B] [--contenders A,B] [--size F] [--seed N] [--trace]
             pacer bench --jmh [--full] [--out DIR]      (also: java -jar pacer-bench.jar jmh ...)

        --quick          three scenarios (%s) with Pacer and the baselines that win: under 3 minutes
        --out DIR        where scoreboard.md/.json/.svg (or jmh.md/.json) go (default target/bench)
        --scenarios      only these scenarios, by name
        --contenders     only these contenders, by name
        --size F         jobs at F times their full length (default 1)
        --seed N         seeds answers, prompts and jitter (default 1)
        --trace          also write every attempt of every run to DIR/attempts/SCENARIO.CONTENDER.csv
        --jmh            run JMH instead: 1 and 2 threads, -prof gc; short unless --full

      scenarios:  %s
      contenders: %s
      Exit status: 0 when Pacer met every goal, 1 when it missed one, 2 on a usage error.
      """;

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args));
  }

  static int run(String[] args) throws Exception {
    List<String> list = new ArrayList<>(Arrays.asList(args));
    boolean jmh = list.remove("--jmh") | (!list.isEmpty() && list.get(0).equals("jmh") && list.remove(0) != null);
    list.remove("board");
    Path out = Path.of("target", "bench");
    boolean quick = false;
    boolean full = false;
    double size = Double.NaN;
    long seed = 1;
    List<String> onlyScenarios = null;
    List<String> onlyContenders = null;
    boolean trace = false;
    for (int i = 0; i < list.size(); i++) {
      String arg = list.get(i);
      try {
        switch (arg) {
          case "--quick" -> quick = true;
          case "--full" -> full = true;
          case "--trace" -> trace = true;
          case "--out" -> out = Path.of(list.get(++i));
          case "--size" -> size = Double.parseDouble(list.get(++i));
          case "--seed" -> seed = Long.parseLong(list.get(++i));
          case "--scenarios" -> onlyScenarios = Arrays.asList(list.get(++i).split(","));
          case "--contenders" -> onlyContenders = Arrays.asList(list.get(++i).split(","));
          case "-h", "--help" -> {
            System.out.println(usage());
            return 0;
          }
          default -> {
            System.err.println("pacer bench: unknown option '" + arg + "'\n" + usage());
            return 2;
          }
        }
      } catch (IndexOutOfBoundsException | NumberFormatException e) {
        System.err.println("pacer bench: " + arg + " needs a value\n" + usage());
        return 2;
      }
    }
    if (jmh) {
      List<JmhMain.Row> rows = JmhMain.run(full, out);
      return JmhMain.meetsGoal(rows) ? 0 : 1;
    }
    if (Double.isNaN(size)) {
      size = 1.0;
    }
    List<Scenario> scenarios = new ArrayList<>(Scenarios.all(size, seed));
    List<String> wanted = onlyScenarios != null ? onlyScenarios
        : quick ? List.copyOf(Scenarios.QUICK.keySet()) : null;
    if (wanted != null) {
      List<String> known = scenarios.stream().map(Scenario::name).toList();
      for (String name : wanted) {
        if (!known.contains(name)) {
          System.err.println("pacer bench: no scenario '" + name + "'\n" + usage());
          return 2;
        }
      }
      scenarios.removeIf(s -> !wanted.contains(s.name()));
    }
    List<Contender> contenders = new ArrayList<>(Contender.all());
    if (onlyContenders != null) {
      List<String> known = contenders.stream().map(Contender::name).toList();
      for (String name : onlyContenders) {
        if (!known.contains(name)) {
          System.err.println("pacer bench: no contender '" + name + "'\n" + usage());
          return 2;
        }
      }
      List<String> keep = onlyContenders;
      contenders.removeIf(c -> !keep.contains(c.name()));
    }
    double loadBefore = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    Board board = new Board(scenarios, contenders, seed, System.err, trace ? out.resolve("attempts") : null);
    if (quick) {
      board.only((s, c) -> Scenarios.QUICK.getOrDefault(s.name(), List.of()).contains(c.name()));
    }
    Board.Outcome outcome = board.run();
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("command", "pacer bench " + String.join(" ", args));
    settings.put("quick", quick);
    settings.put("size", size);
    settings.put("seed", seed);
    settings.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
    settings.put("processors", Runtime.getRuntime().availableProcessors());
    settings.put("loadAverageBefore", loadBefore);
    settings.put("loadAverageAfter",
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    Map<String, String> contenderSettings = new LinkedHashMap<>();
    contenders.forEach(c -> contenderSettings.put(c.name(), c.settings()));
    settings.put("contenders", contenderSettings);
    String md = Board.write(outcome, out, settings);
    System.out.println(md);
    System.out.printf(Locale.ROOT, "board took %.0f s (load average %.1f before, %.1f after); wrote %s/scoreboard.md,"
        + " .json, .svg%n", outcome.seconds(), loadBefore, settings.get("loadAverageAfter"), out);
    return outcome.misses().isEmpty() ? 0 : 1;
  }

  static String usage() {
    return String.format(Locale.ROOT, USAGE, String.join(", ", Scenarios.QUICK.keySet()),
        String.join(", ", Scenarios.all(1, 1).stream().map(Scenario::name).toList()),
        String.join(", ", Contender.all().stream().map(Contender::name).toList()));
  }
}
