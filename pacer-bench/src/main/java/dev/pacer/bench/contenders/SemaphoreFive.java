package dev.pacer.bench.contenders;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.Message;
import dev.pacer.bench.JobRequest;
import java.util.concurrent.Semaphore;

/** Every request at once on its own virtual thread, at most 5 in flight, SDK retries 4. */
final class SemaphoreFive implements Contender {

  static final int IN_FLIGHT = 5;

  @Override
  public String name() {
    return "semaphore-5";
  }

  @Override
  public String settings() {
    return "a Semaphore(5) around each call (5 in flight), SDK maxRetries 4";
  }

  @Override
  public Session open(Setup setup) {
    AnthropicClient client = setup.client(4);
    Semaphore slots = new Semaphore(IN_FLIGHT, true);
    return new Session() {
      @Override
      public Message send(JobRequest request) throws InterruptedException {
        slots.acquire();
        try {
          return client.messages().create(request.params());
        } finally {
          slots.release();
        }
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
