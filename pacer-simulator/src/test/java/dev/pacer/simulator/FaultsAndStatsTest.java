package dev.pacer.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.simulator.testing.SimHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class FaultsAndStatsTest {

  private static final String BODY = SimHttp.messages("claude-opus-4-5", 100, "Faults, please.");

  @Test
  void failNextAnswersTheNextAttemptsWithTheStatusAndChargesNothing() {
    ManualClock clock = SimulatorClock.manual(Instant.parse("2026-01-01T00:00:00Z"));
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().clock(clock).rpm(10).build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      sim.faults().failNext(1, 429, Duration.ofSeconds(3)).failNext(1, 529).failNext(1, 500).failNext(1, 503);
      assertThat(sim.faults().pending()).isEqualTo(4);

      HttpResponse<String> r429 = http.post("/v1/messages", BODY);
      MalformedRequestTest.assertEnvelope(r429, 429, "rate_limit_error");
      assertThat(r429.headers().firstValue("retry-after")).hasValue("3");
      assertThat(r429.headers().firstValue("x-should-retry")).hasValue("true");
      assertThat(r429.headers().firstValue("anthropic-ratelimit-requests-remaining")).hasValue("10");

      HttpResponse<String> r529 = http.post("/v1/messages", BODY);
      MalformedRequestTest.assertEnvelope(r529, 529, "overloaded_error");
      assertThat(SimHttp.json(r529).at("/error/message").asText()).isEqualTo("Overloaded");
      MalformedRequestTest.assertEnvelope(http.post("/v1/messages", BODY), 500, "api_error");
      MalformedRequestTest.assertEnvelope(http.post("/v1/messages", BODY), 503, "api_error");

      HttpResponse<String> ok = http.post("/v1/messages", BODY);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("anthropic-ratelimit-requests-remaining"))
          .as("the faults charged nothing").hasValue("9");

      SimulatorStats s = sim.stats();
      assertThat(s.attempts()).isEqualTo(5);
      assertThat(s.rateLimited()).isEqualTo(1);
      assertThat(s.rateLimitedBy("requests")).as("an injected 429 names no bucket").isZero();
      assertThat(s.overloaded()).isEqualTo(1);
      assertThat(s.count(500)).isEqualTo(1);
      assertThat(s.records()).extracting(RequestRecord::limitedBy).containsExactly("injected", null, null, null, null);
    }
  }

  @Test
  void overloadProbabilityIsSeededAndClears() {
    int[] overloaded = new int[2];
    for (int run = 0; run < 2; run++) {
      try (Simulator sim = Simulator.start(SimulatorConfig.builder().seed(11).build())) {
        SimHttp http = new SimHttp(sim.baseUrl());
        sim.faults().overloadProbability(0.5);
        for (int i = 0; i < 40; i++) {
          http.post("/v1/messages", BODY);
        }
        overloaded[run] = (int) sim.stats().overloaded();
        sim.faults().clear();
        assertThat(http.post("/v1/messages", BODY).statusCode()).isEqualTo(200);
      }
    }
    assertThat(overloaded[0]).isBetween(8, 32).isEqualTo(overloaded[1]);
  }

  @Test
  void theStatsEndpointServesJson() {
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().tier("tier1").build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      http.post("/v1/messages", BODY);
      http.post("/v1/messages", BODY);
      http.post("/v1/messages", "{oops");
      HttpResponse<String> r = http.get("/_sim/stats?records=2");
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode j = SimHttp.json(r);
      assertThat(j.path("attempts").asLong()).isEqualTo(3);
      assertThat(j.at("/status_counts/200").asLong()).isEqualTo(2);
      assertThat(j.at("/status_counts/400").asLong()).isEqualTo(1);
      assertThat(j.at("/rate_limited_by/input_tokens").asLong()).isZero();
      assertThat(j.path("output_tokens_served").asLong()).isEqualTo(sim.stats().outputTokensServed()).isPositive();
      assertThat(j.path("records")).hasSize(2);
      JsonNode rec = j.path("records").get(0);
      assertThat(rec.path("pool").asText()).isEqualTo("opus-4");
      assertThat(rec.path("prompt_hash").asText()).hasSize(16);
      List<RequestRecord> records = sim.stats().records();
      assertThat(records.get(0).promptHash()).as("stable for the same prompt").isEqualTo(records.get(1).promptHash());
      assertThat(records.get(0).requestId()).isNotEqualTo(records.get(1).requestId());
    }
  }

  @Test
  void concurrentAttemptsNeverOvershootABucket() throws Exception {
    ManualClock clock = SimulatorClock.manual(Instant.parse("2026-01-01T00:00:00Z")); // no refill during the burst
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().clock(clock).rpm(50).build());
        ExecutorService pool = Executors.newFixedThreadPool(16)) {
      SimHttp http = new SimHttp(sim.baseUrl());
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < 120; i++) {
        results.add(pool.submit(() -> http.post("/v1/messages", BODY).statusCode()));
      }
      int ok = 0;
      for (Future<Integer> f : results) {
        if (f.get() == 200) ok++;
      }
      assertThat(ok).isEqualTo(50);
      SimulatorStats s = sim.stats();
      assertThat(s.rateLimitedBy("requests")).isEqualTo(70);
      assertThat(s.maxInFlight()).isBetween(1, 16);
    }
  }

  @Test
  void streamsArePacedInRealTime() {
    SimulatorConfig c = SimulatorConfig.builder().outputTokens(20, 20)
        .latency(Latency.parse("150ms+200tok/s")).build(); // last token at 150 + 19 × 5 = 245 ms
    try (Simulator sim = Simulator.start(c)) {
      SimHttp http = new SimHttp(sim.baseUrl());
      long start = System.nanoTime();
      HttpResponse<String> r = http.post("/v1/messages", BODY.replace("{\"model\"", "{\"stream\":true,\"model\""));
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(tookMillis).isGreaterThanOrEqualTo(245);
      List<SimHttp.Event> events = SimHttp.events(r.body());
      assertThat(events).extracting(SimHttp.Event::name).containsExactly(
          "message_start", "content_block_start", "ping",
          "content_block_delta", "content_block_delta", "content_block_delta", "content_block_delta",
          "content_block_delta", "content_block_stop", "message_delta", "message_stop");
      assertThat(events.get(9).data().at("/usage/output_tokens").asLong()).isEqualTo(20);
      assertThat(events.get(9).data().at("/delta/stop_reason").asText()).isEqualTo("end_turn");
    }
  }
}
