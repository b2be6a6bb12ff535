package dev.pacer.cli;

import dev.pacer.simulator.Durations;
import dev.pacer.simulator.Latency;
import dev.pacer.simulator.Limits;
import dev.pacer.simulator.OutputRule;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pacer simulate}: a local Anthropic API with rate limits, until Ctrl-C. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Start a local Anthropic API that enforces rate limits the way the real one does "
            + "(POST /v1/messages, plain and streaming; POST /v1/messages/count_tokens; GET /v1/models; "
            + "GET /_sim/stats). Prints its base URL, then serves until Ctrl-C.",
        "",
        "Point a client at it with ANTHROPIC_BASE_URL=<base URL> and any API key.",
        "",
    },
    footer = {
        "",
        "Durations are written like 500ms, 6s, 1.5s, 1m. Limits per pool come from --pool, else "
            + "--rpm/--itpm/--otpm, else the tier's table in the data file (tier 'start' by default). "
            + "See docs/simulator.md.",
    })
public final class SimulateCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
      description = "Port on 127.0.0.1 (0 = any free port). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--rpm", paramLabel = "N", description = "Requests per window, for every pool.")
  Long rpm;

  @Option(names = "--itpm", paramLabel = "N", description = "Input tokens per window, for every pool.")
  Long itpm;

  @Option(names = "--otpm", paramLabel = "N", description = "Output tokens per window, for every pool.")
  Long otpm;

  @Option(names = "--tier", paramLabel = "TIER",
      description = "Limits from the data file: start, build, scale, tier1, tier2, tier3, tier4. Default: start.")
  String tier;

  @Option(names = "--pool", paramLabel = "POOL=RPM/ITPM/OTPM",
      description = "Limits of one pool, e.g. --pool sonnet-4-5=50/30000/8000. Repeatable.")
  Map<String, String> pools = new LinkedHashMap<>();

  @Option(names = "--count-tokens-rpm", paramLabel = "N",
      description = "Requests per window on count_tokens. Default: --rpm if set, else the tier's.")
  Long countTokensRpm;

  @Option(names = "--window", paramLabel = "DURATION", defaultValue = "60s",
      description = "The window W of every limit; shorter compresses time. Default: ${DEFAULT-VALUE}.")
  String window;

  @Option(names = "--burst", paramLabel = "DURATION",
      description = "Bucket capacity as a duration of refill (capacity = limit x burst / window). "
          + "Default: the whole window (capacity = limit).")
  String burst;

  @Option(names = "--output-rule", paramLabel = "RULE", defaultValue = "reserve",
      description = "reserve: hold max_tokens at admission, refund the unused part (2025 docs); "
          + "live: count output as generated (2026 docs). Default: ${DEFAULT-VALUE}.")
  String outputRule;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
      description = "Seed of answers, ids and random faults. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--latency", paramLabel = "SPEC", defaultValue = "off",
      description = "Time to first token + output rate, e.g. 200ms+400tok/s; or off. Default: ${DEFAULT-VALUE}.")
  String latency;

  @Option(names = "--output-tokens", paramLabel = "MIN-MAX", defaultValue = "20-400",
      description = "Natural answer length in tokens, before max_tokens caps it. Default: ${DEFAULT-VALUE}.")
  String outputTokens;

  @Option(names = "--overload-probability", paramLabel = "P", defaultValue = "0",
      description = "Answer each Messages attempt 529 overloaded_error with this probability. Default: ${DEFAULT-VALUE}.")
  double overloadProbability;

  @Option(names = "--max-request-bytes", paramLabel = "N", defaultValue = "33554432",
      description = "Bodies larger than this get 413 request_too_large. Default: ${DEFAULT-VALUE} (32 MB).")
  long maxRequestBytes;

  @Option(names = "--data", paramLabel = "FILE",
      description = "A properties file laid over the packaged models data file (pools, tiers).")
  Path data;

  @Override
  public Integer call() throws InterruptedException {
    SimulatorConfig config = config();
    PrintWriter out = spec.commandLine().getOut();
    try (Simulator sim = Simulator.start(config)) {
      sim.faults().overloadProbability(overloadProbability);
      out.println(sim.baseUrl());
      out.println("pacer simulate: serving " + describe(config) + "; Ctrl-C to stop.");
      out.println("  try: ANTHROPIC_BASE_URL=" + sim.baseUrl() + " ANTHROPIC_API_KEY=any <your program>");
      out.println("  stats: curl " + sim.baseUrl() + "/_sim/stats");
      out.flush();
      CountDownLatch stopped = new CountDownLatch(1);
      Thread hook = new Thread(() -> {
        sim.close();
        stopped.countDown();
      }, "pacer-simulate-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      stopped.await();
    }
    return 0;
  }

  SimulatorConfig config() {
    SimulatorConfig.Builder b = SimulatorConfig.builder()
        .port(port)
        .window(duration("--window", window))
        .outputRule(parse("--output-rule", () -> OutputRule.parse(outputRule)))
        .seed(seed)
        .latency(parse("--latency", () -> Latency.parse(latency)))
        .maxRequestBytes(maxRequestBytes);
    if (rpm != null) b.rpm(rpm);
    if (itpm != null) b.itpm(itpm);
    if (otpm != null) b.otpm(otpm);
    if (tier != null) b.tier(tier);
    if (countTokensRpm != null) b.countTokensRpm(countTokensRpm);
    if (burst != null) b.burst(duration("--burst", burst));
    if (data != null) b.dataFile(data);
    pools.forEach((pool, limits) -> b.poolLimits(pool, parse("--pool", () -> Limits.parse(limits))));
    String[] range = outputTokens.split("-");
    if (range.length != 2) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--output-tokens must be MIN-MAX, e.g. 20-400, not '" + outputTokens + "'");
    }
    parse("--output-tokens", () -> b.outputTokens(Integer.parseInt(range[0].trim()), Integer.parseInt(range[1].trim())));
    if (!(overloadProbability >= 0 && overloadProbability <= 1)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--overload-probability must be within 0..1");
    }
    return parse(null, b::build);
  }

  private Duration duration(String option, String text) {
    return parse(option, () -> Durations.parse(text));
  }

  private <T> T parse(String option, java.util.function.Supplier<T> parser) {
    try {
      return parser.get();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          option == null ? e.getMessage() : option + ": " + e.getMessage());
    }
  }

  private static String describe(SimulatorConfig c) {
    StringBuilder sb = new StringBuilder("tier ").append(c.tier());
    c.rpm().ifPresent(v -> sb.append(", rpm ").append(v));
    c.itpm().ifPresent(v -> sb.append(", itpm ").append(v));
    c.otpm().ifPresent(v -> sb.append(", otpm ").append(v));
    c.poolLimits().forEach((p, l) -> sb.append(", pool ").append(p).append('=').append(l));
    sb.append(", window ").append(Durations.format(c.window()));
    sb.append(", burst ").append(c.burst().map(Durations::format).orElse("full window"));
    sb.append(", output rule ").append(c.outputRule().name().toLowerCase(Locale.ROOT));
    sb.append(", latency ").append(c.latency());
    sb.append(", seed ").append(c.seed());
    return sb.toString();
  }
}
