package dev.pacer;

import dev.pacer.concurrency.AdaptiveConcurrencyConfig;
import dev.pacer.concurrency.AdaptiveConcurrencyLimit;
import dev.pacer.concurrency.FixedConcurrencyLimit;
import dev.pacer.estimate.TokenEstimator;
import dev.pacer.events.PacerEvent;
import dev.pacer.events.PacerListener;
import dev.pacer.http.AttemptFailure;
import dev.pacer.limits.Bucket;
import dev.pacer.limits.Limits;
import dev.pacer.limits.ModelCatalog;
import dev.pacer.limits.OutputRule;
import dev.pacer.limits.Tier;
import dev.pacer.retry.FailureClassification;
import dev.pacer.retry.FailureKind;
import dev.pacer.retry.RetryBudget;
import dev.pacer.retry.RetryBudgetConfig;
import dev.pacer.retry.RetryDecision;
import dev.pacer.retry.RetryPolicy;
import dev.pacer.store.BucketStore;
import dev.pacer.time.TimeSource;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs requests at the pace the limits allow: each attempt waits for its permit, runs, reports
 * what the server said, and is retried by one policy when it failed in a way a retry can fix.
 * Built once, immutable, thread-safe; share one per process (or per organization key).
 *
 * <pre>{@code
 * Pacer pacer = Pacer.builder().tier(Tier.BUILD).build();
 * Message answer = pacer.call(Demand.estimated(model, body, maxTokens), permit -> send(permit));
 * }</pre>
 */
public final class Pacer implements AutoCloseable {

  private final Governor governor;
  private final RetryPolicy retryPolicy;
  private final RetryBudget retryBudget;
  private final TimeSource time;
  private final PacerListener listener;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong attempts = new AtomicLong();
  private final AtomicLong countTokensAttempts = new AtomicLong();
  private final AtomicLong rateLimited = new AtomicLong();
  private final AtomicLong overloaded = new AtomicLong();
  private final AtomicLong otherFailures = new AtomicLong();

  private Pacer(Builder builder) {
    this.time = builder.time;
    this.listener = builder.listener;
    this.retryPolicy = builder.retryPolicy;
    this.retryBudget = RetryBudget.create(builder.retryBudget, time);
    GovernorConfig.Builder config = builder.governor;
    if (builder.maxConcurrency > 0) {
      int cap = builder.maxConcurrency;
      config.concurrency(pool -> new FixedConcurrencyLimit(cap));
    } else {
      AdaptiveConcurrencyConfig adaptive = builder.adaptiveConcurrency;
      config.concurrency(pool -> AdaptiveConcurrencyLimit.create(adaptive, time));
    }
    BucketStore store = builder.store != null ? builder.store : BucketStore.inMemory(time);
    this.governor = new Governor(config.listener(listener).build(), time, store);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The governor underneath, for snapshots and for callers with their own retry loop. */
  public Governor governor() {
    return governor;
  }

  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  public PacerStats stats() {
    return new PacerStats(requests.get(), succeeded.get(), failed.get(), attempts.get(), rateLimited.get(),
        overloaded.get(), otherFailures.get(), countTokensAttempts.get());
  }

  /**
   * Runs {@code attempt} until it succeeds or the retry policy gives up, on the calling thread.
   *
   * @throws DemandTooLargeException before any attempt, for a demand that can never fit
   * @throws RequestFailedException when the last failure was not retryable or retries ran out
   * @throws PacerTimeoutException when the demand's timeout passed
   * @throws InterruptedException if interrupted while waiting
   */
  public <T> T call(Demand demand, Attempt<T> attempt) throws InterruptedException {
    Call call = new Call(demand);
    while (true) {
      Permit permit = call.awaitPermit();
      AttemptFailedException failure;
      try {
        T value = attempt.run(permit);
        call.succeeded();
        return value;
      } catch (AttemptFailedException e) {
        failure = e;
      } catch (IOException e) {
        failure = new AttemptFailedException(connectionFailure(e));
      } catch (InterruptedException e) {
        permit.release(Permit.Release.FAILED);
        call.failed();
        throw e;
      } catch (RuntimeException e) {
        permit.release(Permit.Release.FAILED);
        call.failed();
        throw e;
      } catch (Exception e) {
        permit.release(Permit.Release.FAILED);
        call.failed();
        throw new PacerException("attempt failed: " + e, e);
      }
      long delay = call.onFailure(permit, failure);
      time.sleep(Duration.ofNanos(delay));
      call.awaitRetryBudget();
    }
  }

  /**
   * Runs {@code attempt} until it succeeds or the retry policy gives up, without blocking a
   * thread while it waits. Cancelling the returned future cancels the wait or the attempt.
   */
  public <T> CompletableFuture<T> callAsync(Demand demand, AsyncAttempt<T> attempt) {
    return new AsyncCall<>(new Call(demand), attempt).start();
  }

  /** Fails every waiting request with {@link PacerClosedException}. */
  @Override
  public void close() {
    governor.close();
  }

  private static AttemptFailure connectionFailure(IOException e) {
    // By type where the JDK has one; by name for clients' own time-outs (java.net.http's, OkHttp's).
    boolean timeout = e instanceof SocketTimeoutException || e.getClass().getSimpleName().contains("Timeout")
        || (e instanceof InterruptedIOException && !(e instanceof java.nio.channels.ClosedByInterruptException));
    return new AttemptFailure.ConnectionFailed(e, timeout);
  }

  private static Permit.Release releaseFor(FailureKind kind) {
    return switch (kind) {
      case RATE_LIMITED, SPEND_CAP -> Permit.Release.RATE_LIMITED;
      case OVERLOADED -> Permit.Release.OVERLOADED;
      case TIMEOUT -> Permit.Release.TIMED_OUT;
      case CLIENT_ERROR, CONFLICT -> Permit.Release.NOT_SENT;
      case SERVER_ERROR, CONNECTION, STREAM_BROKEN, UNEXPECTED_STATUS -> Permit.Release.FAILED;
    };
  }

  /** One request's progress through its attempts: shared by the blocking and async paths. */
  private final class Call {
    final Demand demand;
    final String pool;
    final long startedAt;
    int attempt = 1;

    Call(Demand demand) {
      this.demand = demand;
      this.pool = governor.poolOf(demand);
      this.startedAt = time.nanoTime();
      requests.incrementAndGet();
    }

    /** The latest attempt's permit, handed to the next one when it was refused for a whole window (see PoolState). */
    private Permit previous;

    /** Counts an attempt about to be sent; the retry budget earns its share of first attempts. */
    void sending(Permit permit) {
      Permit before = previous;
      if (before != null && before.takenAtWholeWindowRefusal != null) {
        before.refusedBefore = null; // one attempt back is all PoolState looks at
        permit.refusedBefore = before;
      }
      previous = permit;
      attempts.incrementAndGet();
      if (demand.endpoint() == Demand.Endpoint.COUNT_TOKENS) {
        countTokensAttempts.incrementAndGet();
      }
      if (attempt == 1) {
        retryBudget.onFirstAttempt();
      }
    }

    long remainingNanos() {
      return demand.timeout() == null ? Long.MAX_VALUE : demand.timeout().toNanos() - (time.nanoTime() - startedAt);
    }

    CompletableFuture<Permit> acquire() {
      long remaining = remainingNanos();
      if (remaining <= 0) {
        return CompletableFuture.failedFuture(timedOut());
      }
      return governor.acquireAsync(demand, attempt, attempt > 1, remaining);
    }

    Permit awaitPermit() throws InterruptedException {
      CompletableFuture<Permit> future = acquire();
      try {
        Permit permit = future.get();
        sending(permit);
        return permit;
      } catch (InterruptedException e) {
        future.cancel(false);
        failed();
        throw e;
      } catch (ExecutionException e) {
        failed();
        throw Governor.unwrap(e.getCause());
      }
    }

    PacerTimeoutException timedOut() {
      return new PacerTimeoutException("request to pool '" + pool + "' timed out after " + demand.timeout()
          + " and " + (attempt - 1) + " attempts", demand.timeout(), attempt - 1);
    }

    /**
     * Feeds a failed attempt to the governor and the policy; returns the delay before the next
     * attempt, or throws when there will be none.
     */
    long onFailure(Permit permit, AttemptFailedException thrown) {
      AttemptFailure failure = thrown.failure();
      failure.head().ifPresent(permit::onResponse);
      FailureClassification classification = retryPolicy.classify(failure);
      if (permit.hopeless != null) {
        // The server's refusal proved the bucket can never hold this demand: no retry can help.
        rateLimited.incrementAndGet();
        permit.release(Permit.Release.RATE_LIMITED);
        failed();
        PacerListener.deliver(listener, new PacerEvent.Failed(pool, attempt, permit.hopeless.getMessage()));
        throw permit.hopeless;
      }
      switch (classification.kind()) {
        case RATE_LIMITED -> rateLimited.incrementAndGet();
        case OVERLOADED -> overloaded.incrementAndGet();
        default -> otherFailures.incrementAndGet();
      }
      RetryDecision decision = retryPolicy.decide(failure, attempt, time.nanoTime() - startedAt, remainingNanos());
      // Pause before the permit goes back: its release lets the next waiter in at once.
      if (classification.kind() == FailureKind.RATE_LIMITED && decision.serverRequestedDelay()) {
        Bucket bucket = classification.rateLimitedBucket().map(Bucket::fromId).orElse(null);
        String message = failure instanceof AttemptFailure.HttpError error && error.error() != null
            ? error.error().message() : null;
        governor.pause(pool, decision.delay(), bucket, message);
      }
      permit.release(releaseFor(classification.kind()));
      if (!decision.retry()) {
        failed();
        PacerListener.deliver(listener, new PacerEvent.Failed(pool, attempt, decision.reason()));
        throw new RequestFailedException(pool, attempt, failure, decision, thrown.lastResponse());
      }
      PacerListener.deliver(listener, new PacerEvent.Retrying(pool, attempt, decision.delay(), decision.reason()));
      attempt++;
      return decision.delayNanos();
    }

    void awaitRetryBudget() throws InterruptedException {
      long wait;
      while ((wait = retryBudget.tryAcquireRetry()) > 0) {
        time.sleep(Duration.ofNanos(wait));
      }
    }

    void succeeded() {
      succeeded.incrementAndGet();
    }

    void failed() {
      failed.incrementAndGet();
    }
  }

  /** The async path: the same steps chained on futures and timers, never blocking a thread. */
  private final class AsyncCall<T> {
    private final Call call;
    private final AsyncAttempt<T> attempt;
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private volatile CompletableFuture<?> current;
    private volatile TimeSource.Scheduled timer;

    AsyncCall(Call call, AsyncAttempt<T> attempt) {
      this.call = call;
      this.attempt = attempt;
    }

    CompletableFuture<T> start() {
      result.whenComplete((value, error) -> {
        if (result.isCancelled()) {
          CompletableFuture<?> stage = current;
          if (stage != null) {
            stage.cancel(true);
          }
          TimeSource.Scheduled pending = timer;
          if (pending != null) {
            pending.cancel();
          }
        }
      });
      acquire();
      return result;
    }

    private void acquire() {
      if (result.isDone()) {
        return;
      }
      CompletableFuture<Permit> waiting = call.acquire();
      current = waiting;
      waiting.whenComplete((permit, error) -> {
        if (error != null) {
          call.failed();
          result.completeExceptionally(unwrap(error));
        } else if (result.isDone()) {
          permit.release(Permit.Release.NOT_SENT);
        } else {
          call.sending(permit);
          send(permit);
        }
      });
    }

    private void send(Permit permit) {
      CompletableFuture<T> sent;
      try {
        sent = attempt.run(permit);
      } catch (RuntimeException e) {
        sent = CompletableFuture.failedFuture(e);
      }
      current = sent;
      sent.whenComplete((value, error) -> {
        if (error == null) {
          call.succeeded();
          result.complete(value);
          return;
        }
        Throwable cause = unwrap(error);
        AttemptFailedException failure;
        if (cause instanceof AttemptFailedException failed) {
          failure = failed;
        } else if (cause instanceof IOException io) {
          failure = new AttemptFailedException(connectionFailure(io));
        } else {
          permit.release(cause instanceof CancellationException ? Permit.Release.NOT_SENT : Permit.Release.FAILED);
          call.failed();
          result.completeExceptionally(cause);
          return;
        }
        long delay;
        try {
          delay = call.onFailure(permit, failure);
        } catch (RuntimeException finalFailure) {
          result.completeExceptionally(finalFailure);
          return;
        }
        timer = time.schedule(this::retryWhenBudgetAllows, delay);
      });
    }

    private void retryWhenBudgetAllows() {
      if (result.isDone()) {
        return;
      }
      long wait = retryBudget.tryAcquireRetry();
      if (wait > 0) {
        timer = time.schedule(this::retryWhenBudgetAllows, wait);
      } else {
        acquire();
      }
    }

    private Throwable unwrap(Throwable error) {
      Throwable cause = error;
      while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
        cause = cause.getCause();
      }
      return cause;
    }
  }

  /** Builds a {@link Pacer}. Everything has a default: with none set, limits are learned from the server. */
  public static final class Builder {
    private final GovernorConfig.Builder governor = GovernorConfig.builder();
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private RetryBudgetConfig retryBudget = RetryBudgetConfig.defaults();
    private TimeSource time = TimeSource.system();
    private PacerListener listener = PacerListener.NONE;
    private int maxConcurrency;
    private AdaptiveConcurrencyConfig adaptiveConcurrency = AdaptiveConcurrencyConfig.defaults();
    private BucketStore store;

    private Builder() {}

    /** Where the buckets' levels live: this JVM by default; pacer-redis shares them across processes. */
    public Builder store(BucketStore value) {
      store = value;
      return this;
    }

    /** Limits of every pool not configured on its own (RPM / ITPM / OTPM per window). */
    public Builder limits(Limits limits) {
      governor.limits(limits);
      return this;
    }

    /** Limits of one pool. */
    public Builder poolLimits(String pool, Limits limits) {
      governor.poolLimits(pool, limits);
      return this;
    }

    /** Limits from a tier's table, for pools configured nowhere else. */
    public Builder tier(Tier tier) {
      governor.tier(tier);
      return this;
    }

    /** The period limits count over: 1 minute on the real API. */
    public Builder window(Duration window) {
      governor.window(window);
      return this;
    }

    /** The burst as a duration of refill, if you know it; otherwise learned from the server. */
    public Builder burst(Duration burst) {
      governor.burst(burst);
      return this;
    }

    /** The burst assumed until the server shows more (default 1 s of refill). */
    public Builder assumedBurst(Duration burst) {
      governor.assumedBurst(burst);
      return this;
    }

    public Builder outputRule(OutputRule rule) {
      governor.outputRule(rule);
      return this;
    }

    public Builder catalog(ModelCatalog catalog) {
      governor.catalog(catalog);
      return this;
    }

    public Builder estimator(TokenEstimator estimator) {
      governor.estimator(estimator);
      return this;
    }

    public Builder starvationGuard(Duration guard) {
      governor.starvationGuard(guard);
      return this;
    }

    /** Refill kept in every bucket against network jitter (default 100 ms; zero for none). */
    public Builder jitterAllowance(Duration allowance) {
      governor.jitterAllowance(allowance);
      return this;
    }

    /**
     * How the cap on requests in flight adapts, per pool (AIMD on overloads; default
     * {@link AdaptiveConcurrencyConfig#defaults()}). Ignored when {@link #maxConcurrency} fixes it.
     */
    public Builder adaptiveConcurrency(AdaptiveConcurrencyConfig config) {
      adaptiveConcurrency = java.util.Objects.requireNonNull(config, "config");
      return this;
    }

    /** A fixed cap on requests in flight per pool; without it the cap adapts (AIMD on overloads). */
    public Builder maxConcurrency(int cap) {
      if (cap < 1) {
        throw new IllegalArgumentException("maxConcurrency must be at least 1, got " + cap);
      }
      maxConcurrency = cap;
      return this;
    }

    public Builder retryPolicy(RetryPolicy policy) {
      retryPolicy = policy;
      return this;
    }

    public Builder retryBudget(RetryBudgetConfig budget) {
      retryBudget = budget;
      return this;
    }

    public Builder timeSource(TimeSource source) {
      time = source;
      return this;
    }

    public Builder listener(PacerListener value) {
      listener = value;
      return this;
    }

    public Pacer build() {
      return new Pacer(this);
    }
  }
}
