package dev.pacer.jobs;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * How a job goes through the Message Batches API ({@code --via batches}, or {@code --via auto}
 * when it chooses batches).
 *
 * @param maxRequestsPerBatch the most requests in one batch (the API allows 100,000)
 * @param maxBytesPerBatch the most bytes in one batch's create body (the API allows 256 MB)
 * @param queueLimit the most requests the job keeps waiting in batches not yet ended; empty: the
 *     tier's {@code batches.<tier>} line of the model data (with no tier, the smallest, start's)
 * @param pollMin the first wait before polling a new batch; each poll that finds it still in
 *     progress doubles the wait
 * @param pollMax the longest wait between two polls of one batch
 */
public record BatchOptions(int maxRequestsPerBatch, long maxBytesPerBatch, OptionalLong queueLimit, Duration pollMin,
    Duration pollMax) {

  /** The API's limit on requests in one batch. */
  public static final int API_MAX_REQUESTS = 100_000;
  /** The API's limit on one batch's body: 256 MB. */
  public static final long API_MAX_BYTES = 256L * 1024 * 1024;

  public BatchOptions {
    if (maxRequestsPerBatch < 1 || maxRequestsPerBatch > API_MAX_REQUESTS) {
      throw new IllegalArgumentException("requests per batch must be from 1 to 100,000, got " + maxRequestsPerBatch);
    }
    if (maxBytesPerBatch < 1 || maxBytesPerBatch > API_MAX_BYTES) {
      throw new IllegalArgumentException("bytes per batch must be from 1 to 256 MB, got " + maxBytesPerBatch);
    }
    Objects.requireNonNull(queueLimit, "queueLimit");
    queueLimit.ifPresent(q -> {
      if (q < 1) {
        throw new IllegalArgumentException("the batch queue limit must be at least 1, got " + q);
      }
    });
    Objects.requireNonNull(pollMin, "pollMin");
    Objects.requireNonNull(pollMax, "pollMax");
    if (!pollMin.isPositive() || pollMax.compareTo(pollMin) < 0) {
      throw new IllegalArgumentException("poll intervals must be positive with min <= max, got " + pollMin + ", "
          + pollMax);
    }
  }

  /** The API's limits, polls from 1 s doubling up to 1 min. */
  public static BatchOptions defaults() {
    return new BatchOptions(API_MAX_REQUESTS, API_MAX_BYTES, OptionalLong.empty(), Duration.ofSeconds(1),
        Duration.ofMinutes(1));
  }

  public BatchOptions withMaxRequestsPerBatch(int requests) {
    return new BatchOptions(requests, maxBytesPerBatch, queueLimit, pollMin, pollMax);
  }

  public BatchOptions withMaxBytesPerBatch(long bytes) {
    return new BatchOptions(maxRequestsPerBatch, bytes, queueLimit, pollMin, pollMax);
  }

  public BatchOptions withQueueLimit(long requests) {
    return new BatchOptions(maxRequestsPerBatch, maxBytesPerBatch, OptionalLong.of(requests), pollMin, pollMax);
  }

  public BatchOptions withPolls(Duration min, Duration max) {
    return new BatchOptions(maxRequestsPerBatch, maxBytesPerBatch, queueLimit, min, max);
  }
}
