package dev.pacer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pacer.simulator.Latency;
import dev.pacer.simulator.OutputRule;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The lower bound is arithmetic: it must agree with design.md's formula where that applies. */
class LowerBoundTest {

  private static final Duration WINDOW = Duration.ofSeconds(6);
  private static final Rates LIMITS = Rates.of(50, 30_000, 8_000);

  private static Scenario server(Optional<Duration> burst, List<ServerEvent> events) {
    return new Scenario("s", "t", LIMITS, LIMITS, WINDOW, burst, OutputRule.RESERVE, Latency.off(), 1, 1, List.of(),
        events, true, Rates.Bucket.REQUESTS);
  }

  @Test
  void constantLimitsGiveTheDesignFormula() {
    // 100 requests, 50 of burst, 50 per 6 s: (100 − 50) / 50 × 6 s = 6 s; output (16,000 − 8,000) / 8,000 × 6 s = 6 s.
    LowerBound bound = LowerBound.of(server(Optional.empty(), List.of()), new LowerBound.Demand(100, 10_000, 20_000),
        Duration.ofMillis(250));
    assertThat(bound.seconds()).isCloseTo((20_000 - 8_000) / 8_000.0 * 6 + 0.25, within(0.01));
    assertThat(bound.binding()).isEqualTo(Rates.Bucket.OUTPUT_TOKENS);
    assertThat(bound.attemptsFloor()).isEqualTo(1.0);
  }

  @Test
  void aSmallBurstServesLessAtOnce() {
    // capacity 5 requests: (100 − 5) / 50 × 6 s
    LowerBound bound = LowerBound.of(server(Optional.of(Duration.ofMillis(600)), List.of()),
        new LowerBound.Demand(100, 1, 1), Duration.ZERO);
    assertThat(bound.seconds()).isCloseTo(95 / 50.0 * 6, within(0.01));
  }

  @Test
  void halvedLimitsSlowTheRest() {
    // by 3 s: 50 + 25 requests; then capacity 25 (level clipped to it), 25 per 6 s: 25 more by 9 s.
    LowerBound bound = LowerBound.of(server(Optional.empty(), List.of(new ServerEvent.LimitsChange(
        Duration.ofSeconds(3), LIMITS.scaled(0.5)))), new LowerBound.Demand(100, 1, 1), Duration.ZERO);
    assertThat(bound.seconds()).isCloseTo(9, within(0.01));
  }

  @Test
  void anOutageShorterThanTheBurstCostsTheIdealClientNothing() {
    // 2 s of outage refill 16.7 requests into a bucket that holds 50: nothing is lost.
    Scenario outage = server(Optional.empty(), List.of(new ServerEvent.Outage(Duration.ofSeconds(2),
        Duration.ofSeconds(4))));
    LowerBound bound = LowerBound.of(outage, new LowerBound.Demand(100, 1, 1), Duration.ZERO);
    assertThat(bound.seconds()).isCloseTo(6, within(0.01));
    assertThat(bound.attemptsFloor()).isCloseTo(1.01, within(1e-9));
  }

  @Test
  void aWaveAddsTheRetriesOfWhatAnIdealPaceSendsDuringIt() {
    // requests bind; from 2 s to 4 s an ideal pace sends 16.7 of 100; half fail: p / (1 − p) = 1 retry each.
    Scenario wave = server(Optional.empty(), List.of(new ServerEvent.OverloadWave(Duration.ofSeconds(2),
        Duration.ofSeconds(4), 0.5)));
    LowerBound bound = LowerBound.of(wave, new LowerBound.Demand(100, 1, 1), Duration.ZERO);
    assertThat(bound.attemptsFloor()).isCloseTo(1 + 2 * 50 / 6.0 / 100, within(0.002));
  }
}
