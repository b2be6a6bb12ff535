package dev.pacer.examples;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.pacer.Pacer;
import dev.pacer.anthropic.PacedAnthropic;

/**
 * Streaming through the paced client: the request waits for capacity like any other, the events
 * arrive as the server sends them, and the usage they report (message_start, message_delta)
 * settles the Pacer's reservation and the cost when the stream ends.
 *
 * <pre>examples/run Streaming</pre>
 */
public final class Streaming {

  private Streaming() {}

  public static void main(String[] args) throws Exception {
    try (Target target = Target.fromEnvironment(); Pacer pacer = target.pacer().build()) {
      System.out.println("Streaming from " + target.describe());
      PacedAnthropic paced = PacedAnthropic.builder().pacer(pacer).clientBuilder(target.sdk()).build();
      AnthropicClient client = paced.client();
      MessageCreateParams params = MessageCreateParams.builder().model(target.model()).maxTokens(300)
          .addUserMessage("Write three short sentences about steady pacing.").build();

      try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
        stream.stream().forEach(event -> {
          event.contentBlockDelta().flatMap(delta -> delta.delta().text())
              .ifPresent(text -> System.out.print(text.text()));
          event.messageDelta().ifPresent(delta -> System.out.printf("%n[output tokens so far: %d]%n",
              delta.usage().outputTokens()));
        });
      }
      System.out.println("cost: " + paced.costs().byModel().values());
      System.out.println(pacer.stats());
      paced.close();
    }
  }
}
