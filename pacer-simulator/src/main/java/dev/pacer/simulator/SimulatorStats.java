package dev.pacer.simulator;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of what the simulator saw on {@code POST /v1/messages} (count_tokens apart).
 *
 * @param attempts every {@code POST /v1/messages} received, whatever its answer
 * @param statusCounts attempts by HTTP status answered
 * @param rateLimitedByBucket rate-limit 429s by the bucket named ({@code requests},
 *     {@code input_tokens}, {@code output_tokens}); injected 429s are not here
 * @param inputTokensServed sum of {@code usage.input_tokens} over 200s
 * @param cacheCreationInputTokensServed sum of {@code usage.cache_creation_input_tokens} over 200s
 * @param cacheReadInputTokensServed sum of {@code usage.cache_read_input_tokens} over 200s
 * @param outputTokensServed output tokens generated over 200s
 * @param inFlight attempts being handled now
 * @param maxInFlight the most attempts handled at once
 * @param countTokensRequests {@code POST /v1/messages/count_tokens} received
 * @param countTokensRateLimited count_tokens requests answered 429
 * @param records the most recent attempts, oldest first (bounded, see
 *     {@link SimulatorConfig.Builder#recordLimit(int)})
 * @param faultsInjected attempts hit by each kind of injected fault: {@code fail_next},
 *     {@code outage}, {@code overload_wave}, {@code overload_load}, {@code overload_probability},
 *     {@code error_probability}, {@code acceleration}, {@code slow_headers}, {@code stream_error},
 *     {@code connection_drop}
 * @param batches what was seen of Message Batches
 */
public record SimulatorStats(
    long attempts,
    Map<Integer, Long> statusCounts,
    Map<String, Long> rateLimitedByBucket,
    long inputTokensServed,
    long cacheCreationInputTokensServed,
    long cacheReadInputTokensServed,
    long outputTokensServed,
    int inFlight,
    int maxInFlight,
    long countTokensRequests,
    long countTokensRateLimited,
    List<RequestRecord> records,
    Map<String, Long> faultsInjected,
    BatchStats batches) {

  public SimulatorStats {
    statusCounts = Map.copyOf(statusCounts);
    rateLimitedByBucket = Map.copyOf(rateLimitedByBucket);
    records = List.copyOf(records);
    faultsInjected = Map.copyOf(faultsInjected);
  }

  /** Attempts hit by one kind of injected fault (see {@link #faultsInjected()}). */
  public long faultsInjected(String kind) {
    return faultsInjected.getOrDefault(kind, 0L);
  }

  /** Attempts answered with {@code status}. */
  public long count(int status) {
    return statusCounts.getOrDefault(status, 0L);
  }

  /** Attempts answered 200. */
  public long succeeded() {
    return count(200);
  }

  /** Attempts answered 429, by the limits or injected. */
  public long rateLimited() {
    return count(429);
  }

  /** Rate-limit 429s naming {@code bucket}: {@code requests}, {@code input_tokens} or {@code output_tokens}. */
  public long rateLimitedBy(String bucket) {
    if (!(bucket.equals("requests") || bucket.equals("input_tokens") || bucket.equals("output_tokens"))) {
      throw new IllegalArgumentException(
          "bucket must be requests, input_tokens or output_tokens, not '" + bucket + "'");
    }
    return rateLimitedByBucket.getOrDefault(bucket, 0L);
  }

  /** Attempts answered 529 overloaded_error. */
  public long overloaded() {
    return count(529);
  }
}
