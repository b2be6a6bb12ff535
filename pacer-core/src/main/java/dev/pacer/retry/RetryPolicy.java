package dev.pacer.retry;

import dev.pacer.http.AttemptFailure;
import dev.pacer.retry.RetryDecision.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Whether, and when, to try a failed attempt again. Pure apart from its random source: the
 * caller says how many attempts were made and how much time is left, and gets a
 * {@link RetryDecision}; the waiting, the retry budget and the queue are the caller's.
 *
 * <p>In order, a failure is not retried when:
 *
 * <ol>
 *   <li>it is not retryable ({@link #classify}: 4xx, spend-cap 429s, streams that already
 *       delivered content, or {@code x-should-retry: false});
 *   <li>{@code maxAttempts} attempts have been made;
 *   <li>the server asked for a delay ({@link RetryAfter}) longer than {@code maxRetryAfter}, unless
 *       {@code waitBeyondMaxRetryAfter} is set, in which case the full delay is waited;
 *   <li>the delay would carry the next attempt past {@code maxElapsed} or the caller's deadline.
 * </ol>
 *
 * <p>The delay is the server's when it named a positive one, else exponential backoff with full
 * jitter: uniform in {@code [0, min(maxBackoff, initialBackoff·2^(n−1)))} before retry {@code n}.
 * Full jitter rather than the official SDKs' {@code × (1 − 0.25·random)}: the failures that reach
 * the backoff (529s, 5xx, broken connections) come in waves from attempts sent together, and only
 * spreading a wave over the whole interval breaks it up; an early retry still waits for the
 * governor's buckets, a concurrency slot and the {@link RetryBudget}. A {@code retry-after} of zero
 * or a date already past gets the backoff too, as in the official TypeScript and Python SDKs, so
 * that a server (or a clock) that says "now" cannot turn a wave of failures into a storm.
 *
 * <p>Immutable and thread-safe; one policy serves every request.
 */
public final class RetryPolicy {

  private static final RetryPolicy DEFAULTS = builder().build();

  private final RetryConfig config;
  private final Backoff backoff;
  private final InstantSource wallClock;

  private RetryPolicy(RetryConfig config, RandomGenerator random, InstantSource wallClock) {
    this.config = config;
    this.backoff = new Backoff(config.initialBackoffNanos(), config.maxBackoffNanos(), random);
    this.wallClock = wallClock;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * 10 attempts, backoff from 0.5 s up to 30 s with full jitter, {@code retry-after} obeyed up to
   * 60 s (longer gives up), no time limit besides the caller's deadline.
   */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  public RetryConfig config() {
    return config;
  }

  /** What kind of failure this is, and whether another attempt may succeed. */
  public FailureClassification classify(AttemptFailure failure) {
    return FailureClassifier.classify(Objects.requireNonNull(failure, "failure"));
  }

  /**
   * Whether to retry after a failed attempt, and after how long.
   *
   * @param failure how the last attempt failed
   * @param attemptsMade attempts made so far, the failed one included: 1 after the first attempt
   * @param elapsedNanos time since the first attempt started (for {@code maxElapsed})
   * @param deadlineNanosRemaining time left before the request's own deadline, or
   *     {@link Long#MAX_VALUE} if it has none; zero or less means it has passed
   */
  public RetryDecision decide(
      AttemptFailure failure, int attemptsMade, long elapsedNanos, long deadlineNanosRemaining) {
    if (attemptsMade < 1) {
      throw new IllegalArgumentException("attemptsMade counts the failed attempt, so it is at least 1, got "
          + attemptsMade);
    }
    if (elapsedNanos < 0) {
      throw new IllegalArgumentException("elapsedNanos must not be negative, got " + elapsedNanos);
    }
    FailureClassification classification = classify(failure);
    String last = "; last failure: " + classification.reason();
    if (!classification.retryable()) {
      return giveUp(Verdict.NOT_RETRYABLE, 0, false, classification,
          "not retryable: " + classification.reason());
    }
    if (attemptsMade >= config.maxAttempts()) {
      return giveUp(Verdict.ATTEMPTS_EXHAUSTED, 0, false, classification,
          "gave up after " + attempts(attemptsMade) + " (maxAttempts)" + last);
    }

    Optional<Duration> asked = failure.head().flatMap(head -> RetryAfter.from(head, wallClock))
        .filter(delay -> !delay.isZero());
    long delayNanos;
    boolean fromServer = asked.isPresent();
    String why;
    if (fromServer) {
      delayNanos = RetryConfig.saturatedNanos(asked.get());
      long ceiling = config.maxRetryAfterNanos();
      if (delayNanos > ceiling) {
        if (!config.waitBeyondMaxRetryAfter()) {
          return giveUp(Verdict.RETRY_AFTER_TOO_LONG, delayNanos, true, classification,
              "retry-after of " + Durations.describe(delayNanos) + " exceeds the "
                  + Durations.describe(ceiling) + " ceiling (maxRetryAfter); raise it or allow waiting"
                  + " (waitBeyondMaxRetryAfter)" + last);
        }
        why = "as the server asked (beyond the " + Durations.describe(ceiling)
            + " maxRetryAfter, waiting as configured)";
      } else {
        why = "as the server asked (retry-after)";
      }
    } else {
      delayNanos = backoff.delayNanos(attemptsMade);
      why = "(backoff)";
    }

    Optional<Duration> maxElapsed = config.maxElapsed();
    if (maxElapsed.isPresent()) {
      long limit = RetryConfig.saturatedNanos(maxElapsed.get());
      long nextStart = Durations.saturatedAdd(elapsedNanos, delayNanos);
      if (nextStart >= limit) {
        return giveUp(Verdict.DEADLINE_EXCEEDED, delayNanos, fromServer, classification,
            "the next attempt would start " + Durations.describe(nextStart) + " after the first,"
                + " beyond maxElapsed of " + Durations.describe(limit) + last);
      }
    }
    if (delayNanos >= deadlineNanosRemaining) {
      String remaining = deadlineNanosRemaining <= 0
          ? "the deadline has passed"
          : Durations.describe(deadlineNanosRemaining) + " remain";
      return giveUp(Verdict.DEADLINE_EXCEEDED, delayNanos, fromServer, classification,
          "the next attempt could not start before the deadline: it must wait "
              + Durations.describe(delayNanos) + " and " + remaining + last);
    }
    return new RetryDecision(Verdict.RETRY, delayNanos, fromServer, classification,
        "retry " + attemptsMade + " of " + (config.maxAttempts() - 1) + " in "
            + Durations.describe(delayNanos) + " " + why + last);
  }

  private static RetryDecision giveUp(Verdict verdict, long delayNanos, boolean fromServer,
      FailureClassification classification, String reason) {
    return new RetryDecision(verdict, delayNanos, fromServer, classification, reason);
  }

  private static String attempts(int count) {
    return count == 1 ? "1 attempt" : count + " attempts";
  }

  @Override
  public String toString() {
    return "RetryPolicy" + config;
  }

  /** Collects settings; {@link #build()} validates them and freezes them in a {@link RetryConfig}. */
  public static final class Builder {
    private int maxAttempts = RetryConfig.DEFAULT_MAX_ATTEMPTS;
    private Duration initialBackoff = RetryConfig.DEFAULT_INITIAL_BACKOFF;
    private Duration maxBackoff = RetryConfig.DEFAULT_MAX_BACKOFF;
    private Duration maxRetryAfter = RetryConfig.DEFAULT_MAX_RETRY_AFTER;
    private boolean waitBeyondMaxRetryAfter;
    private Duration maxElapsed;
    private Supplier<RandomGenerator> random = Random::new;
    private InstantSource wallClock = Clock.systemUTC();

    private Builder() {}

    /** Attempts in all, the first included (default 10); 1 turns retries off. */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The ceiling of the first retry's jittered delay (default 0.5 s). */
    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = Objects.requireNonNull(initialBackoff, "initialBackoff");
      return this;
    }

    /** The largest ceiling the backoff doubles up to (default 30 s). */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
      return this;
    }

    /** The longest server-requested delay obeyed without question (default 60 s). */
    public Builder maxRetryAfter(Duration maxRetryAfter) {
      this.maxRetryAfter = Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
      return this;
    }

    /** Beyond {@code maxRetryAfter}: wait as asked ({@code true}) or give up (default). */
    public Builder waitBeyondMaxRetryAfter(boolean wait) {
      this.waitBeyondMaxRetryAfter = wait;
      return this;
    }

    /** The longest from the first attempt's start to the last's (default: no limit). */
    public Builder maxElapsed(Duration maxElapsed) {
      this.maxElapsed = Objects.requireNonNull(maxElapsed, "maxElapsed");
      return this;
    }

    /**
     * Jitter from {@code new java.util.Random(seed)}, whose algorithm is fixed by its
     * specification: the same seed gives the same delays on every JDK.
     */
    public Builder jitterSeed(long seed) {
      this.random = () -> new Random(seed);
      return this;
    }

    /** Jitter from this generator (default: an unseeded {@link Random}). */
    public Builder random(RandomGenerator random) {
      Objects.requireNonNull(random, "random");
      this.random = () -> random;
      return this;
    }

    /**
     * The wall clock an HTTP-date {@code retry-after} is read against when the response has no
     * {@code Date} header (default: the system's UTC clock).
     */
    public Builder wallClock(InstantSource wallClock) {
      this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
      return this;
    }

    public RetryPolicy build() {
      RetryConfig config = new RetryConfig(maxAttempts, initialBackoff, maxBackoff, maxRetryAfter,
          waitBeyondMaxRetryAfter, Optional.ofNullable(maxElapsed));
      return new RetryPolicy(config, random.get(), wallClock);
    }
  }
}
