package dev.pacer.examples;

import com.anthropic.client.AnthropicClientAsync;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import dev.pacer.Pacer;
import dev.pacer.anthropic.ModelCost;
import dev.pacer.anthropic.PacedAnthropic;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An async fan-out: every request is started at once from one thread; those that cannot go yet
 * wait as futures (no thread each), and each attempt runs on a virtual thread, so more than
 * OkHttp's 64 can be in flight.
 *
 * <pre>examples/run AsyncFanOut 1000</pre>
 */
public final class AsyncFanOut {

  private AsyncFanOut() {}

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    try (Target target = Target.fromEnvironment(); Pacer pacer = target.pacer().build()) {
      System.out.println("AsyncFanOut: " + requests + " requests at once to " + target.describe());
      PacedAnthropic paced = PacedAnthropic.builder().pacer(pacer).clientBuilder(target.sdkAsync()).build();
      AnthropicClientAsync client = paced.async();

      long started = System.nanoTime();
      List<CompletableFuture<Long>> outputs = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        MessageCreateParams params = MessageCreateParams.builder().model(target.model()).maxTokens(64)
            .addUserMessage("Item " + i + ": give it a one-word name.").build();
        outputs.add(client.messages().create(params).thenApply(Message::usage).thenApply(usage -> usage.outputTokens()));
      }
      System.out.printf("all %d started in %.2f s; %d waiting for capacity%n", requests,
          (System.nanoTime() - started) / 1e9, pacer.governor().snapshots().stream().mapToInt(s -> s.waiting()).sum());

      CompletableFuture.allOf(outputs.toArray(CompletableFuture[]::new)).join();
      long output = outputs.stream().mapToLong(CompletableFuture::join).sum();
      System.out.printf("%d answers, %,d output tokens in %.1f s; %s%n", requests, output,
          (System.nanoTime() - started) / 1e9, pacer.stats());
      for (ModelCost cost : paced.costs().byModel().values()) {
        System.out.println("cost: " + cost);
      }
      paced.close();
    }
  }
}
