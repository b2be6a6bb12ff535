package dev.pacer.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.simulator.testing.SimHttp;
import java.net.http.HttpResponse;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A warm-up leaves nothing behind: no bucket touched, no stats. */
class WarmUpTest {

  @Test
  void aWarmedUpSimulatorStartsWithFullBucketsAndNoStats() {
    ManualClock clock = SimulatorClock.manual(Instant.parse("2026-03-01T12:00:00Z"));
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().clock(clock).rpm(60).itpm(6000).otpm(1200)
        .outputTokens(100, 100).seed(7).build())) {
      sim.warmUp();
      assertThat(sim.stats().attempts()).isZero();
      assertThat(sim.stats().records()).isEmpty();

      HttpResponse<String> first = new SimHttp(sim.baseUrl())
          .post("/v1/messages", SimHttp.messages("claude-sonnet-4-5", 500, SimHttp.words(993)));
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.headers().firstValue("anthropic-ratelimit-requests-remaining")).contains("59");
      assertThat(first.headers().firstValue("anthropic-ratelimit-input-tokens-remaining")).contains("5000");
      assertThat(sim.stats().attempts()).isEqualTo(1);
    }
  }
}
