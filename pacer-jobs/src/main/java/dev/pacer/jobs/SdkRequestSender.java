package dev.pacer.jobs;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonField;
import com.anthropic.core.JsonValue;
import com.anthropic.core.ObjectMappers;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicIoException;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.DemandTooLargeException;
import dev.pacer.Pacer;
import dev.pacer.PacerStats;
import dev.pacer.PoolSnapshot;
import dev.pacer.RequestFailedException;
import dev.pacer.anthropic.PacedAnthropic;
import dev.pacer.anthropic.PacerFacts;
import dev.pacer.events.PacerListener;
import dev.pacer.jobs.internal.AttemptLog;
import dev.pacer.jobs.internal.ServerContact;
import dev.pacer.limits.Limits;
import dev.pacer.limits.ModelCatalog;
import dev.pacer.http.ApiError;
import dev.pacer.http.AttemptFailure;
import dev.pacer.http.ResponseHead;
import dev.pacer.retry.RetryPolicy;
import dev.pacer.store.BucketStore;
import dev.pacer.time.TimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Sends a job's requests through the official Java SDK, paced by pacer-core's {@link Pacer}: the
 * SDK client is wrapped by {@link PacedAnthropic}, so every attempt waits for its pool's buckets
 * and a concurrency slot, reports what the server said, and is retried by the Pacer's policy (the
 * SDK's own retries are off). This class only turns a line's {@code params} into the SDK's
 * request, the answer into a {@link SendOutcome}, and counts attempts, 429s and 529s per request.
 *
 * <p>Each request runs the blocking client on a virtual thread of its own (the runner keeps at
 * most {@link PacingConfig#concurrency()} outstanding): a blocking call is what the paced client
 * can cancel, since interrupting its thread withdraws its wait for capacity or cuts its HTTP call.
 * Cancelling the future {@link #send} returns does that ({@code --deadline}, a second Ctrl-C).
 *
 * <p>Requests whose {@code max_tokens} is above {@value #STREAMING_THRESHOLD} (or that the SDK
 * refuses to wait for as a plain response) are streamed and accumulated into one message; the
 * paced client paces and settles streams like plain responses.
 *
 * <p>The Pacer is built from the job's {@link PacingConfig} ({@link PacingConfig#pacerBuilder}),
 * or given ({@link Builder#pacer}) to share limits with other work in the process.
 */
public final class SdkRequestSender implements RequestSender, TokenCounter {

  /** Above this max_tokens the SDK expects a stream (about ten minutes of output at its reckoning). */
  public static final long STREAMING_THRESHOLD = 21_333;

  static final JsonMapper SDK_JSON = ObjectMappers.jsonMapper();

  private final Pacer pacer;
  private final boolean ownsPacer;
  private final AnthropicClient client;
  private final String priority;
  private final TimeSource time;
  private final ServerContact contact;
  private final AttemptLog log;
  private final AtomicLong tags = new AtomicLong();

  private SdkRequestSender(Builder builder) {
    if (builder.pacer != null) {
      this.pacer = builder.pacer;
      this.ownsPacer = false;
    } else {
      this.pacer = newPacer(builder);
      this.ownsPacer = true;
    }
    this.priority = builder.pacing.priority().name().toLowerCase(Locale.ROOT);
    this.time = builder.time;
    this.contact = new ServerContact(builder.baseUrl == null ? "the Anthropic API" : builder.baseUrl);
    this.log = new AttemptLog(contact);
    // The attempt log goes after the paced interceptor, so that it sees each attempt.
    this.client = newClient(builder.baseUrl, builder.apiKey, builder.pacing.requestTimeout(), pacer)
        .withOptions(options -> options.addInterceptor(log));
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The one place the job's Pacer is built: from the pacing configuration, with the job's retry
   * policy. A {@link BucketStore} given to the builder ({@link Builder#store}) goes here: that is
   * where limits shared across processes (pacer-redis) plug in.
   */
  private static Pacer newPacer(Builder builder) {
    Pacer.Builder pacer = builder.pacing.pacerBuilder(builder.catalog).timeSource(builder.time)
        .listener(builder.listener);
    if (builder.retryPolicy != null) {
      pacer.retryPolicy(builder.retryPolicy);
    }
    if (builder.store != null) {
      pacer.store(builder.store);
    }
    return pacer.build();
  }

  /**
   * The one place Pacer makes the SDK client for a job: paced by {@code pacer} (which turns the
   * SDK's retries off: the Pacer owns retries), each attempt limited to {@code requestTimeout}.
   *
   * @param baseUrl the API's address, or null for the real API
   * @param apiKey the API key (never printed)
   */
  public static AnthropicClient newClient(String baseUrl, String apiKey, Duration requestTimeout, Pacer pacer) {
    AnthropicOkHttpClient.Builder builder = AnthropicOkHttpClient.builder()
        .timeout(requestTimeout)
        .apiKey(apiKey == null || apiKey.isEmpty() ? "no-key" : apiKey);
    if (baseUrl != null) {
      builder.baseUrl(baseUrl);
    }
    return PacedAnthropic.wrap(builder, pacer);
  }

  /**
   * The Message Batches endpoints through this sender's client: paced by the same Pacer (pool
   * {@code batches}, the batch endpoints' own limit), with the job's priority.
   */
  public dev.pacer.jobs.batches.BatchApi batchApi() {
    return new dev.pacer.jobs.batches.SdkBatchApi(client, priority);
  }

  /** The Pacer that paces this sender's requests. */
  public Pacer pacer() {
    return pacer;
  }

  /** The governor's view of {@code pool}: the limits configured, or learned from the server's headers. */
  @Override
  public Optional<Limits> limits(String pool) {
    return pacer.governor().snapshot(pool).map(PoolSnapshot::limits);
  }

  @Override
  public Optional<Boolean> countsCacheReads(String pool) {
    return Optional.of(pacer.governor().countsCacheReads(pool));
  }

  @Override
  public Optional<String> neverAnswered() {
    return contact.neverAnswered();
  }

  /** The Pacer's running totals (for a shared Pacer, those of all its work). */
  @Override
  public Optional<PacerStats> stats() {
    return Optional.of(pacer.stats());
  }

  @Override
  public CompletableFuture<SendOutcome> send(String customId, ObjectNode params) {
    Request request = new Request(Long.toString(tags.incrementAndGet()), params, time.nanoTime());
    try {
      request.sdkParams = toSdkParams(params, priority, request.tag);
    } catch (RuntimeException e) {
      request.result.complete(new SendOutcome.Errored(new ResultError("invalid_request_error",
          "the SDK cannot read these params: " + e.getMessage(), 0, null, null), Attempts.none()));
      return request.result;
    }
    request.entry = log.open(request.tag);
    request.streamed = params.path("max_tokens").asLong(1) > STREAMING_THRESHOLD;
    Thread worker = Thread.ofVirtual().name("pacer-job-request-" + request.tag).unstarted(() -> call(request));
    request.result.whenComplete((outcome, failure) -> {
      log.close(request.tag);
      if (request.result.isCancelled()) {
        worker.interrupt(); // the paced client withdraws the wait, or cuts the call
      }
    });
    worker.start();
    return request.result;
  }

  /**
   * The Message Batches {@code params} as the SDK's request. Only model and max_tokens go through
   * the SDK's types (it reads them to choose timeouts); everything else is passed as JSON values,
   * as the line had it, which spares the seconds the SDK's Kotlin-reflective deserializers take to
   * warm up and keeps fields the SDK does not know. Two headers for Pacer ride along and are
   * never sent: the priority ({@link PacedAnthropic#PRIORITY_HEADER}) and the attempt log's tag.
   */
  static MessageCreateParams toSdkParams(ObjectNode params, String priority, String tag) {
    MessageCreateParams.Builder builder = MessageCreateParams.builder()
        .model(params.path("model").asText())
        .maxTokens(params.path("max_tokens").asLong())
        .messages(jsonField(params.get("messages")))
        .putAdditionalHeader(PacedAnthropic.PRIORITY_HEADER, priority)
        .putAdditionalHeader(AttemptLog.TAG_HEADER, tag);
    params.fields().forEachRemaining(field -> {
      String name = field.getKey();
      if (!name.equals("model") && !name.equals("max_tokens") && !name.equals("messages") && !name.equals("stream")) {
        builder.putAdditionalBodyProperty(name, JsonValue.fromJsonNode(field.getValue()));
      }
    });
    return builder.build();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static <T> JsonField<T> jsonField(JsonNode node) {
    return (JsonField) JsonValue.fromJsonNode(node);
  }

  /** The SDK's message as JSON (for streamed answers, which the SDK accumulates). */
  static ObjectNode toJson(Message message) {
    return SDK_JSON.valueToTree(message);
  }

  /** A plain response's body, exactly as the server sent it (the SDK's parse is not needed). */
  static ObjectNode readBody(HttpResponseFor<Message> response) {
    try (response) {
      JsonNode node = dev.pacer.jobs.internal.Json.MAPPER.readTree(response.body());
      if (node == null || !node.isObject()) {
        throw new IllegalStateException("the response body is not a JSON object");
      }
      return (ObjectNode) node;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read the response body", e);
    }
  }

  /** One request: its SDK form, its attempt counts, the call in progress and the outcome to come. */
  private static final class Request {
    final String tag;
    final ObjectNode params;
    final long startNanos;
    final CompletableFuture<SendOutcome> result = new CompletableFuture<>();
    MessageCreateParams sdkParams;
    AttemptLog.Entry entry;
    boolean streamed;

    Request(String tag, ObjectNode params, long startNanos) {
      this.tag = tag;
      this.params = params;
      this.startNanos = startNanos;
    }

    /** What it took, with the attempts as Pacer counted them where its facts say. */
    Attempts attempts(Optional<Integer> pacerCount, boolean spendCap) {
      int total = pacerCount.orElse(entry.attempts());
      int rateLimited = Math.max(0, entry.rateLimited() - (spendCap ? 1 : 0));
      return new Attempts(total, Math.min(total, rateLimited), Math.min(total, entry.overloaded()));
    }
  }

  /**
   * Sends the request (paced and retried by the Pacer) on the calling virtual thread and turns how
   * it ended into its outcome.
   */
  private void call(Request request) {
    if (request.result.isDone()) {
      return; // cancelled before it started
    }
    Answer answer;
    int streamsBroken = 0;
    while (true) {
      try {
        answer = request.streamed ? streamed(request) : plain(request);
        break;
      } catch (StreamBroken broken) {
        // The Pacer's retries end with the 200; a job keeps no part of a stream, so it starts
        // the request again, paced as a new one, where the Pacer's policy calls such a break retryable.
        if (++streamsBroken >= STREAM_ATTEMPTS || !pacer.retryPolicy().classify(broken.failure()).retryable()
            || !pauseBeforeStreamRetry(streamsBroken)) {
          failed(request, broken.getCause());
          return;
        }
      } catch (RuntimeException | Error e) {
        failed(request, e);
        return;
      }
    }
    Attempts attempts = request.attempts(answer.facts().map(PacerFacts::attempts), false);
    // Without the wait for capacity, where Pacer says how long the (only) attempt waited.
    Optional<Duration> latency = answer.facts().flatMap(PacerFacts::waited)
        .filter(waited -> attempts.total() == 1)
        .map(waited -> Duration.ofNanos(Math.max(0, time.nanoTime() - request.startNanos - waited.toNanos())));
    request.result.complete(new SendOutcome.Succeeded(answer.message(), attempts, latency));
  }

  /** A message and, where the response carried them, Pacer's facts (attempts, wait). */
  private record Answer(ObjectNode message, Optional<PacerFacts> facts) {}

  private Answer plain(Request request) {
    HttpResponseFor<Message> response = client.messages().withRawResponse().create(request.sdkParams);
    Optional<PacerFacts> facts = PacerFacts.of(response.headers());
    return new Answer(readBody(response), facts);
  }

  /**
   * Streams a request broken after its 200 may take in all (an {@code event: error} such as
   * {@code overloaded_error}, or a connection cut mid-answer), each start paced and retried by the
   * Pacer as a request of its own.
   */
  static final int STREAM_ATTEMPTS = 5;

  /** A stream that failed after some of its events came: nothing of it is kept. */
  private static final class StreamBroken extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StreamBroken(RuntimeException cause) {
      super(cause);
    }

    /**
     * As the Pacer's retry policy sees a break after the 200: by its error event's type (an error
     * that blames the request is final), or a cut connection; no content reached a caller.
     */
    AttemptFailure.StreamBroken failure() {
      ApiError error = null;
      if (getCause() instanceof AnthropicServiceException service) {
        ResultError said = errorOf(service);
        error = new ApiError(said.type(), said.message(), said.errorCode(), said.requestId());
      }
      return new AttemptFailure.StreamBroken(ResponseHead.of(200, Map.of()), error, false);
    }
  }

  /** Streamed through the paced client and accumulated into one message. */
  private Answer streamed(Request request) {
    MessageAccumulator accumulator = MessageAccumulator.create();
    boolean[] started = {false};
    try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(request.sdkParams)) {
      stream.stream().forEach(event -> {
        started[0] = true;
        accumulator.accumulate(event);
      });
    } catch (RuntimeException e) {
      if (started[0] && !request.result.isDone()) {
        throw new StreamBroken(e);
      }
      throw e;
    }
    return new Answer(toJson(accumulator.message()), Optional.empty());
  }

  /**
   * Full-jitter backoff before starting a broken stream again: 0.5 s doubling (the Pacer's own
   * backoff is internal to its retry policy, whose attempt bound is not this one); false if
   * interrupted.
   */
  private boolean pauseBeforeStreamRetry(int breaks) {
    long ceiling = Duration.ofMillis(500).toNanos() << Math.min(6, breaks - 1);
    try {
      time.sleep(Duration.ofNanos(java.util.concurrent.ThreadLocalRandom.current().nextLong(ceiling + 1)));
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * The SDK refuses plain requests it expects to take over ten minutes (a large max_tokens; a
   * lower cap for some models), before sending anything: those are streamed instead.
   */
  static boolean needsStreaming(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains("Streaming is required")) {
        return true;
      }
    }
    return false;
  }

  private void failed(Request request, Throwable failure) {
    if (request.result.isDone()) {
      return; // cancelled: it gets no outcome
    }
    if (!request.streamed && needsStreaming(failure)) {
      request.streamed = true; // refused by the SDK before it was sent: nothing to count
      call(request);
      return;
    }
    Optional<DemandTooLargeException> tooLarge = causeOf(failure, DemandTooLargeException.class);
    if (tooLarge.isPresent()) {
      // The governor refused it before anything was sent: no bucket could ever admit it.
      request.result.complete(new SendOutcome.Errored(ResultError.exceedsLimits(tooLarge.get().getMessage()),
          request.attempts(Optional.empty(), false)));
      return;
    }
    request.result.complete(switch (failure) {
      case AnthropicServiceException service -> answeredWithAnError(request, service);
      case AnthropicIoException io -> {
        Optional<RequestFailedException> pacer = suppressed(io);
        yield new SendOutcome.Errored(new ResultError("api_error", "no answer from the API: " + describe(io)
            + pacer.map(SdkRequestSender::gaveUp).orElse(""), 0, null, null),
            request.attempts(pacer.map(RequestFailedException::attempts), false));
      }
      case RequestFailedException pacer -> new SendOutcome.Errored(new ResultError("api_error",
          pacer.getMessage(), 0, null, null), request.attempts(Optional.of(pacer.attempts()), false));
      default -> new SendOutcome.Errored(new ResultError("api_error", "the request failed in Pacer: "
          + describe(failure), 0, null, null), request.attempts(Optional.empty(), false));
    });
  }

  /** The server's last error, with what Pacer says of how it gave up. */
  private static SendOutcome answeredWithAnError(Request request, AnthropicServiceException service) {
    ResultError error = errorOf(service);
    Optional<PacerFacts> facts = PacerFacts.of(service);
    boolean spendCap = service.statusCode() == 429 && (error.message().startsWith("You have reached your API usage limits")
        || "enforced_spend_limit_reached".equals(error.errorCode()));
    String why = facts.flatMap(PacerFacts::reason).map(SdkRequestSender::verdict).orElse("");
    if (!why.isEmpty()) {
      error = new ResultError(error.type(), error.message() + " (" + why + ")", error.status(), error.requestId(),
          error.errorCode());
    }
    return new SendOutcome.Errored(error, request.attempts(facts.map(PacerFacts::attempts), spendCap));
  }

  /**
   * Pacer's verdict, short: {@code gave up after 4 attempts} or the reason a retry was not made
   * (a retry-after over the ceiling, …); empty for a failure that is simply not retryable.
   */
  static String verdict(String reason) {
    String head = reason.split("; last failure", 2)[0].strip();
    if (head.startsWith("not retryable")) {
      return "";
    }
    return head.replace(" (maxAttempts)", "");
  }

  private static String gaveUp(RequestFailedException pacer) {
    String why = verdict(pacer.decision().reason());
    return why.isEmpty() ? "" : " (" + why + ")";
  }

  private static <T extends Throwable> Optional<T> causeOf(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return Optional.of(type.cast(t));
      }
    }
    return Optional.empty();
  }

  private static Optional<RequestFailedException> suppressed(Throwable failure) {
    for (Throwable s : failure.getSuppressed()) {
      if (s instanceof RequestFailedException pacer) {
        return Optional.of(pacer);
      }
    }
    return Optional.empty();
  }

  /** What an error response's body (or, failing that, the exception) says. */
  static ResultError errorOf(AnthropicServiceException e) {
    JsonNode body;
    try {
      body = SDK_JSON.valueToTree(e.body());
    } catch (RuntimeException ignored) {
      body = null;
    }
    JsonNode error = body == null ? null : body.path("error");
    String type = error != null && error.hasNonNull("type") ? error.get("type").asText()
        : e.errorType().map(Object::toString).orElse(typeForStatus(e.statusCode()));
    String message = error != null && error.hasNonNull("message") ? error.get("message").asText()
        : e.apiMessage().orElse(e.getMessage());
    String requestId = body != null && body.hasNonNull("request_id") ? body.get("request_id").asText()
        : e.requestId().orElse(null);
    String code = error != null && error.path("details").hasNonNull("error_code")
        ? error.path("details").get("error_code").asText() : e.errorCode().orElse(null);
    return new ResultError(type, message, e.statusCode(), requestId, code);
  }

  static String typeForStatus(int status) {
    return switch (status) {
      case 400 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 402 -> "billing_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 409 -> "conflict_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 504 -> "timeout_error";
      case 529 -> "overloaded_error";
      default -> "api_error";
    };
  }

  private static String describe(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    if (root != failure && root.getMessage() != null && !text.contains(root.getMessage())) {
      text += " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
    return text;
  }

  // ---- count_tokens (dry run --exact, and sizes the estimate doubts) ---------------------------

  @Override
  public CompletableFuture<Long> countInputTokens(ObjectNode params) {
    ObjectNode body = SDK_JSON.createObjectNode();
    for (String field : new String[] {"model", "messages", "system", "tools", "tool_choice", "thinking"}) {
      if (params.has(field)) {
        body.set(field, params.get(field));
      }
    }
    MessageCountTokensParams countParams;
    try {
      MessageCountTokensParams.Body sdkBody = SDK_JSON.treeToValue(body, MessageCountTokensParams.Body.class);
      countParams = MessageCountTokensParams.builder().body(sdkBody)
          .putAdditionalHeader(PacedAnthropic.PRIORITY_HEADER, priority).build();
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    return onVirtualThread(() -> client.messages().countTokens(countParams).inputTokens());
  }

  /** Runs a blocking call on a virtual thread; cancelling the future interrupts it. */
  private static <T> CompletableFuture<T> onVirtualThread(Supplier<T> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread worker = Thread.ofVirtual().name("pacer-job-count").unstarted(() -> {
      try {
        result.complete(call.get());
      } catch (RuntimeException | Error e) {
        result.completeExceptionally(e);
      }
    });
    result.whenComplete((value, failure) -> {
      if (result.isCancelled()) {
        worker.interrupt();
      }
    });
    worker.start();
    return result;
  }

  /** Closes the SDK client, and the Pacer if this sender built it. */
  @Override
  public void close() {
    client.close();
    if (ownsPacer) {
      pacer.close();
    }
  }

  public static final class Builder {
    private String baseUrl;
    private String apiKey;
    private PacingConfig pacing = PacingConfig.defaults();
    private ModelCatalog catalog = ModelCatalog.bundled();
    private TimeSource time = TimeSource.system();
    private PacerListener listener = PacerListener.NONE;
    private RetryPolicy retryPolicy;
    private BucketStore store;
    private Pacer pacer;

    private Builder() {}

    /** The API's address (e.g. a simulator's); the real API when not set. */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = baseUrl;
      return this;
    }

    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /** Limits, window, burst, output rule, concurrency, attempt timeout and priority. */
    public Builder pacing(PacingConfig pacing) {
      this.pacing = pacing;
      return this;
    }

    /** Pools, tier tables and prices for the Pacer (default: the bundled data). */
    public Builder catalog(ModelCatalog catalog) {
      this.catalog = catalog;
      return this;
    }

    /** The Pacer's clock and sleeper (default: the system's). */
    public Builder timeSource(TimeSource time) {
      this.time = time;
      return this;
    }

    /** Receives the Pacer's events (acquired, settled, paused, limits learned, retrying, failed, …). */
    public Builder listener(PacerListener listener) {
      this.listener = listener;
      return this;
    }

    /**
     * Attempts per request, the first included (default {@value PacingConfig#MAX_ATTEMPTS}), for
     * the Pacer this sender builds.
     */
    public Builder maxAttempts(int maxAttempts) {
      this.retryPolicy = RetryPolicy.builder().maxAttempts(maxAttempts).maxRetryAfter(PacingConfig.MAX_RETRY_AFTER)
          .build();
      return this;
    }

    /**
     * Where the Pacer this sender builds keeps its buckets' levels (default: this JVM). A store
     * shared across processes (pacer-redis) makes several jobs, or a job and other programs,
     * share one organization's limits.
     */
    public Builder store(BucketStore store) {
      this.store = store;
      return this;
    }

    /**
     * A Pacer to pace with instead of building one (shared with other work in this process, so
     * that the job's priority matters); its own limits, retry policy and store apply, and closing
     * the sender leaves it open.
     */
    public Builder pacer(Pacer pacer) {
      this.pacer = pacer;
      return this;
    }

    public SdkRequestSender build() {
      return new SdkRequestSender(this);
    }
  }
}
