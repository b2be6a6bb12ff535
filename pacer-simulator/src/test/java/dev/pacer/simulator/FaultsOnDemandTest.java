package dev.pacer.simulator;

import static dev.pacer.simulator.MalformedRequestTest.assertEnvelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.simulator.testing.GateClock;
import dev.pacer.simulator.testing.SimHttp;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Each fault of the plan appears as specified, over HTTP, and the server keeps serving afterwards.
 * Time-driven faults run on a {@link ManualClock}; an attempt held in flight waits at a {@link GateClock}.
 */
class FaultsOnDemandTest {

  private static final Instant START = Instant.parse("2026-05-01T08:00:00Z");
  private static final String BODY = SimHttp.messages("claude-sonnet-4-5", 100, "Faults on demand, please.");
  private static final String STREAM = BODY.replace("{\"model\"", "{\"stream\":true,\"model\"");

  private final ManualClock clock = SimulatorClock.manual(START);

  private SimulatorConfig.Builder onManualClock() {
    return SimulatorConfig.builder().clock(clock).seed(5);
  }

  private static int status(SimHttp http) {
    return http.post("/v1/messages", BODY).statusCode();
  }

  @Test
  void overloadWavesComeAndGoOnSchedule() {
    FaultPlan plan = FaultPlan.builder().overloadWave(FaultWindow.parse("30s@2m/10m")).build();
    try (Simulator sim = Simulator.start(onManualClock().faults(plan).build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      assertThat(status(http)).isEqualTo(200);
      clock.advance(Duration.ofMinutes(2));
      HttpResponse<String> r = http.post("/v1/messages", BODY);
      assertEnvelope(r, 529, "overloaded_error");
      assertThat(SimHttp.json(r).at("/error/message").asText()).isEqualTo("Overloaded");
      clock.advance(Duration.ofSeconds(29));
      assertThat(status(http)).isEqualTo(529);
      clock.advance(Duration.ofSeconds(1)); // 2m30s: the wave is over
      assertThat(status(http)).isEqualTo(200);
      clock.advance(Duration.ofMinutes(9).plusSeconds(30)); // 12m: again
      assertThat(status(http)).isEqualTo(529);
      clock.advance(Duration.ofSeconds(30));
      assertThat(status(http)).isEqualTo(200);
      assertThat(sim.stats().faultsInjected("overload_wave")).isEqualTo(3);
      assertThat(sim.stats().records()).extracting(RequestRecord::fault)
          .containsExactly(null, "overload_wave", "overload_wave", null, "overload_wave", null);
      JsonNode stats = SimHttp.json(http.get("/_sim/stats"));
      assertThat(stats.at("/faults_injected/overload_wave").asLong()).isEqualTo(3);
      assertThat(stats.at("/records/1/fault").asText()).isEqualTo("overload_wave");
      assertThat(stats.at("/batches/created").asLong()).isZero();
    }
  }

  @Test
  void aWaveWithAProbabilityHitsSomeAttemptsOnly() {
    FaultPlan plan = FaultPlan.builder().overloadWave(FaultWindow.parse("1m@0s:0.5")).build();
    try (Simulator sim = Simulator.start(onManualClock().faults(plan).build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      for (int i = 0; i < 40; i++) {
        status(http);
      }
      assertThat(sim.stats().overloaded()).isBetween(8L, 32L);
      clock.advance(Duration.ofMinutes(1));
      assertThat(status(http)).isEqualTo(200);
    }
  }

  @Test
  void loadBeyondTheCapacityIsShedWith529s() throws Exception {
    GateClock gate = new GateClock();
    SimulatorConfig c = SimulatorConfig.builder().clock(gate)
        .faults(FaultPlan.builder().overloadCapacity(1).build()).build();
    try (Simulator sim = Simulator.start(c)) {
      SimHttp http = new SimHttp(sim.baseUrl());
      sim.faults().slowNextHeaders(1, Duration.ofSeconds(1)); // holds the first attempt in flight at the gate
      CompletableFuture<Integer> held = CompletableFuture.supplyAsync(() -> status(http));
      gate.awaitSleepers(1);
      assertThat(sim.stats().inFlight()).isEqualTo(1);

      HttpResponse<String> shed = http.post("/v1/messages", BODY); // 2 in flight, capacity 1: p = 1
      assertEnvelope(shed, 529, "overloaded_error");
      assertThat(sim.stats().faultsInjected("overload_load")).isEqualTo(1);

      gate.open();
      assertThat(held.get()).isEqualTo(200);
      awaitNothingInFlight(sim); // the count drops just after the answer's last byte
      assertThat(status(http)).as("back under the capacity").isEqualTo(200);
    }
    assertThat(FaultPlan.loadSheddingProbability(1, 4)).isZero();
    assertThat(FaultPlan.loadSheddingProbability(4, 4)).isZero();
    assertThat(FaultPlan.loadSheddingProbability(6, 4)).isEqualTo(0.5);
    assertThat(FaultPlan.loadSheddingProbability(9, 4)).isEqualTo(1.0);
  }

  private static void awaitNothingInFlight(Simulator sim) throws InterruptedException {
    for (int i = 0; i < 2_000 && sim.stats().inFlight() > 0; i++) {
      Thread.sleep(10);
    }
    assertThat(sim.stats().inFlight()).isZero();
  }

  @Test
  void serverErrorsByChance() {
    try (Simulator sim = Simulator.start(onManualClock().build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      for (int status : new int[] {500, 502, 503}) {
        sim.faults().errorProbability(status, 1.0);
        assertEnvelope(http.post("/v1/messages", BODY), status, "api_error");
        sim.faults().errorProbability(status, 0);
      }
      sim.faults().errorProbability(503, 0.25);
      for (int i = 0; i < 40; i++) {
        status(http);
      }
      assertThat(sim.stats().count(503)).isBetween(4L, 20L);
      sim.faults().clear();
      assertThat(status(http)).isEqualTo(200);
      assertThat(sim.stats().faultsInjected("error_probability")).isEqualTo(sim.stats().count(500)
          + sim.stats().count(502) + sim.stats().count(503));
    }
  }

  @Test
  void anOutageAnswers503OnEveryApiEndpointThenEnds() {
    FaultPlan plan = FaultPlan.builder().outage(FaultWindow.parse("1m@5m")).build();
    try (Simulator sim = Simulator.start(onManualClock().faults(plan).build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      assertThat(status(http)).isEqualTo(200);
      clock.advance(Duration.ofMinutes(5));
      assertEnvelope(http.post("/v1/messages", BODY), 503, "api_error");
      assertEnvelope(http.post("/v1/messages", "{not even json"), 503, "api_error");
      assertEnvelope(http.post("/v1/messages/count_tokens", BODY), 503, "api_error");
      assertEnvelope(http.get("/v1/models", "x-api-key", "k"), 503, "api_error");
      assertEnvelope(http.get("/v1/messages/batches", "x-api-key", "k"), 503, "api_error");
      assertThat(http.get("/_sim/stats").statusCode()).as("the simulator's own endpoint stays up").isEqualTo(200);
      clock.advance(Duration.ofMinutes(1));
      assertThat(status(http)).isEqualTo(200);
      assertThat(sim.stats().faultsInjected("outage")).isEqualTo(5);
      assertThat(sim.stats().count(503)).as("Messages attempts").isEqualTo(2);

      sim.faults().outageFor(Duration.ofSeconds(10)); // at run time, from now
      assertThat(status(http)).isEqualTo(503);
      clock.advance(Duration.ofSeconds(10));
      assertThat(status(http)).isEqualTo(200);
    }
  }

  @Test
  void aStreamCanEndWithAnErrorEventAfterSomeContent() {
    SimulatorConfig c = onManualClock().outputTokens(64, 64).outputRule(OutputRule.RESERVE).otpm(10_000).build();
    try (Simulator sim = Simulator.start(c)) {
      SimHttp http = new SimHttp(sim.baseUrl());
      sim.faults().breakNextStreams(1);
      assertThat(status(http)).as("a plain attempt does not use up a stream break").isEqualTo(200);
      HttpResponse<String> broken = http.post("/v1/messages", STREAM);
      assertThat(broken.statusCode()).isEqualTo(200);
      List<SimHttp.Event> events = SimHttp.events(broken.body());
      assertThat(events).extracting(SimHttp.Event::name).containsExactly(
          "message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta", "error");
      JsonNode error = events.get(5).data();
      assertThat(error.path("type").asText()).isEqualTo("error");
      assertThat(error.at("/error/type").asText()).isEqualTo("overloaded_error");
      assertThat(error.at("/error/message").asText()).isEqualTo("Overloaded");
      RequestRecord r = sim.stats().records().get(1);
      assertThat(r.fault()).isEqualTo("stream_error");
      assertThat(r.errorType()).isEqualTo("overloaded_error");
      assertThat(r.outputTokens()).isEqualTo(32);

      HttpResponse<String> whole = http.post("/v1/messages", STREAM);
      assertThat(SimHttp.events(whole.body()).getLast().name()).isEqualTo("message_stop");
      // reserve rule: each answer refunded what it did not generate (64 − 32 for the broken one)
      assertThat(sim.stats().faultsInjected("stream_error")).isEqualTo(1);

      sim.faults().streamErrorProbability(1.0);
      assertThat(SimHttp.events(http.post("/v1/messages", STREAM).body()).getLast().name()).isEqualTo("error");
    }
  }

  @Test
  void aConnectionCanBeClosedMidResponsePlainOrStream() {
    try (Simulator sim = Simulator.start(onManualClock().outputTokens(64, 64).build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      sim.faults().dropNextConnections(2);
      assertThatThrownBy(() -> http.post("/v1/messages", BODY)).isInstanceOf(UncheckedIOException.class);
      assertThatThrownBy(() -> http.post("/v1/messages", STREAM)).isInstanceOf(UncheckedIOException.class);
      assertThat(status(http)).isEqualTo(200);
      assertThat(SimHttp.events(http.post("/v1/messages", STREAM).body()).getLast().name()).isEqualTo("message_stop");
      assertThat(sim.stats().faultsInjected("connection_drop")).isEqualTo(2);
      assertThat(sim.stats().records()).extracting(RequestRecord::fault)
          .containsExactly("connection_drop", "connection_drop", null, null);
      assertThat(sim.stats().records().get(1).outputTokens()).as("half the stream's deltas").isEqualTo(32);

      sim.faults().dropConnectionProbability(1.0);
      assertThatThrownBy(() -> http.post("/v1/messages", BODY)).isInstanceOf(UncheckedIOException.class);
      sim.faults().clear();
      assertThat(status(http)).isEqualTo(200);
    }
  }

  @Test
  void slowHeadersWaitOnTheSimulatorsClockBeforeTheStatusLine() {
    SimulatorConfig c = onManualClock().faults(FaultPlan.builder().slowHeaders(SlowHeaders.parse("5s")).build()).build();
    try (Simulator sim = Simulator.start(c)) {
      SimHttp http = new SimHttp(sim.baseUrl());
      assertThat(status(http)).isEqualTo(200);
      assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(5));
      sim.faults().slowHeaders(null).slowNextHeaders(1, Duration.ofSeconds(2)).failNext(1, 529);
      assertThat(status(http)).as("slowed, then failed").isEqualTo(529);
      assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(7));
      assertThat(status(http)).isEqualTo(200);
      assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(7));
      assertThat(sim.stats().faultsInjected("slow_headers")).isEqualTo(2);
      assertThat(sim.stats().records()).extracting(RequestRecord::fault)
          .containsExactly("slow_headers", "fail_next", null);
    }
  }

  @Test
  void aSharpRampUpDraws429sEvenUnderTheLimits() {
    SimulatorConfig c = onManualClock().rpm(1000)
        .faults(FaultPlan.builder().accelerationLimit(AccelerationLimit.parse("2x+5")).build()).build();
    try (Simulator sim = Simulator.start(c)) {
      SimHttp http = new SimHttp(sim.baseUrl());
      for (int i = 0; i < 5; i++) {
        assertThat(status(http)).isEqualTo(200);
      }
      HttpResponse<String> refused = http.post("/v1/messages", BODY);
      assertEnvelope(refused, 429, "rate_limit_error");
      assertThat(SimHttp.json(refused).at("/error/message").asText()).contains("acceleration limit");
      assertThat(refused.headers().firstValue("retry-after")).hasValue("60");
      assertThat(refused.headers().firstValue("x-should-retry")).hasValue("true");
      assertThat(refused.headers().firstValue("anthropic-ratelimit-requests-remaining"))
          .as("far under the RPM, and the refusal charged nothing").hasValue("995");

      clock.advance(Duration.ofMinutes(1)); // the previous window carried 5: this one may carry 2 × 5 + 5
      for (int i = 0; i < 15; i++) {
        assertThat(status(http)).isEqualTo(200);
      }
      assertThat(status(http)).isEqualTo(429);
      clock.advance(Duration.ofSeconds(30));
      assertThat(status(http)).isEqualTo(429);
      clock.advance(Duration.ofSeconds(30)); // previous window 15: room for 35
      assertThat(status(http)).isEqualTo(200);

      SimulatorStats s = sim.stats();
      assertThat(s.faultsInjected("acceleration")).isEqualTo(3);
      assertThat(s.rateLimitedBy("requests")).isZero();
      assertThat(s.records()).filteredOn(r -> r.status() == 429).extracting(RequestRecord::limitedBy)
          .containsOnly("acceleration");
    }
  }

  @Test
  void limitsChangeAtTheirScheduledTimes() {
    SimulatorConfig c = onManualClock().rpm(10).itpm(100_000).otpm(20_000)
        .limitsAt(LimitChange.parse("1m=4/100000/20000"))
        .limitsAt(Duration.ofMinutes(2), "sonnet-4-5", Limits.of(20, 100_000, 20_000))
        .build();
    try (Simulator sim = Simulator.start(c)) {
      SimHttp http = new SimHttp(sim.baseUrl());
      HttpResponse<String> before = http.post("/v1/messages", BODY);
      assertThat(before.headers().firstValue("anthropic-ratelimit-requests-limit")).hasValue("10");
      assertThat(before.headers().firstValue("anthropic-ratelimit-requests-remaining")).hasValue("9");
      clock.advance(Duration.ofMinutes(1));
      HttpResponse<String> after = http.post("/v1/messages", BODY);
      assertThat(after.headers().firstValue("anthropic-ratelimit-requests-limit")).hasValue("4");
      assertThat(after.headers().firstValue("anthropic-ratelimit-requests-remaining"))
          .as("clipped to the new capacity, then charged").hasValue("3");
      assertThat(sim.limits("opus-4")).isEqualTo(Limits.of(4, 100_000, 20_000));
      clock.advance(Duration.ofMinutes(1));
      assertThat(sim.limits("sonnet-4-5")).isEqualTo(Limits.of(20, 100_000, 20_000));
      assertThat(sim.limits("opus-4")).isEqualTo(Limits.of(4, 100_000, 20_000));
      HttpResponse<String> later = http.post("/v1/messages", BODY);
      assertThat(later.statusCode()).isEqualTo(200);
      assertThat(later.headers().firstValue("anthropic-ratelimit-requests-limit")).hasValue("20");
    }
  }

  @Test
  void resetReturnsToTheConfiguredFaultsAndClearDropsThem() {
    FaultPlan configured = FaultPlan.builder().errorProbability(502, 1.0).build();
    try (Simulator sim = Simulator.start(onManualClock().faults(configured).build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      assertThat(status(http)).isEqualTo(502);
      sim.faults().clear();
      assertThat(sim.faults().plan().isEmpty()).isTrue();
      assertThat(status(http)).isEqualTo(200);
      sim.faults().overloadProbability(1.0).failNext(3, 500);
      sim.faults().reset();
      assertThat(sim.faults().plan()).isEqualTo(configured);
      assertThat(sim.faults().pending()).isZero();
      assertThat(status(http)).isEqualTo(502);
    }
  }
}
