package dev.pacer.anthropic.internal;

import com.anthropic.core.RequestOptions;
import com.anthropic.core.http.HttpClient;
import com.anthropic.core.http.HttpRequest;
import com.anthropic.core.http.HttpRequestBody;
import com.anthropic.core.http.HttpResponse;
import com.anthropic.errors.AnthropicIoException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.AttemptFailedException;
import dev.pacer.Demand;
import dev.pacer.DemandTooLargeException;
import dev.pacer.Permit;
import dev.pacer.Priority;
import dev.pacer.RequestFailedException;
import dev.pacer.Usage;
import dev.pacer.anthropic.CostTracker;
import dev.pacer.anthropic.PacerFacts;
import dev.pacer.http.ApiError;
import dev.pacer.http.AttemptFailure;
import dev.pacer.http.ResponseHead;
import dev.pacer.limits.Bucket;
import dev.pacer.retry.FailureClassification;
import dev.pacer.retry.RetryAfter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One logical request through the paced transport: its body read once, its demand, its cost
 * reservation, and each attempt sent to the SDK's own transport below. Ends exactly once:
 * {@link #finish} with the usage, or {@link #abandon}.
 */
final class Exchange {

  private final PacingContext context;
  private final HttpClient delegate;
  private final HttpRequest request;
  private final RequestOptions options;
  private final Route route;
  private final String model;
  private volatile Demand demand;
  private final String pool;
  private final CostTracker.Reservation reservation;
  private final CacheBreakpoints breakpoints;
  private volatile PromptCacheModel.Plan cachePlan = PromptCacheModel.Plan.NOTHING;
  private volatile long lastSentAt;
  /** When the exchange opened, then how long it waited for another request's cache write (see cacheWarmedUp). */
  private final long openedAt;
  private volatile long cacheWaitNanos;
  private final AtomicBoolean ended = new AtomicBoolean();
  private final AtomicBoolean recounted = new AtomicBoolean();
  private volatile AnthropicIoException lastNoAnswer;

  private Exchange(PacingContext context, HttpClient delegate, HttpRequest request, RequestOptions options,
      Route route, String model, Demand demand, CostTracker.Reservation reservation) {
    this(context, delegate, request, options, route, model, demand, reservation, CacheBreakpoints.NONE);
  }

  private Exchange(PacingContext context, HttpClient delegate, HttpRequest request, RequestOptions options,
      Route route, String model, Demand demand, CostTracker.Reservation reservation, CacheBreakpoints breakpoints) {
    this.context = context;
    this.delegate = delegate;
    this.request = request;
    this.options = options;
    this.route = route;
    this.model = model;
    // A request with a body says when it has been written (see reportingSendTo).
    this.demand = request.body().orElse(null) instanceof BytesBody ? demand.withSendReported() : demand;
    this.pool = context.pacer().governor().poolOf(demand);
    this.reservation = reservation;
    this.breakpoints = breakpoints;
    this.openedAt = context.time().nanoTime();
  }

  /**
   * Reads the request and reserves its worst-case cost; empty when it cannot be paced (a
   * Messages body without a model: the server will refuse it, unpaced and unretried).
   *
   * @throws dev.pacer.anthropic.CostBudgetExceededException when the budget cannot take it
   */
  static Optional<Exchange> open(PacingContext context, HttpClient delegate, HttpRequest original,
      RequestOptions options, Route route) {
    Priority priority = priority(original).orElse(context.defaultPriority());
    HttpRequest.Builder stripped = original.toBuilder().removeHeaders(PacingContext.PRIORITY_HEADER)
        .removeHeaders(PacingContext.CALL_HEADER);
    byte[] body = new byte[0];
    Optional<HttpRequestBody> originalBody = original.body();
    if (originalBody.isPresent()) {
      body = bytesOf(originalBody.get());
      stripped.body(new BytesBody(body, originalBody.get().contentType()));
    }
    HttpRequest request = stripped.build();
    CostTracker costs = context.costs();
    Duration timeout = context.requestTimeout();
    switch (route.kind()) {
      case MESSAGES -> {
        Optional<RequestInfo> read = RequestInfo.read(body);
        if (read.isEmpty() || read.get().model() == null) {
          return Optional.empty();
        }
        RequestInfo info = read.get();
        Demand demand = new Demand(info.model(), Demand.ESTIMATE, info.estimateText(), info.maxTokens(), priority,
            timeout, Demand.Endpoint.MESSAGES);
        // The cost's worst case is the whole prompt's; the limits' hold leaves out a prefix the
        // server is expected to read from its cache.
        CostTracker.Reservation reservation = costs.hasBudget()
            ? costs.reserve(info.model(), estimate(context, demand), info.maxTokens(), info.cacheWrites(), false)
            : costs.reserve(info.model(), 0.0, "no budget");
        CacheBreakpoints breakpoints = info.cacheWrites() && !countsCacheReads(context, demand)
            ? CacheBreakpoints.of(body) : CacheBreakpoints.NONE;
        return Optional.of(new Exchange(context, delegate, request, options, route, info.model(),
            demand, reservation, breakpoints));
      }
      case COUNT_TOKENS -> {
        String model = RequestInfo.read(body).map(RequestInfo::model).orElse("unknown");
        Demand demand = Demand.countTokens(model == null ? "unknown" : model).withPriority(priority).withTimeout(timeout);
        return Optional.of(new Exchange(context, delegate, request, options, route, model, demand,
            costs.reserve("count_tokens", 0.0, "free")));
      }
      case BATCH_CREATE -> {
        Demand demand = Demand.batchesApi().withPriority(priority).withTimeout(timeout);
        CostTracker.Reservation reservation = costs.hasBudget()
            ? BatchWorstCase.reserve(context, body)
            : costs.reserve("a Message Batch", 0.0, "no budget");
        return Optional.of(new Exchange(context, delegate, request, options, route, "batch", demand, reservation));
      }
      case BATCH_RESULTS, BATCHES -> {
        Demand demand = Demand.batchesApi().withPriority(priority).withTimeout(timeout);
        return Optional.of(new Exchange(context, delegate, request, options, route, "batch", demand,
            costs.reserve("the batch endpoints", 0.0, "free")));
      }
      default -> throw new IllegalArgumentException("not a paced endpoint: " + route);
    }
  }

  /** What the request asks of the limits; final once {@link #cacheWarmedUp()} has completed. */
  Demand demand() {
    return demand;
  }

  /**
   * Completes when the request may go as far as the prompt cache is concerned: at once, unless
   * another request is writing a prefix this one marks; then when that one's answer (or stream)
   * has begun (see {@link PromptCacheModel}), or {@link #LONGEST_CACHE_WAIT} after that one was
   * sent. The demand is then decided: without the prefix expected to be read from the cache, if
   * any.
   */
  CompletableFuture<Void> cacheWarmedUp() {
    if (breakpoints.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    PromptCacheModel.Plan plan = context.promptCache().plan(breakpoints, context.time().nanoTime());
    if (plan.mustWait()) {
      // Bounded from the writer's send: while it waits for capacity, so would this request.
      CompletableFuture<Void> waitFor = plan.waitFor();
      long longest = context.longestCacheWait().toMillis();
      return plan.writerSent().thenCompose(sent -> waitFor.orTimeout(longest, TimeUnit.MILLISECONDS))
          .handle((ended, timedOut) -> timedOut == null)
          .thenCompose(ended -> ended ? cacheWarmedUp() : goWhole());
    }
    return go(plan);
  }

  /** Waited long enough for another's write: goes estimated whole, as neither writer nor reader. */
  private CompletableFuture<Void> goWhole() {
    return go(PromptCacheModel.Plan.NOTHING);
  }

  private CompletableFuture<Void> go(PromptCacheModel.Plan plan) {
    cachePlan = plan;
    cacheWaitNanos = Math.max(0, context.time().nanoTime() - openedAt);
    // A server found counting cache reads since this request was opened: it goes whole.
    if (plan.read().isPresent() && !countsCacheReads(context, demand)) {
      demand = new Demand(demand.model(), Demand.ESTIMATE, breakpoints.textAfter(plan.read().get()),
          demand.maxTokens(), demand.priority(), demand.timeout(), demand.endpoint(), demand.sendReported())
          .withCacheReadAssumed();
    }
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Whether a refusal of this request rests on an estimate of its input that the server's own
   * count may overturn (see {@link InputRecount}); true once per request at most.
   */
  boolean mayRecount(DemandTooLargeException refusal) {
    return route.kind() == Route.Kind.MESSAGES && demand.needsEstimate() && refusal.bucket() == Bucket.INPUT_TOKENS
        && !recounted.getAndSet(true);
  }

  /** The count_tokens request for this Messages request; empty when its body cannot make one. */
  Optional<HttpRequest> countRequest() {
    return request.body().orElse(null) instanceof BytesBody body
        ? InputRecount.requestFor(request, body.bytes(), demand.priority()) : Optional.empty();
  }

  /**
   * One attempt, on the calling thread: sends the request through the SDK's transport, reports
   * the head, and returns the response (its usage settled now, or when its stream ends), or
   * throws as {@link dev.pacer.Attempt} asks.
   */
  HttpResponse attempt(Permit permit) throws IOException, InterruptedException {
    context.observe(o -> o.granted(pool, permit.waited()));
    lastSentAt = context.time().nanoTime();
    if (!cachePlan.writes().isEmpty()) {
      context.promptCache().writeSent(cachePlan.writes());
    }
    HttpResponse response;
    try {
      response = delegate.execute(reportingSendTo(permit), options);
    } catch (AnthropicIoException e) {
      lastNoAnswer = e;
      if (Thread.currentThread().isInterrupted()) {
        InterruptedException interrupted = new InterruptedException("interrupted during the HTTP call");
        interrupted.initCause(e);
        throw interrupted; // cancelled: end the request, do not retry
      }
      context.observe(o -> o.unanswered(pool));
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
    ResponseHead head = Responses.head(response);
    permit.onResponse(head);
    int status = response.statusCode();
    context.observe(o -> o.answered(pool, status));
    if (!Responses.isSuccess(status)) {
      BufferedResponse failed = BufferedResponse.read(response, Map.of());
      ApiError error = Json.apiError(failed.bytes(), head);
      throw new AttemptFailedException(new AttemptFailure.HttpError(head, error), failed);
    }
    Map<String, String> facts = successFacts(permit);
    return switch (route.kind()) {
      case MESSAGES -> messagesAnswer(response, permit, facts);
      case BATCH_RESULTS -> {
        permit.settle(Usage.NONE);
        yield new WatchedResponse(response, Responses.with(response.headers(), facts),
            new BatchResultsStream(response.body(), new BatchCosts(route.batchId())));
      }
      case BATCH_CREATE -> {
        BufferedResponse created = BufferedResponse.read(response, facts);
        permit.settle(Usage.NONE);
        Optional<String> id = Json.id(created.bytes());
        if (id.isPresent() && ended.compareAndSet(false, true)) {
          reservation.holdForBatch(id.get());
        } else {
          abandon();
        }
        yield created;
      }
      default -> {
        permit.settle(Usage.NONE);
        finish(Usage.NONE);
        yield new WatchedResponse(response, Responses.with(response.headers(), facts), response.body());
      }
    };
  }

  /**
   * The request, its body telling the permit when it has been written: a request with a body is
   * the one whose demand said so (see the constructor).
   */
  private HttpRequest reportingSendTo(Permit permit) {
    if (!(request.body().orElse(null) instanceof BytesBody body)) {
      return request;
    }
    return request.toBuilder().body(body.reportingTo(permit::sent)).build();
  }

  private HttpResponse messagesAnswer(HttpResponse response, Permit permit, Map<String, String> facts)
      throws IOException {
    boolean eventStream = response.headers().values("content-type").stream()
        .anyMatch(type -> type.toLowerCase(Locale.ROOT).startsWith("text/event-stream"));
    if (eventStream) {
      return new WatchedResponse(response, Responses.with(response.headers(), facts),
          new WatchedStream(response.body(), new StreamSettlement(permit)));
    }
    BufferedResponse answered = BufferedResponse.read(response, facts);
    Usage usage = Json.usageOfMessage(answered.bytes());
    permit.settle(usage);
    finish(usage);
    return answered;
  }

  /** The attempt on a virtual thread of its own: never blocks the caller; cancelling it interrupts the call. */
  CompletableFuture<HttpResponse> attemptAsync(Permit permit) {
    CompletableFuture<HttpResponse> result = new CompletableFuture<>();
    Thread thread = context.newAttemptThread(() -> {
      try {
        HttpResponse response = attempt(permit);
        if (!result.complete(response)) {
          Responses.closeQuietly(response); // cancelled meanwhile: nobody will read it
        }
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    });
    thread.start();
    result.whenComplete((response, error) -> {
      if (result.isCancelled()) {
        thread.interrupt();
      }
    });
    return result;
  }

  /**
   * What to give the SDK when Pacer gave up: the last error response, with Pacer's facts as
   * {@code x-pacer-*} headers, for the SDK to raise as its own exception; or, when the last
   * attempt got no answer, the SDK's own I/O exception with Pacer's as a suppressed one.
   */
  HttpResponse gaveUp(RequestFailedException failed) {
    abandon();
    Object last = failed.lastResponse().orElse(null);
    if (last instanceof BufferedResponse response) {
      return response.withHeaders(failureFacts(failed));
    }
    AnthropicIoException noAnswer = lastNoAnswer;
    if (noAnswer != null && failed.lastFailure() instanceof AttemptFailure.ConnectionFailed) {
      noAnswer.addSuppressed(failed);
      throw noAnswer;
    }
    throw failed;
  }

  /** The request ended without usage (failed, cancelled, refused). */
  void abandon() {
    if (ended.compareAndSet(false, true)) {
      context.promptCache().writeEnded(cachePlan.writes());
      reservation.release();
    }
  }

  /** The request's usage is known: its cost is recorded and the reservation ends. */
  private void finish(Usage usage) {
    if (ended.compareAndSet(false, true)) {
      if (route.kind() == Route.Kind.MESSAGES) {
        if (!usage.equals(Usage.NONE)) {
          cacheShown(usage);
        }
        context.promptCache().writeEnded(cachePlan.writes());
        reservation.commit(model, usage, false);
        context.observe(o -> o.used(pool, model, usage));
      } else {
        reservation.release();
      }
    }
  }

  /** What the answer's usage shows of the prompt cache, told to the model; the write, if this request made it, ends. */
  private void cacheShown(Usage usage) {
    if (!breakpoints.isEmpty()) {
      context.promptCache().answered(breakpoints, cachePlan.read(), usage, lastSentAt);
      context.promptCache().writeEnded(cachePlan.writes());
    }
  }

  AnthropicIoException interrupted(InterruptedException e) {
    AnthropicIoException interrupted = new AnthropicIoException("Interrupted while the request waited or ran", e);
    return interrupted;
  }

  private Map<String, String> successFacts(Permit permit) {
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put(PacerFacts.ATTEMPTS, Integer.toString(permit.attempt()));
    facts.put(PacerFacts.POOL, pool);
    facts.put(PacerFacts.WAITED_MS, Long.toString(permit.waited().plusNanos(cacheWaitNanos).toMillis()));
    return facts;
  }

  private static Map<String, String> failureFacts(RequestFailedException failed) {
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put(PacerFacts.ATTEMPTS, Integer.toString(failed.attempts()));
    facts.put(PacerFacts.POOL, failed.pool());
    FailureClassification classification = failed.decision().classification();
    facts.put(PacerFacts.FAILURE, classification.kind().name().toLowerCase(Locale.ROOT));
    classification.rateLimitedBucket().ifPresent(bucket -> facts.put(PacerFacts.LIMIT, bucket));
    failed.lastFailure().head().flatMap(head -> RetryAfter.from(head, InstantSource.system()))
        .ifPresent(delay -> facts.put(PacerFacts.RETRY_AFTER_MS, Long.toString(delay.toMillis())));
    facts.put(PacerFacts.REASON, Responses.headerSafe(failed.decision().reason(), 1000));
    return facts;
  }

  private static long estimate(PacingContext context, Demand demand) {
    return context.estimator().estimate(context.pacer().governor().poolOf(demand), demand.inputText());
  }

  /**
   * The longest a request waits for another to write the prompt prefix they share. A plain answer
   * arrives whole, so its write shows only when its generation is over (a stream's shows at its
   * {@code message_start}); a long answer would hold the others for all of it. After this they go,
   * estimated whole: the server has most likely begun that answer and reads them from its cache,
   * which their answers then show.
   */
  static final Duration LONGEST_CACHE_WAIT = Duration.ofSeconds(10);

  /**
   * Whether the demand's pool counts cache reads against its input limit (a few old models, or a
   * server the governor found counting them): then nothing is left out.
   */
  private static boolean countsCacheReads(PacingContext context, Demand demand) {
    return context.pacer().governor().countsCacheReads(context.pacer().governor().poolOf(demand));
  }

  private static Optional<Priority> priority(HttpRequest request) {
    List<String> values = request.headers().values(PacingContext.PRIORITY_HEADER);
    return values.isEmpty() ? Optional.empty() : Optional.of(Priority.parse(values.get(0)));
  }

  private static byte[] bytesOf(HttpRequestBody body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, (int) Math.min(body.contentLength(), 1 << 24)));
    body.writeTo(out);
    return out.toByteArray();
  }

  @Override
  public String toString() {
    return "Exchange[" + route.kind() + " " + demand + "]"; // never the request: its headers hold the key
  }

  /** Settles the permit of the attempt whose stream the SDK is reading, when the stream ends. */
  private final class StreamSettlement implements StreamEnd {
    private final Permit permit;

    StreamSettlement(Permit permit) {
      this.permit = permit;
    }

    @Override
    public void began(Usage usage) {
      permit.promptCounted(usage); // the estimator learns now, not when the stream ends
      cacheShown(usage); // the prompt has been read or written: those waiting for the write may go
    }

    @Override
    public void completed(Usage usage) {
      permit.settle(usage);
      finish(usage);
    }

    @Override
    public void failed(Usage usageSoFar, boolean started, ApiError error) {
      permit.release(Permit.Release.FAILED);
      context.observe(o -> o.streamFailed(pool));
      finish(started ? usageSoFar : Usage.NONE); // what was generated is billed
    }

    @Override
    public void closedEarly(Usage usageSoFar, boolean started) {
      if (started) {
        permit.settle(usageSoFar);
      } else {
        permit.release(Permit.Release.FAILED);
      }
      finish(started ? usageSoFar : Usage.NONE);
    }
  }

  /** Prices a batch's results as they are read, and gives back its reservation at their end. */
  private final class BatchCosts implements BatchResultsStream.Sink {
    private final String batchId;

    BatchCosts(String batchId) {
      this.batchId = batchId;
    }

    @Override
    public void result(String resultModel, Usage usage) {
      context.costs().record(resultModel, usage, true);
    }

    @Override
    public void ended(boolean complete) {
      finish(Usage.NONE);
      if (complete && batchId != null) {
        context.costs().releaseBatch(batchId);
      }
    }
  }

  /** The worst-case cost of a Message Batch: each request's, at batch prices. */
  private static final class BatchWorstCase {
    private BatchWorstCase() {}

    static CostTracker.Reservation reserve(PacingContext context, byte[] body) {
      CostTracker costs = context.costs();
      JsonNode requests = Json.tree(body).map(root -> root.path("requests")).orElse(null);
      double worst = 0;
      long count = 0;
      if (requests != null && requests.isArray()) {
        for (JsonNode each : requests) {
          JsonNode params = each.path("params");
          String model = Json.text(params, "model");
          if (model == null) {
            continue;
          }
          // Measured as a Messages request is (RequestInfo): a base64 image is an image, not text.
          Optional<RequestInfo> info = RequestInfo.read(params.toString().getBytes(StandardCharsets.UTF_8));
          String text = info.map(RequestInfo::estimateText).orElse("");
          Demand demand = Demand.estimated(model, text, Math.max(0, params.path("max_tokens").asLong()));
          long input = context.estimator().estimate(context.pacer().governor().poolOf(demand), text);
          boolean cacheWrites = info.map(RequestInfo::cacheWrites).orElse(false);
          double cost = costs.worstCaseUsd(model, input, demand.maxTokens(), cacheWrites, true).orElse(Double.NaN);
          if (Double.isNaN(cost)) {
            return costs.reserve(model, input, demand.maxTokens(), false, true); // refuses: no prices
          }
          worst += cost;
          count++;
        }
      }
      return costs.reserve("a Message Batch", worst, String.format("%,d requests at batch prices", count));
    }
  }
}
