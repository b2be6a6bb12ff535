package dev.pacer.cli;

import dev.pacer.redis.RedisBucketStore;
import dev.pacer.redis.RedisUnavailableException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.Priority;
import dev.pacer.jobs.BatchOptions;
import dev.pacer.jobs.Durations;
import dev.pacer.jobs.InputProblem;
import dev.pacer.jobs.JobConfig;
import dev.pacer.jobs.JobEstimate;
import dev.pacer.jobs.JobException;
import dev.pacer.jobs.JobListener;
import dev.pacer.jobs.JobOutcome;
import dev.pacer.jobs.JobRunner;
import dev.pacer.jobs.JobSummary;
import dev.pacer.jobs.PacingConfig;
import dev.pacer.jobs.RequestDefaults;
import dev.pacer.jobs.SdkRequestSender;
import dev.pacer.jobs.Via;
import dev.pacer.limits.Limits;
import dev.pacer.limits.ModelCatalog;
import dev.pacer.limits.OutputRule;
import dev.pacer.limits.Tier;
import dev.pacer.simulator.Latency;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pacer run}: a JSONL file of requests in, one result per custom_id out, at the full speed
 * the rate limits allow, resumably. A thin layer over {@link JobRunner}; see docs/run.md.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Run a JSONL file of requests to completion: every custom_id answered once, in the Message Batches "
            + "results format, at the full speed your rate limits allow. Rerun the same command to resume.",
        "",
        "Input lines: {\"custom_id\":…,\"params\":{…}} (the Message Batches request format), "
            + "{\"custom_id\":…,\"prompt\":\"…\"} or a bare JSON string (completed by --model, --max-tokens, --system).",
        "",
        "Sends to --base-url, else ANTHROPIC_BASE_URL, else the Anthropic API with ANTHROPIC_API_KEY. "
            + "With none of them, or with --simulate, it runs against an embedded simulator.",
        "",
    },
    footer = {
        "",
        "Exit status: 0 all succeeded; 1 some errored or input lines were rejected; 2 usage error; "
            + "3 stopped by --max-cost or --deadline; 4 stopped: the server refused the key (401, 402) or never "
            + "answered; 5 stopped: the results file cannot be written (a full disk); 130 Ctrl-C.",
        "Durations: 500ms, 6s, 1m, 2h, 1h30m. See docs/run.md.",
    })
public final class RunCommand implements Callable<Integer> {

  static final int EXIT_USAGE = 2;
  static final int MAX_PROBLEMS_PRINTED = 20;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "INPUT", description = "The JSONL file of requests.")
  Path input;

  // ---- Output ----
  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "Results file (JSONL). Default: INPUT with .results.jsonl, e.g. prompts.results.jsonl.")
  Path output;

  @Option(names = "--summary-json", paramLabel = "FILE", description = "Also write the summary as JSON to FILE.")
  Path summaryJson;

  // ---- Completing short lines ----
  @Option(names = "--model", paramLabel = "MODEL", description = "Model for lines that name none, e.g. claude-haiku-4-5.")
  String model;

  @Option(names = "--max-tokens", paramLabel = "N", description = "max_tokens for lines that give none.")
  Long maxTokens;

  @Option(names = "--system", paramLabel = "TEXT", description = "System prompt for lines that have none.")
  String system;

  // ---- Resume ----
  @Option(names = "--retry-errored", description = "Also resend requests whose earlier result is errored.")
  boolean retryErrored;

  @Option(names = "--retry-expired",
      description = "Also resend requests whose earlier result is expired or canceled (a batch ended before them).")
  boolean retryExpired;

  @Option(names = "--allow-changes",
      description = "Resume even though the input file or --model/--max-tokens/--system changed since the results were written.")
  boolean allowChanges;

  // ---- Limits and pacing ----
  @Option(names = "--tier", paramLabel = "TIER",
      description = "Start from a tier's limits: start, build, scale, tier1, tier2, tier3, tier4. Default: learn them from headers.")
  String tier;

  @Option(names = "--rpm", paramLabel = "N", description = "Requests per window, for every pool the job uses.")
  Long rpm;

  @Option(names = "--itpm", paramLabel = "N", description = "Input tokens per window, for every pool the job uses.")
  Long itpm;

  @Option(names = "--otpm", paramLabel = "N", description = "Output tokens per window, for every pool the job uses.")
  Long otpm;

  @Option(names = "--limits", paramLabel = "FILE",
      description = "Limits per pool, one a line: POOL = RPM / ITPM / OTPM (a model id names its pool).")
  Path limitsFile;

  @Option(names = "--model-data", paramLabel = "FILE",
      description = "Keys laid over the bundled model data (data/anthropic-models.properties): a model's pool,"
          + " prices, tier limits, pool.POOL.counts-cache-reads = true for a server that counts cache reads.")
  Path modelData;

  @Option(names = "--window", paramLabel = "DURATION", defaultValue = "1m", converter = RunOptions.DurationConverter.class,
      description = "The period limits are counted over. Default: ${DEFAULT-VALUE}.")
  Duration window;

  @Option(names = "--burst", paramLabel = "DURATION", converter = RunOptions.DurationConverter.class,
      description = "Bucket capacity as a duration of refill, if you know it. Default: unknown.")
  Duration burst;

  @Option(names = "--output-rule", paramLabel = "RULE",
      description = "How output counts against OTPM: reserve (max_tokens held, unused refunded) or live (as generated). "
          + "Default: reserve until the server's headers show live. With --simulate, the simulator's rule "
          + "(default reserve).")
  String outputRule;

  @Option(names = "--redis", paramLabel = "URL",
      description = "Share the rate limits with every process using the same Redis and prefix: "
          + "redis://[:password@]host:port[/db], or rediss://... for TLS (docs/distributed.md).")
  String redis;

  @Option(names = "--redis-prefix", paramLabel = "PREFIX", defaultValue = "pacer",
      description = "Who shares limits on that Redis (an organization, a workspace). Default: ${DEFAULT-VALUE}.")
  String redisPrefix;

  @Option(names = "--concurrency", paramLabel = "N", defaultValue = "64",
      description = "The most requests in flight in each pool (a model family's limits). Default: ${DEFAULT-VALUE}.")
  int concurrency;

  @Option(names = "--request-timeout", paramLabel = "DURATION", defaultValue = "10m",
      converter = RunOptions.DurationConverter.class, description = "How long one attempt may take. Default: ${DEFAULT-VALUE}.")
  Duration requestTimeout;

  @Option(names = "--deadline", paramLabel = "DURATION", converter = RunOptions.DurationConverter.class,
      description = "How long the whole job may take; then it stops (exit 3) and a rerun finishes it.")
  Duration deadline;

  @Option(names = "--max-cost", paramLabel = "USD",
      description = "Hard ceiling in US dollars: no request starts whose worst case could pass it (exit 3).")
  BigDecimal maxCost;

  @Option(names = "--priority", paramLabel = "PRIORITY", defaultValue = "batch",
      description = "Queue for the job's requests when they share limits: interactive or batch. Default: ${DEFAULT-VALUE}.")
  String priority;

  @Option(names = "--via", paramLabel = "API", defaultValue = "messages",
      description = "messages (one call per request), batches (Message Batches: half price, within 24 h) or auto "
          + "(batches for large jobs without a deadline under 24 h; see docs/batches.md). Default: ${DEFAULT-VALUE}.")
  String via;

  @Option(names = "--batch-size", paramLabel = "N",
      description = "With batches: the most requests in one batch (1 to 100,000). Default: 100,000.")
  Integer batchSize;

  @Option(names = "--batch-queue", paramLabel = "N",
      description = "With batches: the most requests waiting in batches not yet ended. Default: the tier's queue limit.")
  Long batchQueue;

  @Option(names = "--batch-poll", paramLabel = "DURATION", converter = RunOptions.DurationConverter.class,
      description = "With batches: the longest wait between two looks at a batch (from 1s, doubling). Default: 1m.")
  Duration batchPoll;

  // ---- Where it sends ----
  @Option(names = "--base-url", paramLabel = "URL", description = "The API's address. Default: ANTHROPIC_BASE_URL, else the Anthropic API.")
  String baseUrl;

  @Option(names = "--simulate",
      description = "Run against an embedded simulator (tier build, or --tier/--rpm/--itpm/--otpm/--limits/--window/--burst).")
  boolean simulate;

  // ---- Dry run ----
  @Option(names = "--dry-run", description = "Check the file, count tokens, print the cost and least possible time; send nothing.")
  boolean dryRun;

  @Option(names = "--exact", description = "With --dry-run: count input tokens with the API's count_tokens instead of estimating.")
  boolean exact;

  // ---- Display ----
  @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
      description = "auto (a bar on a terminal, else lines), bar, lines or none. Default: ${DEFAULT-VALUE}.")
  String progress;

  /** The environment and the streams (seams for tests). */
  Map<String, String> env = System.getenv();
  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    ModelCatalog catalog;
    JobConfig config;
    RunProgress.Mode progressMode;
    try {
      if (modelData != null && !java.nio.file.Files.isReadable(modelData)) {
        throw new IllegalArgumentException("--model-data " + modelData + ": no such file, or not readable");
      }
      catalog = modelData == null ? ModelCatalog.bundled() : ModelCatalog.withOverrides(modelData);
      config = config(catalog);
      progressMode = switch (progress.toLowerCase(Locale.ROOT)) {
        case "auto" -> RunProgress.detect();
        case "bar" -> RunProgress.Mode.BAR;
        case "lines" -> RunProgress.Mode.LINES;
        case "none" -> RunProgress.Mode.NONE;
        default -> throw new IllegalArgumentException("--progress must be auto, bar, lines or none");
      };
      if (exact && !dryRun) {
        throw new IllegalArgumentException("--exact counts tokens for --dry-run; add --dry-run");
      }
    } catch (IllegalArgumentException | IOException | java.io.UncheckedIOException e) {
      err.println("pacer run: " + e.getMessage());
      return EXIT_USAGE;
    }

    String key = blankToNull(env.get("ANTHROPIC_API_KEY"));
    String url = baseUrl != null ? baseUrl : blankToNull(env.get("ANTHROPIC_BASE_URL"));
    boolean useSimulator = simulate || (key == null && url == null);
    if (dryRun && !exact) {
      return dryRun(config, catalog, null, out, err);
    }
    Simulator simulator = null;
    try {
      if (useSimulator) {
        // The limits file was read once already (config); it cannot fail here unless it changed.
        simulator = startSimulator(catalog);
        url = simulator.baseUrl();
        key = "simulated";
        err.println("pacer: " + (simulate ? "--simulate" : "no ANTHROPIC_API_KEY and no --base-url")
            + ": running against the embedded simulator at " + url + " (" + describeSimulator(catalog)
            + "); nothing is sent to Anthropic");
      } else {
        err.println("pacer: sending to " + (url == null ? "the Anthropic API" : url)
            + (key == null ? " without an API key" : " with the key in ANTHROPIC_API_KEY"));
      }
      // The Pacer's buckets live in this process, or in Redis with --redis (shared by processes).
      // The store is closed after the sender (and its Pacer): resources close in reverse order.
      try (RedisBucketStore store = redis == null ? null : RedisBucketStore.builder(redis).prefix(redisPrefix).build();
          SdkRequestSender sender = SdkRequestSender.builder().baseUrl(url).apiKey(key).pacing(config.pacing())
              .catalog(catalog).store(store).build()) {
        if (store != null) {
          err.println("pacer: sharing limits through " + store + " (prefix " + redisPrefix + ")");
        }
        if (dryRun) {
          return dryRun(config, catalog, sender, out, err);
        }
        return run(config, catalog, sender, progressMode, err);
      }
    } catch (IOException | IllegalArgumentException | RedisUnavailableException e) {
      err.println("pacer run: " + e.getMessage());
      return EXIT_USAGE;
    } finally {
      if (simulator != null) {
        simulator.close();
      }
    }
  }

  private JobConfig config(ModelCatalog catalog) throws IOException {
    PacingConfig.Builder pacing = PacingConfig.builder()
        .window(window)
        .outputRule(outputRule == null ? null : OutputRule.parse(outputRule))
        .concurrency(concurrency)
        .requestTimeout(requestTimeout)
        .priority(Priority.parse(priority));
    if (tier != null) {
      pacing.tier(RunOptions.tier(tier));
    }
    if (rpm != null) {
      pacing.requestsPerWindow(positive(rpm, "--rpm"));
    }
    if (itpm != null) {
      pacing.inputTokensPerWindow(positive(itpm, "--itpm"));
    }
    if (otpm != null) {
      pacing.outputTokensPerWindow(positive(otpm, "--otpm"));
    }
    if (limitsFile != null) {
      pacing.poolLimits(RunOptions.readLimitsFile(limitsFile, catalog));
    }
    if (burst != null) {
      pacing.burst(burst);
    }
    if (maxTokens != null) {
      positive(maxTokens, "--max-tokens");
    }
    if (maxCost != null && maxCost.signum() < 0) {
      throw new IllegalArgumentException("--max-cost must not be negative");
    }
    JobConfig.Builder job = JobConfig.builder(input)
        .output(output)
        .defaults(RequestDefaults.of(model, maxTokens, system))
        .retryErrored(retryErrored)
        .allowChanges(allowChanges)
        .maxCostUsd(maxCost)
        .deadline(deadline)
        .pacing(pacing.build())
        .via(Via.parse(via))
        .retryExpired(retryExpired)
        .batches(batchOptions());
    return job.build();
  }

  private BatchOptions batchOptions() {
    BatchOptions batches = BatchOptions.defaults();
    if (batchSize != null) {
      if (batchSize < 1 || batchSize > BatchOptions.API_MAX_REQUESTS) {
        throw new IllegalArgumentException("--batch-size must be from 1 to 100,000, got " + batchSize);
      }
      batches = batches.withMaxRequestsPerBatch(batchSize);
    }
    if (batchQueue != null) {
      batches = batches.withQueueLimit(positive(batchQueue, "--batch-queue"));
    }
    if (batchPoll != null) {
      Duration first = batchPoll.compareTo(batches.pollMin()) < 0 ? batchPoll : batches.pollMin();
      batches = batches.withPolls(first, batchPoll);
    }
    return batches;
  }

  private static long positive(long value, String option) {
    if (value < 1) {
      throw new IllegalArgumentException(option + " must be at least 1, got " + value);
    }
    return value;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  // ---- The embedded simulator ----------------------------------------------------------------

  private Tier simulatorTier() {
    return tier == null ? Tier.BUILD : RunOptions.tier(tier);
  }

  private Simulator startSimulator(ModelCatalog catalog) throws IOException {
    SimulatorConfig.Builder sim = SimulatorConfig.builder()
        .tier(simulatorTier().key())
        .window(window)
        .outputRule(outputRule == null ? dev.pacer.simulator.OutputRule.RESERVE
            : dev.pacer.simulator.OutputRule.valueOf(OutputRule.parse(outputRule).name()))
        .latency(Latency.of(Duration.ofMillis(150), 2_000))
        .seed(1);
    if (modelData != null) {
      sim.dataFile(modelData); // the embedded server reads the same model data as the Pacer
    }
    if (rpm != null) {
      sim.rpm(rpm);
    }
    if (itpm != null) {
      sim.itpm(itpm);
    }
    if (otpm != null) {
      sim.otpm(otpm);
    }
    if (burst != null) {
      sim.burst(burst);
    }
    if (limitsFile != null) {
      RunOptions.readLimitsFile(limitsFile, catalog).forEach((pool, given) -> {
        Limits l = given.orElse(catalog.limits(simulatorTier(), pool)); // "?" in the file: the tier's
        sim.poolLimits(pool, l.requests(), l.inputTokens(), l.outputTokens());
      });
    }
    Simulator simulator = Simulator.start(sim.build());
    simulator.warmUp(); // a real server is warm: its first answers are not slowed by class loading
    return simulator;
  }

  private String describeSimulator(ModelCatalog catalog) {
    Limits base = catalog.limits(simulatorTier(), "default");
    String per = window.equals(Duration.ofMinutes(1)) ? "minute" : Durations.format(window);
    return "tier " + simulatorTier().key() + ": " + RunOptions.grouped(rpm != null ? rpm : base.requests()) + " requests, "
        + RunOptions.grouped(itpm != null ? itpm : base.inputTokens()) + " input and "
        + RunOptions.grouped(otpm != null ? otpm : base.outputTokens()) + " output tokens per " + per
        + (limitsFile != null ? ", and the pools in " + limitsFile : "");
  }

  // ---- Dry run ----------------------------------------------------------------------------------

  private int dryRun(JobConfig config, ModelCatalog catalog, SdkRequestSender counter, PrintStream out, PrintStream err) {
    JobEstimate estimate;
    try {
      JobRunner.Builder builder = JobRunner.builder(config).catalog(catalog);
      if (counter != null) {
        builder.tokenCounter(counter);
      }
      estimate = builder.build().estimate();
    } catch (JobException e) {
      err.println("pacer run: " + e.getMessage());
      return EXIT_USAGE;
    } catch (IOException e) {
      err.println("pacer run: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 130;
    }
    printProblems(estimate.problems(), estimate.rejected(), err);
    out.println("pacer run --dry-run " + config.input() + ": nothing sent");
    out.printf(Locale.ROOT, "  lines      %d: %d requests, %d rejected%n", estimate.lines(), estimate.requests(),
        estimate.rejected());
    out.printf(Locale.ROOT, "  to send    %d (%d already answered in %s)%n", estimate.toSend(), estimate.alreadyAnswered(),
        config.output());
    out.println("  tokens     " + (estimate.exactCounts() ? "input counted with count_tokens"
        : "input estimated as Pacer does before its first answers (0.5 tokens an ASCII character: errs high; --exact counts them)"));
    for (JobEstimate.PoolEstimate pool : estimate.pools()) {
      String cached = pool.cacheReadTokens() == 0 ? ""
          : " (and " + RunOptions.grouped(pool.cacheReadTokens()) + " read from the prompt cache)";
      out.printf(Locale.ROOT, "    %-12s %s requests, %s input tokens%s, at most %s output tokens (models: %s; limits %s)%n",
          pool.pool(), RunOptions.grouped(pool.requests()), RunOptions.grouped(pool.inputTokens()), cached,
          RunOptions.grouped(pool.maxOutputTokens()), String.join(", ", pool.models()), pool.limits());
    }
    double factor = estimate.batchPriceFactor();
    out.printf(Locale.ROOT, "  cost       input %s; at most %s if every answer used its max_tokens (Messages API)%n",
        RunOptions.dollars(estimate.inputCostUsd()), RunOptions.dollars(estimate.maxCostUsd()));
    out.printf(Locale.ROOT, "             input %s; at most %s through Message Batches (%.0f%% of the standard price)%n",
        RunOptions.dollars(estimate.inputCostUsd() * factor), RunOptions.dollars(estimate.maxCostUsd() * factor),
        factor * 100);
    if (!estimate.unpricedModels().isEmpty()) {
      out.println("             no price known for " + String.join(", ", estimate.unpricedModels()) + " (not counted)");
    }
    if (!estimate.limitsKnown()) {
      // A bound from the limits known alone would read "0ms, fits within the burst" for a job of
      // a million requests: say nothing rather than something wrong.
      out.println("  time       some limits are unknown (they are learned from headers while running): give --tier, "
          + "--rpm/--itpm/--otpm or --limits for the least possible time");
    } else {
      out.println("  least time " + Durations.format(estimate.leastTime()) + " for requests and input tokens (binding: "
          + estimate.bindingLimit() + "), " + Durations.format(estimate.leastTimeAtMaxOutput())
          + " if every answer used its max_tokens; plus one request's latency"
          + (config.pacing().burst().isEmpty() ? "; assumes a full window of burst" : ""));
    }
    out.println("  via        " + switch (config.via()) {
      case MESSAGES -> "messages (--via auto would choose " + estimate.auto() + ")";
      case BATCHES -> "batches: most finish within an hour, all within 24 h (--via auto would choose "
          + estimate.auto() + ")";
      case AUTO -> "auto: " + estimate.auto();
    });
    return estimate.rejected() > 0 ? 1 : 0;
  }

  // ---- The run ----------------------------------------------------------------------------------

  private int run(JobConfig config, ModelCatalog catalog, SdkRequestSender sender, RunProgress.Mode mode, PrintStream err) {
    AtomicInteger problemsPrinted = new AtomicInteger();
    AtomicInteger problemsSeen = new AtomicInteger();
    RunProgress display = new RunProgress(mode, err, Duration.ofSeconds(5));
    JobRunner[] holder = new JobRunner[1];
    JobListener listener = new JobListener() {
      @Override
      public void inputProblem(InputProblem problem) {
        problemsSeen.incrementAndGet();
        if (problemsPrinted.incrementAndGet() <= MAX_PROBLEMS_PRINTED) {
          err.println("pacer: " + config.input() + " " + problem);
        }
      }

      @Override
      public void notice(String message) {
        display.message("pacer: " + message);
      }

      @Override
      public void started(int toSend, int alreadyAnswered) {
        if (problemsSeen.get() > MAX_PROBLEMS_PRINTED) {
          err.println("pacer: ... and " + (problemsSeen.get() - MAX_PROBLEMS_PRINTED) + " more rejected lines"
              + (summaryJson != null ? " (all in " + summaryJson + ")" : ""));
        }
        display.message("pacer: sending " + toSend + " request" + (toSend == 1 ? "" : "s") + " → " + config.output());
        display.start(holder[0], toSend);
      }
    };
    // The sender also counts, with count_tokens, any prompt the estimate says is too large for the limits.
    JobRunner runner = JobRunner.builder(config).sender(sender).tokenCounter(sender).catalog(catalog)
        .batchApi(sender.batchApi()).listener(listener).build();
    holder[0] = runner;

    AtomicInteger interrupts = new AtomicInteger();
    Interrupts.Handle handle = Interrupts.onInterrupt(() -> {
      if (interrupts.incrementAndGet() == 1) {
        runner.stop();
        if (runner.viaBatches()) {
          display.message("pacer: Ctrl-C: stopping; batches in flight go on at the server, and a rerun collects them");
          return;
        }
        display.message("pacer: Ctrl-C: no new requests; waiting for the " + runner.progress().inFlight()
            + " in flight (Ctrl-C again to abandon them; a rerun sends them)");
      } else {
        display.message("pacer: abandoning the requests in flight");
        runner.abandon();
      }
    });
    JobSummary summary;
    try {
      summary = runner.run();
    } catch (JobException e) {
      err.println("pacer run: " + e.getMessage());
      return EXIT_USAGE;
    } catch (IOException e) {
      err.println("pacer run: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 130;
    } finally {
      display.close();
      handle.restore();
    }
    printSummary(summary, err);
    if (summaryJson != null) {
      try {
        Path parent = summaryJson.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        Files.writeString(summaryJson, new ObjectMapper().writerWithDefaultPrettyPrinter()
            .writeValueAsString(summary.toJson()) + "\n");
      } catch (IOException e) {
        err.println("pacer run: cannot write --summary-json " + summaryJson + ": " + e.getMessage());
      }
    }
    return summary.exitCode();
  }

  private static void printProblems(java.util.List<InputProblem> problems, int total, PrintStream err) {
    int shown = 0;
    for (InputProblem problem : problems) {
      if (shown++ == MAX_PROBLEMS_PRINTED) {
        break;
      }
      err.println("pacer: " + problem);
    }
    if (total > MAX_PROBLEMS_PRINTED) {
      err.println("pacer: ... and " + (total - MAX_PROBLEMS_PRINTED) + " more rejected lines");
    }
  }

  static void printSummary(JobSummary s, PrintStream err) {
    String how = switch (s.outcome()) {
      case COMPLETED -> s.exitCode() == 0 ? "done" : "done, with errors";
      case STOPPED_BY_MAX_COST -> "stopped by --max-cost";
      case STOPPED_BY_DEADLINE -> "stopped by --deadline";
      case STOPPED_BY_SERVER -> "stopped: the server refused the requests or never answered";
      case STOPPED_CANNOT_WRITE -> "stopped: the results file cannot be written";
      case INTERRUPTED -> "interrupted";
    };
    boolean batches = s.via() == Via.BATCHES;
    err.printf(Locale.ROOT, "pacer: %s in %s: %d succeeded, %d errored, %s%d input line%s rejected%s%n", how,
        Durations.format(s.elapsed()), s.succeeded(), s.errored(),
        batches ? s.canceled() + " canceled, " + s.expired() + " expired, " : "", s.rejected(),
        s.rejected() == 1 ? "" : "s",
        s.unfinished() > 0 ? ", " + s.unfinished() + " not sent or unfinished (rerun to finish)" : "");
    err.printf(Locale.ROOT, "  requests  %d in the job: %d sent now, %d answered before%s%n", s.requests(), s.sent(),
        s.skipped(), s.earlierErrored() > 0 ? " (" + s.earlierErrored()
            + " of them errored, canceled or expired: --retry-errored, --retry-expired resend them)" : "");
    if (batches) {
      err.printf(Locale.ROOT, "  batches   %d created now, %d still in flight%s; %d calls to the batch endpoints, "
          + "429s %d%n", s.batchesCreated(), s.batchesInFlight(), s.batchesInFlight() > 0 ? " (a rerun collects them)" : "",
          s.attempts(), s.rateLimited());
    } else {
      err.printf(Locale.ROOT, "  attempts  %d (%d retries); 429s %d, 529s %d%n", s.attempts(), s.retries(),
          s.rateLimited(), s.overloaded());
    }
    err.printf(Locale.ROOT, "  tokens    %s in, %s out; cost %s%s%s%n", RunOptions.grouped(s.inputTokens()),
        RunOptions.grouped(s.outputTokens()), RunOptions.dollars(s.costUsd()),
        batches ? " at batch prices (" + RunOptions.dollars(s.standardCostUsd()) + " at standard prices)" : "",
        s.unpricedModels().isEmpty() ? "" : " (no price for " + String.join(", ", s.unpricedModels()) + ")");
    if (batches) {
      err.printf(Locale.ROOT, "  time      %s through Message Batches%n", Durations.format(s.elapsed()));
    } else {
      err.printf(Locale.ROOT, "  time      %s; least possible %s; binding limit: %s%s%n", Durations.format(s.elapsed()),
          s.lowerBound().map(Durations::format).orElse("unknown"), s.bindingLimit(),
          s.efficiency().isPresent() ? String.format(Locale.ROOT, "; E = %.2f", s.efficiency().getAsDouble()) : "");
      if (s.lowerBound().isPresent() && s.outcome() == JobOutcome.COMPLETED
          && s.elapsed().toNanos() < s.lowerBound().get().toNanos() * 0.8) {
        // Done well inside the least possible time: the server refills faster than Pacer was told,
        // and Pacer only caught up from each answer's headers instead of pacing to it.
        err.println("  note      done in less than the least possible time for the limits Pacer was told: the server's"
            + " window is shorter (--window), or its limits higher (--tier, --rpm/--itpm/--otpm, --limits), than"
            + " that; tell Pacer, and it paces to the server rather than catching up from each answer");
      }
    }
    err.println("  results   " + s.output());
  }
}
