package dev.pacer.jobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.jobs.ModelCatalog;
import dev.pacer.jobs.OutputRule;
import dev.pacer.jobs.PacingConfig;
import dev.pacer.time.FakeTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class InterimLimiterTest {

  private final FakeTimeSource clock = new FakeTimeSource();

  private InterimLimiter limiter(PacingConfig pacing) {
    ModelCatalog catalog = ModelCatalog.bundled();
    return new InterimLimiter(pacing, pool -> KnownLimits.configured(pacing, catalog, pool), clock);
  }

  private static long admitted(List<CompletableFuture<AttemptGate.Permit>> permits) {
    return permits.stream().filter(CompletableFuture::isDone).count();
  }

  @Test
  void admitsABurstThenRequestsAtTheRefillRate() {
    InterimLimiter limiter = limiter(PacingConfig.builder().requestsPerWindow(30).inputTokensPerWindow(1_000_000)
        .outputTokensPerWindow(1_000_000).window(Duration.ofSeconds(3)).build());
    List<CompletableFuture<AttemptGate.Permit>> permits = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      permits.add(limiter.admit("p", 10, 10));
    }
    assertThat(admitted(permits)).isEqualTo(30);
    clock.advance(Duration.ofMillis(1_000));
    assertThat(admitted(permits)).as("no refill before the server has answered once").isEqualTo(30);
    permits.get(0).join().settle(10, 5);
    clock.advance(Duration.ofMillis(1_000));
    assertThat(admitted(permits)).isEqualTo(40);
    clock.advance(Duration.ofMillis(2_000));
    assertThat(admitted(permits)).isEqualTo(60);
  }

  @Test
  void reservesMaxTokensAndRefundsTheUnusedOutput() {
    InterimLimiter limiter = limiter(PacingConfig.builder().requestsPerWindow(1000).inputTokensPerWindow(1_000_000)
        .outputTokensPerWindow(600).outputRule(OutputRule.RESERVE).build());
    CompletableFuture<AttemptGate.Permit> first = limiter.admit("p", 1, 400);
    CompletableFuture<AttemptGate.Permit> second = limiter.admit("p", 1, 400);
    assertThat(first).isDone();
    assertThat(second).isNotDone();
    first.join().settle(1, 350); // 50 back: 250 of 400
    assertThat(second).isNotDone();
    assertThat(limiter.headWait("p")).isEqualTo(Duration.ofSeconds(15)); // 150 more at 10 a second
    clock.advance(Duration.ofSeconds(15));
    assertThat(second).isDone();
  }

  @Test
  void aRateLimitedAttemptPausesThePool() {
    InterimLimiter limiter = limiter(PacingConfig.builder().tier("build").build());
    AttemptGate.Permit permit = limiter.admit("haiku-4-5", 10, 10).join();
    permit.rateLimited(Duration.ofSeconds(5));
    CompletableFuture<AttemptGate.Permit> next = limiter.admit("haiku-4-5", 10, 10);
    assertThat(next).isNotDone();
    clock.advance(Duration.ofSeconds(5));
    assertThat(next).isDone();
  }

  @Test
  void unknownLimitsAdmitAtOnce() {
    InterimLimiter limiter = limiter(PacingConfig.defaults());
    for (int i = 0; i < 1000; i++) {
      assertThat(limiter.admit("p", 100_000, 100_000)).isDone();
    }
  }
}
