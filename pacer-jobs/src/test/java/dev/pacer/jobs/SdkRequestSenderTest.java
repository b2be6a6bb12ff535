package dev.pacer.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.Pacer;
import dev.pacer.PacerStats;
import dev.pacer.PoolSnapshot;
import dev.pacer.Priority;
import dev.pacer.jobs.internal.Json;
import dev.pacer.limits.Bucket;
import dev.pacer.limits.ModelCatalog;
import dev.pacer.simulator.RequestRecord;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One request at a time through {@link SdkRequestSender}, against the simulator's faults. */
@Timeout(60)
class SdkRequestSenderTest {

  private Simulator sim;
  private SdkRequestSender sender;

  @BeforeEach
  void start() {
    sim = Simulator.start(SimulatorConfig.builder().tier("build").seed(9).build());
    sender = SdkRequestSender.builder().baseUrl(sim.baseUrl()).apiKey("test").maxAttempts(4).build();
  }

  @AfterEach
  void stop() {
    sender.close();
    sim.close();
  }

  private static ObjectNode params(String text) throws Exception {
    return (ObjectNode) Json.parse("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":30,\"temperature\":0.5,"
        + "\"metadata\":{\"user_id\":\"u1\"},\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\""
        + text + "\"}]}]}");
  }

  private SendOutcome send(String text) throws Exception {
    return sender.send("x", params(text)).get(50, TimeUnit.SECONDS);
  }

  @Test
  void aPlainRequestComesBackAsTheServersMessage() throws Exception {
    SendOutcome outcome = send("hello");
    assertThat(outcome).isInstanceOf(SendOutcome.Succeeded.class);
    ObjectNode message = ((SendOutcome.Succeeded) outcome).message();
    assertThat(message.path("type").asText()).isEqualTo("message");
    assertThat(message.path("id").asText()).startsWith("msg_");
    assertThat(message.path("usage").path("input_tokens").asLong()).isPositive();
    assertThat(outcome.attempts()).isEqualTo(Attempts.once());
  }

  @Test
  void retries429sAnd529sAndCountsThem() throws Exception {
    sim.faults().failNext(1, 429).failNext(1, 529);
    SendOutcome outcome = send("retry me");
    assertThat(outcome).isInstanceOf(SendOutcome.Succeeded.class);
    assertThat(outcome.attempts()).isEqualTo(new Attempts(3, 1, 1));
    PacerStats stats = sender.stats().orElseThrow();
    assertThat(stats.attempts()).as("the Pacer retried: it owns retries").isEqualTo(3);
    assertThat(stats.rateLimited()).isEqualTo(1);
    assertThat(stats.overloaded()).isEqualTo(1);
    assertThat(sim.stats().attempts()).isEqualTo(3);
  }

  @Test
  void givesUpAfterMaxAttemptsWithTheLastError() throws Exception {
    sim.faults().failNext(4, 529);
    SendOutcome outcome = send("overloaded");
    assertThat(outcome).isInstanceOf(SendOutcome.Errored.class);
    ResultError error = ((SendOutcome.Errored) outcome).error();
    assertThat(error.type()).isEqualTo("overloaded_error");
    assertThat(error.status()).isEqualTo(529);
    assertThat(error.message()).contains("gave up after 4 attempts");
    assertThat(outcome.attempts()).isEqualTo(new Attempts(4, 0, 4));
    assertThat(error.toEnvelope().path("request_id").asText()).startsWith("req_");
    assertThat(sim.stats().attempts()).as("the SDK's own retries are off").isEqualTo(4);
  }

  @Test
  void aClientErrorIsNotRetried() throws Exception {
    sim.faults().failNext(1, 400);
    SendOutcome outcome = send("bad");
    assertThat(outcome).isInstanceOf(SendOutcome.Errored.class);
    assertThat(((SendOutcome.Errored) outcome).error().type()).isEqualTo("invalid_request_error");
    assertThat(outcome.attempts().total()).isEqualTo(1);
  }

  @Test
  void anUnreachableServerIsAnErroredOutcomeNotAnException() throws Exception {
    String url = sim.baseUrl();
    sim.close();
    try (SdkRequestSender offline = SdkRequestSender.builder().baseUrl(url).apiKey("k").maxAttempts(2).build()) {
      SendOutcome outcome = offline.send("x", params("anyone?")).get(50, TimeUnit.SECONDS);
      assertThat(outcome).isInstanceOf(SendOutcome.Errored.class);
      assertThat(((SendOutcome.Errored) outcome).error().message()).startsWith("no answer from the API");
      assertThat(outcome.attempts().total()).isEqualTo(2);
      assertThat(offline.neverAnswered()).as("what the runner stops a job on").hasValueSatisfying(silence ->
          assertThat(silence).startsWith("2 attempts to " + url).contains("ConnectException"));
    }
  }

  private static ObjectNode streamedParams(String text) throws Exception {
    return (ObjectNode) Json.parse("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":30000,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}");
  }

  @Test
  void aStreamEndedByAnErrorEventAfterItsTwoHundredIsStartedAgain() throws Exception {
    sim.faults().breakNextStreams(1);
    SendOutcome outcome = sender.send("s", streamedParams("a long essay")).get(50, TimeUnit.SECONDS);
    assertThat(outcome).as("%s", outcome).isInstanceOf(SendOutcome.Succeeded.class);
    assertThat(outcome.attempts().total()).isEqualTo(2);
    assertThat(sim.stats().attempts()).isEqualTo(2);
  }

  @Test
  void aStreamCutMidAnswerIsStartedAgain() throws Exception {
    sim.faults().dropNextConnections(1);
    SendOutcome outcome = sender.send("s", streamedParams("another essay")).get(50, TimeUnit.SECONDS);
    assertThat(outcome).as("%s", outcome).isInstanceOf(SendOutcome.Succeeded.class);
    assertThat(outcome.attempts().total()).isEqualTo(2);
  }

  @Test
  void aStreamBrokenAgainAndAgainErrsAfterItsAttempts() throws Exception {
    sim.faults().breakNextStreams(SdkRequestSender.STREAM_ATTEMPTS);
    SendOutcome outcome = sender.send("s", streamedParams("never finished")).get(50, TimeUnit.SECONDS);
    assertThat(outcome).isInstanceOf(SendOutcome.Errored.class);
    assertThat(((SendOutcome.Errored) outcome).error().type()).isEqualTo("overloaded_error");
    assertThat(sim.stats().attempts()).isEqualTo(SdkRequestSender.STREAM_ATTEMPTS);
  }

  @Test
  void anyAnswerEvenAnErrorShowsTheServerIsThere() throws Exception {
    assertThat(sender.neverAnswered()).isEmpty();
    sim.faults().failNext(1, 401);
    SendOutcome outcome = send("who am I");
    ResultError error = ((SendOutcome.Errored) outcome).error();
    assertThat(error.status()).isEqualTo(401);
    assertThat(error.type()).isEqualTo("authentication_error");
    assertThat(outcome.attempts().total()).as("a refused key is not retried").isEqualTo(1);
    assertThat(sender.neverAnswered()).isEmpty();
  }

  @Test
  void anInteractiveJobGoesBeforeABatchJobSharingThePacer() throws Exception {
    // One request every 2 seconds and a burst of one for the Pacer (the server allows two at once):
    // while two batch requests wait, an interactive one arrives and is sent next.
    Duration window = Duration.ofSeconds(4);
    PacingConfig batchJob = PacingConfig.builder().requestsPerWindow(2).inputTokensPerWindow(1_000_000)
        .outputTokensPerWindow(1_000_000).window(window).burst(Duration.ofSeconds(2)).build();
    PacingConfig interactiveJob = PacingConfig.builder().requestsPerWindow(2).inputTokensPerWindow(1_000_000)
        .outputTokensPerWindow(1_000_000).window(window).burst(Duration.ofSeconds(2)).priority(Priority.INTERACTIVE)
        .build();
    try (Simulator shared = Simulator.start(SimulatorConfig.builder().rpm(2).itpm(1_000_000).otpm(1_000_000)
            .window(window).seed(21).build());
        Pacer pacer = batchJob.pacerBuilder(ModelCatalog.bundled()).build();
        SdkRequestSender batch = SdkRequestSender.builder().baseUrl(shared.baseUrl()).apiKey("test").pacing(batchJob)
            .pacer(pacer).build();
        SdkRequestSender interactive = SdkRequestSender.builder().baseUrl(shared.baseUrl()).apiKey("test")
            .pacing(interactiveJob).pacer(pacer).build()) {
      // A first request warms the SDK up (seconds in a cold JVM); then the bucket refills.
      assertThat(batch.send("w", params("warm up", 29)).get(30, TimeUnit.SECONDS)).isInstanceOf(SendOutcome.Succeeded.class);
      Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
          .until(() -> pool(pacer).level(Bucket.REQUESTS) >= 0.999);
      List<CompletableFuture<SendOutcome>> outcomes = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        outcomes.add(batch.send("b" + i, params("batch " + i, 30 + i)));
      }
      Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
          .until(() -> pool(pacer).waiting() == 2);
      outcomes.add(interactive.send("i", params("urgent", 99)));
      for (CompletableFuture<SendOutcome> outcome : outcomes) {
        assertThat(outcome.get(30, TimeUnit.SECONDS)).isInstanceOf(SendOutcome.Succeeded.class);
      }
      // Each request waits on a thread of its own, so the batch ones may queue in any order; the
      // interactive one goes right after the batch request that found the bucket full.
      List<Long> order = shared.stats().records().stream().map(RequestRecord::maxTokens).toList();
      assertThat(order).hasSize(5).startsWith(29L).containsExactlyInAnyOrder(29L, 30L, 31L, 32L, 99L);
      assertThat(order.get(2)).as("sent order %s", order).isEqualTo(99L);
      assertThat(shared.stats().rateLimited()).isZero();
    }
  }

  private static PoolSnapshot pool(Pacer pacer) {
    return pacer.governor().snapshot("haiku-4-5").orElseThrow();
  }

  private static ObjectNode params(String text, long maxTokens) throws Exception {
    return (ObjectNode) Json.parse("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":" + maxTokens
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}");
  }

  @Test
  void countsTokensExactly() throws Exception {
    assertThat(sender.countInputTokens(params("count these words")).get(30, TimeUnit.SECONDS)).isPositive();
  }
}
