package dev.pacer.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.http.AsyncStreamResponse;
import com.anthropic.core.http.HttpMethod;
import com.anthropic.core.http.HttpRequest;
import com.anthropic.core.http.HttpRequestBody;
import com.anthropic.core.http.HttpResponse;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.OverloadedException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.pacer.DemandTooLargeException;
import dev.pacer.Pacer;
import dev.pacer.PoolSnapshot;
import dev.pacer.anthropic.testing.Sim;
import dev.pacer.events.PacerEvent;
import dev.pacer.limits.Limits;
import dev.pacer.retry.FailureKind;
import dev.pacer.retry.RetryPolicy;
import dev.pacer.simulator.Latency;
import dev.pacer.simulator.RequestRecord;
import dev.pacer.simulator.Simulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the paced client does with streams, rate limits, errors and cancellation. */
class PacedBehaviourTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void aStreamsUsageIsReconciledFromItsEvents() throws Exception {
    Sim.Events events = new Sim.Events();
    try (Simulator sim = Simulator.start(Sim.tight().build());
        Pacer pacer = Sim.pacerFor(sim).listener(events).build();
        PacedAnthropic paced = PacedAnthropic.builder().pacer(pacer).clientBuilder(Sim.sdk(sim)).build()) {
      MessageAccumulator accumulator = MessageAccumulator.create();
      try (StreamResponse<RawMessageStreamEvent> stream = paced.client().messages().createStreaming(Sim.params(1, 64))) {
        stream.stream().forEach(accumulator::accumulate);
      }
      Message message = accumulator.message();

      RequestRecord record = sim.stats().records().get(0);
      assertThat(record.stream()).isTrue();
      // Events are delivered off the caller's stack: wait for it.
      await().atMost(WAIT).until(() -> !events.of(PacerEvent.Settled.class).isEmpty());
      PacerEvent.Settled settled = events.of(PacerEvent.Settled.class).get(0);
      assertThat(settled.actualOutputTokens()).isEqualTo(record.outputTokens()).isEqualTo(message.usage().outputTokens());
      assertThat(settled.actualInputTokens()).isEqualTo(record.inputTokens() + record.cacheCreationInputTokens());
      assertThat(settled.heldOutputTokens()).isEqualTo(64);
      assertThat(paced.costs().model(Sim.MODEL).orElseThrow().usage().outputTokens()).isEqualTo(record.outputTokens());
      assertThat(pacer.governor().snapshot(Sim.POOL).orElseThrow().inFlight()).isZero();
    }
  }

  @Test
  void anAsyncStreamIsReconciledToo() throws Exception {
    Sim.Events events = new Sim.Events();
    try (Simulator sim = Simulator.start(Sim.tight().build());
        Pacer pacer = Sim.pacerFor(sim).listener(events).build();
        PacedAnthropic paced = PacedAnthropic.builder().pacer(pacer).clientBuilder(Sim.sdk(sim)).build()) {
      MessageAccumulator accumulator = MessageAccumulator.create();
      AsyncStreamResponse<RawMessageStreamEvent> stream = paced.async().messages().createStreaming(Sim.params(2, 64));
      stream.subscribe(accumulator::accumulate).onCompleteFuture().get(20, TimeUnit.SECONDS);

      RequestRecord record = sim.stats().records().get(0);
      await().atMost(WAIT).until(() -> !events.of(PacerEvent.Settled.class).isEmpty());
      assertThat(events.of(PacerEvent.Settled.class).get(0).actualOutputTokens())
          .isEqualTo(record.outputTokens()).isEqualTo(accumulator.message().usage().outputTokens());
      assertThat(pacer.governor().snapshot(Sim.POOL).orElseThrow().inFlight()).isZero();
    }
  }

  @Test
  void aStreamClosedEarlyEndsItsPermit() throws Exception {
    try (Simulator sim = Simulator.start(Sim.tight().outputTokens(200, 300).latency(Latency.of(Duration.ZERO, 400)).build());
        Pacer pacer = Sim.pacerFor(sim).build()) {
      AnthropicClient client = Sim.paced(sim, pacer);
      try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(Sim.params(3, 256))) {
        Iterator<RawMessageStreamEvent> events = stream.stream().iterator();
        assertThat(events.next().isMessageStart()).isTrue();
      }
      assertThat(pacer.governor().snapshot(Sim.POOL).orElseThrow().inFlight()).isZero();
      client.close();
    }
  }

  @Test
  void anInjected429PausesEveryCallerAndTheRequestStillSucceeds() throws Exception {
    try (Simulator sim = Simulator.start(Sim.tight().build());
        Pacer pacer = Sim.pacerFor(sim).build();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      AnthropicClient client = Sim.paced(sim, pacer);
      client.messages().create(Sim.params(0, 32)); // the pool exists, its limits are known
      sim.resetStats();
      sim.faults().failNext(1, 429, Duration.ofSeconds(2));

      Future<Message> first = threads.submit(() -> client.messages().create(Sim.params(1, 32)));
      await().atMost(WAIT).until(() -> pacer.governor().snapshot(Sim.POOL).map(PoolSnapshot::pausedFor)
          .filter(Duration::isPositive).isPresent());
      List<Future<Message>> others = new ArrayList<>();
      for (int i = 2; i < 22; i++) {
        int n = i;
        others.add(threads.submit(() -> client.messages().create(Sim.params(n, 32))));
      }
      assertThat(first.get(20, TimeUnit.SECONDS).usage().outputTokens()).isPositive();
      for (Future<Message> other : others) {
        assertThat(other.get(20, TimeUnit.SECONDS).usage().outputTokens()).isPositive();
      }

      List<RequestRecord> records = sim.stats().records();
      RequestRecord limited = records.get(0);
      assertThat(limited.status()).isEqualTo(429);
      assertThat(records.subList(1, records.size())).hasSize(21).allSatisfy(record -> {
        assertThat(record.status()).isEqualTo(200);
        // Nothing was sent while the pool was paused: the server's 2 s, less a little for clocks.
        assertThat(Duration.between(limited.time(), record.time())).isGreaterThan(Duration.ofMillis(1900));
      });
      assertThat(sim.stats().rateLimited()).isEqualTo(1);
      client.close();
    }
  }

  @Test
  void aRequestThatCanNeverFitFailsBeforeItIsSent() throws Exception {
    try (Simulator sim = Simulator.start(Sim.tight().otpm(6_000).build());
        Pacer pacer = Sim.pacerFor(sim).outputRule(dev.pacer.limits.OutputRule.RESERVE).build()) {
      AnthropicClient client = Sim.paced(sim, pacer);

      assertThatThrownBy(() -> client.messages().create(Sim.params(1, 10_000)))
          .isInstanceOf(DemandTooLargeException.class)
          .hasMessageContaining("10,000 output tokens").hasMessageContaining("6,000");
      CompletableFuture<Message> async = client.async().messages().create(Sim.params(2, 10_000));
      assertThatThrownBy(() -> async.get(20, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(DemandTooLargeException.class);

      assertThat(sim.stats().attempts()).isZero();
      client.close();
    }
  }


  @Test
  void withTheRuleNotToldTheServersRefusalProvesAMaxTokensCanNeverFit() throws Exception {
    // The rule not told: a max_tokens over OTPM is no proof (the 2026 API admits it), so the first
    // goes and the server decides; its refusal (a whole window's retry-after) proves the reserve
    // rule, and the next such request fails before it is sent.
    try (Simulator sim = Simulator.start(Sim.tight().otpm(6_000).build());
        Pacer pacer = Sim.pacerFor(sim).build()) {
      AnthropicClient client = Sim.paced(sim, pacer);

      assertThatThrownBy(() -> client.messages().create(Sim.params(1, 10_000)))
          .isInstanceOf(DemandTooLargeException.class)
          .hasMessageContaining("10,000 output tokens").hasMessageContaining("6,000");
      assertThat(sim.stats().attempts()).isEqualTo(1);
      assertThatThrownBy(() -> client.messages().create(Sim.params(2, 10_000)))
          .isInstanceOf(DemandTooLargeException.class);
      assertThat(sim.stats().attempts()).as("the second refused unsent").isEqualTo(1);
      assertThat(client.messages().create(Sim.params(3, 100)).usage().outputTokens()).isPositive();
      client.close();
    }
  }
  @Test
  void aBadRequestIsNotRetriedAndSurfacesAsTheSdksException() throws Exception {
    try (Simulator sim = Simulator.start(Sim.tight().build());
        Pacer pacer = Sim.pacerFor(sim).build()) {
      AnthropicClient client = Sim.paced(sim, pacer);
      sim.faults().failNext(1, 400);

      assertThatThrownBy(() -> client.messages().create(Sim.params(1, 32)))
          .isInstanceOfSatisfying(BadRequestException.class, e -> {
            PacerFacts facts = PacerFacts.of(e).orElseThrow();
            assertThat(facts.attempts()).isEqualTo(1);
            assertThat(facts.failure()).contains(FailureKind.CLIENT_ERROR);
            assertThat(facts.reason()).hasValueSatisfying(reason -> assertThat(reason).startsWith("not retryable"));
          });
      assertThat(sim.stats().attempts()).isEqualTo(1);
      assertThat(pacer.stats().attempts()).isEqualTo(1);
      client.close();
    }
  }

  @Test
  void rateLimitsThatOutlastTheRetriesSurfaceAsTheSdksRateLimitException() throws Exception {
    try (Simulator sim = Simulator.start(Sim.tight().build());
        Pacer pacer = Sim.pacerFor(sim).retryPolicy(RetryPolicy.builder().maxAttempts(2).build()).build()) {
      AnthropicClient client = Sim.paced(sim, pacer);
      sim.faults().failNext(2, 429, Duration.ofSeconds(1));

      assertThatThrownBy(() -> client.messages().create(Sim.params(1, 32)))
          .isInstanceOfSatisfying(RateLimitException.class, e -> {
            PacerFacts facts = PacerFacts.of(e).orElseThrow();
            assertThat(facts.attempts()).isEqualTo(2);
            assertThat(facts.failure()).contains(FailureKind.RATE_LIMITED);
            assertThat(facts.retryAfter()).contains(Duration.ofSeconds(1));
            assertThat(facts.pool()).isEqualTo(Sim.POOL);
          });
      assertThat(sim.stats().attempts()).isEqualTo(2);
      client.close();
    }
  }

  @Test
  void overloadsThatOutlastTheRetriesSurfaceAsTheSdksOverloadedException() throws Exception {
    try (Simulator sim = Simulator.start(Sim.tight().build());
        Pacer pacer = Sim.pacerFor(sim).retryPolicy(RetryPolicy.builder().maxAttempts(2)
            .initialBackoff(Duration.ofMillis(10)).build()).build()) {
      AnthropicClient client = Sim.paced(sim, pacer);
      sim.faults().failNext(2, 529);

      assertThatThrownBy(() -> client.messages().create(Sim.params(1, 32)))
          .isInstanceOfSatisfying(OverloadedException.class, e -> {
            PacerFacts facts = PacerFacts.of(e).orElseThrow();
            assertThat(facts.attempts()).isEqualTo(2);
            assertThat(facts.failure()).contains(FailureKind.OVERLOADED);
          });
      assertThat(sim.stats().overloaded()).isEqualTo(2);
      client.close();
    }
  }

  @Test
  void countTokensIsPacedOnItsOwnLimit() throws Exception {
    try (Simulator sim = Simulator.start(Sim.tight().build());
        Pacer pacer = Sim.pacerFor(sim).build()) {
      AnthropicClient client = Sim.paced(sim, pacer);
      long tokens = client.messages().countTokens(MessageCountTokensParams.builder().model(Sim.MODEL)
          .addUserMessage("How many tokens is this?").build()).inputTokens();

      assertThat(tokens).isPositive();
      assertThat(pacer.governor().snapshot("count_tokens")).isPresent();
      assertThat(sim.stats().countTokensRequests()).isEqualTo(1);
      client.close();
    }
  }

  @Test
  void interruptingAWaitingCallWithdrawsItsWait() throws Exception {
    // Two requests per 6 s window, both in the burst: the third must wait about 3 s.
    try (Simulator sim = Simulator.start(Sim.tight().rpm(2).burst(Sim.WINDOW).build());
        Pacer pacer = Sim.pacerFor(sim).build();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      AnthropicClient client = Sim.paced(sim, pacer);
      client.messages().create(Sim.params(0, 32));
      client.messages().create(Sim.params(1, 32));

      Future<Message> waiting = threads.submit(() -> client.messages().create(Sim.params(1, 32)));
      await().atMost(WAIT).until(() -> pacer.governor().snapshot(Sim.POOL).orElseThrow().waiting() == 1);
      waiting.cancel(true);

      await().atMost(WAIT).until(() -> pacer.governor().snapshot(Sim.POOL).orElseThrow().waiting() == 0);
      assertThat(sim.stats().attempts()).isEqualTo(2);
      client.close();
    }
  }

  @Test
  void interruptingACallInFlightCutsItAndEndsItsPermit() throws Exception {
    try (Simulator sim = Simulator.start(Sim.tight().latency(Latency.of(Duration.ofSeconds(30), 100)).build());
        Pacer pacer = Sim.pacerFor(sim).build();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      AnthropicClient client = Sim.paced(sim, pacer);
      Future<Message> call = threads.submit(() -> client.messages().create(Sim.params(1, 32)));
      await().atMost(WAIT).until(() -> sim.stats().inFlight() == 1);
      call.cancel(true);

      await().atMost(WAIT).until(() -> pacer.governor().snapshot(Sim.POOL).orElseThrow().inFlight() == 0);
      client.close();
    }
  }

  @Test
  void cancellingTheTransportsFutureWithdrawsTheWaitOrCutsTheCall() throws Exception {
    try (Simulator sim = Simulator.start(Sim.tight().latency(Latency.of(Duration.ofSeconds(30), 100)).build());
        Pacer pacer = Sim.pacerFor(sim).limits(Limits.of(1, 60_000, 30_000)).build()) {
      AnthropicClient client = Sim.paced(sim, pacer);
      CompletableFuture<HttpResponse> inFlight = client.options().httpClient().executeAsync(rawRequest(sim, 1));
      await().atMost(WAIT).until(() -> sim.stats().inFlight() == 1);
      CompletableFuture<HttpResponse> waiting = client.options().httpClient().executeAsync(rawRequest(sim, 2));
      await().atMost(WAIT).until(() -> pacer.governor().snapshot(Sim.POOL).orElseThrow().waiting() == 1);

      waiting.cancel(true);
      inFlight.cancel(true);

      await().atMost(WAIT).until(() -> {
        PoolSnapshot pool = pacer.governor().snapshot(Sim.POOL).orElseThrow();
        return pool.waiting() == 0 && pool.inFlight() == 0;
      });
      assertThat(sim.stats().attempts()).isEqualTo(1);
      client.close();
    }
  }

  private static HttpRequest rawRequest(Simulator sim, int i) {
    return HttpRequest.builder().method(HttpMethod.POST).baseUrl(sim.baseUrl()).addPathSegments("v1", "messages")
        .putHeader("anthropic-version", "2023-06-01")
        .body(HttpRequestBody.ofJson(Map.of("model", Sim.MODEL, "max_tokens", 32,
            "messages", List.of(Map.of("role", "user", "content", "raw request " + i)))))
        .build();
  }

  static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException || e instanceof ExecutionException ? e.getCause() : e;
  }

  static Instant now() {
    return Instant.now();
  }
}
