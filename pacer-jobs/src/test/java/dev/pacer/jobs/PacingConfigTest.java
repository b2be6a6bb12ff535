package dev.pacer.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.AttemptFailedException;
import dev.pacer.Demand;
import dev.pacer.Pacer;
import dev.pacer.Permit;
import dev.pacer.PoolSnapshot;
import dev.pacer.Usage;
import dev.pacer.http.ApiError;
import dev.pacer.http.AttemptFailure;
import dev.pacer.http.ResponseHead;
import dev.pacer.limits.Limits;
import dev.pacer.limits.ModelCatalog;
import dev.pacer.limits.OutputRule;
import dev.pacer.limits.Tier;
import dev.pacer.time.FakeTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A job's {@link PacingConfig} as the Pacer it builds ({@link PacingConfig#pacerBuilder}), on fake
 * time: the limits it starts from (and their precedence), the burst, the output rule, 429 pauses,
 * concurrency and retries. What the job's pacing does is the Pacer's doing; these tests check the
 * job hands it the right settings.
 */
class PacingConfigTest {

  private static final String MODEL = "claude-haiku-4-5";
  private static final String POOL = "haiku-4-5";
  /** The refill the Pacer keeps in every bucket against network jitter (pacer-core's default). */
  private static final Duration JITTER_ALLOWANCE = Duration.ofMillis(100);
  private final FakeTimeSource clock = new FakeTimeSource();
  private final ModelCatalog catalog = ModelCatalog.bundled();

  private Pacer pacer(PacingConfig pacing) {
    return pacing.pacerBuilder(catalog).timeSource(clock).build();
  }

  private static long granted(List<CompletableFuture<Permit>> permits) {
    return permits.stream().filter(CompletableFuture::isDone).count();
  }

  private static PoolSnapshot snapshot(Pacer pacer, String pool) {
    return pacer.governor().snapshot(pool).orElseThrow();
  }

  @Test
  void admitsABurstThenRequestsAtTheRefillRate() {
    // 30 requests per 3-second window with a whole window of burst: 30 at once, then 10 a second,
    // less the Pacer's jitter allowance: 100 ms of refill (one request here) is kept in the bucket.
    Pacer pacer = pacer(PacingConfig.builder().requestsPerWindow(30).inputTokensPerWindow(1_000_000)
        .outputTokensPerWindow(1_000_000).window(Duration.ofSeconds(3)).burst(Duration.ofSeconds(3)).build());
    List<CompletableFuture<Permit>> permits = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      permits.add(pacer.governor().acquireAsync(Demand.of(MODEL, 10, 10)));
    }
    assertThat(granted(permits)).isEqualTo(29);
    clock.advance(Duration.ofMillis(1_000));
    assertThat(granted(permits)).isEqualTo(39);
    clock.advance(Duration.ofMillis(2_000));
    assertThat(granted(permits)).isEqualTo(59);
    clock.advance(JITTER_ALLOWANCE);
    assertThat(granted(permits)).isEqualTo(60);
  }

  @Test
  void withoutABurstThePacerAssumesOneSecondOfRefillAtFirst() {
    Pacer pacer = pacer(PacingConfig.builder().requestsPerWindow(30).inputTokensPerWindow(1_000_000)
        .outputTokensPerWindow(1_000_000).window(Duration.ofSeconds(3)).build());
    List<CompletableFuture<Permit>> permits = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      permits.add(pacer.governor().acquireAsync(Demand.of(MODEL, 10, 10)));
    }
    assertThat(granted(permits)).as("one second of refill, less the jitter allowance: 9 of the 30").isEqualTo(9);
    clock.advance(Duration.ofSeconds(2));
    assertThat(granted(permits)).isEqualTo(29);
    clock.advance(JITTER_ALLOWANCE);
    assertThat(granted(permits)).isEqualTo(30);
  }

  @Test
  void reservesMaxTokensAndRefundsTheUnusedOutput() {
    Pacer pacer = pacer(PacingConfig.builder().requestsPerWindow(1000).inputTokensPerWindow(1_000_000)
        .outputTokensPerWindow(600).burst(Duration.ofMinutes(1)).outputRule(OutputRule.RESERVE).build());
    CompletableFuture<Permit> first = pacer.governor().acquireAsync(Demand.of(MODEL, 1, 400));
    CompletableFuture<Permit> second = pacer.governor().acquireAsync(Demand.of(MODEL, 1, 400));
    assertThat(first).isDone();
    assertThat(second).isNotDone();
    first.join().settle(Usage.of(1, 350)); // 50 back: 250 of the 400 the second needs
    clock.advance(Duration.ofMillis(15_000));
    assertThat(second).as("150 more at 10 a second take 15 s, and the jitter allowance 0.1 s").isNotDone();
    clock.advance(JITTER_ALLOWANCE);
    assertThat(second).isDone();
  }

  @Test
  void aRateLimitedAttemptPausesThePoolForItsRetryAfter() {
    Pacer pacer = pacer(PacingConfig.builder().tier("build").build());
    AtomicInteger attempts = new AtomicInteger();
    CompletableFuture<String> call = pacer.callAsync(Demand.of(MODEL, 10, 10), permit -> {
      if (attempts.incrementAndGet() == 1) {
        ResponseHead head = ResponseHead.of(429, Map.of("retry-after", "5"));
        return CompletableFuture.failedFuture(new AttemptFailedException(new AttemptFailure.HttpError(head,
            new ApiError("rate_limit_error", "slow down", null, "req_1"))));
      }
      permit.settle(Usage.of(10, 10));
      return CompletableFuture.completedFuture("ok");
    });
    CompletableFuture<Permit> next = pacer.governor().acquireAsync(Demand.of(MODEL, 10, 10));
    assertThat(next).as("the whole pool waits out the 429's retry-after").isNotDone();
    clock.advance(Duration.ofMillis(4_900));
    assertThat(next).isNotDone();
    clock.advance(Duration.ofMillis(200));
    assertThat(next).isDone();
    assertThat(call).isCompletedWithValue("ok");
    assertThat(pacer.stats().attempts()).isEqualTo(2);
    assertThat(pacer.stats().rateLimited()).isEqualTo(1);
  }

  @Test
  void unknownLimitsAreProbedOneRequestAtATimeUntilTheServerSays() {
    Pacer pacer = pacer(PacingConfig.defaults());
    CompletableFuture<Permit> first = pacer.governor().acquireAsync(Demand.of(MODEL, 100_000, 100_000));
    CompletableFuture<Permit> second = pacer.governor().acquireAsync(Demand.of(MODEL, 100_000, 100_000));
    assertThat(first).isDone();
    assertThat(second).as("nothing known: one at a time until a response's headers arrive").isNotDone();
    first.join().settle(Usage.of(100_000, 10));
    assertThat(second).isDone();
  }

  @Test
  void theFlagsWinOverTheLimitsFileWhichWinsOverTheTier() {
    PacingConfig pacing = PacingConfig.builder().tier(Tier.TIER1).requestsPerWindow(7)
        .poolLimits(POOL, new Limits(100, 20_000, Limits.UNKNOWN)).build();
    Limits tier1 = catalog.limits(Tier.TIER1, POOL);
    assertThat(pacing.limitsFor(POOL, catalog)).isEqualTo(Limits.of(7, 20_000, tier1.outputTokens()));
    assertThat(pacing.limitsFor("sonnet-4-5", catalog))
        .isEqualTo(Limits.of(7, catalog.limits(Tier.TIER1, "sonnet-4-5").inputTokens(),
            catalog.limits(Tier.TIER1, "sonnet-4-5").outputTokens()));

    Pacer pacer = pacer(pacing);
    pacer.governor().acquireAsync(Demand.of(MODEL, 1, 1)).join().settle(Usage.of(1, 1));
    pacer.governor().acquireAsync(Demand.of("claude-sonnet-4-5", 1, 1)).join().settle(Usage.of(1, 1));
    assertThat(snapshot(pacer, POOL).limits()).as("the Pacer starts from the same").isEqualTo(pacing.limitsFor(POOL, catalog));
    assertThat(snapshot(pacer, "sonnet-4-5").limits()).isEqualTo(pacing.limitsFor("sonnet-4-5", catalog));
  }

  @Test
  void concurrencyIsAFixedCapPerPool() {
    Pacer pacer = pacer(PacingConfig.builder().tier("build").concurrency(3).build());
    List<CompletableFuture<Permit>> permits = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      permits.add(pacer.governor().acquireAsync(Demand.of(MODEL, 10, 10)));
    }
    assertThat(granted(permits)).isEqualTo(3);
    assertThat(snapshot(pacer, POOL).concurrencyLimit()).isEqualTo(3);
    permits.get(0).join().settle(Usage.of(10, 10));
    assertThat(granted(permits)).isEqualTo(4);
  }

  @Test
  void jobsRetryMoreThanThePacersDefault() {
    Pacer pacer = pacer(PacingConfig.defaults());
    assertThat(pacer.retryPolicy().config().maxAttempts()).isEqualTo(PacingConfig.MAX_ATTEMPTS).isEqualTo(20);
    assertThat(pacer.retryPolicy().config().maxRetryAfter()).isEqualTo(PacingConfig.MAX_RETRY_AFTER);
  }
}
