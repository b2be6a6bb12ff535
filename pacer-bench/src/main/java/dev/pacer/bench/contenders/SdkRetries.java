package dev.pacer.bench.contenders;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.Message;
import dev.pacer.bench.JobRequest;

/** The official SDK alone, {@code maxRetries(5)}, from a pool of workers: what most code does today. */
final class SdkRetries implements Contender {

  @Override
  public String name() {
    return "sdk-retries";
  }

  @Override
  public String settings() {
    return "the SDK's own retries (maxRetries 5: its backoff, retry-after obeyed) from a pool of workers";
  }

  @Override
  public Session open(Setup setup) {
    AnthropicClient client = setup.client(5);
    return new Session() {
      @Override
      public Message send(JobRequest request) {
        return client.messages().create(request.params());
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
