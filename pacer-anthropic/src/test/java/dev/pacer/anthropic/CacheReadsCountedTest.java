package dev.pacer.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.Message;
import dev.pacer.Pacer;
import dev.pacer.anthropic.testing.Sim;
import dev.pacer.events.PacerEvent;
import dev.pacer.simulator.Latency;
import dev.pacer.simulator.RequestRecord;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that counts cache reads against the input limit for a model the model data says it
 * does not (servers count their own way). The SDK bridge holds questions on a cached document
 * without the document, so the first burst of them overdraws the server's input bucket; the
 * readings show the shortfall, the governor learns that reads count, and from then on questions
 * are held at their whole prompt: no more 429s, nothing lost, and no ramp-up limit set for
 * refusals the reads explain.
 */
class CacheReadsCountedTest {

  @Test
  void aServerCountingCacheReadsIsFoundOutFromItsReadingsAndPacedByThemAfterwards(@TempDir Path dir) throws Exception {
    Path data = Files.writeString(dir.resolve("reads.properties"), "pool." + Sim.POOL + ".counts-cache-reads = true\n");
    SimulatorConfig server = SimulatorConfig.builder().rpm(300).itpm(60_000).otpm(30_000).window(Sim.WINDOW)
        .burst(Duration.ofSeconds(1)).outputTokens(10, 20).latency(Latency.of(Duration.ofMillis(100), 400)).seed(5)
        .dataFile(data).build();
    Sim.Events events = new Sim.Events();
    // A bucket of a second's refill (10,000 tokens): the first burst of questions overdraws it.
    // Pacer is told the limits and window, not the burst, nor that reads count.
    try (Simulator sim = Simulator.start(server);
        Pacer pacer = Pacer.builder().limits(dev.pacer.limits.Limits.of(300, 60_000, 30_000)).window(Sim.WINDOW)
            .listener(events).build()) {
      AnthropicClient client = Sim.paced(sim, pacer);
      String document = Sim.document(1_000);

      List<Message> first = ask(client, document, 0, 12);
      assertThat(first).hasSize(12);
      long documentTokens = first.stream().mapToLong(m -> m.usage().cacheReadInputTokens().orElse(0L)).max().orElse(0);
      assertThat(documentTokens).as("the document is read from the cache").isGreaterThan(1_500);
      assertThat(pacer.governor().countsCacheReads(Sim.POOL)).isTrue();
      assertThat(events.of(PacerEvent.LimitsLearned.class)).anySatisfy(learned ->
          assertThat(learned.what()).contains("count cache reads"));
      long refusedInTheFirstBurst = sim.stats().rateLimited();

      int settledBefore = events.of(PacerEvent.Settled.class).size();
      List<Message> second = ask(client, document, 100, 12);
      assertThat(second).hasSize(12).allSatisfy(answer ->
          assertThat(answer.usage().cacheReadInputTokens()).hasValue(documentTokens));
      assertThat(sim.stats().rateLimited()).as("429s once reads were found counted").isEqualTo(refusedInTheFirstBurst);
      await().atMost(Duration.ofSeconds(10)).until(() -> events.of(PacerEvent.Settled.class).size() == settledBefore + 12);
      List<PacerEvent.Settled> secondSettled = events.of(PacerEvent.Settled.class).subList(settledBefore, settledBefore + 12);
      assertThat(secondSettled).allSatisfy(settled -> {
        // Held at the whole prompt, the read included, as the server counts it.
        assertThat(settled.actualInputTokens()).isGreaterThan(documentTokens);
        assertThat(settled.estimatedInputTokens()).isGreaterThan(documentTokens);
      });
      assertThat(events.of(PacerEvent.LimitsLearned.class)).noneSatisfy(learned ->
          assertThat(learned.what()).contains("ramp-up refused"));
      assertThat(sim.stats().records()).extracting(RequestRecord::status).containsOnly(200, 429);
      client.close();
    }
  }

  /** Questions {@code from}.. on the document, all handed over at once; their answers. */
  private static List<Message> ask(AnthropicClient client, String document, int from, int count) throws Exception {
    List<CompletableFuture<Message>> answers = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      answers.add(client.async().messages().create(Sim.question(document, i)));
    }
    List<Message> messages = new ArrayList<>();
    for (CompletableFuture<Message> answer : answers) {
      messages.add(answer.get(60, TimeUnit.SECONDS));
    }
    return messages;
  }
}
