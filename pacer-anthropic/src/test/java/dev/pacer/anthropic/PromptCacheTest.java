package dev.pacer.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.models.messages.Message;
import dev.pacer.Pacer;
import dev.pacer.anthropic.testing.Sim;
import dev.pacer.events.PacerEvent;
import dev.pacer.simulator.Latency;
import dev.pacer.simulator.RequestRecord;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Questions on one document cached as the system prompt, all handed over at once: one request
 * writes the document to the cache and the rest wait for its answer (sent together, each would
 * write it: counted whole against the input limit and billed at the write price); then they are
 * held at what the server counts, not at the document they read from the cache.
 */
class PromptCacheTest {

  private static final Duration FIRST_TOKEN = Duration.ofMillis(300);

  @Test
  void questionsOnACachedDocumentWaitForItsWriteThenHoldOnlyWhatTheServerCounts() throws Exception {
    SimulatorConfig server = SimulatorConfig.builder().rpm(300).itpm(60_000).otpm(30_000).window(Sim.WINDOW)
        .outputTokens(10, 20).latency(Latency.of(FIRST_TOKEN, 400)).seed(5).build();
    Sim.Events events = new Sim.Events();
    try (Simulator sim = Simulator.start(server);
        Pacer pacer = Sim.pacerFor(sim).listener(events).build()) {
      AnthropicClient client = Sim.paced(sim, pacer);
      String document = Sim.document(4_000);
      List<CompletableFuture<HttpResponseFor<Message>>> answers = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        answers.add(client.async().messages().withRawResponse().create(Sim.question(document, i)));
      }
      long waitedForTheWrite = 0;
      for (CompletableFuture<HttpResponseFor<Message>> answer : answers) {
        Duration waited = PacerFacts.of(answer.get(60, TimeUnit.SECONDS).headers()).orElseThrow().waited().orElseThrow();
        waitedForTheWrite += waited.compareTo(FIRST_TOKEN.minusMillis(50)) >= 0 ? 1 : 0;
      }
      // The wait for the write is a wait like any other (a job's latency figures leave it out).
      assertThat(waitedForTheWrite).isEqualTo(11);
      Message later = client.messages().create(Sim.question(document, 12)); // the blocking path
      assertThat(later.usage().cacheReadInputTokens()).contains(writtenTokens(sim));

      List<RequestRecord> records = new ArrayList<>(sim.stats().records());
      records.sort(Comparator.comparing(RequestRecord::time));
      assertThat(records).hasSize(13).allSatisfy(record -> assertThat(record.status()).isEqualTo(200));
      RequestRecord writer = records.get(0);
      assertThat(writer.cacheCreationInputTokens()).isGreaterThan(3_000);
      for (RequestRecord reader : records.subList(1, records.size())) {
        assertThat(reader.cacheCreationInputTokens()).isZero();
        assertThat(reader.cacheReadInputTokens()).isEqualTo(writer.cacheCreationInputTokens());
        // Sent only once the writer had been answered, which takes at least its first token's time.
        assertThat(Duration.between(writer.time(), reader.time())).isGreaterThanOrEqualTo(FIRST_TOKEN.minusMillis(50));
      }

      await().atMost(Duration.ofSeconds(10)).until(() -> events.of(PacerEvent.Settled.class).size() == 13);
      List<PacerEvent.Settled> settled = events.of(PacerEvent.Settled.class);
      List<PacerEvent.Settled> reads = settled.stream()
          .filter(each -> each.actualInputTokens() < writer.cacheCreationInputTokens()).toList();
      assertThat(reads).hasSize(12).allSatisfy(read ->
          // Held at the question, not at the document read from the cache.
          assertThat(read.estimatedInputTokens()).isLessThan(writer.cacheCreationInputTokens() / 10));
      assertThat(sim.stats().rateLimited()).isZero();
      // This server leaves reads out of the input limit, and the readings agree.
      assertThat(pacer.governor().countsCacheReads(Sim.POOL)).isFalse();
      client.close();
    }
  }

  @Test
  void aStreamWritingThePrefixLetsTheOthersGoWhenItBeginsNotWhenItEnds() throws Exception {
    // Slow answers: 10-20 tokens at 20 a second after the first token, so a stream ends long after it began.
    SimulatorConfig server = SimulatorConfig.builder().rpm(300).itpm(60_000).otpm(30_000).window(Sim.WINDOW)
        .outputTokens(10, 20).latency(Latency.of(FIRST_TOKEN, 20)).seed(5).build();
    try (Simulator sim = Simulator.start(server);
        Pacer pacer = Sim.pacerFor(sim).build()) {
      AnthropicClient client = Sim.paced(sim, pacer);
      String document = Sim.document(4_000);
      CompletableFuture<Void> streamed = new CompletableFuture<>();
      client.async().messages().createStreaming(Sim.question(document, 0)).subscribe(event -> { })
          .onCompleteFuture().whenComplete((done, error) -> streamed.complete(null));
      // The stream's request first: the others once the server is answering it.
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> sim.stats().inFlight() == 1);
      List<CompletableFuture<Message>> answers = new ArrayList<>();
      for (int i = 1; i <= 4; i++) {
        answers.add(client.async().messages().create(Sim.question(document, i)));
      }
      for (CompletableFuture<Message> answer : answers) {
        assertThat(answer.get(60, TimeUnit.SECONDS).usage().cacheReadInputTokens()).hasValueSatisfying(
            read -> assertThat(read).isPositive());
      }
      streamed.get(60, TimeUnit.SECONDS);

      List<RequestRecord> records = new ArrayList<>(sim.stats().records());
      records.sort(Comparator.comparing(RequestRecord::time));
      RequestRecord writer = records.get(0);
      assertThat(writer.stream()).isTrue();
      assertThat(writer.cacheCreationInputTokens()).isPositive();
      // The stream's message_start leaves at its admission; its last token comes at least 0.75 s later.
      assertThat(records.subList(1, records.size())).hasSize(4).allSatisfy(reader ->
          assertThat(Duration.between(writer.time(), reader.time())).isLessThan(FIRST_TOKEN));
      client.close();
    }
  }

  private static long writtenTokens(Simulator sim) {
    return sim.stats().records().stream().mapToLong(RequestRecord::cacheCreationInputTokens).max().orElse(0);
  }
}
