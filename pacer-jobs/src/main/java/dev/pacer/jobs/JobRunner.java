package dev.pacer.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.PacerStats;
import dev.pacer.Usage;
import dev.pacer.anthropic.PromptText;
import dev.pacer.estimate.TokenEstimator;
import dev.pacer.jobs.batches.AutoRule;
import dev.pacer.jobs.batches.BatchApi;
import dev.pacer.jobs.batches.BatchJob;
import dev.pacer.jobs.batches.BatchLog;
import dev.pacer.jobs.internal.CachedInput;
import dev.pacer.jobs.internal.InputLine;
import dev.pacer.jobs.internal.InputReader;
import dev.pacer.jobs.internal.JobState;
import dev.pacer.jobs.internal.LowerBound;
import dev.pacer.jobs.internal.OutputLock;
import dev.pacer.jobs.internal.PoolLanes;
import dev.pacer.jobs.internal.RateMeter;
import dev.pacer.jobs.internal.ResultWriter;
import dev.pacer.jobs.internal.ResultsFile;
import dev.pacer.jobs.internal.Usages;
import dev.pacer.limits.Bucket;
import dev.pacer.limits.Limits;
import dev.pacer.limits.ModelCatalog;
import dev.pacer.limits.OutputRule;
import dev.pacer.limits.Prices;
import dev.pacer.time.TimeSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a job: a JSONL file of requests in, one result per custom_id out, resumably.
 *
 * <p>A run reads the input twice, streaming: once to check every line (reporting problems with
 * their line numbers before anything is sent) and to count what is left to do, then again to
 * send. Results are appended as they arrive. A rerun skips custom_ids the output already answers,
 * after cutting off a torn last line. Stopping ({@link #stop()}) ends admission and lets requests
 * in flight finish; {@link #abandon()} stops waiting for them. Either way the output stays a
 * valid results file that a rerun completes.
 *
 * <p>Pacing under the rate limits, retries and concurrency are the {@link RequestSender}'s
 * business ({@link SdkRequestSender} sends through pacer-core's Pacer). The runner keeps at most
 * {@link PacingConfig#concurrency()} requests outstanding in each pool (a pool whose limits hold
 * its requests back does not hold back the others' lines; see {@link PoolLanes}), stops at {@code --max-cost} or
 * {@code --deadline}, and estimates input tokens with pacer-core's {@link TokenEstimator} (the
 * same estimate the Pacer reserves before its first answers) for the dry run, the cost ceiling and
 * the check for requests no limit could ever admit.
 */
public final class JobRunner {

  static final int MAX_PROBLEMS_KEPT = 1_000;

  private final JobConfig config;
  private final RequestSender sender;
  private final ModelCatalog catalog;
  private final TokenEstimator estimator;
  private final JobListener listener;
  private final TimeSource time;
  private final Optional<TokenCounter> counter;
  private final Optional<BatchApi> batchApi;
  private final ResultWriter.Opener resultsOpener;
  /** Exact input counts of requests the estimate said were too large, by line (both passes agree). */
  private final Map<Integer, ExactCount> exactCounts = new HashMap<>();

  private final Object lock = new Object();
  private volatile boolean stopping;
  private volatile boolean abandoned;
  private volatile JobOutcome stopOutcome;
  private final Map<String, CompletableFuture<SendOutcome>> inFlight = new ConcurrentHashMap<>();
  private final Map<String, Double> inFlightWorstCost = new ConcurrentHashMap<>();
  /** Requests read and not finished, per pool: in flight up to --concurrency each, the rest waiting. */
  private PoolLanes lanes;
  private ResultWriter writer;
  private volatile Tally tally;
  private Optional<PacerStats> statsAtStart = Optional.empty();
  /** The API this run goes through: the configured one, or auto's choice once made. */
  private volatile Via via;
  /** The batch path, while it runs (--via batches). */
  private volatile BatchJob batchJob;

  private JobRunner(Builder builder) {
    this.config = builder.config;
    this.sender = builder.sender;
    this.catalog = builder.catalog;
    this.estimator = builder.estimator;
    this.listener = builder.listener;
    this.time = builder.time;
    this.counter = Optional.ofNullable(builder.counter);
    this.batchApi = Optional.ofNullable(builder.batchApi);
    this.resultsOpener = builder.resultsOpener;
    this.via = config.via();
  }

  public static Builder builder(JobConfig config) {
    return new Builder(config);
  }

  // ---- Stopping ---------------------------------------------------------------------------------

  /** Stops admitting requests; those in flight finish and are written. Idempotent. */
  public void stop() {
    stopWith(JobOutcome.INTERRUPTED);
  }

  /** Stops waiting for requests in flight: they are cancelled and get no result (a rerun sends them). */
  public void abandon() {
    stopWith(JobOutcome.INTERRUPTED);
    abandoned = true;
    inFlight.values().forEach(future -> future.cancel(true));
    wake();
  }

  /** True when the run goes through the Message Batches API (--via batches, or auto's choice). */
  public boolean viaBatches() {
    return via == Via.BATCHES;
  }

  /** True once {@link #stop()} (or a limit) ended admission. */
  public boolean isStopping() {
    return stopping;
  }

  private void stopWith(JobOutcome outcome) {
    synchronized (lock) {
      if (stopOutcome == null) {
        stopOutcome = outcome;
      }
      stopping = true;
      lock.notifyAll();
    }
    BatchJob batches = batchJob;
    if (batches != null) {
      batches.wake();
    }
  }

  private void wake() {
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  // ---- Dry run ----------------------------------------------------------------------------------

  /** Checks the input and estimates tokens, cost and least possible time; sends nothing, changes nothing. */
  public JobEstimate estimate() throws IOException, InterruptedException {
    requireInput();
    ResultsFile.Scan scan = ResultsFile.scanWithoutRepair(config.output());
    Map<String, PoolAccumulator> pools = new TreeMap<>();
    List<InputProblem> problems = new ArrayList<>();
    int lines = 0;
    int requests = 0;
    int rejected = 0;
    int answered = 0;
    List<CompletableFuture<Long>> counts = new ArrayList<>();
    List<PoolAccumulator> countedFor = new ArrayList<>();
    Semaphore counting = new Semaphore(8);
    CachedInput cachedInput = new CachedInput(estimator);
    try (InputReader reader = new InputReader(config.input(), config.defaults())) {
      InputLine line;
      while ((line = screen(reader.next())) != null) {
        lines++;
        if (line instanceof InputLine.Rejected r) {
          rejected++;
          keep(problems, r.problem());
          continue;
        }
        InputLine.Request request = (InputLine.Request) line;
        requests++;
        if (isKept(scan.results().get(request.customId()))) {
          answered++;
          continue;
        }
        PoolAccumulator pool = pools.computeIfAbsent(catalog.poolOf(request.model()), PoolAccumulator::new);
        CachedInput.Split estimated = cachedInput.next(pool.pool, request.params().toString(),
            catalog.countsCacheReads(pool.pool));
        pool.add(request.model(), estimated, request.maxTokens());
        if (counter.isPresent()) {
          ExactCount known = exactCounts.get(request.lineNumber());
          CompletableFuture<Long> count;
          if (known != null && known.failure() == null) {
            count = CompletableFuture.completedFuture(known.tokens());
          } else {
            counting.acquire();
            count = counter.get().countInputTokens(request.params());
            count.whenComplete((n, e) -> counting.release());
          }
          counts.add(count);
          countedFor.add(pool);
          pool.exactPending(estimated, request.model());
        }
      }
    }
    for (int i = 0; i < counts.size(); i++) {
      try {
        countedFor.get(i).exactCount(counts.get(i).get());
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        throw new JobException("count_tokens failed: " + cause.getMessage(), cause);
      }
    }
    double inputCost = 0;
    double outputCost = 0;
    Set<String> unpriced = new TreeSet<>();
    List<JobEstimate.PoolEstimate> estimates = new ArrayList<>();
    List<LowerBound.PoolLoad> withoutOutput = new ArrayList<>();
    List<LowerBound.PoolLoad> withMaxOutput = new ArrayList<>();
    boolean limitsKnown = true;
    for (PoolAccumulator pool : pools.values()) {
      inputCost += pool.inputCost;
      outputCost += pool.maxOutputCost;
      unpriced.addAll(pool.unpriced);
      Limits known = limitsOf(pool.pool);
      limitsKnown &= known.isKnown(Bucket.REQUESTS) && known.isKnown(Bucket.INPUT_TOKENS)
          && known.isKnown(Bucket.OUTPUT_TOKENS);
      estimates.add(new JobEstimate.PoolEstimate(pool.pool, pool.models, pool.requests, pool.inputTokens,
          pool.cacheReadTokens, pool.maxOutputTokens, describe(known)));
      withoutOutput.add(new LowerBound.PoolLoad(pool.pool, pool.requests, pool.inputTokens, 0));
      withMaxOutput.add(new LowerBound.PoolLoad(pool.pool, pool.requests, pool.inputTokens, pool.maxOutputTokens));
    }
    PacingConfig pacing = config.pacing();
    LowerBound.Bound least = LowerBound.compute(withoutOutput, this::limitsOf, pacing.window(), pacing.burst(), Duration.ZERO);
    LowerBound.Bound atMax = LowerBound.compute(withMaxOutput, this::limitsOf, pacing.window(), pacing.burst(), Duration.ZERO);
    int inFlightBatches = (int) BatchLog.peek(config.batchesFile()).stream().filter(BatchLog.Entry::inFlight).count();
    AutoRule.Choice auto = AutoRule.choose(requests - answered, inputCost + outputCost, catalog.batchPriceFactor(),
        limitsKnown ? Optional.of(least.time()) : Optional.empty(), config.deadline(), inFlightBatches);
    return new JobEstimate(lines, requests, rejected, problems, answered, requests - answered, counter.isPresent(),
        estimates, inputCost, outputCost, unpriced, least.time(), atMax.time(), least.binding(), limitsKnown,
        catalog.batchPriceFactor(), auto);
  }

  private static String describe(Limits known) {
    StringBuilder text = new StringBuilder();
    for (Bucket bucket : Bucket.values()) {
      text.append(bucket.ordinal() == 0 ? "" : " / ")
          .append(known.isKnown(bucket) ? String.format(java.util.Locale.ROOT, "%,d", known.get(bucket)) : "?");
    }
    return text.toString();
  }

  /**
   * A request's input tokens as pacer-core's estimator sees them before any answer: the prompt
   * measured as the paced client measures it ({@link PromptText}; about 0.5 tokens an ASCII
   * character at first, two an ideograph, which errs high).
   */
  private long estimatedInput(InputLine.Request request) {
    return estimator.estimate(catalog.poolOf(request.model()), PromptText.of(request.params().toString()));
  }

  // ---- The run ----------------------------------------------------------------------------------

  /**
   * Runs the job to its end (or until stopped) and says how it went.
   *
   * @throws JobException when the job cannot start as asked (input missing, input or options
   *     changed since the output was written, --via batches without a {@link BatchApi}, another
   *     run writing the same output)
   */
  public JobSummary run() throws IOException, InterruptedException {
    requireInput();
    Optional<OutputLock> lock = OutputLock.tryTake(config.output());
    if (lock.isEmpty()) {
      throw new JobException("another pacer run is writing " + config.output() + " (" + OutputLock.holder(config.output())
          + "; it holds " + OutputLock.fileOf(config.output()) + "): wait for it to end or stop it. Two runs on one "
          + "output would each send every request and write each answer twice");
    }
    try (OutputLock held = lock.get()) {
      return runAlone();
    }
  }

  /** {@link #run()}, with the output's lock held. */
  private JobSummary runAlone() throws IOException, InterruptedException {
    long startNanos = time.nanoTime();
    ResultsFile.removeLeftovers(config.output());
    ResultsFile.Scan scan = ResultsFile.scanAndRepair(config.output());
    if (scan.tornBytes() > 0) {
      notice("repaired " + config.output() + ": cut off a torn last line (" + scan.tornBytes()
          + " bytes, from an interrupted run); its request will be sent again");
    }

    // Pass 1: check every line, count the work.
    Plan plan = plan(scan);

    // Same input, same options?
    JobState now = JobState.of(plan.inputSize, plan.inputSha256, plan.inputLines, config.defaults());
    checkChanges(now, scan);

    // Drop the results this run replaces, then record what produced the output.
    boolean retry = config.retryErrored();
    if (scan.needsCompaction() || scan.results().values().stream().anyMatch(s -> !isKept(s))) {
      ResultsFile.compact(config.output(), (id, status) -> isKept(status));
      long retried = scan.results().values().stream()
          .filter(s -> s != ResultsFile.Status.SUCCEEDED && s != ResultsFile.Status.REJECTED_INPUT).count();
      if (retry && retried > 0) {
        notice("--retry-errored: sending " + retried + " errored request" + (retried == 1 ? "" : "s") + " again");
      }
      if (scan.unreadableLines() + scan.repeatedLines() > 0) {
        notice("dropped " + (scan.unreadableLines() + scan.repeatedLines()) + " unreadable or repeated line(s) from "
            + config.output());
      }
    }
    Files.createDirectories(config.stateFile().toAbsolutePath().getParent());
    now.write(config.stateFile(), config.input());
    if (plan.answered > 0) {
      notice("resuming: " + plan.answered + " of " + plan.requests + " requests already answered in "
          + config.output() + "; sending the other " + plan.toSend);
    }
    List<BatchLog.Entry> batchesInFlight = BatchLog.peek(config.batchesFile()).stream()
        .filter(e -> e.inFlight() || e.uncertain()).toList();
    if (via == Via.AUTO) {
      AutoRule.Choice choice = AutoRule.choose(plan.toSend, plan.worstStandardUsd, catalog.batchPriceFactor(),
          AutoRule.leastDirectTime(plan.loads, this::limitsOf, config.pacing()), config.deadline(), batchesInFlight.size());
      via = choice.via();
      notice("--via auto: " + choice);
    }
    if (via == Via.BATCHES) {
      return runBatches(plan, scan, startNanos);
    }
    Set<String> inBatches = new java.util.HashSet<>();
    batchesInFlight.forEach(e -> inBatches.addAll(e.customIds()));
    if (!inBatches.isEmpty()) {
      notice(inBatches.size() + " requests are in Message Batches an earlier run left in flight (recorded in "
          + config.batchesFile() + "): they are not sent again; rerun with --via batches to collect them");
    }

    // Pass 2: send.
    statsAtStart = sender.stats();
    tally = new Tally(startNanos, plan.toSend, config.pacing().window().toNanos());
    lanes = new PoolLanes(config.pacing().concurrency(), backlogLimit(config.pacing().concurrency()));
    Runnable unwatch = watch(startNanos);
    try {
      call(() -> listener.started(plan.toSend, plan.answered));
      writer = resultsOpener.open(config.output());
      try {
        send(scan, inBatches);
        awaitInFlight();
      } finally {
        writer.close();
      }
    } finally {
      unwatch.run();
    }
    noticeCacheReadsCounted();
    return summarize(plan, startNanos);
  }

  /** Where the sender found the server counting cache reads that the model data says it does not, says so. */
  private void noticeCacheReadsCounted() {
    for (String pool : tally.pools()) {
      if (!catalog.countsCacheReads(pool) && sender.countsCacheReads(pool).orElse(false)) {
        notice("the server counts cache reads against " + pool + "'s input limit, which the model data says"
            + " it does not (learned from its headers during the run, after the first reads); to pace by it from the"
            + " start, pass --model-data FILE with the line 'pool." + pool + ".counts-cache-reads = true'");
      }
    }
  }

  /** The batch path: the requests to send go through the Message Batches API ({@link BatchJob}). */
  private JobSummary runBatches(Plan plan, ResultsFile.Scan scan, long startNanos) throws IOException,
      InterruptedException {
    BatchApi api = batchApi.orElseThrow(() -> new JobException(
        "--via batches needs the Message Batches endpoints, and this runner has none (JobRunner.Builder.batchApi)"));
    statsAtStart = sender.stats();
    BatchJob.Control control = new BatchJob.Control() {
      @Override
      public boolean stopping() {
        return stopping;
      }

      @Override
      public void refused(ResultError error) {
        stopForServer(refusalNotice(error));
      }

      @Override
      public ResultWriter openResults(Path output) throws IOException {
        return resultsOpener.open(output);
      }

      @Override
      public void cannotWrite(IOException e) {
        stopForWriteFailure(e, "it collects the results not written from the batches, which the server keeps for "
            + "29 days, and sends nothing again");
      }
    };
    BatchJob job = new BatchJob(config, catalog, api, listener, time, control, this::worstCost);
    batchJob = job;
    Runnable unwatch = watch(startNanos);
    BatchJob.Result result;
    try {
      call(() -> listener.started(plan.toSend, plan.answered));
      result = job.run(plan.toSend, id -> isKept(scan.results().get(id)));
    } finally {
      unwatch.run();
    }
    if (result.stoppedByMaxCost()) {
      stopWith(JobOutcome.STOPPED_BY_MAX_COST);
    }
    JobOutcome outcome = stopOutcome == null ? JobOutcome.COMPLETED : stopOutcome;
    return result.summary(outcome, new JobSummary.Input(plan.lines, plan.requests, plan.rejected, plan.answered,
        plan.earlierErrored, plan.toSend, plan.problems), statsAtStart, sender.stats(),
        Duration.ofNanos(time.nanoTime() - startNanos), config.output());
  }

  private void requireInput() {
    if (Files.isDirectory(config.input())) {
      throw new JobException("the input " + config.input() + " is a directory: give the JSONL file of requests");
    }
    if (!Files.isRegularFile(config.input())) {
      throw new JobException("input file not found: " + config.input());
    }
    if (Files.isDirectory(config.output())) {
      throw new JobException("the output " + config.output() + " is a directory: give a file for the results, e.g. -o "
          + config.output().resolve(JobConfig.defaultOutput(config.input()).getFileName()));
    }
  }

  /** What pass 1 found. */
  private static final class Plan {
    int lines;
    int inputLines;
    long inputSize;
    String inputSha256;
    int requests;
    int rejected;
    int answered;
    int earlierErrored;
    int toSend;
    final List<InputProblem> problems = new ArrayList<>();
    /** For --via auto: the worst case of the requests to send at standard prices, and their load per pool. */
    double worstStandardUsd;
    final Map<String, long[]> loads = new TreeMap<>();
  }

  private Plan plan(ResultsFile.Scan scan) throws IOException, InterruptedException {
    Plan plan = new Plan();
    CachedInput cachedInput = new CachedInput(estimator);
    try (InputReader reader = new InputReader(config.input(), config.defaults())) {
      InputLine line;
      while ((line = screen(reader.next())) != null) {
        plan.lines++;
        if (line instanceof InputLine.Rejected r) {
          plan.rejected++;
          keep(plan.problems, r.problem());
          InputProblem problem = r.problem();
          call(() -> listener.inputProblem(problem));
          continue;
        }
        InputLine.Request request = (InputLine.Request) line;
        plan.requests++;
        ResultsFile.Status status = scan.results().get(request.customId());
        if (isKept(status)) {
          plan.answered++;
          if (status != ResultsFile.Status.SUCCEEDED) {
            plan.earlierErrored++;
          }
        } else {
          plan.toSend++;
          if (via == Via.AUTO) {
            String pool = catalog.poolOf(request.model());
            CachedInput.Split input = cachedInput.next(pool, request.params().toString(), catalog.countsCacheReads(pool));
            plan.worstStandardUsd += worstCost(request, input.whole());
            long[] load = plan.loads.computeIfAbsent(pool, p -> new long[2]);
            load[0]++;
            load[1] += input.counted();
          }
        }
      }
      plan.inputLines = reader.lineCount();
      plan.inputSize = reader.bytesRead();
      plan.inputSha256 = reader.sha256();
    }
    return plan;
  }

  private void checkChanges(JobState now, ResultsFile.Scan scan) throws IOException {
    Optional<JobState> before = JobState.read(config.stateFile());
    if (before.isEmpty()) {
      if (!scan.results().isEmpty()) {
        notice("no state file beside " + config.output() + ": taking its " + scan.results().size()
            + " results as answers to this input");
      }
      return;
    }
    if (scan.results().isEmpty()) {
      return;
    }
    JobState.Changes changes = before.get().compareWith(now, config.input());
    if (changes.appended()) {
      notice("the input grew since the last run (its first " + before.get().inputSize()
          + " bytes are unchanged): the new lines will run");
    }
    if (!changes.refusable()) {
      return;
    }
    StringBuilder why = new StringBuilder();
    if (changes.inputChanged()) {
      why.append("\n  - ").append(config.input()).append(" changed since the results in ").append(config.output())
          .append(" were written: it was ").append(before.get().inputSize()).append(" bytes (sha256 ")
          .append(before.get().inputSha256(), 0, 12).append("…), it is now ").append(now.inputSize())
          .append(" bytes (sha256 ").append(now.inputSha256(), 0, 12).append("…), and not only by lines added at the end");
    }
    for (String option : changes.optionChanges()) {
      why.append("\n  - ").append(option);
    }
    String message = "the job changed since its results were written:" + why
        + "\nResuming would keep the " + scan.results().size() + " results already in " + config.output()
        + ", some of which may answer requests that are now different."
        + "\nRerun with --allow-changes to keep them and send only the custom_ids without a result,"
        + " or give another --output to start afresh.";
    if (!config.allowChanges()) {
      throw new JobException(message);
    }
    notice("--allow-changes: " + message.lines().skip(1).limit(changes.optionChanges().size()
        + (changes.inputChanged() ? 1 : 0)).map(String::strip).reduce((a, b) -> a + "; " + b).orElse("")
        + "; keeping the results already written");
  }

  /**
   * Results a run keeps: successes always, errors unless --retry-errored, expired and canceled
   * unless --retry-expired, input rejections never.
   */
  private boolean isKept(ResultsFile.Status status) {
    if (status == null) {
      return false;
    }
    return switch (status) {
      case SUCCEEDED -> true;
      case REJECTED_INPUT -> false;
      case ERRORED -> !config.retryErrored();
      case CANCELED, EXPIRED -> !config.retryExpired();
    };
  }

  /**
   * Turns requests no configured limit can ever admit into rejections: max_tokens above the
   * output-token capacity under the reserve rule (when told: with the rule unknown the server
   * decides, as the 2026 API admits any max_tokens), or input above the input-token capacity. The
   * input is estimated as the Pacer will (which errs high); where that says "too large" and a
   * {@link TokenCounter} is at hand, count_tokens has the last word, so no prompt that fits is
   * refused. Configured limits only: learned ones change while a run goes, and both passes must
   * agree (the governor refuses what learned limits rule out, as an errored result).
   */
  private InputLine screen(InputLine line) throws InterruptedException {
    if (!(line instanceof InputLine.Request request) || config.via() != Via.MESSAGES) {
      return line; // batches have no interactive limits; auto decides after this pass
    }
    String pool = catalog.poolOf(request.model());
    PacingConfig pacing = config.pacing();
    Limits known = pacing.limitsFor(pool, catalog);
    double capacity = pacing.burstFraction(1.0);
    String why = null;
    // Only a rule told: the Pacer assumes reserve until shown otherwise, but lets the server judge
    // a max_tokens beyond the limit (admitted, it proves the live rule; refused, the line errs).
    if (pacing.outputRule().orElse(null) == OutputRule.RESERVE && known.isKnown(Bucket.OUTPUT_TOKENS)
        && request.maxTokens() > known.outputTokens() * capacity) {
      why = "max_tokens " + request.maxTokens() + " is more than pool " + pool + " can ever reserve at once (OTPM "
          + known.outputTokens() + capacityNote(capacity) + ")";
    } else if (known.isKnown(Bucket.INPUT_TOKENS)) {
      double room = known.inputTokens() * capacity;
      long estimate = estimatedInput(request);
      if (estimate > room) {
        ExactCount exact = counter.isEmpty() ? null : exactCount(request);
        if (exact == null || exact.failure() != null) {
          why = "needs about " + estimate + " input tokens (estimated"
              + (exact == null ? "" : "; count_tokens failed: " + exact.failure()) + "), more than pool " + pool
              + " can ever admit at once (ITPM " + known.inputTokens() + capacityNote(capacity) + ")";
        } else if (exact.tokens() > room) {
          why = "needs " + exact.tokens() + " input tokens (count_tokens), more than pool " + pool
              + " can ever admit at once (ITPM " + known.inputTokens() + capacityNote(capacity) + ")";
        }
      }
    }
    if (why == null) {
      return line;
    }
    return new InputLine.Rejected(new InputProblem(request.lineNumber(), request.customId(),
        InputProblem.Kind.EXCEEDS_LIMITS, why + ": it can never be sent under these limits", 0));
  }

  /** An exact count of a request's input tokens, or why there is none. */
  private record ExactCount(long tokens, String failure) {}

  private ExactCount exactCount(InputLine.Request request) throws InterruptedException {
    ExactCount known = exactCounts.get(request.lineNumber());
    if (known != null) {
      return known;
    }
    ExactCount count;
    try {
      count = new ExactCount(counter.orElseThrow().countInputTokens(request.params()).get(), null);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      count = new ExactCount(0, String.valueOf(cause.getMessage()));
    } catch (RuntimeException e) {
      count = new ExactCount(0, String.valueOf(e.getMessage()));
    }
    exactCounts.put(request.lineNumber(), count);
    return count;
  }

  private static String capacityNote(double fraction) {
    return fraction >= 1.0 ? "" : String.format(", burst %.0f%% of it", fraction * 100);
  }

  /**
   * A pool's limits for bounds and progress: the sender's (the governor's, configured or learned
   * from the server, which wins), the configured ones where the sender knows none.
   */
  private Limits limitsOf(String pool) {
    Limits configured = config.pacing().limitsFor(pool, catalog);
    return sender.limits(pool).map(limits -> limits.orElse(configured)).orElse(configured);
  }

  private void send(ResultsFile.Scan scan, Set<String> inBatches) throws IOException, InterruptedException {
    try (InputReader reader = new InputReader(config.input(), config.defaults())) {
      InputLine line;
      while (!stopping && (line = screen(reader.next())) != null) {
        if (line instanceof InputLine.Rejected r) {
          InputProblem problem = r.problem();
          if (problem.recordedAsResult() && !isKept(scan.results().get(problem.customId()))) {
            writer.write(ResultWriter.errored(problem.customId(),
                ResultError.inputRejected("line " + problem.line() + ": " + problem.message())));
          }
          continue;
        }
        InputLine.Request request = (InputLine.Request) line;
        if (isKept(scan.results().get(request.customId())) || inBatches.contains(request.customId())) {
          continue;
        }
        lanes.add(catalog.poolOf(request.model()), request);
        if (!sendWhatFits()) {
          return;
        }
        while (lanes.backlogFull()) {
          if (!waitForRoom()) {
            return;
          }
        }
      }
    }
    while (lanes.backlogged() > 0) {
      if (!waitForRoom()) {
        return;
      }
    }
  }

  /**
   * How many read requests may wait for room in their pool, all pools together: enough that a job
   * mixing a slow pool with fast ones keeps the fast ones going for thousands of lines; bounded,
   * as each holds its request in memory.
   */
  static int backlogLimit(int concurrency) {
    return Math.max(4_096, 16 * concurrency);
  }

  /** Waits until a request finishes, then sends what fits; false when admission has stopped. */
  private boolean waitForRoom() throws InterruptedException {
    synchronized (lock) {
      if (!stopping) {
        lock.wait(50);
      }
    }
    return sendWhatFits();
  }

  /** Sends the backlogged requests whose pools have room; false when admission has stopped. */
  private boolean sendWhatFits() {
    PoolLanes.Next next;
    while (!stopping && (next = lanes.next()) != null) {
      if (!admit(next.request(), next.pool())) {
        lanes.finished(next.pool());
        return false;
      }
    }
    return !stopping;
  }

  /** Checks the cost ceiling, and sends; false when admission has stopped. */
  private boolean admit(InputLine.Request request, String pool) {
    if (stopping) {
      return false;
    }
    double worst = worstCost(request);
    if (config.maxCostUsd().isPresent()) {
      double ceiling = config.maxCostUsd().get().doubleValue();
      double committed = tally.cost() + inFlightWorstCost.values().stream().mapToDouble(Double::doubleValue).sum();
      if (committed + worst > ceiling) {
        notice(String.format("--max-cost %s: stopping before %s (could cost up to $%.4f; $%.4f spent or in flight)",
            config.maxCostUsd().get().toPlainString(), request.customId(), worst, committed));
        stopWith(JobOutcome.STOPPED_BY_MAX_COST);
        return false;
      }
    }
    String id = request.customId();
    inFlightWorstCost.put(id, worst);
    long sentAt = time.nanoTime();
    CompletableFuture<SendOutcome> future;
    try {
      future = sender.send(id, request.params());
    } catch (RuntimeException e) {
      future = CompletableFuture.failedFuture(e);
    }
    tally.sent();
    inFlight.put(id, future);
    future.whenComplete((outcome, failure) -> finish(request, pool, sentAt, outcome, failure));
    return true;
  }

  /** The most a request can cost: its estimated input and all of its max_tokens, at standard prices. */
  private double worstCost(InputLine.Request request) {
    return worstCost(request, estimatedInput(request));
  }

  /** As {@link #worstCost(InputLine.Request)}, its whole input already estimated. */
  private double worstCost(InputLine.Request request, long estimatedInput) {
    return catalog.pricesOf(request.model())
        .map(p -> p.costUsd(estimatedInput, 0, 0, 0, request.maxTokens()))
        .orElse(0.0);
  }

  private static double cost(Prices prices, Usage usage) {
    return prices.costUsd(usage.inputTokens(), usage.cacheCreation5mInputTokens(), usage.cacheCreation1hInputTokens(),
        usage.cacheReadInputTokens(), usage.outputTokens());
  }

  private void finish(InputLine.Request request, String pool, long sentAt, SendOutcome outcome, Throwable failure) {
    String id = request.customId();
    try {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (cause instanceof CancellationException || abandoned) {
        return;
      }
      SendOutcome result = outcome != null ? outcome
          : new SendOutcome.Errored(new ResultError("api_error", "the request failed in Pacer: " + cause, 0, null, null),
              Attempts.none());
      if (result instanceof SendOutcome.Errored errored && errored.error().refusesTheAccount()) {
        stopForServer(refusalNotice(errored.error()));
        return; // about the key, not the line: no result, and a rerun sends it
      }
      ObjectNode line = switch (result) {
        case SendOutcome.Succeeded s -> ResultWriter.succeeded(id, s.message());
        case SendOutcome.Errored e -> ResultWriter.errored(id, e.error());
      };
      if (!writer.write(line)) {
        return;
      }
      Usage usage = result instanceof SendOutcome.Succeeded s ? Usages.of(s.message()) : Usage.NONE;
      Optional<Prices> prices = catalog.pricesOf(request.model());
      double cost = prices.map(p -> cost(p, usage)).orElse(0.0);
      long inputForLimits = usage.rateLimitedInputTokens(
          sender.countsCacheReads(pool).orElseGet(() -> catalog.countsCacheReads(pool)));
      tally.finished(result, usage, inputForLimits, cost, pool, request.model(), prices.isEmpty(), time.nanoTime(),
          time.nanoTime() - sentAt);
      call(() -> listener.resultWritten(id, result));
    } catch (IOException e) {
      stopForWriteFailure(e, "it sends again the requests whose answers could not be written");
    } finally {
      inFlightWorstCost.remove(id);
      inFlight.remove(id);
      lanes.finished(pool);
      wake();
    }
  }

  private void awaitInFlight() throws InterruptedException {
    synchronized (lock) {
      while (!inFlight.isEmpty() && !abandoned) {
        lock.wait(100);
      }
    }
    if (abandoned) {
      // Let completions that are already writing finish before the writer closes.
      for (CompletableFuture<SendOutcome> future : List.copyOf(inFlight.values())) {
        try {
          future.get(10, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CancellationException | TimeoutException ignored) {
          // Cancelled or still running: it gets no result.
        }
      }
    }
  }

  private void deadlineReached() {
    if (batchJob != null) {
      notice("--deadline " + Durations.format(config.deadline().orElseThrow()) + " reached: stopping; batches in flight "
          + "go on at the server, and a rerun collects them");
      stopWith(JobOutcome.STOPPED_BY_DEADLINE);
      return;
    }
    if (inFlight.isEmpty() && stopping) {
      return;
    }
    notice("--deadline " + Durations.format(config.deadline().orElseThrow()) + " reached: stopping; "
        + inFlight.size() + " request(s) in flight are abandoned and will be sent by a rerun");
    stopWith(JobOutcome.STOPPED_BY_DEADLINE);
    abandoned = true;
    inFlight.values().forEach(future -> future.cancel(true));
    wake();
  }

  // ---- A server that refuses the key or never answers --------------------------------------------

  /** How often the runner asks the sender whether the server has ever answered. */
  static final Duration SILENCE_CHECK = Duration.ofSeconds(1);

  /**
   * How long a server that has never answered an attempt (and has failed some) may stay silent
   * before the job stops: long enough for a server started alongside the job to come up, short
   * enough that a wrong address is not retried for hours without a word.
   */
  static final Duration SILENCE_PATIENCE = Duration.ofSeconds(15);

  private volatile Optional<TimeSource.Scheduled> silenceWatch = Optional.empty();
  private volatile boolean watching;
  /** When the runner first saw the sender report a server that never answered (the watch's thread only). */
  private long silentSince = -1;
  /** Whether the job was stopped at once (the server, the results file), and said why (guarded by {@code lock}). */
  private boolean stoppedAtOnce;

  /**
   * Starts what watches the sending for a reason to stop (the deadline, a silent server); returns
   * what ends both, for when the sending is over.
   */
  private Runnable watch(long startNanos) {
    Optional<TimeSource.Scheduled> deadline = config.deadline().map(d -> time.schedule(this::deadlineReached,
        d.toNanos() - (time.nanoTime() - startNanos)));
    watching = true;
    watchForSilence();
    return () -> {
      deadline.ifPresent(TimeSource.Scheduled::cancel);
      watching = false;
      silenceWatch.ifPresent(TimeSource.Scheduled::cancel);
    };
  }

  /**
   * Stops the job when the sender reports that every attempt so far failed without any response
   * (nothing listening, a wrong host, TLS refused) for {@link #SILENCE_PATIENCE}. Once the server
   * has answered anything, failures are an outage, and the Pacer's retries ride it out.
   */
  private void watchForSilence() {
    if (!watching || stopping) {
      return;
    }
    Optional<String> silence = sender.neverAnswered();
    long now = time.nanoTime();
    if (silence.isEmpty()) {
      silentSince = -1;
    } else if (silentSince < 0) {
      silentSince = now;
    } else if (now - silentSince >= SILENCE_PATIENCE.toNanos()) {
      stopForServer("no answer from the server in " + Durations.format(SILENCE_PATIENCE) + ": " + silence.get()
          + "; stopping: requests sent get no result and a rerun sends them; check --base-url (or "
          + "ANTHROPIC_BASE_URL), the network and any proxy");
      return;
    }
    silenceWatch = Optional.of(time.schedule(this::watchForSilence, SILENCE_CHECK.toNanos()));
  }

  private static String refusalNotice(ResultError error) {
    String what = error.status() == 401
        ? "check the key in ANTHROPIC_API_KEY"
        : "check the organization's credit balance and billing in the Console";
    return "the server refused the job's requests (" + error.status() + " " + error.type() + ": " + error.message()
        + "); stopping: nothing more is sent, requests refused this way get no result, and a rerun sends them; "
        + what;
  }

  /** Stops admitting, abandons what is in flight (no lines; a rerun sends them) and says why, once. */
  private void stopForServer(String why) {
    stopAtOnce(JobOutcome.STOPPED_BY_SERVER, why);
  }

  /**
   * The results file cannot be written (a full disk, a quota): nothing more can be kept, so the job
   * stops at once; the requests in flight are cancelled, as their answers could not be kept either.
   */
  private void stopForWriteFailure(IOException e, String rerunDoes) {
    stopAtOnce(JobOutcome.STOPPED_CANNOT_WRITE, e.getMessage() + "; stopping. Free some space (or pass another -o "
        + "and move the results there) and rerun: " + rerunDoes);
  }

  /** Stops with {@code outcome}, cancelling what is in flight; says why once, however many call. */
  private void stopAtOnce(JobOutcome outcome, String why) {
    boolean first;
    synchronized (lock) {
      first = !stoppedAtOnce;
      stoppedAtOnce = true;
    }
    if (first) {
      notice(why);
    }
    stopWith(outcome);
    abandoned = true;
    inFlight.values().forEach(future -> future.cancel(true));
    wake();
  }

  /** The requests of the pool that sent the most: --concurrency caps each pool's in flight, not all together. */
  private static long busiestPool(Tally.Snapshot t) {
    return t.pools().values().stream().mapToLong(load -> load[0]).max().orElse(t.sent());
  }

  private JobSummary summarize(Plan plan, long startNanos) {
    Tally.Snapshot t = tally.snapshot(time.nanoTime());
    Duration elapsed = Duration.ofNanos(time.nanoTime() - startNanos);
    List<LowerBound.PoolLoad> loads = new ArrayList<>();
    t.pools().forEach((pool, load) -> loads.add(new LowerBound.PoolLoad(pool, load[0], load[1], load[2])));
    Optional<Duration> bound = Optional.empty();
    String binding = "unknown (no limits configured or learned)";
    OptionalDouble efficiency = OptionalDouble.empty();
    if (!loads.isEmpty()) {
      LowerBound.Bound b = LowerBound.withConcurrency(
          LowerBound.compute(loads, this::limitsOf, config.pacing().window(), config.pacing().burst(), t.medianLatency()),
          busiestPool(t), t.meanLatency(), config.pacing().concurrency(), "--concurrency, in each pool");
      if (b.complete()) {
        bound = Optional.of(b.time());
        binding = b.binding();
        if (elapsed.toNanos() > 0 && stopOutcome == null) {
          efficiency = OptionalDouble.of(Math.min(1.0, b.time().toNanos() / (double) elapsed.toNanos()));
        }
      } else {
        binding = "unknown (some limits were neither configured nor learned)";
      }
    }
    JobOutcome outcome = stopOutcome == null ? JobOutcome.COMPLETED : stopOutcome;
    int unfinished = plan.toSend - t.succeeded() - t.errored();
    Totals totals = totals(t);
    // Retries: attempts beyond each request's first (requests refused before sending made none).
    long firstAttempts = Math.max(0, t.sent() - t.unattempted());
    long retries = Math.max(0, totals.attempts() - firstAttempts);
    return new JobSummary(outcome, Via.MESSAGES, plan.lines, plan.requests, plan.rejected, plan.answered, t.sent(),
        t.succeeded(), t.errored(), 0, 0, unfinished, plan.earlierErrored, totals.attempts(), retries,
        totals.rateLimited(), totals.overloaded(), Usages.allInput(t.usage()), t.usage().outputTokens(),
        t.usage().cacheCreationInputTokens(), t.usage().cacheReadInputTokens(), t.cost(), t.cost(), t.unpriced(), 0, 0,
        elapsed, bound, binding, efficiency, plan.problems, config.output());
  }

  /** Attempts, 429s and 529s of this run. */
  private record Totals(long attempts, long rateLimited, long overloaded) {}

  /**
   * The sender's running totals (for the Pacer, {@code pacer.stats()}, count_tokens calls left out)
   * less those at the start of the run, which also count attempts of requests abandoned in flight; without them, the sum of
   * each result's {@link Attempts}.
   */
  private Totals totals(Tally.Snapshot t) {
    Optional<PacerStats> now = statsAtStart.isPresent() ? sender.stats() : Optional.empty();
    if (now.isEmpty()) {
      return new Totals(t.attempts(), t.rateLimited(), t.overloaded());
    }
    PacerStats before = statsAtStart.orElseThrow();
    PacerStats after = now.get();
    long messageAttempts = (after.attempts() - after.countTokensAttempts())
        - (before.attempts() - before.countTokensAttempts());
    return new Totals(messageAttempts, after.rateLimited() - before.rateLimited(),
        after.overloaded() - before.overloaded());
  }

  /** A snapshot for a progress display; cheap, callable from any thread. */
  public JobProgress progress() {
    BatchJob batches = batchJob;
    if (batches != null) {
      return batches.progress(stopping);
    }
    Tally current = tally;
    if (current == null) {
      return new JobProgress(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Duration.ZERO, Optional.empty(), List.of(), stopping);
    }
    long nowNanos = time.nanoTime();
    Tally.Snapshot t = current.snapshot(nowNanos);
    List<JobProgress.PoolRate> rates = new ArrayList<>();
    for (Map.Entry<String, double[]> entry : t.rates().entrySet()) {
      Limits known = limitsOf(entry.getKey());
      double[] r = entry.getValue();
      rates.add(new JobProgress.PoolRate(entry.getKey(), config.pacing().window(), r[0], r[1], r[2],
          known.known(Bucket.REQUESTS), known.known(Bucket.INPUT_TOKENS), known.known(Bucket.OUTPUT_TOKENS)));
    }
    int done = t.succeeded() + t.errored();
    Duration elapsed = Duration.ofNanos(nowNanos - t.startNanos());
    Optional<Duration> eta = Optional.empty();
    if (done > 0 && current.toSend > done) {
      eta = Optional.of(Duration.ofNanos((long) (elapsed.toNanos() / (double) done * (current.toSend - done))));
    } else if (done >= current.toSend) {
      eta = Optional.of(Duration.ZERO);
    }
    Totals totals = totals(t);
    // Retries of requests still in flight count too (in an outage no request finishes, and "retries 0"
    // hid that every attempt failed): each request sent made at most one first attempt, so attempts
    // beyond the requests sent are retries, at the least.
    long retries = Math.max(t.retries(), totals.attempts() - t.sent());
    return new JobProgress(current.toSend, done, t.succeeded(), t.errored(), inFlight.size(), totals.attempts(),
        retries, totals.rateLimited(), totals.overloaded(), Usages.allInput(t.usage()), t.usage().outputTokens(),
        t.cost(), elapsed, eta, rates, stopping);
  }

  private void notice(String message) {
    call(() -> listener.notice(message));
  }

  private static void call(Runnable listenerCall) {
    try {
      listenerCall.run();
    } catch (RuntimeException ignored) {
      // A listener cannot break the job.
    }
  }

  private static void keep(List<InputProblem> problems, InputProblem problem) {
    if (problems.size() < MAX_PROBLEMS_KEPT) {
      problems.add(problem);
    }
  }

  /** A dry run's per-pool sums. */
  private final class PoolAccumulator {
    final String pool;
    final Set<String> models = new TreeSet<>();
    final Set<String> unpriced = new TreeSet<>();
    int requests;
    long inputTokens;
    long cacheReadTokens;
    long maxOutputTokens;
    double inputCost;
    double maxOutputCost;

    PoolAccumulator(String pool) {
      this.pool = pool;
    }

    void add(String model, CachedInput.Split input, long maxOutput) {
      models.add(model);
      requests++;
      maxOutputTokens += maxOutput;
      Optional<Prices> price = catalog.pricesOf(model);
      if (price.isEmpty()) {
        unpriced.add(model);
      }
      addInput(model, input, 1);
      maxOutputCost += price.map(p -> p.costUsd(0, 0, 0, 0, maxOutput)).orElse(0.0);
    }

    /** Adds (sign 1) or takes back (-1) one line's input tokens and their cost. */
    private void addInput(String model, CachedInput.Split input, int sign) {
      inputTokens += sign * input.counted();
      cacheReadTokens += sign * input.read();
      inputCost += sign * catalog.pricesOf(model)
          .map(p -> p.costUsd(input.plain(), input.written(), 0, input.read(), 0)).orElse(0.0);
    }

    private final List<String> pendingModels = new ArrayList<>();
    private final List<CachedInput.Split> pendingEstimates = new ArrayList<>();
    private int nextPending;

    void exactPending(CachedInput.Split estimate, String model) {
      pendingEstimates.add(estimate);
      pendingModels.add(model);
    }

    /**
     * Replaces the next estimate (in order) by its exact count: count_tokens counts the whole
     * prompt, cached or not, so the estimate's shares of written, read and plain input are kept.
     */
    void exactCount(long exact) {
      CachedInput.Split estimate = pendingEstimates.get(nextPending);
      String model = pendingModels.get(nextPending);
      nextPending++;
      addInput(model, estimate, -1);
      addInput(model, estimate.scaledTo(exact), 1);
    }
  }

  /** The run's counters, updated as results arrive. */
  private static final class Tally {
    final long startNanos;
    final int toSend;
    final long windowNanos;
    private int sent;
    private int succeeded;
    private int errored;
    private long attempts;
    private long rateLimited;
    private long overloaded;
    private long retries;
    private int unattempted;
    private Usage usage = Usage.NONE;
    private double cost;
    private final Set<String> unpriced = new TreeSet<>();
    private final Map<String, long[]> pools = new TreeMap<>();
    private final Map<String, RateMeter> meters = new TreeMap<>();
    private final List<Long> latencies = new ArrayList<>();

    Tally(long startNanos, int toSend, long windowNanos) {
      this.startNanos = startNanos;
      this.toSend = toSend;
      this.windowNanos = windowNanos;
    }

    synchronized void sent() {
      sent++;
    }

    /** The pools of the results so far. */
    synchronized Set<String> pools() {
      return new TreeSet<>(pools.keySet());
    }

    synchronized double cost() {
      return cost;
    }

    synchronized void finished(SendOutcome outcome, Usage tokens, long inputForLimits, double dollars, String pool,
        String model, boolean noPrice, long nowNanos, long latencyNanos) {
      Attempts a = outcome.attempts();
      attempts += a.total();
      rateLimited += a.rateLimited();
      overloaded += a.overloaded();
      retries += a.retries();
      if (a.total() == 0) {
        unattempted++;
      }
      if (outcome instanceof SendOutcome.Succeeded success) {
        succeeded++;
        if (a.total() <= 1 && latencies.size() < 100_000) {
          latencies.add(success.latency().map(Duration::toNanos).orElse(latencyNanos));
        }
      } else {
        errored++;
      }
      usage = usage.plus(tokens);
      cost += dollars;
      if (noPrice && outcome instanceof SendOutcome.Succeeded) {
        unpriced.add(model);
      }
      long[] load = pools.computeIfAbsent(pool, p -> new long[3]);
      load[0] += a.total() > 0 ? 1 : 0;
      load[1] += inputForLimits;
      load[2] += tokens.outputTokens();
      meters.computeIfAbsent(pool, p -> new RateMeter(windowNanos, startNanos))
          .record(nowNanos, inputForLimits, tokens.outputTokens());
    }

    /**
     * @param unattempted results of requests that never reached the API (refused before sending)
     * @param medianLatency the median time a request took from being let go to its answer (one
     *     request's latency in the lower bound), among those answered at the first attempt
     * @param meanLatency the mean of the same (what a cap on requests in flight lets through)
     */
    record Snapshot(long startNanos, int sent, int succeeded, int errored, long attempts, long retries,
        int unattempted, long rateLimited, long overloaded, Usage usage, double cost, List<String> unpriced,
        Map<String, long[]> pools, Map<String, double[]> rates, Duration medianLatency, Duration meanLatency) {}

    synchronized Snapshot snapshot(long nowNanos) {
      Map<String, long[]> loads = new TreeMap<>();
      pools.forEach((pool, load) -> loads.put(pool, load.clone()));
      Map<String, double[]> rates = new TreeMap<>();
      meters.forEach((pool, meter) -> rates.put(pool, meter.perWindow(nowNanos)));
      Duration median = Duration.ZERO;
      Duration mean = Duration.ZERO;
      if (!latencies.isEmpty()) {
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        median = Duration.ofNanos(sorted.get(sorted.size() / 2));
        mean = Duration.ofNanos((long) sorted.stream().mapToLong(Long::longValue).average().orElse(0));
      }
      return new Snapshot(startNanos, sent, succeeded, errored, attempts, retries, unattempted, rateLimited,
          overloaded, usage, cost, List.copyOf(unpriced), loads, rates, median, mean);
    }
  }

  public static final class Builder {
    private final JobConfig config;
    private RequestSender sender;
    private ModelCatalog catalog;
    private TokenEstimator estimator;
    private JobListener listener = JobListener.none();
    private TimeSource time = TimeSource.system();
    private TokenCounter counter;
    private BatchApi batchApi;
    private ResultWriter.Opener resultsOpener = ResultWriter::new;

    private Builder(JobConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /** Where requests go (required for {@link #run()}, not for {@link #estimate()}). */
    public Builder sender(RequestSender sender) {
      this.sender = sender;
      return this;
    }

    /** Pools, tiers and prices (default: the bundled data). */
    public Builder catalog(ModelCatalog catalog) {
      this.catalog = catalog;
      return this;
    }

    /**
     * How input tokens are estimated before sending (default: pacer-core's calibrating estimator,
     * as the Pacer starts, which errs high).
     */
    public Builder estimator(TokenEstimator estimator) {
      this.estimator = estimator;
      return this;
    }

    public Builder listener(JobListener listener) {
      this.listener = listener;
      return this;
    }

    /** The clock for elapsed time and the deadline (tests pass a fake one). */
    public Builder timeSource(TimeSource time) {
      this.time = time;
      return this;
    }

    /**
     * Exact input-token counts (the API's count_tokens): in {@link #estimate()}, for every request
     * ({@code --exact}; the estimator otherwise); in {@link #run()}, only for a request whose
     * estimate says it is larger than a configured limit allows, so that no prompt that fits is
     * refused on an estimate.
     */
    public Builder tokenCounter(TokenCounter counter) {
      this.counter = counter;
      return this;
    }

    /**
     * The Message Batches endpoints, for {@code --via batches} and {@code auto} (for
     * {@link SdkRequestSender}, {@link SdkRequestSender#batchApi()}: the same paced client).
     */
    public Builder batchApi(BatchApi batchApi) {
      this.batchApi = batchApi;
      return this;
    }

    /** How the results file is opened (tests open one on a disk that fills up). */
    Builder resultsOpener(ResultWriter.Opener opener) {
      this.resultsOpener = Objects.requireNonNull(opener, "opener");
      return this;
    }

    public JobRunner build() {
      if (catalog == null) {
        catalog = ModelCatalog.bundled();
      }
      if (estimator == null) {
        estimator = TokenEstimator.calibrating();
      }
      if (sender == null) {
        sender = (id, params) -> CompletableFuture.failedFuture(new IllegalStateException("no RequestSender configured"));
      }
      return new JobRunner(this);
    }
  }
}
