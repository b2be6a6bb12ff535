package dev.pacer.jobs.batches;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.PacerStats;
import dev.pacer.Usage;
import dev.pacer.jobs.Attempts;
import dev.pacer.jobs.BatchOptions;
import dev.pacer.jobs.InputProblem;
import dev.pacer.jobs.JobConfig;
import dev.pacer.jobs.JobException;
import dev.pacer.jobs.JobListener;
import dev.pacer.jobs.JobOutcome;
import dev.pacer.jobs.JobSummary;
import dev.pacer.jobs.Via;
import dev.pacer.jobs.JobProgress;
import dev.pacer.jobs.ResultError;
import dev.pacer.jobs.SendOutcome;
import dev.pacer.jobs.internal.InputLine;
import dev.pacer.jobs.internal.InputReader;
import dev.pacer.jobs.internal.ResultWriter;
import dev.pacer.jobs.internal.Usages;
import dev.pacer.limits.ModelCatalog;
import dev.pacer.limits.Prices;
import dev.pacer.limits.Tier;
import dev.pacer.time.TimeSource;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A job's requests through the Message Batches API: the requests to send are split into batches
 * ({@link BatchSplitter}), created within the batch endpoints' limits and the queue limit, polled
 * with backoff, and each batch's results written to the output as soon as it ends, in the same
 * format as results sent one by one. Every batch is recorded in the {@link BatchLog} beside the
 * output before and after it is created, so a rerun after a crash waits for the batches in flight
 * instead of creating them again.
 *
 * <p>Stopping (Ctrl-C, {@code --deadline}) stops creating and waiting at once, a create or a look
 * at a batch still being retried included: batches in flight go on at the server, and a rerun
 * collects them (and finds out whether a create cut off made its batch).
 */
public final class BatchJob {

  /** What the runner lends the batch path. */
  public interface Control {
    /** True once the run must end: Ctrl-C, the deadline, or a server that refused or never answered. */
    boolean stopping();

    /**
     * The server refused the key or the account (401, 402): every other call would be refused too,
     * so the run stops; nothing is recorded against the requests (a rerun sends them).
     */
    default void refused(ResultError error) {}

    /** Opens the results file (the runner's opener: tests open one on a disk that fills up). */
    default ResultWriter openResults(Path output) throws IOException {
      return new ResultWriter(output);
    }

    /**
     * A results line or the batch log could not be written (a full disk): the run stops. Batches
     * not collected whole stay in flight in the log, so a rerun collects what was not written.
     */
    default void cannotWrite(IOException e) {}
  }

  /**
   * How the batch path went.
   *
   * @param sent requests this run put in batches it created
   * @param batchesCreated batches this run created
   * @param batchesCollected batches whose results this run wrote (its own and earlier runs')
   * @param batchesInFlight batches still at the server when the run ended (a rerun collects them)
   * @param costUsd the results' cost at batch prices
   * @param standardCostUsd what the same results would have cost at standard prices
   */
  public record Result(int sent, int succeeded, int errored, int canceled, int expired, Usage usage, double costUsd,
      double standardCostUsd, List<String> unpriced, int batchesCreated, int batchesCollected, int batchesInFlight,
      boolean stoppedByMaxCost) {

    /**
     * The run's summary. Attempts and 429s are the Pacer's counts of calls to the batch endpoints
     * (create, retrieve, list, results) between {@code before} and {@code after}; batches have no
     * least possible time under the interactive limits.
     */
    public JobSummary summary(JobOutcome outcome, JobSummary.Input input, Optional<PacerStats> before,
        Optional<PacerStats> after, Duration elapsed, Path output) {
      boolean counted = before.isPresent() && after.isPresent();
      long attempts = counted ? after.get().attempts() - before.get().attempts() : 0;
      long calls = counted ? after.get().requests() - before.get().requests() : 0;
      long rateLimited = counted ? after.get().rateLimited() - before.get().rateLimited() : 0;
      long overloaded = counted ? after.get().overloaded() - before.get().overloaded() : 0;
      int done = succeeded + errored + canceled + expired;
      return new JobSummary(outcome, Via.BATCHES, input.lines(), input.requests(), input.rejected(), input.skipped(),
          sent, succeeded, errored, canceled, expired, input.toSend() - done, input.earlierErrored(), attempts,
          Math.max(0, attempts - calls), rateLimited, overloaded, Usages.allInput(usage), usage.outputTokens(),
          usage.cacheCreationInputTokens(), usage.cacheReadInputTokens(), costUsd, standardCostUsd, unpriced,
          batchesCreated, batchesInFlight, elapsed, Optional.empty(),
          "none: Message Batches do not use the interactive limits", OptionalDouble.empty(), input.problems(), output);
    }
  }

  private static final Pattern REQUEST_INDEX = Pattern.compile("^requests\\.(\\d+)\\.");

  private final JobConfig config;
  private final BatchOptions options;
  private final ModelCatalog catalog;
  private final BatchApi api;
  private final JobListener listener;
  private final TimeSource time;
  private final Control control;
  private final ToDoubleFunction<InputLine.Request> worstCostStandard;
  private final double factor;
  private final long queueLimit;

  private final Object lock = new Object();
  private final List<Tracked> tracked = new ArrayList<>();
  private final Set<String> answered = new HashSet<>();
  private final Tally tally = new Tally();
  private volatile int toSend;
  private volatile long startNanos;
  private BatchLog log;
  private ResultWriter writer;
  private boolean maxCostReached;
  private Predicate<String> kept = id -> false;

  public BatchJob(JobConfig config, ModelCatalog catalog, BatchApi api, JobListener listener, TimeSource time,
      Control control, ToDoubleFunction<InputLine.Request> worstCostStandard) {
    this.config = config;
    this.options = config.batches();
    this.catalog = catalog;
    this.api = api;
    this.listener = listener;
    this.time = time;
    this.control = control;
    this.worstCostStandard = worstCostStandard;
    this.factor = catalog.batchPriceFactor();
    this.queueLimit = options.queueLimit().orElseGet(() -> queueLimitOf(config, catalog));
  }

  /** The tier's queue limit ({@code batches.<tier> = RPM / QUEUED}); with no tier, start's, the smallest. */
  static long queueLimitOf(JobConfig config, ModelCatalog catalog) {
    String tier = config.pacing().tier().map(Tier::key).orElse("start");
    return catalog.value("batches." + tier).or(() -> catalog.value("batches.start"))
        .map(text -> Long.parseLong(text.split("/")[1].trim()))
        .orElse(200_000L);
  }

  /** Wakes the loop (after a stop). */
  public void wake() {
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  /**
   * Runs the batch path to its end.
   *
   * @param toSend requests without a kept result, those in batches in flight included (the progress total)
   * @param kept whether a custom_id's result in the output is kept (not sent again)
   */
  public Result run(int toSend, Predicate<String> kept) throws IOException, InterruptedException {
    this.toSend = toSend;
    this.kept = kept;
    this.startNanos = time.nanoTime();
    try (BatchLog opened = BatchLog.open(config.batchesFile())) {
      log = opened;
      if (log.tornBytes() > 0) {
        notice("repaired " + config.batchesFile() + ": cut off a torn last line (" + log.tornBytes() + " bytes)");
      }
      recoverCutOffCreates();
      Set<String> waitingFor = resumeInFlight();
      writer = control.openResults(config.output());
      try (InputReader reader = new InputReader(config.input(), config.defaults())) {
        BatchSplitter splitter = new BatchSplitter(options.maxRequestsPerBatch(), options.maxBytesPerBatch());
        loop(reader, splitter, kept, waitingFor);
      } catch (ResultWriter.WriteFailedException e) {
        control.cannotWrite(e); // what was not written stays in flight in the log, for a rerun
      } finally {
        writer.close();
      }
    }
    int inFlight;
    synchronized (lock) {
      inFlight = tracked.size();
    }
    if (inFlight > 0) {
      notice(inFlight + " batch" + (inFlight == 1 ? "" : "es") + " still in flight at the server (recorded in "
          + config.batchesFile() + "): a rerun collects " + (inFlight == 1 ? "it" : "them") + " without sending again");
    }
    return tally.result(inFlight, maxCostReached);
  }

  // ---- Batches from earlier runs ----------------------------------------------------------------

  /**
   * A create that a crash cut off may or may not have made a batch: looks for a batch of the same
   * size created since, not known to the log; adopts it, or records that there was none (its
   * requests are then sent again).
   */
  private void recoverCutOffCreates() throws IOException, InterruptedException {
    List<BatchLog.Entry> uncertain = log.uncertain();
    if (uncertain.isEmpty()) {
      return;
    }
    Instant since = uncertain.stream().map(BatchLog.Entry::at).min(Instant::compareTo).orElseThrow()
        .minus(Duration.ofMinutes(1));
    List<BatchApi.BatchInfo> candidates;
    try {
      Optional<List<BatchApi.BatchInfo>> listed = untilStopped(() -> api.createdSince(since));
      if (listed.isEmpty()) {
        return; // stopped: the creates stay uncertain for the next run
      }
      candidates = new ArrayList<>(listed.get());
    } catch (BatchApi.BatchApiException e) {
      if (e.error().refusesTheAccount()) {
        control.refused(e.error());
        return;
      }
      throw new JobException("an earlier run was cut off while creating a batch, and the batches cannot be listed to "
          + "find out whether it was created (" + e.error() + "); rerun later", e);
    }
    candidates.sort((a, b) -> a.createdAt().compareTo(b.createdAt()));
    for (BatchLog.Entry entry : uncertain) {
      adoptOrRelease(entry, candidates);
    }
  }

  private void adoptOrRelease(BatchLog.Entry entry, List<BatchApi.BatchInfo> candidates) throws IOException {
    Instant from = entry.at().minus(Duration.ofMinutes(1));
    for (BatchApi.BatchInfo candidate : candidates) {
      if (!log.knows(candidate.id()) && candidate.requests() == entry.customIds().size()
          && !candidate.createdAt().isBefore(from)) {
        log.created(entry, candidate.id());
        notice("found batch " + candidate.id() + " (" + entry.customIds().size()
            + " requests) that an interrupted create made; waiting for it instead of sending its requests again");
        return;
      }
    }
    log.notCreated(entry, "no such batch at the server after an interrupted create");
    notice("an interrupted create of " + entry.customIds().size() + " requests made no batch: they are sent again");
  }

  /** Tracks the batches in flight from earlier runs; returns their custom_ids (not sent again). */
  private Set<String> resumeInFlight() throws IOException, InterruptedException {
    Set<String> waitingFor = new HashSet<>();
    for (BatchLog.Entry entry : log.inFlight()) {
      String id = entry.batchId().orElseThrow();
      try {
        Optional<BatchApi.BatchInfo> info = untilStopped(() -> api.retrieve(id));
        if (info.isEmpty()) {
          return waitingFor; // stopped
        }
        track(entry, info.get(), 0);
      } catch (BatchApi.BatchApiException e) {
        if (e.error().refusesTheAccount()) {
          control.refused(e.error());
          return waitingFor;
        }
        if (e.status() == 404) {
          log.lost(entry, e.error().message());
          long unanswered = entry.customIds().stream().filter(customId -> !kept.test(customId)).count();
          notice("batch " + id + " is unknown to the server (" + e.error().message() + "): its "
              + unanswered + " request" + (unanswered == 1 ? "" : "s") + " without a result "
              + (unanswered == 1 ? "is" : "are") + " sent again");
          continue;
        }
        notice("cannot look at batch " + id + " now (" + e.error() + "); polling it later");
        track(entry, null, 0);
      }
      waitingFor.addAll(entry.customIds());
    }
    if (!tracked.isEmpty()) {
      notice("resuming: waiting for " + tracked.size() + " batch" + (tracked.size() == 1 ? "" : "es") + " in flight ("
          + waitingFor.size() + " requests, recorded in " + config.batchesFile() + "); they are not sent again");
    }
    return waitingFor;
  }

  // ---- The loop ---------------------------------------------------------------------------------

  /** A batch being waited for. */
  private static final class Tracked {
    final BatchLog.Entry entry;
    final Set<String> ids;
    double heldUsd;
    long nextPollNanos;
    long intervalNanos;

    Tracked(BatchLog.Entry entry) {
      this.entry = entry;
      this.ids = new HashSet<>(entry.customIds());
    }

    String id() {
      return entry.batchId().orElseThrow();
    }
  }

  private void track(BatchLog.Entry entry, BatchApi.BatchInfo info, double heldUsd) {
    Tracked t = new Tracked(entry);
    t.heldUsd = heldUsd;
    boolean ended = info != null && info.ended();
    t.intervalNanos = options.pollMin().toNanos();
    t.nextPollNanos = ended ? time.nanoTime() : time.nanoTime() + t.intervalNanos;
    synchronized (lock) {
      tracked.add(t);
    }
  }

  private void loop(InputReader reader, BatchSplitter splitter, Predicate<String> kept, Set<String> waitingFor)
      throws IOException, InterruptedException {
    boolean inputDone = false;
    Map<String, Double> heldForEarlier = new HashMap<>();
    BatchSplitter.Batch pending = null;
    while (!control.stopping()) {
      // Build the next batch, unless one waits for room in the queue.
      if (pending == null && !inputDone && !maxCostReached) {
        inputDone = fill(reader, splitter, kept, waitingFor, heldForEarlier);
        pending = splitter.take();
      }
      if (!heldForEarlier.isEmpty()) {
        holdForEarlier(heldForEarlier);
      }
      if (pending != null && hasRoomFor(pending)) {
        submit(pending);
        pending = null;
        continue;
      }
      pollDue();
      synchronized (lock) {
        if (pending == null && (inputDone || maxCostReached) && tracked.isEmpty()) {
          return;
        }
        long wait = tracked.stream().mapToLong(t -> t.nextPollNanos).min().orElse(Long.MAX_VALUE) - time.nanoTime();
        if (wait > 0 && !control.stopping()) {
          lock.wait(Math.max(1, Math.min(wait / 1_000_000, options.pollMax().toMillis())));
        }
      }
    }
  }

  /** Whether the queue can take {@code batch} now: what is in flight plus it, within the queue limit. */
  private boolean hasRoomFor(BatchSplitter.Batch batch) {
    synchronized (lock) {
      long waiting = tracked.stream().mapToLong(t -> t.ids.size()).sum();
      return tracked.isEmpty() || waiting + batch.size() <= queueLimit;
    }
  }

  /**
   * Reads requests into the splitter until it has a full batch or the input ends (true then).
   * Rejected lines get their errored results here, as in a run through the Messages API.
   */
  private boolean fill(InputReader reader, BatchSplitter splitter, Predicate<String> kept, Set<String> waitingFor,
      Map<String, Double> heldForEarlier) throws IOException {
    while (!splitter.full()) {
      InputLine line = reader.next();
      if (line == null) {
        return true;
      }
      if (line instanceof InputLine.Rejected r) {
        InputProblem problem = r.problem();
        if (problem.recordedAsResult() && !kept.test(problem.customId()) && answered.add(problem.customId())) {
          writer.write(ResultWriter.errored(problem.customId(),
              ResultError.inputRejected("line " + problem.line() + ": " + problem.message())));
        }
        continue;
      }
      InputLine.Request request = (InputLine.Request) line;
      if (kept.test(request.customId())) {
        continue;
      }
      double worst = worstCostStandard.applyAsDouble(request) * factor;
      if (waitingFor.contains(request.customId())) {
        heldForEarlier.merge(request.customId(), worst, Double::sum);
        continue;
      }
      if (config.maxCostUsd().isPresent()) {
        double ceiling = config.maxCostUsd().get().doubleValue();
        double committed = tally.cost() + held() + splitter.worstUsd();
        if (committed + worst > ceiling) {
          notice(String.format("--max-cost %s: no more batches after %s (could cost up to $%.4f at batch prices; "
              + "$%.4f spent or held for batches in flight)", config.maxCostUsd().get().toPlainString(),
              request.customId(), worst, committed));
          maxCostReached = true;
          return false;
        }
      }
      splitter.add(request, worst);
    }
    return false;
  }

  /** Worst-case costs held for batches from earlier runs, by the custom_ids read from the input. */
  private void holdForEarlier(Map<String, Double> heldForEarlier) {
    synchronized (lock) {
      for (Tracked t : tracked) {
        for (String id : t.ids) {
          Double worst = heldForEarlier.remove(id);
          if (worst != null) {
            t.heldUsd += worst;
          }
        }
      }
    }
    heldForEarlier.clear();
  }

  private double held() {
    synchronized (lock) {
      return tracked.stream().mapToDouble(t -> t.heldUsd).sum();
    }
  }

  // ---- Creating ---------------------------------------------------------------------------------

  private void submit(BatchSplitter.Batch batch) throws IOException, InterruptedException {
    while (batch != null && batch.size() > 0) {
      BatchLog.Entry entry = log.creating("b-" + UUID.randomUUID(), Instant.now(), batch.customIds());
      try {
        ArrayNode requests = batch.requests();
        Optional<BatchApi.BatchInfo> created = untilStopped(() -> api.create(requests));
        if (created.isEmpty()) {
          return; // stopped: the log keeps the create as uncertain, and a rerun looks for its batch
        }
        BatchApi.BatchInfo info = created.get();
        log.created(entry, info.id());
        track(entry, info, batch.worstUsd());
        tally.created(batch.size());
        int size = batch.size();
        call(() -> listener.notice("created batch " + info.id() + " of " + size + " request" + (size == 1 ? "" : "s")));
        call(() -> listener.batchCreated(info.id(), size));
        return;
      } catch (BatchApi.BatchApiException e) {
        batch = createFailed(entry, batch, e);
      }
    }
  }

  /**
   * A create failed after the Pacer's retries. Without an answer the batch may exist: the log's
   * recovery looks for it at once. A 400 naming one request ({@code requests.3.params…}, a server
   * that checks params at creation) errors that request and returns the rest to be created; any
   * other refusal errors the whole batch's requests, as a request sent alone would be.
   */
  private BatchSplitter.Batch createFailed(BatchLog.Entry entry, BatchSplitter.Batch batch,
      BatchApi.BatchApiException e) throws IOException {
    if (e.error().refusesTheAccount()) {
      log.notCreated(entry, e.error().toString());
      control.refused(e.error());
      return null;
    }
    if (control.stopping()) {
      return null; // no errored lines for a run that stopped meanwhile; a rerun finds out about the batch
    }
    if (e.status() == 0) {
      List<BatchApi.BatchInfo> candidates;
      try {
        candidates = new ArrayList<>(api.createdSince(entry.at().minus(Duration.ofMinutes(1))));
      } catch (BatchApi.BatchApiException listing) {
        candidates = List.of();
      }
      candidates.sort((a, b) -> a.createdAt().compareTo(b.createdAt()));
      adoptOrRelease(entry, candidates);
      if (entry.batchId().isPresent()) {
        track(entry, null, batch.worstUsd());
        tally.created(batch.size());
        return null;
      }
    } else {
      log.notCreated(entry, e.error().toString());
    }
    Matcher index = REQUEST_INDEX.matcher(e.error().message());
    if (e.status() == 400 && index.find()) {
      int i = Integer.parseInt(index.group(1));
      if (i < batch.size()) {
        String id = batch.customIds().get(i);
        writeErrored(id, new ResultError(e.error().type(), e.error().message(), 400, e.error().requestId(), null));
        notice("the server refused request " + id + " of a batch at creation (" + e.error().message()
            + "); creating the other " + (batch.size() - 1));
        return batch.without(i);
      }
    }
    notice("could not create a batch of " + batch.size() + " requests: " + e.error()
        + "; they are recorded as errored (--retry-errored sends them again)");
    for (String id : batch.customIds()) {
      writeErrored(id, e.error());
    }
    return null;
  }

  private void writeErrored(String customId, ResultError error) throws IOException {
    if (answered.add(customId) && writer.write(ResultWriter.errored(customId, error))) {
      tally.result("errored", Usage.NONE, 0, 0, null);
      call(() -> listener.resultWritten(customId, new SendOutcome.Errored(error, Attempts.none())));
    }
  }

  // ---- Polling and collecting -------------------------------------------------------------------

  /**
   * Runs a call to the batch endpoints on a thread of its own and waits for it while the run goes
   * on; empty when the run stopped first, and then the call is interrupted (which ends its wait for
   * capacity, its retries or its HTTP call). The Pacer retries a call for minutes where the server
   * fails it; a stop does not wait for that.
   */
  private <T> Optional<T> untilStopped(java.util.function.Supplier<T> call) throws InterruptedException {
    java.util.concurrent.CompletableFuture<T> result = new java.util.concurrent.CompletableFuture<>();
    Thread worker = Thread.ofVirtual().name("pacer-batch-call").start(() -> {
      try {
        result.complete(call.get());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    while (true) {
      try {
        return Optional.of(result.get(STOP_CHECK.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
      } catch (java.util.concurrent.TimeoutException stillRunning) {
        if (control.stopping()) {
          worker.interrupt();
          return Optional.empty();
        }
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof RuntimeException runtime) {
          throw runtime;
        }
        if (e.getCause() instanceof Error error) {
          throw error;
        }
        throw new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        worker.interrupt();
        throw e;
      }
    }
  }

  /** How often a call in progress looks whether the run has stopped. */
  private static final Duration STOP_CHECK = Duration.ofMillis(100);

  private void pollDue() throws IOException, InterruptedException {
    List<Tracked> due;
    synchronized (lock) {
      long now = time.nanoTime();
      due = tracked.stream().filter(t -> t.nextPollNanos <= now).toList();
    }
    for (Tracked t : due) {
      if (control.stopping()) {
        return;
      }
      poll(t);
    }
  }

  private void poll(Tracked t) throws IOException, InterruptedException {
    try {
      Optional<BatchApi.BatchInfo> info = untilStopped(() -> api.retrieve(t.id()));
      if (info.isEmpty()) {
        return; // stopped: the batch goes on at the server, and a rerun collects it
      }
      if (info.get().ended()) {
        collect(t);
        return;
      }
    } catch (BatchApi.BatchApiException e) {
      if (e.error().refusesTheAccount()) {
        control.refused(e.error());
        return;
      }
      notice("cannot look at batch " + t.id() + " now (" + e.error() + "); trying again later");
    } catch (ResultWriter.WriteFailedException e) {
      throw e; // not the server's doing: the run stops
    } catch (IOException e) {
      notice("cannot read the results of batch " + t.id() + " now (" + e.getMessage() + "); trying again later");
    }
    synchronized (lock) {
      t.intervalNanos = Math.min(t.intervalNanos * 2, options.pollMax().toNanos());
      t.nextPollNanos = time.nanoTime() + t.intervalNanos;
    }
  }

  /** Writes an ended batch's results as they stream in, then records it collected. */
  private void collect(Tracked t) throws IOException {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String type : new String[] {"succeeded", "errored", "canceled", "expired"}) {
      counts.put(type, 0L);
    }
    Set<String> seen = new HashSet<>();
    int[] foreign = new int[1];
    IOException[] writeFailure = new IOException[1];
    api.results(t.id(), line -> {
      String id = line.path("custom_id").asText(null);
      if (id == null || !t.ids.contains(id)) {
        foreign[0]++;
        return;
      }
      JsonNode result = line.path("result");
      String type = result.path("type").asText("");
      if (!counts.containsKey(type) || !seen.add(id)) {
        return;
      }
      counts.merge(type, 1L, Long::sum);
      if (writeFailure[0] != null || kept.test(id) || !answered.add(id)) {
        return; // after a failed write, or written before a crash cut the collection short
      }
      try {
        if (writer.write(line)) {
          written(id, type, result);
        }
      } catch (IOException e) {
        answered.remove(id); // not written: a rerun collects it
        writeFailure[0] = e;
      }
    });
    if (writeFailure[0] != null) {
      throw writeFailure[0];
    }
    log.collected(t.entry, counts);
    tally.collected();
    synchronized (lock) {
      tracked.remove(t);
    }
    int missing = t.ids.size() - seen.size();
    notice("batch " + t.id() + " ended: " + counts.get("succeeded") + " succeeded, " + counts.get("errored")
        + " errored, " + counts.get("canceled") + " canceled, " + counts.get("expired") + " expired"
        + (missing > 0 ? "; " + missing + " requests have no result (a rerun sends them)" : "")
        + (foreign[0] > 0 ? "; " + foreign[0] + " results for requests not in this job were ignored" : ""));
  }

  private void written(String id, String type, JsonNode result) {
    JsonNode message = result.path("message");
    Usage usage = type.equals("succeeded") ? Usages.of(message) : Usage.NONE;
    String model = message.path("model").asText(null);
    Optional<Prices> prices = model == null ? Optional.empty() : catalog.pricesOf(model);
    double standard = prices.map(p -> cost(p, usage)).orElse(0.0);
    tally.result(type, usage, standard * factor, standard, type.equals("succeeded") && prices.isEmpty() ? model : null);
    SendOutcome outcome = switch (type) {
      case "succeeded" -> new SendOutcome.Succeeded((ObjectNode) message, Attempts.none());
      case "errored" -> new SendOutcome.Errored(errorOf(result.path("error")), Attempts.none());
      default -> null;
    };
    if (outcome != null) {
      call(() -> listener.resultWritten(id, outcome));
    }
  }

  private static ResultError errorOf(JsonNode envelope) {
    JsonNode error = envelope.path("error");
    return new ResultError(error.path("type").asText("api_error"), error.path("message").asText(""), 0,
        envelope.path("request_id").asText(null), error.path("details").path("error_code").asText(null));
  }

  private static double cost(Prices prices, Usage usage) {
    return prices.costUsd(usage.inputTokens(), usage.cacheCreation5mInputTokens(), usage.cacheCreation1hInputTokens(),
        usage.cacheReadInputTokens(), usage.outputTokens());
  }

  // ---- Progress ---------------------------------------------------------------------------------

  /** A snapshot for a progress display. */
  public JobProgress progress(boolean stopping) {
    int inFlight;
    synchronized (lock) {
      inFlight = tracked.stream().mapToInt(t -> t.ids.size()).sum();
    }
    Result r = tally.result(0, false);
    int done = r.succeeded() + r.errored() + r.canceled() + r.expired();
    Duration elapsed = Duration.ofNanos(time.nanoTime() - startNanos);
    return new JobProgress(toSend, done, r.succeeded(), r.errored() + r.canceled() + r.expired(), inFlight, 0, 0, 0, 0,
        Usages.allInput(r.usage()), r.usage().outputTokens(), r.costUsd(), elapsed,
        done >= toSend ? Optional.of(Duration.ZERO) : Optional.empty(), List.of(), stopping);
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

  /** The batch path's counters. */
  private static final class Tally {
    private int sent;
    private int created;
    private int collected;
    private int succeeded;
    private int errored;
    private int canceled;
    private int expired;
    private Usage usage = Usage.NONE;
    private double cost;
    private double standardCost;
    private final Set<String> unpriced = new TreeSet<>();

    synchronized void created(int requests) {
      created++;
      sent += requests;
    }

    synchronized double cost() {
      return cost;
    }

    synchronized void collected() {
      collected++;
    }

    synchronized void result(String type, Usage tokens, double dollars, double standardDollars, String unpricedModel) {
      switch (type) {
        case "succeeded" -> succeeded++;
        case "errored" -> errored++;
        case "canceled" -> canceled++;
        case "expired" -> expired++;
        default -> {
          return;
        }
      }
      usage = usage.plus(tokens);
      cost += dollars;
      standardCost += standardDollars;
      if (unpricedModel != null) {
        unpriced.add(unpricedModel);
      }
    }

    synchronized Result result(int inFlight, boolean stoppedByMaxCost) {
      return new Result(sent, succeeded, errored, canceled, expired, usage, cost, standardCost, List.copyOf(unpriced),
          created, collected, inFlight, stoppedByMaxCost);
    }
  }
}
