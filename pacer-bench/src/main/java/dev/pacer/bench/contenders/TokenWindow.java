package dev.pacer.bench.contenders;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.Usage;
import dev.pacer.bench.JobRequest;
import dev.pacer.bench.Rates;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * A thread-safe sliding window of the last minute's usage, counted after each response; before a
 * request, its input (characters / 4) and {@code max_tokens} are assumed, and while they would not
 * fit under the told limits the worker sleeps 2 s (compressed). SDK retries 3; pool of workers.
 */
final class TokenWindow implements Contender {

  @Override
  public String name() {
    return "token-window";
  }

  @Override
  public String settings() {
    return "sliding 60 s window of usage counted after each response; waits in 2 s sleeps until requests, "
        + "chars/4 input and max_tokens fit; SDK maxRetries 3; pool of workers";
  }

  @Override
  public Session open(Setup setup) {
    AnthropicClient client = setup.client(3);
    Window window = new Window(setup.scenario().told(), setup.scenario().window().toNanos());
    Duration sleep = setup.compressed(Duration.ofSeconds(2));
    return new Session() {
      @Override
      public Message send(JobRequest request) throws InterruptedException {
        window.checkEverFits(request.estimatedCountedInputTokens(), request.maxTokens());
        while (!window.fits(request.estimatedCountedInputTokens(), request.maxTokens())) {
          Thread.sleep(sleep);
        }
        Message message = client.messages().create(request.params());
        Usage usage = message.usage();
        window.record(usage.inputTokens() + usage.cacheCreationInputTokens().orElse(0L), usage.outputTokens());
        return message;
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

  /** Usage of the last window, one entry per response. */
  static final class Window {
    private final Rates limits;
    private final long windowNanos;
    private final ArrayDeque<long[]> entries = new ArrayDeque<>();
    private long requests;
    private long input;
    private long output;

    Window(Rates limits, long windowNanos) {
      this.limits = limits;
      this.windowNanos = windowNanos;
    }

    /** A request larger than a limit would wait forever: refuse it at once, as a careful user's code does. */
    void checkEverFits(long inputTokens, long maxTokens) {
      if (inputTokens > limits.inputTokens() || maxTokens > limits.outputTokens()) {
        throw new IllegalArgumentException("request needs " + inputTokens + " input and " + maxTokens
            + " output tokens; the limits are " + limits + " per minute");
      }
    }

    synchronized boolean fits(long inputTokens, long maxTokens) {
      long now = System.nanoTime();
      while (!entries.isEmpty() && now - entries.peekFirst()[0] > windowNanos) {
        long[] old = entries.removeFirst();
        requests--;
        input -= old[1];
        output -= old[2];
      }
      return requests + 1 <= limits.requests() && input + inputTokens <= limits.inputTokens()
          && output + maxTokens <= limits.outputTokens();
    }

    synchronized void record(long inputTokens, long outputTokens) {
      entries.addLast(new long[] {System.nanoTime(), inputTokens, outputTokens});
      requests++;
      input += inputTokens;
      output += outputTokens;
    }
  }
}
