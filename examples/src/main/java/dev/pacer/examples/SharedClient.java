package dev.pacer.examples;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import dev.pacer.Pacer;
import dev.pacer.anthropic.PacedAnthropic;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One paced client shared by many virtual threads: each thread makes its blocking call as if it
 * were alone; the Pacer decides when each goes, so together they stay under the limits.
 *
 * <pre>examples/run SharedClient 200</pre>
 */
public final class SharedClient {

  private SharedClient() {}

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    try (Target target = Target.fromEnvironment(); Pacer pacer = target.pacer().build()) {
      System.out.println("SharedClient: " + requests + " virtual threads, one client, to " + target.describe());
      // The one line that changes: the SDK's builder, wrapped.
      AnthropicClient client = PacedAnthropic.wrap(target.sdk(), pacer);

      long started = System.nanoTime();
      List<Future<Message>> answers = new ArrayList<>();
      try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < requests; i++) {
          MessageCreateParams params = MessageCreateParams.builder().model(target.model()).maxTokens(128)
              .addUserMessage("Thread " + i + ": name one thing a rate limit protects.").build();
          answers.add(threads.submit(() -> client.messages().create(params)));
        }
      }
      long output = 0;
      for (Future<Message> answer : answers) {
        output += answer.get().usage().outputTokens();
      }
      double seconds = (System.nanoTime() - started) / 1e9;

      System.out.printf("%d answers, %,d output tokens in %.1f s; %s%n", answers.size(), output, seconds, pacer.stats());
      System.out.println("first answer: " + answers.get(0).get().content().get(0).asText().text());
      System.out.println("cost: " + PacedAnthropic.of(client).orElseThrow().costs());
      client.close();
    }
  }
}
