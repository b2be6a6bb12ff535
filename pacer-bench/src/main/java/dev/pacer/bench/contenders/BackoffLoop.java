package dev.pacer.bench.contenders;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.Message;
import dev.pacer.bench.JobRequest;
import java.time.Duration;

/**
 * A hand-written loop: SDK retries off, exponential backoff with jitter on 429, 529 (and other
 * 5xx), 7 attempts, 1 s doubling to 60 s (in compressed time), from a pool of workers.
 */
final class BackoffLoop implements Contender {

  @Override
  public String name() {
    return "backoff-loop";
  }

  @Override
  public String settings() {
    return "SDK retries off; 7 attempts, backoff 1 s doubling to 60 s × [0.5, 1) jitter on 429/529/5xx; "
        + "pool of workers";
  }

  @Override
  public Session open(Setup setup) {
    AnthropicClient client = setup.client(0);
    HandRetry retry = new HandRetry(7, setup.compressed(Duration.ofSeconds(1)),
        setup.compressed(Duration.ofSeconds(60)));
    return new Session() {
      @Override
      public Message send(JobRequest request) throws Exception {
        return retry.call(() -> client.messages().create(request.params()));
      }

      @Override
      public int workers() {
        return setup.workers();
      }

      @Override
      public void close() {
        client.close();
      }
    };
  }
}
