package dev.pacer.cli;

import dev.pacer.simulator.AccelerationLimit;
import dev.pacer.simulator.BatchValidation;
import dev.pacer.simulator.Durations;
import dev.pacer.simulator.FaultPlan;
import dev.pacer.simulator.FaultWindow;
import dev.pacer.simulator.Latency;
import dev.pacer.simulator.LimitChange;
import dev.pacer.simulator.Limits;
import dev.pacer.simulator.OutputRule;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import dev.pacer.simulator.SlowHeaders;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
            + "the Message Batches endpoints under /v1/messages/batches; GET /_sim/stats), and injects "
            + "faults on demand. Prints its base URL, then serves until Ctrl-C.",
        "",
        "Point a client at it with ANTHROPIC_BASE_URL=<base URL> and any API key.",
        "",
    },
    footer = {
        "",
        "Durations are written like 500ms, 6s, 1.5s, 1m. Limits per pool come from --pool, else "
            + "--rpm/--itpm/--otpm, else the tier's table in the data file (tier 'start' by default). "
            + "Times of windows and --limits-at are measured from the simulator's start. "
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

  @Option(names = "--overload-wave", paramLabel = "LENGTH@START[/PERIOD][:P]",
      description = "A wave of 529s: e.g. 30s@2m (from 2 min, for 30 s), 30s@2m/10m (and every 10 min), "
          + "30s@2m/10m:0.5 (each attempt with probability 0.5). Repeatable.")
  List<String> overloadWaves = new ArrayList<>();

  @Option(names = "--overload-capacity", paramLabel = "N", defaultValue = "0",
      description = "Shed load: with n Messages attempts in flight above N, answer 529 with probability "
          + "min(1, (n - N) / N). 0 = off. Default: ${DEFAULT-VALUE}.")
  int overloadCapacity;

  @Option(names = "--error-probability", paramLabel = "STATUS=P",
      description = "Answer each Messages attempt with this 5xx (500 api_error, 502, 503, 504...) with probability P, "
          + "e.g. --error-probability 503=0.02. Repeatable.")
  Map<Integer, Double> errorProbabilities = new LinkedHashMap<>();

  @Option(names = "--outage", paramLabel = "LENGTH@START[/PERIOD][:P]",
      description = "An outage: every API request inside the window is answered 503 api_error, e.g. 1m@5m. Repeatable.")
  List<String> outages = new ArrayList<>();

  @Option(names = "--stream-error-probability", paramLabel = "P", defaultValue = "0",
      description = "End an admitted stream after half its text with event: error (overloaded_error), "
          + "with this probability. Default: ${DEFAULT-VALUE}.")
  double streamErrorProbability;

  @Option(names = "--drop-connection-probability", paramLabel = "P", defaultValue = "0",
      description = "Close an admitted attempt's connection halfway through its answer (plain or stream), "
          + "with this probability. Default: ${DEFAULT-VALUE}.")
  double dropConnectionProbability;

  @Option(names = "--slow-headers", paramLabel = "DELAY[:P]",
      description = "Wait DELAY before the status line of each Messages attempt (or of a share P of them), e.g. 5s or 5s:0.1.")
  String slowHeaders;

  @Option(names = "--acceleration-limit", paramLabel = "FACTORx+ALLOWANCE",
      description = "429s on a sharp ramp-up: each window may carry at most FACTOR x the requests admitted in the "
          + "window before it, plus ALLOWANCE, e.g. 2x+100.")
  String accelerationLimit;

  @Option(names = "--limits-at", paramLabel = "TIME[:POOL]=RPM/ITPM/OTPM",
      description = "Change limits at a time after the start, for every pool or one: e.g. 10m=50/30000/8000, "
          + "90s:sonnet-4-5=1000/450000/90000. Repeatable.")
  List<String> limitChanges = new ArrayList<>();

  @Option(names = "--batch-rate", paramLabel = "N", defaultValue = "100",
      description = "Message Batch requests processed per second, across every batch. Default: ${DEFAULT-VALUE}.")
  String batchRate;

  @Option(names = "--batch-expiry", paramLabel = "DURATION", defaultValue = "24h",
      description = "A batch expires this long after its creation; what is left is 'expired'. Default: ${DEFAULT-VALUE}.")
  String batchExpiry;

  @Option(names = "--batch-validation", paramLabel = "WHEN", defaultValue = "deferred",
      description = "deferred: malformed params become 'errored' results (as the real API); "
          + "at-create: one malformed request rejects the whole batch with a 400. Default: ${DEFAULT-VALUE}.")
  String batchValidation;

  @Option(names = "--batch-rpm", paramLabel = "N",
      description = "Requests per window on the batch endpoints (their own bucket). Default: the tier's.")
  Long batchRpm;

  @Option(names = "--batch-queue", paramLabel = "N",
      description = "Batch requests that may wait to be processed; a create beyond it gets a 429. Default: the tier's.")
  Long batchQueue;

  @Option(names = "--max-request-bytes", paramLabel = "N", defaultValue = "33554432",
      description = "Bodies larger than this get 413 request_too_large. Default: ${DEFAULT-VALUE} (32 MB).")
  long maxRequestBytes;

  @Option(names = "--hidden-prompt-tokens", paramLabel = "N", defaultValue = "0",
      description = "Input tokens counted on every request beyond its text, as the API's tool-use system prompt"
          + " is (hundreds of tokens). Default: ${DEFAULT-VALUE}.")
  long hiddenPromptTokens;

  @Option(names = "--cache-ready", paramLabel = "WHEN", defaultValue = "admission",
      description = "When a request's prompt-cache writes can be read by others: admission, or first-token"
          + " (a plain request's first token; a stream's start), as the API's prompt-caching guide says."
          + " Default: ${DEFAULT-VALUE}.")
  String cacheReady;

  @Option(names = "--data", paramLabel = "FILE",
      description = "A properties file laid over the packaged models data file (pools, tiers).")
  Path data;

  @Override
  public Integer call() throws InterruptedException {
    SimulatorConfig config = config();
    PrintWriter out = spec.commandLine().getOut();
    try (Simulator sim = Simulator.start(config)) {
      // A real server is warm: cold, this one admitted its first request ~300 ms after it came,
      // so its bucket refilled later than a client could know (a 429 at 2 requests per window).
      sim.warmUp();
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
    parse("--hidden-prompt-tokens", () -> b.hiddenPromptTokens(hiddenPromptTokens));
    parse("--cache-ready", () -> b.cacheReadyAtFirstToken(switch (cacheReady) {
      case "admission" -> false;
      case "first-token" -> true;
      default -> throw new IllegalArgumentException("expected admission or first-token, not '" + cacheReady + "'");
    }));
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
    b.faults(faults());
    limitChanges.forEach(c -> b.limitsAt(parse("--limits-at", () -> LimitChange.parse(c))));
    String rate = batchRate.trim().endsWith("/s") ? batchRate.trim().substring(0, batchRate.trim().length() - 2) : batchRate;
    parse("--batch-rate", () -> b.batchRate(number(rate)));
    parse("--batch-expiry", () -> b.batchExpiry(Durations.parse(batchExpiry)));
    b.batchValidation(parse("--batch-validation", () -> BatchValidation.parse(batchValidation)));
    if (batchRpm != null) parse("--batch-rpm", () -> b.batchRpm(batchRpm));
    if (batchQueue != null) parse("--batch-queue", () -> b.batchQueueLimit(batchQueue));
    return parse(null, b::build);
  }

  private FaultPlan faults() {
    FaultPlan.Builder f = FaultPlan.builder();
    parse("--overload-probability", () -> f.overloadProbability(overloadProbability));
    overloadWaves.forEach(w -> f.overloadWave(parse("--overload-wave", () -> FaultWindow.parse(w))));
    parse("--overload-capacity", () -> f.overloadCapacity(overloadCapacity));
    errorProbabilities.forEach((status, p) -> parse("--error-probability", () -> f.errorProbability(status, p)));
    outages.forEach(w -> f.outage(parse("--outage", () -> FaultWindow.parse(w))));
    parse("--stream-error-probability", () -> f.streamErrorProbability(streamErrorProbability));
    parse("--drop-connection-probability", () -> f.dropConnectionProbability(dropConnectionProbability));
    if (slowHeaders != null) f.slowHeaders(parse("--slow-headers", () -> SlowHeaders.parse(slowHeaders)));
    if (accelerationLimit != null) {
      f.accelerationLimit(parse("--acceleration-limit", () -> AccelerationLimit.parse(accelerationLimit)));
    }
    return f.build();
  }

  private static double number(String text) {
    try {
      return Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number: '" + text + "'");
    }
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
    if (c.hiddenPromptTokens() > 0) sb.append(", ").append(c.hiddenPromptTokens()).append(" hidden prompt tokens");
    if (c.cacheReadyAtFirstToken()) sb.append(", cache writes readable from the first token");
    if (!c.faults().isEmpty()) sb.append(", faults: ").append(c.faults());
    c.limitChanges().forEach(l -> sb.append(", limits at ").append(l));
    sb.append(", batches ").append(c.batchRate()).append("/s expiring after ").append(Durations.format(c.batchExpiry()));
    return sb.toString();
  }
}
