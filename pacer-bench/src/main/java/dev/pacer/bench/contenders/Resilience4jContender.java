package dev.pacer.bench.contenders;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.Message;
import dev.pacer.bench.JobRequest;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;

/**
 * Resilience4j as its docs suggest: a RateLimiter of the requests per minute the told limits allow
 * for this job ({@code limitForPeriod} = that many, {@code limitRefreshPeriod} = a minute), a Bulkhead,
 * and a Retry with exponential random backoff around both. SDK retries off; every request on its
 * own virtual thread.
 */
final class Resilience4jContender implements Contender {

  @Override
  public String name() {
    return "resilience4j";
  }

  @Override
  public String settings() {
    return "RateLimiter of min(RPM, ITPM / mean chars/4 input, OTPM / max_tokens) permits per minute; "
        + "Bulkhead of the worker count; Retry 7 attempts, exponential random backoff 1 s ×2 to 60 s; SDK retries off";
  }

  @Override
  public Session open(Setup setup) {
    AnthropicClient client = setup.client(0);
    Duration window = setup.scenario().window();
    int perWindow = (int) Math.max(1, Math.floor(setup.requestsPerSecond() * window.toNanos() / 1e9));
    Duration hour = Duration.ofHours(1);
    RateLimiter limiter = RateLimiter.of("anthropic", RateLimiterConfig.custom()
        .limitForPeriod(perWindow)
        .limitRefreshPeriod(window)
        .timeoutDuration(hour)
        .build());
    Bulkhead bulkhead = Bulkhead.of("anthropic", BulkheadConfig.custom()
        .maxConcurrentCalls(setup.workers())
        .maxWaitDuration(hour)
        .build());
    Retry retry = Retry.of("anthropic", RetryConfig.custom()
        .maxAttempts(7)
        .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(setup.compressed(Duration.ofSeconds(1)), 2.0,
            0.5, setup.compressed(Duration.ofSeconds(60))))
        .retryOnException(HandRetry::retryable)
        .build());
    return new Session() {
      @Override
      public Message send(JobRequest request) throws Exception {
        return retry.executeCallable(() -> bulkhead.executeCallable(() -> {
          if (!limiter.acquirePermission()) {
            throw RequestNotPermitted.createRequestNotPermitted(limiter);
          }
          return client.messages().create(request.params());
        }));
      }

      @Override
      public int workers() {
        return 0;
      }

      @Override
      public void close() {
        client.close();
      }
    };
  }
}
