package dev.pacer.retry;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What {@link RetryPolicy#classify} made of one failed attempt.
 *
 * @param retryable whether another attempt may succeed (after the server's {@code x-should-retry}
 *     override, where it sent one)
 * @param kind what happened
 * @param rateLimitedBucket for a {@link FailureKind#RATE_LIMITED} failure, the bucket that ran
 *     dry where it can be told: {@link #REQUESTS}, {@link #INPUT_TOKENS} or {@link #OUTPUT_TOKENS}
 * @param reason the failure in words, with the status, the server's error type, message and
 *     request id where known, e.g. {@code 400 invalid_request_error: max_tokens: … (request-id
 *     req_…)}
 */
public record FailureClassification(
    boolean retryable, FailureKind kind, Optional<String> rateLimitedBucket, String reason) {

  /** The requests-per-minute bucket. */
  public static final String REQUESTS = "requests";

  /** The input-tokens-per-minute bucket. */
  public static final String INPUT_TOKENS = "input_tokens";

  /** The output-tokens-per-minute bucket. */
  public static final String OUTPUT_TOKENS = "output_tokens";

  private static final Set<String> BUCKETS = Set.of(REQUESTS, INPUT_TOKENS, OUTPUT_TOKENS);

  public FailureClassification {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(rateLimitedBucket, "rateLimitedBucket");
    Objects.requireNonNull(reason, "reason");
    rateLimitedBucket.ifPresent(bucket -> {
      if (!BUCKETS.contains(bucket)) {
        throw new IllegalArgumentException("unknown bucket " + bucket + "; expected one of " + BUCKETS);
      }
    });
  }
}
