package dev.pacer.anthropic;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.AnthropicClientAsync;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClientAsync;
import com.anthropic.core.ClientOptions;
import com.anthropic.core.http.Interceptor;
import dev.pacer.Pacer;
import dev.pacer.Priority;
import dev.pacer.anthropic.internal.AttemptObserver;
import dev.pacer.anthropic.internal.CancellableCalls;
import dev.pacer.anthropic.internal.PacingContext;
import dev.pacer.anthropic.internal.PacingInterceptor;
import dev.pacer.time.TimeSource;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The official Java SDK, paced: every request that reaches the API waits for its rate-limit
 * capacity, is retried by Pacer's policy (the SDK's own retries are off), and reports its usage
 * and cost. Adopt it by changing the one line where the client is built:
 *
 * <pre>{@code
 * Pacer pacer = Pacer.builder().tier(Tier.BUILD).build();
 * AnthropicClient client = PacedAnthropic.wrap(AnthropicOkHttpClient.builder().fromEnv(), pacer);
 * Message message = client.messages().create(params);          // paced, retried, priced
 * CompletableFuture<Message> later = client.async().messages().create(params);
 * }</pre>
 *
 * <p>Paced endpoints: {@code POST /v1/messages} (plain and streaming), {@code count_tokens}, and
 * the Message Batches endpoints. Other endpoints (models, files, …) are sent at once and retried
 * by the same policy. When Pacer gives up, the user gets the SDK's own exception
 * ({@code RateLimitException}, {@code OverloadedException}, {@code BadRequestException}, …) for
 * the last response, carrying {@link PacerFacts} as {@code x-pacer-*} headers. Pacer's own
 * refusals come as they are: {@link dev.pacer.DemandTooLargeException} (can never fit) and
 * {@link CostBudgetExceededException} before anything is sent; {@link dev.pacer.PacerTimeoutException}
 * (the request's deadline) and {@link dev.pacer.PacerClosedException} while it waits. Cancelling
 * a future of the async client (or closing its async stream) withdraws the request's wait, or
 * cuts its HTTP call if it was sent. See docs/sdk.md.
 *
 * <p>One instance per SDK client; thread-safe. Closing it closes the SDK client, not the Pacer.
 */
public final class PacedAnthropic implements AutoCloseable {

  /**
   * A request header that sets one request's priority, {@code interactive} or {@code batch}
   * (default: {@link Builder#defaultPriority}); read by Pacer and never sent. Set it with the
   * SDK's {@code putAdditionalHeader(PacedAnthropic.PRIORITY_HEADER, "interactive")}.
   */
  public static final String PRIORITY_HEADER = PacingContext.PRIORITY_HEADER;

  private final PacingInterceptor interceptor;
  private final AnthropicClient client;

  private PacedAnthropic(PacingInterceptor interceptor, AnthropicClient client) {
    this.interceptor = interceptor;
    this.client = CancellableCalls.client(client, interceptor.context()); // cancelling an async call reaches it
  }

  /** A paced client built from {@code builder} (its retries turned off), paced by {@code pacer}. */
  public static AnthropicClient wrap(AnthropicOkHttpClient.Builder builder, Pacer pacer) {
    return builder().pacer(pacer).clientBuilder(builder).build().client();
  }

  /** A paced async client built from {@code builder} (its retries turned off), paced by {@code pacer}. */
  public static AnthropicClientAsync wrap(AnthropicOkHttpClientAsync.Builder builder, Pacer pacer) {
    return builder().pacer(pacer).clientBuilder(builder).build().async();
  }

  /**
   * A paced view of {@code client}: the same connections and settings, retries off, every
   * request paced by {@code pacer}. {@code client} itself stays unpaced.
   */
  public static AnthropicClient wrap(AnthropicClient client, Pacer pacer) {
    return builder().pacer(pacer).client(client).build().client();
  }

  /** A paced view of {@code client}, as {@link #wrap(AnthropicClient, Pacer)}. */
  public static AnthropicClientAsync wrap(AnthropicClientAsync client, Pacer pacer) {
    return builder().pacer(pacer).client(client.sync()).build().async();
  }

  /** The paced client behind {@code client}, if it is one (for its costs, Pacer and metrics). */
  public static Optional<PacedAnthropic> of(AnthropicClient client) {
    return interceptorOf(client.options()).map(found -> new PacedAnthropic(found, client));
  }

  /** The paced client behind {@code client}, if it is one. */
  public static Optional<PacedAnthropic> of(AnthropicClientAsync client) {
    return of(client.sync());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The paced blocking client. */
  public AnthropicClient client() {
    return client;
  }

  /** The paced async client (the same client's {@code async()}). */
  public AnthropicClientAsync async() {
    return client.async();
  }

  public Pacer pacer() {
    return interceptor.context().pacer();
  }

  /** Running costs of the responses this client received, and the budget if there is one. */
  public CostTracker costs() {
    return interceptor.context().costs();
  }

  /** The SDK interceptor that paces, for clients you assemble yourself (add it last, with {@code maxRetries(0)}). */
  public Interceptor interceptor() {
    return interceptor;
  }

  void addObserver(AttemptObserver observer) {
    interceptor.context().addObserver(observer);
  }

  /** Closes the SDK client (its connections and threads); the Pacer stays open. */
  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "PacedAnthropic[" + interceptor.context() + ", " + costs() + "]";
  }

  private static Optional<PacingInterceptor> interceptorOf(ClientOptions options) {
    return options.interceptors().stream()
        .filter(PacingInterceptor.class::isInstance)
        .map(PacingInterceptor.class::cast)
        .findFirst();
  }

  /** Builds a {@link PacedAnthropic}: a Pacer is required; the SDK client defaults to {@code fromEnv()}. */
  public static final class Builder {
    private Pacer pacer;
    private AnthropicOkHttpClient.Builder clientBuilder;
    private AnthropicOkHttpClientAsync.Builder asyncClientBuilder;
    private AnthropicClient client;
    private CostTracker costs;
    private double maxCostUsd = Double.NaN;
    private Priority defaultPriority = Priority.BATCH;
    private Duration requestTimeout;
    private TimeSource time = TimeSource.system();

    private Builder() {}

    /** The Pacer that paces (share one per API key across clients). Required. */
    public Builder pacer(Pacer value) {
      pacer = Objects.requireNonNull(value, "pacer");
      return this;
    }

    /** Builds the SDK client from this builder, with its retries turned off. */
    public Builder clientBuilder(AnthropicOkHttpClient.Builder value) {
      clientBuilder = Objects.requireNonNull(value, "clientBuilder");
      asyncClientBuilder = null;
      client = null;
      return this;
    }

    /** Builds the SDK client from this async builder, with its retries turned off. */
    public Builder clientBuilder(AnthropicOkHttpClientAsync.Builder value) {
      asyncClientBuilder = Objects.requireNonNull(value, "clientBuilder");
      clientBuilder = null;
      client = null;
      return this;
    }

    /** Paces a view of this existing client (same connections and settings, retries off). */
    public Builder client(AnthropicClient value) {
      client = Objects.requireNonNull(value, "client");
      clientBuilder = null;
      asyncClientBuilder = null;
      return this;
    }

    /** Where costs are recorded (default: a new tracker at the Pacer's model-data prices). */
    public Builder costs(CostTracker value) {
      costs = Objects.requireNonNull(value, "costs");
      return this;
    }

    /**
     * A hard budget in USD: each request reserves its worst-case cost before it is sent and is
     * refused with {@link CostBudgetExceededException} when that does not fit.
     */
    public Builder maxCostUsd(double value) {
      if (!(value > 0) || Double.isInfinite(value)) {
        throw new IllegalArgumentException("maxCostUsd must be positive and finite, got " + value);
      }
      maxCostUsd = value;
      return this;
    }

    /** The priority of requests without a {@link #PRIORITY_HEADER} (default {@code BATCH}). */
    public Builder defaultPriority(Priority value) {
      defaultPriority = Objects.requireNonNull(value, "defaultPriority");
      return this;
    }

    /** A deadline for each whole request: waiting, attempts and retries (default none). */
    public Builder requestTimeout(Duration value) {
      if (value != null && (value.isNegative() || value.isZero())) {
        throw new IllegalArgumentException("requestTimeout must be positive, got " + value);
      }
      requestTimeout = value;
      return this;
    }

    /** The clock and sleeper for retrying unpaced endpoints (default the system's). */
    public Builder timeSource(TimeSource value) {
      time = Objects.requireNonNull(value, "timeSource");
      return this;
    }

    public PacedAnthropic build() {
      if (pacer == null) {
        throw new IllegalStateException("a Pacer is required: PacedAnthropic.builder().pacer(pacer)");
      }
      CostTracker tracker = costs;
      if (tracker == null) {
        var catalog = pacer.governor().config().catalog();
        tracker = Double.isNaN(maxCostUsd) ? CostTracker.create(catalog) : CostTracker.withBudget(catalog, maxCostUsd);
      } else if (!Double.isNaN(maxCostUsd)) {
        throw new IllegalStateException("set the budget on the CostTracker you pass (CostTracker.withBudget), not here");
      }
      PacingInterceptor interceptor = new PacingInterceptor(
          new PacingContext(pacer, tracker, defaultPriority, requestTimeout, time));
      AnthropicClient built;
      if (client != null) {
        built = paced(client, interceptor);
      } else if (asyncClientBuilder != null) {
        built = asyncClientBuilder.maxRetries(0).addInterceptor(interceptor).build().sync();
      } else {
        AnthropicOkHttpClient.Builder builder = clientBuilder != null ? clientBuilder : AnthropicOkHttpClient.builder().fromEnv();
        built = builder.maxRetries(0).addInterceptor(interceptor).build();
      }
      return new PacedAnthropic(interceptor, built);
    }

    private AnthropicClient paced(AnthropicClient existing, PacingInterceptor interceptor) {
      Optional<PacingInterceptor> already = interceptorOf(existing.options());
      if (already.isPresent()) {
        throw new IllegalArgumentException("this client is already paced (" + already.get()
            + "); pace the unpaced client once, or use PacedAnthropic.of(client)");
      }
      return existing.withOptions(options -> options.maxRetries(0).addInterceptor(interceptor));
    }
  }
}
