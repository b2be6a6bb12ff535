package dev.pacer.bench.contenders;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.Usage;
import dev.pacer.bench.JobRequest;
import dev.pacer.bench.Rates;
import io.github.bucket4j.Bucket;
import java.time.Duration;

/**
 * Bucket4j as a careful user sets it up: three buckets (requests, input tokens, output tokens),
 * each of the told limit refilled greedily over the window, consumed one after another before each
 * attempt (input by characters / 4 without cached parts, output by {@code max_tokens}); after an
 * answer, unused output goes back and input is corrected to the usage; a request larger than a bucket is
 * refused at once (a blocking consume of it would wait forever). Retries as the hand-written
 * loop; SDK retries off; pool of workers.
 */
final class Bucket4jContender implements Contender {

  @Override
  public String name() {
    return "bucket4j";
  }

  @Override
  public String settings() {
    return "three buckets of the told limits (capacity a window, greedy refill), consumed in turn before each "
        + "attempt (a request larger than a bucket refused at once); unused max_tokens and input estimate corrected "
        + "after the answer; 7 attempts with backoff; "
        + "SDK retries off; pool of workers";
  }

  @Override
  public Session open(Setup setup) {
    AnthropicClient client = setup.client(0);
    Rates told = setup.scenario().told();
    Duration window = setup.scenario().window();
    Bucket requests = bucket(told.requests(), window);
    Bucket input = bucket(told.inputTokens(), window);
    Bucket output = bucket(told.outputTokens(), window);
    HandRetry retry = new HandRetry(7, setup.compressed(Duration.ofSeconds(1)),
        setup.compressed(Duration.ofSeconds(60)));
    return new Session() {
      @Override
      public Message send(JobRequest request) throws Exception {
        long inputEstimate = request.estimatedCountedInputTokens();
        if (inputEstimate > told.inputTokens() || request.maxTokens() > told.outputTokens()) {
          // A blocking consume of more than a bucket's capacity would wait forever: refuse it at once.
          throw new IllegalArgumentException("request needs " + inputEstimate + " input and " + request.maxTokens()
              + " output tokens; the limits are " + told + " per minute");
        }
        return retry.call(() -> {
          requests.asBlocking().consume(1);
          input.asBlocking().consume(inputEstimate);
          output.asBlocking().consume(request.maxTokens());
          Message message = client.messages().create(request.params());
          Usage usage = message.usage();
          long unused = request.maxTokens() - usage.outputTokens();
          if (unused > 0) {
            output.addTokens(unused);
          }
          long counted = usage.inputTokens() + usage.cacheCreationInputTokens().orElse(0L);
          if (counted > inputEstimate) {
            input.consumeIgnoringRateLimits(counted - inputEstimate);
          } else if (counted < inputEstimate) {
            input.addTokens(inputEstimate - counted);
          }
          return message;
        });
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

  private static Bucket bucket(long limit, Duration window) {
    return Bucket.builder().addLimit(limit1 -> limit1.capacity(limit).refillGreedy(limit, window)).build();
  }
}
