package dev.pacer.jobs;

import com.anthropic.client.AnthropicClientAsync;
import com.anthropic.client.okhttp.AnthropicOkHttpClientAsync;
import com.anthropic.core.JsonField;
import com.anthropic.core.JsonValue;
import com.anthropic.core.ObjectMappers;
import com.anthropic.core.http.AsyncStreamResponse;
import com.anthropic.core.http.Headers;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.jobs.internal.AttemptGate;
import dev.pacer.jobs.internal.InterimLimiter;
import dev.pacer.jobs.internal.KnownLimits;
import dev.pacer.jobs.internal.RetryDelays;
import dev.pacer.jobs.internal.TokenEstimator;
import dev.pacer.jobs.internal.TokenUsage;
import dev.pacer.time.TimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Sends a job's requests through the official Java SDK's async client.
 *
 * <p>Until pacer-anthropic's paced client is ready this class does the pacing's simplest part
 * itself: at most {@link PacingConfig#concurrency()} attempts in flight; when limits are
 * configured, a client-side bucket per pool that mirrors the server's ({@link InterimLimiter});
 * retries (the SDK's own are off) for 429, 529, other 5xx, 408, 409 and broken connections, after
 * the server's {@code retry-after} or an exponential backoff with jitter; limits learned from the
 * {@code anthropic-ratelimit-*-limit} headers. Requests whose {@code max_tokens} is above
 * {@value #STREAMING_THRESHOLD} are streamed (the SDK refuses to wait that long for a plain
 * response) and accumulated into one message.
 *
 * <p>To send through the paced client instead, change {@link #newClient} (the one place the SDK
 * client is made) and pass {@link AttemptGate#NONE} with one attempt: the paced client then owns
 * pacing and retries.
 */
public final class SdkRequestSender implements RequestSender, TokenCounter {

  /** Above this max_tokens the SDK expects a stream (about ten minutes of output at its reckoning). */
  public static final long STREAMING_THRESHOLD = 21_333;

  static final JsonMapper SDK_JSON = ObjectMappers.jsonMapper();

  private final AnthropicClientAsync client;
  private final ModelCatalog catalog;
  private final PacingConfig pacing;
  private final TimeSource time;
  private final AttemptGate gate;
  private final int maxAttempts;
  private final Slots slots;
  private final Map<String, ObservedLimits> learned = new ConcurrentHashMap<>();

  private SdkRequestSender(Builder builder) {
    this.pacing = builder.pacing;
    this.catalog = builder.catalog == null ? ModelCatalog.bundled() : builder.catalog;
    this.time = builder.time;
    this.maxAttempts = builder.maxAttempts;
    this.client = builder.client != null ? builder.client
        : newClient(builder.baseUrl, builder.apiKey, pacing.requestTimeout());
    this.slots = new Slots(pacing.concurrency());
    Function<String, KnownLimits> limits = pool -> KnownLimits.configured(pacing, catalog, pool);
    this.gate = builder.pacingOff ? AttemptGate.NONE : new InterimLimiter(pacing, limits, time);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The one place Pacer makes the SDK client for a job: the SDK's retries off (this sender, or
   * later the paced client, owns retries), the per-attempt timeout from {@code --request-timeout}.
   *
   * @param baseUrl the API's address, or null for the real API
   * @param apiKey the API key (never printed)
   */
  public static AnthropicClientAsync newClient(String baseUrl, String apiKey, Duration requestTimeout) {
    AnthropicOkHttpClientAsync.Builder builder = AnthropicOkHttpClientAsync.builder()
        .maxRetries(0)
        .timeout(requestTimeout)
        .apiKey(apiKey == null || apiKey.isEmpty() ? "no-key" : apiKey);
    if (baseUrl != null) {
      builder.baseUrl(baseUrl);
    }
    return builder.build();
  }

  @Override
  public Optional<PoolLimits> limits(String pool) {
    ObservedLimits observed = learned.get(pool);
    return observed == null ? Optional.empty() : observed.complete();
  }

  @Override
  public CompletableFuture<SendOutcome> send(String customId, ObjectNode params) {
    Request request = new Request(customId, params);
    try {
      request.sdkParams = toSdkParams(params);
    } catch (RuntimeException e) {
      request.result.complete(new SendOutcome.Errored(new ResultError("invalid_request_error",
          "the SDK cannot read these params: " + e.getMessage(), 0, null, null), Attempts.none()));
      return request.result;
    }
    attempt(request);
    return request.result;
  }

  /**
   * The Message Batches {@code params} as the SDK's request. Only model and max_tokens go through
   * the SDK's types (it reads them to choose timeouts); everything else is passed as JSON values,
   * as the line had it, which spares the seconds the SDK's Kotlin-reflective deserializers take to
   * warm up and keeps fields the SDK does not know.
   */
  static MessageCreateParams toSdkParams(ObjectNode params) {
    MessageCreateParams.Builder builder = MessageCreateParams.builder()
        .model(params.path("model").asText())
        .maxTokens(params.path("max_tokens").asLong())
        .messages(jsonField(params.get("messages")));
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

  /** One request's way through its attempts. */
  private final class Request {
    final String customId;
    final ObjectNode params;
    final String pool;
    final long estimatedInput;
    final long maxTokens;
    final CompletableFuture<SendOutcome> result = new CompletableFuture<>();
    MessageCreateParams sdkParams;
    int attempts;
    int rateLimited;
    int overloaded;
    boolean streamed;
    volatile CompletableFuture<?> current;

    Request(String customId, ObjectNode params) {
      this.customId = customId;
      this.params = params;
      this.pool = catalog.poolOf(params.path("model").asText(""));
      this.estimatedInput = TokenEstimator.estimateInput(params);
      this.maxTokens = params.path("max_tokens").asLong(1);
      result.whenComplete((outcome, failure) -> {
        if (failure instanceof CancellationException) {
          CompletableFuture<?> inProgress = current;
          if (inProgress != null) {
            inProgress.cancel(true);
          }
        }
      });
    }

    Attempts tally() {
      return new Attempts(attempts, rateLimited, overloaded);
    }
  }

  private void attempt(Request request) {
    if (request.result.isDone()) {
      return;
    }
    CompletableFuture<AttemptGate.Permit> admitted = gate.admit(request.pool, request.estimatedInput, request.maxTokens);
    request.current = admitted;
    admitted.whenComplete((permit, refused) -> {
      if (refused != null) {
        Throwable cause = unwrap(refused);
        if (!(cause instanceof CancellationException)) {
          request.result.complete(new SendOutcome.Errored(new ResultError("rate_limit_error",
              cause.getMessage(), 0, null, null), request.tally()));
        }
        return;
      }
      slots.acquire(() -> sendAttempt(request, permit));
    });
  }

  private void sendAttempt(Request request, AttemptGate.Permit permit) {
    if (request.result.isDone()) {
      permit.cancel();
      slots.release();
      return;
    }
    request.attempts++;
    CompletableFuture<ObjectNode> call;
    try {
      call = request.streamed || request.maxTokens > STREAMING_THRESHOLD ? streamed(request) : create(request);
    } catch (RuntimeException e) {
      if (needsStreaming(e)) {
        request.streamed = true;
        call = streamed(request);
      } else {
        call = CompletableFuture.failedFuture(e);
      }
    }
    request.current = call;
    call.whenComplete((message, failure) -> {
      slots.release();
      if (failure == null) {
        TokenUsage usage = TokenUsage.of(message);
        permit.settle(usage.inputForLimits(), usage.output());
        request.result.complete(new SendOutcome.Succeeded(message, request.tally()));
        return;
      }
      failed(request, permit, unwrap(failure));
    });
  }

  private CompletableFuture<ObjectNode> streamed(Request request) {
    return stream(request.sdkParams).thenApply(SdkRequestSender::toJson);
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

  private CompletableFuture<ObjectNode> create(Request request) {
    return client.messages().withRawResponse().create(request.sdkParams).thenApply(response -> {
      learn(request.pool, response.headers());
      return readBody(response);
    });
  }

  private CompletableFuture<Message> stream(MessageCreateParams params) {
    CompletableFuture<Message> done = new CompletableFuture<>();
    MessageAccumulator accumulator = MessageAccumulator.create();
    AsyncStreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params);
    stream.subscribe(new AsyncStreamResponse.Handler<RawMessageStreamEvent>() {
      @Override
      public void onNext(RawMessageStreamEvent event) {
        accumulator.accumulate(event);
      }

      @Override
      public void onComplete(Optional<Throwable> error) {
        if (error.isPresent()) {
          done.completeExceptionally(error.get());
        } else {
          try {
            done.complete(accumulator.message());
          } catch (RuntimeException e) {
            done.completeExceptionally(e);
          }
        }
      }
    });
    done.whenComplete((message, failure) -> {
      if (failure instanceof CancellationException) {
        stream.close();
      }
    });
    return done;
  }

  private void failed(Request request, AttemptGate.Permit permit, Throwable failure) {
    if (failure instanceof CancellationException || request.result.isDone()) {
      permit.cancel();
      return;
    }
    if (!request.streamed && needsStreaming(failure)) {
      permit.cancel();
      request.streamed = true;
      request.attempts--;
      attempt(request);
      return;
    }
    ResultError error;
    boolean retryable;
    Optional<Duration> serverDelay = Optional.empty();
    if (failure instanceof AnthropicServiceException service) {
      int status = service.statusCode();
      error = errorOf(service);
      Headers headers = service.headers();
      learn(request.pool, headers);
      serverDelay = RetryDelays.fromHeaders(first(headers, "retry-after-ms"), first(headers, "retry-after"));
      boolean spendCap = status == 429 && (error.message().startsWith("You have reached your API usage limits")
          || "enforced_spend_limit_reached".equals(error.errorCode()));
      if (status == 429 && !spendCap) {
        request.rateLimited++;
      }
      if (status == 529) {
        request.overloaded++;
      }
      retryable = !spendCap && (status == 408 || status == 409 || status == 429 || status >= 500 || status == 0);
      String shouldRetry = first(headers, "x-should-retry");
      if ("false".equalsIgnoreCase(shouldRetry)) {
        retryable = false;
      } else if ("true".equalsIgnoreCase(shouldRetry) && !spendCap) {
        retryable = true;
      }
      if (status == 429 && !spendCap) {
        permit.rateLimited(serverDelay.orElse(Duration.ofSeconds(1)));
      } else {
        permit.refused();
      }
    } else {
      error = new ResultError("api_error", "no answer from the API: " + describe(failure), 0, null, null);
      retryable = true;
      permit.settleUnknown();
    }
    if (!retryable || request.attempts >= maxAttempts) {
      String suffix = retryable ? " (gave up after " + request.attempts + " attempts)" : "";
      request.result.complete(new SendOutcome.Errored(suffix.isEmpty() ? error
          : new ResultError(error.type(), error.message() + suffix, error.status(), error.requestId(), error.errorCode()),
          request.tally()));
      return;
    }
    Duration delay = serverDelay.orElseGet(() -> RetryDelays.backoff(request.attempts));
    time.schedule(() -> attempt(request), delay.toNanos());
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

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String first(Headers headers, String name) {
    if (headers == null) {
      return null;
    }
    var values = headers.values(name);
    return values.isEmpty() ? null : values.get(0);
  }

  private void learn(String pool, Headers headers) {
    OptionalLong requests = number(first(headers, "anthropic-ratelimit-requests-limit"));
    OptionalLong input = number(first(headers, "anthropic-ratelimit-input-tokens-limit"));
    OptionalLong output = number(first(headers, "anthropic-ratelimit-output-tokens-limit"));
    if (requests.isPresent() || input.isPresent() || output.isPresent()) {
      learned.compute(pool, (p, old) -> (old == null ? new ObservedLimits(OptionalLong.empty(), OptionalLong.empty(),
          OptionalLong.empty()) : old).with(requests, input, output));
    }
  }

  private static OptionalLong number(String text) {
    if (text == null) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(text.trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  private record ObservedLimits(OptionalLong requests, OptionalLong input, OptionalLong output) {
    ObservedLimits with(OptionalLong r, OptionalLong i, OptionalLong o) {
      return new ObservedLimits(r.isPresent() ? r : requests, i.isPresent() ? i : input, o.isPresent() ? o : output);
    }

    Optional<PoolLimits> complete() {
      if (requests.isEmpty() || input.isEmpty() || output.isEmpty() || requests.getAsLong() <= 0
          || input.getAsLong() <= 0 || output.getAsLong() <= 0) {
        return Optional.empty();
      }
      return Optional.of(new PoolLimits(requests.getAsLong(), input.getAsLong(), output.getAsLong()));
    }
  }

  // ---- count_tokens (dry run --exact) ----------------------------------------------------------

  @Override
  public CompletableFuture<Long> countInputTokens(ObjectNode params) {
    ObjectNode body = SDK_JSON.createObjectNode();
    for (String field : new String[] {"model", "messages", "system", "tools", "tool_choice", "thinking"}) {
      if (params.has(field)) {
        body.set(field, params.get(field));
      }
    }
    try {
      MessageCountTokensParams.Body sdkBody = SDK_JSON.treeToValue(body, MessageCountTokensParams.Body.class);
      return client.messages().countTokens(MessageCountTokensParams.builder().body(sdkBody).build())
          .thenApply(count -> count.inputTokens());
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public void close() {
    client.close();
  }

  /** At most n attempts in flight; the rest wait their turn, in order. */
  private static final class Slots {
    private int free;
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();

    Slots(int n) {
      this.free = n;
    }

    void acquire(Runnable task) {
      synchronized (this) {
        if (free == 0) {
          waiting.addLast(task);
          return;
        }
        free--;
      }
      task.run();
    }

    void release() {
      Runnable next;
      synchronized (this) {
        next = waiting.pollFirst();
        if (next == null) {
          free++;
          return;
        }
      }
      next.run();
    }
  }

  public static final class Builder {
    private String baseUrl;
    private String apiKey;
    private AnthropicClientAsync client;
    private PacingConfig pacing = PacingConfig.defaults();
    private ModelCatalog catalog;
    private TimeSource time = TimeSource.system();
    private int maxAttempts = 8;
    private boolean pacingOff;

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

    /** An SDK client made elsewhere (e.g. the paced client); replaces baseUrl and apiKey. */
    public Builder client(AnthropicClientAsync client) {
      this.client = client;
      return this;
    }

    public Builder pacing(PacingConfig pacing) {
      this.pacing = pacing;
      return this;
    }

    public Builder catalog(ModelCatalog catalog) {
      this.catalog = catalog;
      return this;
    }

    public Builder timeSource(TimeSource time) {
      this.time = time;
      return this;
    }

    /** Attempts per request, the first included (default 8). 1 when the client retries by itself. */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1");
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** Leaves pacing under the limits to the client (a paced client does it); concurrency still applies. */
    public Builder pacingByClient() {
      this.pacingOff = true;
      return this;
    }

    public SdkRequestSender build() {
      return new SdkRequestSender(this);
    }
  }
}
