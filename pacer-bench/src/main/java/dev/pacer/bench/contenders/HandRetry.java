package dev.pacer.bench.contenders;

import com.anthropic.errors.AnthropicIoException;
import com.anthropic.errors.AnthropicServiceException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The retry loop people write by hand: exponential backoff with jitter on 429, 529 and the other
 * 5xx and broken connections, a fixed number of attempts, retry-after not read.
 */
final class HandRetry {

  private final int maxAttempts;
  private final long baseNanos;
  private final long capNanos;

  HandRetry(int maxAttempts, Duration base, Duration cap) {
    this.maxAttempts = maxAttempts;
    this.baseNanos = base.toNanos();
    this.capNanos = cap.toNanos();
  }

  <T> T call(Callable<T> attempt) throws Exception {
    for (int n = 1; ; n++) {
      try {
        return attempt.call();
      } catch (Exception e) {
        if (n >= maxAttempts || !retryable(e)) {
          throw e;
        }
        Thread.sleep(Duration.ofNanos(delayNanos(n)));
      }
    }
  }

  /** Before retry {@code n}: base·2^(n−1), capped, times a random factor in [0.5, 1). */
  long delayNanos(int n) {
    double ceiling = Math.min(capNanos, baseNanos * Math.pow(2, n - 1));
    return (long) (ceiling * (0.5 + 0.5 * ThreadLocalRandom.current().nextDouble()));
  }

  /** 429, 529 and other 5xx, and attempts that got no answer. */
  static boolean retryable(Throwable e) {
    if (e instanceof AnthropicServiceException service) {
      int status = service.statusCode();
      return status == 429 || status >= 500;
    }
    return e instanceof AnthropicIoException;
  }
}
