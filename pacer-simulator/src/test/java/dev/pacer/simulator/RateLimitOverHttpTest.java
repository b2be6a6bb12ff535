package dev.pacer.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.simulator.testing.SimHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The rules of server-model.md seen through HTTP, on a {@link ManualClock}: every header and
 * retry-after is exact because time moves only when the test says so. A prompt of N one-token words
 * counts N + 7 input tokens; every answer is 100 tokens long unless max_tokens is lower.
 */
class RateLimitOverHttpTest {

  private static final Instant START = Instant.parse("2026-03-01T12:00:00Z");
  private static final String MODEL = "claude-sonnet-4-5-20250929";

  private final ManualClock clock = SimulatorClock.manual(START);

  private SimulatorConfig.Builder config() {
    return SimulatorConfig.builder().clock(clock).rpm(60).itpm(6000).otpm(1200).outputTokens(100, 100).seed(7);
  }

  private static String prompt(long inputTokens, long maxTokens) {
    return SimHttp.messages(MODEL, maxTokens, SimHttp.words((int) inputTokens - 7));
  }

  private static String header(HttpResponse<String> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  @Test
  void reserveRuleScript() {
    try (Simulator sim = Simulator.start(config().build())) {
      SimHttp http = new SimHttp(sim.baseUrl());

      HttpResponse<String> first = http.post("/v1/messages", prompt(1000, 500));
      assertThat(first.statusCode()).isEqualTo(200);
      JsonNode usage = SimHttp.json(first).path("usage");
      assertThat(usage.path("input_tokens").asLong()).isEqualTo(1000);
      assertThat(usage.path("output_tokens").asLong()).isEqualTo(100);
      assertThat(SimHttp.json(first).path("stop_reason").asText()).isEqualTo("end_turn");
      assertThat(header(first, "anthropic-ratelimit-requests-remaining")).isEqualTo("59");
      assertThat(header(first, "anthropic-ratelimit-requests-reset")).isEqualTo("2026-03-01T12:00:01Z");
      assertThat(header(first, "anthropic-ratelimit-input-tokens-remaining")).isEqualTo("5000");
      assertThat(header(first, "anthropic-ratelimit-input-tokens-reset")).isEqualTo("2026-03-01T12:00:10Z");
      assertThat(header(first, "anthropic-ratelimit-output-tokens-remaining")).isEqualTo("1000"); // 700
      assertThat(header(first, "anthropic-ratelimit-output-tokens-reset")).isEqualTo("2026-03-01T12:00:25Z");
      assertThat(header(first, "anthropic-ratelimit-tokens-limit")).isEqualTo("7200");
      assertThat(header(first, "anthropic-ratelimit-tokens-remaining")).isEqualTo("6000");
      assertThat(header(first, "anthropic-ratelimit-tokens-reset")).isEqualTo("2026-03-01T12:00:25Z");
      // completion refunded 400: output 1,100

      HttpResponse<String> second = http.post("/v1/messages", prompt(1000, 1000));
      assertThat(second.statusCode()).isEqualTo(200);
      assertThat(header(second, "anthropic-ratelimit-output-tokens-remaining")).isEqualTo("0"); // 100
      assertThat(header(second, "anthropic-ratelimit-output-tokens-reset")).isEqualTo("2026-03-01T12:00:55Z");
      // completion refunded 900: output 1,000

      HttpResponse<String> third = http.post("/v1/messages", prompt(1000, 1100));
      assertThat(third.statusCode()).isEqualTo(429);
      assertThat(header(third, "retry-after")).isEqualTo("5"); // (1100 - 1000) / 20
      assertThat(header(third, "x-should-retry")).isEqualTo("true");
      assertThat(header(third, "anthropic-ratelimit-requests-remaining")).as("nothing charged").isEqualTo("58");
      assertThat(header(third, "anthropic-ratelimit-input-tokens-remaining")).isEqualTo("4000");
      assertThat(header(third, "anthropic-ratelimit-output-tokens-reset")).isEqualTo("2026-03-01T12:00:10Z");
      JsonNode error = SimHttp.json(third);
      assertThat(error.at("/error/type").asText()).isEqualTo("rate_limit_error");
      assertThat(error.at("/error/message").asText())
          .startsWith("This request would exceed the rate limit for your organization (")
          .contains(") of 1,200 output tokens per minute.");

      clock.advance(Duration.ofSeconds(5));
      HttpResponse<String> fourth = http.post("/v1/messages", prompt(1000, 1100));
      assertThat(fourth.statusCode()).isEqualTo(200);
      assertThat(header(fourth, "anthropic-ratelimit-requests-remaining")).isEqualTo("59"); // min(60, 58 + 5) - 1
      assertThat(header(fourth, "anthropic-ratelimit-input-tokens-remaining")).isEqualTo("4000"); // 3,500
      assertThat(header(fourth, "anthropic-ratelimit-output-tokens-remaining")).isEqualTo("0");
      assertThat(header(fourth, "anthropic-ratelimit-output-tokens-reset")).isEqualTo("2026-03-01T12:01:05Z");

      HttpResponse<String> hopeless = http.post("/v1/messages", prompt(6001, 10));
      assertThat(hopeless.statusCode()).isEqualTo(429);
      assertThat(header(hopeless, "retry-after")).isEqualTo("60");
      assertThat(SimHttp.json(hopeless).at("/error/message").asText())
          .contains("exceeds the rate limit").contains("6,000 input tokens per minute")
          .contains("it needs 6,001 input tokens").contains("can never be admitted");

      clock.advance(Duration.ofSeconds(60));
      HttpResponse<String> capped = http.post("/v1/messages", prompt(100, 50));
      assertThat(SimHttp.json(capped).path("stop_reason").asText()).isEqualTo("max_tokens");
      assertThat(SimHttp.json(capped).at("/usage/output_tokens").asLong()).isEqualTo(50);

      SimulatorStats stats = sim.stats();
      assertThat(stats.attempts()).isEqualTo(6);
      assertThat(stats.succeeded()).isEqualTo(4);
      assertThat(stats.rateLimitedBy("output_tokens")).isEqualTo(1);
      assertThat(stats.rateLimitedBy("input_tokens")).isEqualTo(1);
      assertThat(stats.rateLimitedBy("requests")).isZero();
      assertThat(stats.inputTokensServed()).isEqualTo(3100);
      assertThat(stats.outputTokensServed()).isEqualTo(350);
      assertThat(stats.records()).extracting(RequestRecord::limitedBy)
          .containsExactly(null, null, "output_tokens", null, "input_tokens", null);
    }
  }

  @Test
  void liveRuleScript() {
    SimulatorConfig c = config().otpm(120).outputRule(OutputRule.LIVE).build(); // output refills 2 per second
    try (Simulator sim = Simulator.start(c)) {
      SimHttp http = new SimHttp(sim.baseUrl());
      HttpResponse<String> first = http.post("/v1/messages", prompt(100, 4000));
      assertThat(first.statusCode()).as("max_tokens is not held under live").isEqualTo(200);
      assertThat(header(first, "anthropic-ratelimit-output-tokens-reset"))
          .as("nothing taken from output at admission").isEqualTo("2026-03-01T12:00:00Z");
      // 100 generated: output 20
      HttpResponse<String> second = http.post("/v1/messages", prompt(100, 4000));
      assertThat(second.statusCode()).isEqualTo(200);
      assertThat(header(second, "anthropic-ratelimit-output-tokens-reset")).isEqualTo("2026-03-01T12:00:50Z");
      // 100 more: output -80, in debt
      HttpResponse<String> third = http.post("/v1/messages", prompt(100, 10));
      assertThat(third.statusCode()).isEqualTo(429);
      assertThat(header(third, "retry-after")).isEqualTo("41"); // (1 + 80) / 2 = 40.5
      assertThat(header(third, "anthropic-ratelimit-output-tokens-remaining")).isEqualTo("0");
      assertThat(header(third, "anthropic-ratelimit-output-tokens-reset")).isEqualTo("2026-03-01T12:01:40Z");
      assertThat(SimHttp.json(third).at("/error/message").asText()).contains("of 120 output tokens per minute");

      clock.advance(Duration.ofSeconds(40)); // output 0: still not ≥ 1
      HttpResponse<String> fourth = http.post("/v1/messages", prompt(100, 10));
      assertThat(fourth.statusCode()).isEqualTo(429);
      assertThat(header(fourth, "retry-after")).isEqualTo("1");

      clock.advance(Duration.ofMillis(500)); // output 1
      assertThat(http.post("/v1/messages", prompt(100, 10)).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void smallBurstScript() {
    try (Simulator sim = Simulator.start(config().burst(Duration.ofSeconds(6)).build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      for (int i = 0; i < 6; i++) {
        HttpResponse<String> r = http.post("/v1/messages", prompt(50, 10));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(header(r, "anthropic-ratelimit-requests-remaining")).isEqualTo(Integer.toString(5 - i));
        assertThat(header(r, "anthropic-ratelimit-requests-limit")).isEqualTo("60");
      }
      HttpResponse<String> seventh = http.post("/v1/messages", prompt(50, 10));
      assertThat(seventh.statusCode()).isEqualTo(429);
      assertThat(header(seventh, "retry-after")).isEqualTo("1");
      assertThat(header(seventh, "anthropic-ratelimit-requests-reset")).isEqualTo("2026-03-01T12:00:06Z");
      assertThat(SimHttp.json(seventh).at("/error/message").asText()).contains("of 60 requests per minute");

      clock.advance(Duration.ofSeconds(10));
      HttpResponse<String> overBurst = http.post("/v1/messages", prompt(601, 10));
      assertThat(overBurst.statusCode()).isEqualTo(429);
      assertThat(header(overBurst, "retry-after")).isEqualTo("60");
      assertThat(SimHttp.json(overBurst).at("/error/message").asText()).contains("burst capacity of 600");
      assertThat(sim.stats().rateLimitedBy("requests")).isEqualTo(1);
      assertThat(sim.stats().rateLimitedBy("input_tokens")).isEqualTo(1);
    }
  }

  @Test
  void limitsChangedAtRuntimeShowAtOnce() {
    try (Simulator sim = Simulator.start(config().build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      assertThat(header(http.post("/v1/messages", prompt(1000, 100)), "anthropic-ratelimit-input-tokens-limit"))
          .isEqualTo("6000");
      String pool = sim.poolOf(MODEL);
      assertThat(pool).isEqualTo("sonnet-4-5");
      sim.setLimits(pool, 60, 2000, 1200);
      HttpResponse<String> r = http.post("/v1/messages", prompt(1000, 100));
      assertThat(header(r, "anthropic-ratelimit-input-tokens-limit")).isEqualTo("2000");
      assertThat(header(r, "anthropic-ratelimit-input-tokens-remaining")).as("5,000 clipped to 2,000, minus 1,000")
          .isEqualTo("1000");
      assertThat(sim.limits(pool)).isEqualTo(Limits.of(60, 2000, 1200));
      sim.setLimits(Limits.of(10, 50_000, 8_000));
      assertThat(header(http.post("/v1/messages", prompt(10, 10)), "anthropic-ratelimit-output-tokens-limit"))
          .isEqualTo("8000");
    }
  }

  @Test
  void countTokensHasItsOwnRequestsBucket() {
    try (Simulator sim = Simulator.start(config().countTokensRpm(2).build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"one two three\"}]}";
      HttpResponse<String> first = http.post("/v1/messages/count_tokens", body);
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(SimHttp.json(first).path("input_tokens").asLong()).isEqualTo(10);
      assertThat(header(first, "anthropic-ratelimit-requests-limit")).isEqualTo("2");
      assertThat(header(first, "anthropic-ratelimit-input-tokens-limit")).as("no token buckets").isNull();
      assertThat(http.post("/v1/messages/count_tokens", body).statusCode()).isEqualTo(200);
      HttpResponse<String> third = http.post("/v1/messages/count_tokens", body);
      assertThat(third.statusCode()).isEqualTo(429);
      assertThat(header(third, "retry-after")).isEqualTo("30");
      assertThat(http.post("/v1/messages", prompt(100, 10)).statusCode()).as("messages unaffected").isEqualTo(200);
      assertThat(sim.stats().countTokensRequests()).isEqualTo(3);
      assertThat(sim.stats().countTokensRateLimited()).isEqualTo(1);
      assertThat(sim.stats().attempts()).isEqualTo(1);
    }
  }

  @Test
  void liveRuleChargesAStreamAsItIsGenerated() {
    SimulatorConfig c = config().otpm(60).outputTokens(40, 40).outputRule(OutputRule.LIVE)
        .latency(Latency.of(Duration.ZERO, 10)).build(); // output refills 1 per second
    try (Simulator sim = Simulator.start(c)) {
      SimHttp http = new SimHttp(sim.baseUrl());
      String body = prompt(100, 1000).replace("{\"model\"", "{\"stream\":true,\"model\"");
      HttpResponse<String> stream = http.post("/v1/messages", body);
      assertThat(stream.statusCode()).isEqualTo(200);
      // 40 tokens at 10/s, deltas of 4: the last at 3.9 s of virtual time
      assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(3900));
      // charged 4 at a time while refilling 0.4 between deltas: 60 - 4 - 9 × 3.6 = 23.6 (not 20)
      HttpResponse<String> next = http.post("/v1/messages", prompt(100, 10));
      assertThat(header(next, "anthropic-ratelimit-output-tokens-reset"))
          .isEqualTo("2026-03-01T12:00:41Z"); // 3.9 s + (60 - 23.6) / 1 = 40.3 s, rounded up
    }
  }

  @Test
  void latencyDelaysAPlainAnswerUntilItsLastToken() {
    SimulatorConfig c = config().latency(Latency.parse("200ms+50tok/s")).build();
    try (Simulator sim = Simulator.start(c)) {
      new SimHttp(sim.baseUrl()).post("/v1/messages", prompt(100, 1000));
      assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(200 + 99 * 20));
    }
  }
}
