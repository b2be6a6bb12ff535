package dev.pacer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pacer.events.PacerEvent;
import dev.pacer.http.ResponseHead;
import dev.pacer.limits.Bucket;
import dev.pacer.limits.Limits;
import dev.pacer.limits.OutputRule;
import dev.pacer.time.FakeTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class GovernorTest {

  private static final String MODEL = "claude-sonnet-4-5";
  private static final String POOL = "sonnet-4-5";

  private final FakeTimeSource time = new FakeTimeSource();
  private final List<PacerEvent> events = new CopyOnWriteArrayList<>();

  private Governor governor(Limits limits, Duration burst, OutputRule rule) {
    // Exact bucket arithmetic: no jitter allowance (its own test below).
    GovernorConfig.Builder config = GovernorConfig.builder().limits(limits).outputRule(rule).listener(events::add)
        .jitterAllowance(Duration.ZERO);
    if (burst != null) {
      config.burst(burst);
    }
    return new Governor(config.build(), time);
  }

  @Test
  void admitsTheBurstAtOnceThenOneRequestPerRefillInterval() {
    Governor governor = governor(Limits.of(60, 1_000_000, 1_000_000), Duration.ofMinutes(1), OutputRule.RESERVE);
    for (int i = 0; i < 60; i++) {
      assertThat(governor.tryAcquire(Demand.of(MODEL, 10, 10))).isPresent();
    }
    assertThat(governor.tryAcquire(Demand.of(MODEL, 10, 10))).isEmpty();

    CompletableFuture<Permit> next = governor.acquireAsync(Demand.of(MODEL, 10, 10));
    time.advance(Duration.ofMillis(999));
    assertThat(next).isNotDone();
    time.advance(Duration.ofMillis(1));
    assertThat(next).isCompleted();
    assertThat(next.join().waited()).isEqualTo(Duration.ofSeconds(1));
    assertThat(next.join().bindingBucket()).contains(Bucket.REQUESTS);
  }

  @Test
  void aFullBucketGainsNoRefillUntilTheRequestsTakenFromItHaveLeft() {
    // 10 requests a second, a burst of 10. All ten are granted at once; their requests leave
    // half a second later (a cold client). The server's bucket stays full meanwhile, so the half
    // second's refill is not the server's: nothing more goes until they have left, and from then
    // the bucket refills as usual.
    Governor governor = tenASecondWithABurstOfTen();
    Demand reported = Demand.of(MODEL, 1, 1).withSendReported();
    List<Permit> burst = acquireNow(governor, reported, 10);
    time.advance(Duration.ofMillis(500));
    assertThat(governor.tryAcquire(reported)).as("the server's bucket still full, no refill").isEmpty();
    assertThat(governor.tryAcquire(Demand.of(MODEL, 1, 1))).as("whoever asks").isEmpty();
    burst.forEach(Permit::sent);
    burst.forEach(Permit::sent); // a second report changes nothing
    time.advance(Duration.ofMillis(500));
    assertThat(grantedNow(governor, reported)).as("half a second's refill since they left").isEqualTo(5);
  }

  @Test
  void withoutSendsReportedTheRefillCountsFromTheGrants() {
    Governor governor = tenASecondWithABurstOfTen();
    acquireNow(governor, Demand.of(MODEL, 1, 1), 10);
    time.advance(Duration.ofMillis(500));
    assertThat(grantedNow(governor, Demand.of(MODEL, 1, 1))).isEqualTo(5);
  }

  @Test
  void aPermitGivenBackUnsentLeavesTheServerFull() {
    // Nothing reached the server: its bucket stays full, so the refill since the grant is still lost.
    Governor governor = tenASecondWithABurstOfTen();
    Demand reported = Demand.of(MODEL, 1, 1).withSendReported();
    List<Permit> burst = acquireNow(governor, reported, 10);
    time.advance(Duration.ofMillis(300));
    burst.get(9).release(Permit.Release.NOT_SENT); // its request back: one
    Permit again = governor.tryAcquire(reported).orElseThrow();
    assertThat(governor.tryAcquire(reported)).as("300 ms of refill lost to the full bucket").isEmpty();
    burst.subList(0, 9).forEach(Permit::sent);
    again.sent();
    time.advance(Duration.ofMillis(100));
    assertThat(governor.tryAcquire(reported)).as("refilling since they left").isPresent();
  }

  @Test
  void twoReadingsOfTheSameServerStateRaiseTheInputForecastOnce() {
    // The burst is not told: the forecast starts from one second (1,000 input tokens). Two
    // requests of 400 go; both answers show what the server has left after them (59,000 of a
    // whole minute's burst) before either is settled. Each reading's raise waits for its own
    // settle (its input count is known only then); the second must not add again what the first
    // already raised, or the permits granted in between are granted twice over.
    Governor governor = governor(Limits.of(600_000, 60_000, 1_000_000), null, OutputRule.RESERVE);
    Demand demand = Demand.of(MODEL, 400, 10);
    List<Permit> two = acquireNow(governor, demand, 2);
    ResponseHead reading = head(200, 600_000, 599_998, 60_000, 59_000, 1_000_000, 999_980);
    two.get(0).onResponse(reading);
    two.get(1).onResponse(reading);
    two.get(0).settle(Usage.of(400, 10));
    int between = grantedNow(governor, demand);
    two.get(1).settle(Usage.of(400, 10));
    int after = grantedNow(governor, demand);

    // The server had 59,200 left after the two (59,000 reported, within 500): 148 more at most.
    assertThat(between + after).as("granted after the readings").isBetween(140, 148);
  }

  /** 10 requests a second (600 a minute), a burst of one second; tokens never bind. */
  private Governor tenASecondWithABurstOfTen() {
    return governor(Limits.of(600, 1_000_000, 1_000_000), Duration.ofSeconds(1), OutputRule.RESERVE);
  }

  /** {@code count} permits for {@code demand}, each granted at once. */
  private static List<Permit> acquireNow(Governor governor, Demand demand, int count) {
    List<Permit> permits = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      permits.add(governor.tryAcquire(demand).orElseThrow());
    }
    return permits;
  }

  /** How many permits for {@code demand} are granted now, one after another, without waiting. */
  private static int grantedNow(Governor governor, Demand demand) {
    int granted = 0;
    while (governor.tryAcquire(demand).isPresent()) {
      granted++;
    }
    return granted;
  }

  @Test
  void theJitterAllowanceKeepsAFewRequestsWorthOfRefillInTheBucket() {
    Governor governor = new Governor(GovernorConfig.builder().limits(Limits.of(600, 1_000_000, 1_000_000))
        .burst(Duration.ofMinutes(1)).jitterAllowance(Duration.ofMillis(500)).build(), time);
    assertThat(grantedNow(governor, Demand.of(MODEL, 1, 1))).isEqualTo(595); // 10 a second: half a second's worth stays
  }

  @Test
  void aBurstOfOneRequestIsPacedAJitterAllowanceApart() {
    // 30 requests a minute, burst unknown (one second of refill: a single request).
    Governor governor = new Governor(GovernorConfig.builder().limits(Limits.of(30, 1_000_000, 1_000_000))
        .jitterAllowance(Duration.ofMillis(100)).build(), time);
    governor.tryAcquire(Demand.of(MODEL, 1, 1)).orElseThrow();
    CompletableFuture<Permit> next = governor.acquireAsync(Demand.of(MODEL, 1, 1));
    time.advance(Duration.ofMillis(2_000));
    assertThat(next).as("full again after 2 s, but not yet sent").isNotDone();
    time.advance(Duration.ofMillis(100));
    assertThat(next).isCompleted();
  }

  @Test
  void anAnswerToATextThatLeftOutAGuessedCacheReadIsNotAnOrdinarySample() {
    List<Boolean> partlyCached = new CopyOnWriteArrayList<>();
    dev.pacer.estimate.TokenEstimator recording = new dev.pacer.estimate.TokenEstimator() {
      @Override
      public long estimate(String pool, CharSequence text) {
        return text.length();
      }

      @Override
      public void calibrate(String pool, CharSequence text, long actualInputTokens, boolean cached) {
        partlyCached.add(cached);
      }
    };
    Governor governor = new Governor(GovernorConfig.builder().limits(Limits.of(600, 1_000_000, 1_000_000))
        .estimator(recording).build(), time);
    Demand question = Demand.estimated(MODEL, "Question: what is the main figure?", 20);

    governor.tryAcquire(question).orElseThrow().settle(Usage.of(12, 5));
    // The guess was wrong: the server wrote the prefix, and counted it, against a text without it.
    governor.tryAcquire(question.withCacheReadAssumed()).orElseThrow().settle(new Usage(12, 4_000, 0, 0, 5));
    governor.tryAcquire(question.withCacheReadAssumed()).orElseThrow().settle(new Usage(12, 0, 0, 4_000, 5));

    // The plain answer is a sample; the read a sample of a partly cached prompt; the write none.
    assertThat(partlyCached).containsExactly(false, true);
  }

  @Test
  void aGuessedReadThatTheServerWroteInsteadLeavesTheEstimatesAsTheyWere() {
    Governor governor = new Governor(GovernorConfig.builder().limits(Limits.of(600, 10_000_000, 1_000_000)).build(), time);
    Demand question = Demand.estimated(MODEL, "Question: what is the main figure?", 20);
    String document = "Document: " + "market growth figure report ".repeat(400);
    governor.tryAcquire(Demand.estimated(MODEL, document, 20)).orElseThrow().settle(Usage.of(2_800, 5));
    for (int i = 0; i < 3; i++) {
      governor.tryAcquire(question).orElseThrow().settle(Usage.of(9, 5));
    }
    long before = governor.config().estimator().estimate(governor.poolOf(question), document);

    // Held at the question alone; the server had evicted the document and wrote it: 4,000 tokens.
    governor.tryAcquire(question.withCacheReadAssumed()).orElseThrow().settle(new Usage(9, 4_000, 0, 0, 5));

    assertThat(governor.config().estimator().estimate(governor.poolOf(question), document)).isEqualTo(before);
  }

  @Test
  void aDemandLargerThanAKnownLimitFailsAtOnceNamingTheLimit() {
    Governor governor = governor(Limits.of(50, 30_000, 8_000), null, OutputRule.RESERVE);
    assertThatThrownBy(() -> governor.acquire(Demand.of(MODEL, 10, 9_000)))
        .isInstanceOf(DemandTooLargeException.class)
        .hasMessageContaining("9,000 output tokens")
        .hasMessageContaining("8,000")
        .hasMessageContaining("max_tokens");
    CompletableFuture<Permit> async = governor.acquireAsync(Demand.of(MODEL, 40_000, 10));
    assertThat(async).isCompletedExceptionally();
  }

  @Test
  void aRaiseWaitingForItsSettleIsDroppedWhenANewerReadingLoweredTheForecast() {
    // A's answer shows the server with 4,000 more than forecast: a raise, applied at A's settle.
    // Before that, B's answer shows the forecast 4,600 too high: the forecast is lowered. A's raise
    // is stale by then (B's reading found the forecast too high even without it): dropped.
    Governor governor = governor(Limits.of(600_000, 60_000, 1_000_000), Duration.ofMinutes(1), OutputRule.RESERVE);
    Permit a = governor.tryAcquire(Demand.of(MODEL, 5_000, 10)).orElseThrow();
    Permit b = governor.tryAcquire(Demand.of(MODEL, 400, 10)).orElseThrow();
    a.onResponse(head(200, 600_000, 599_999, 60_000, 59_000, 1_000_000, 999_990));
    b.onResponse(head(200, 600_000, 599_998, 60_000, 50_000, 1_000_000, 999_980));
    assertThat(level(governor, Bucket.INPUT_TOKENS)).as("lowered to B's low end").isEqualTo(49_500);

    a.settle(Usage.of(5_000, 10));
    b.settle(Usage.of(400, 10));
    assertThat(level(governor, Bucket.INPUT_TOKENS)).as("A's raise not applied").isEqualTo(49_500);
  }

  /** Limits told (Tier 1: 8,000 output tokens a minute), the output rule not: reserve is assumed. */
  private Governor ruleNotTold() {
    return new Governor(GovernorConfig.builder().limits(Limits.of(50, 30_000, 8_000)).listener(events::add)
        .jitterAllowance(Duration.ZERO).build(), time);
  }

  @Test
  void withTheRuleNotToldAMaxTokensBeyondTheOutputLimitGoesAndALiveServerAdmitsIt() {
    // The 2026 API counts output as it is generated: a bucket out of debt admits any max_tokens.
    Governor governor = ruleNotTold();
    Permit permit = governor.tryAcquire(Demand.of(MODEL, 10, 16_000)).orElseThrow();
    permit.onResponse(head(200, 50, 49, 30_000, 30_000, 8_000, 8_000)); // nothing held: live
    permit.settle(Usage.of(10, 600));

    assertThat(events).anySatisfy(event -> assertThat(event).isInstanceOfSatisfying(PacerEvent.LimitsLearned.class,
        learned -> assertThat(learned.what()).contains("output rule live")));
    CompletableFuture<Permit> next = governor.acquireAsync(Demand.of(MODEL, 10, 16_000));
    assertThat(next).as("waits for the debt, not refused").isNotCompletedExceptionally();
  }

  @Test
  void withTheRuleNotToldAServerThatRefusesMaxTokensBeyondItsBucketFailsItAndTheOthersLikeIt() {
    Governor governor = ruleNotTold();
    Permit first = governor.tryAcquire(Demand.of(MODEL, 10, 16_000)).orElseThrow();
    CompletableFuture<Permit> second = governor.acquireAsync(Demand.of(MODEL, 10, 16_000));
    CompletableFuture<Permit> small = governor.acquireAsync(Demand.of(MODEL, 10, 100));
    Map<String, String> refusal = new java.util.HashMap<>(head(429, 50, 50, 30_000, 30_000, 8_000, 8_000).headers());
    refusal.put("retry-after", "60");
    first.onResponse(ResponseHead.of(429, refusal));

    assertThat(first.hopeless).isNotNull();
    assertThat(first.hopeless.bucket()).isEqualTo(Bucket.OUTPUT_TOKENS);
    first.release(Permit.Release.RATE_LIMITED);
    assertThat(second).as("the same max_tokens, waiting").isCompletedExceptionally();
    assertThatThrownBy(second::join).hasCauseInstanceOf(DemandTooLargeException.class);
    assertThatThrownBy(() -> governor.acquire(Demand.of(MODEL, 10, 9_000))).as("refused before it is sent now")
        .isInstanceOf(DemandTooLargeException.class).hasMessageContaining("max_tokens");
    time.advance(Duration.ofSeconds(10));
    assertThat(small).as("an ordinary request goes on").isCompleted();
  }

  @Test
  void aDemandLargerThanAConfiguredBurstFailsAtOnceNamingTheBurst() {
    // 6,000 input tokens a minute with one second of burst: at most 100 at once.
    Governor governor = governor(Limits.of(60, 6_000, 6_000), Duration.ofSeconds(1), OutputRule.RESERVE);
    assertThatThrownBy(() -> governor.acquire(Demand.of(MODEL, 500, 10)))
        .isInstanceOf(DemandTooLargeException.class)
        .hasMessageContaining("500 input tokens")
        .hasMessageContaining("allows only 100 input tokens at once");
  }

  @Test
  void aLargeDemandAtTheHeadIsNotStarvedBySmallOnes() {
    Governor governor = governor(Limits.of(1000, 6_000, 1_000_000), Duration.ofMinutes(1), OutputRule.RESERVE);
    Permit first = governor.tryAcquire(Demand.of(MODEL, 5_000, 1)).orElseThrow();
    CompletableFuture<Permit> large = governor.acquireAsync(Demand.of(MODEL, 5_000, 1));
    CompletableFuture<Permit> small = governor.acquireAsync(Demand.of(MODEL, 100, 1));
    // 1,000 tokens are left: enough for the small one, but it must wait behind the large one.
    assertThat(small).isNotDone();
    time.advance(Duration.ofSeconds(40)); // 100 tokens a second: 4,000 more
    assertThat(large).isCompleted();
    assertThat(small).isNotDone();
    time.advance(Duration.ofSeconds(1));
    assertThat(small).isCompleted();
    first.settle(Usage.of(5_000, 1));
  }

  @Test
  void aTimeoutGivesEveryReservedTokenBack() {
    Governor governor = governor(Limits.of(1, 1_000_000, 1_000_000), Duration.ofMinutes(1), OutputRule.RESERVE);
    governor.tryAcquire(Demand.of(MODEL, 10, 10)).orElseThrow();
    CompletableFuture<Permit> timesOut = governor.acquireAsync(Demand.of(MODEL, 10, 10).withTimeout(Duration.ofSeconds(5)));
    CompletableFuture<Permit> waits = governor.acquireAsync(Demand.of(MODEL, 10, 10));
    time.advance(Duration.ofSeconds(5));
    assertThat(timesOut).isCompletedExceptionally();
    assertThatThrownBy(timesOut::join).hasCauseInstanceOf(PacerTimeoutException.class);
    time.advance(Duration.ofSeconds(55));
    assertThat(waits).isCompleted();
  }

  @Test
  void cancellingAWaitWithdrawsItAndLetsTheNextGo() {
    Governor governor = governor(Limits.of(1, 1_000_000, 1_000_000), Duration.ofMinutes(1), OutputRule.RESERVE);
    governor.tryAcquire(Demand.of(MODEL, 10, 10)).orElseThrow();
    CompletableFuture<Permit> cancelled = governor.acquireAsync(Demand.of(MODEL, 10, 10));
    CompletableFuture<Permit> next = governor.acquireAsync(Demand.of(MODEL, 10, 10));
    cancelled.cancel(false);
    time.advance(Duration.ofSeconds(60));
    assertThat(next).isCompleted();
    assertThat(governor.snapshot(POOL).orElseThrow().waiting()).isZero();
  }

  @Test
  void settlingRefundsUnusedOutputUnderTheReserveRule() {
    Governor governor = governor(Limits.of(1000, 1_000_000, 10_000), Duration.ofMinutes(1), OutputRule.RESERVE);
    Permit permit = governor.tryAcquire(Demand.of(MODEL, 100, 8_000)).orElseThrow();
    assertThat(level(governor, Bucket.OUTPUT_TOKENS)).isEqualTo(2_000);
    permit.settle(Usage.of(100, 500));
    assertThat(level(governor, Bucket.OUTPUT_TOKENS)).isEqualTo(9_500);
  }

  @Test
  void settlingChargesActualInputIncludingCacheWritesButNotReads() {
    Governor governor = governor(Limits.of(1000, 10_000, 1_000_000), Duration.ofMinutes(1), OutputRule.RESERVE);
    Permit permit = governor.tryAcquire(Demand.of(MODEL, 1_000, 10)).orElseThrow();
    permit.settle(new Usage(1_500, 500, 0, 4_000, 10));
    assertThat(level(governor, Bucket.INPUT_TOKENS)).isEqualTo(8_000);
  }

  @Test
  void underTheLiveRuleOutputIsHeldAsEstimatedAndChargedAsGenerated() {
    Governor governor = governor(Limits.of(1000, 1_000_000, 10_000), Duration.ofMinutes(1), OutputRule.LIVE);
    // Until it has seen outputs, it holds max_tokens; after, the largest recent output plus 10%.
    for (int i = 0; i < 3; i++) {
      Permit permit = governor.tryAcquire(Demand.of(MODEL, 10, 4_000)).orElseThrow();
      assertThat(permit.outputTokensHeld()).isEqualTo(4_000);
      permit.settle(Usage.of(10, 100));
    }
    Permit permit = governor.tryAcquire(Demand.of(MODEL, 10, 4_000)).orElseThrow();
    assertThat(permit.outputTokensHeld()).isEqualTo(110);
    // A request with max_tokens above the limit is not hopeless under the live rule.
    assertThat(governor.acquireAsync(Demand.of(MODEL, 10, 50_000))).isNotCompletedExceptionally();
  }

  @Test
  void interruptionWithdrawsTheWait() throws Exception {
    Governor governor = governor(Limits.of(1, 1_000_000, 1_000_000), Duration.ofMinutes(1), OutputRule.RESERVE);
    governor.tryAcquire(Demand.of(MODEL, 10, 10)).orElseThrow();
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> governor.acquire(Demand.of(MODEL, 10, 10))).isInstanceOf(InterruptedException.class);
    assertThat(governor.snapshot(POOL).orElseThrow().waiting()).isZero();
  }

  @Test
  void interactiveGoesFirstButAStarvedBatchDemandGetsItsTurn() {
    GovernorConfig config = GovernorConfig.builder().limits(Limits.of(60, 1_000_000, 1_000_000))
        .burst(Duration.ofSeconds(1)).starvationGuard(Duration.ofSeconds(10)).jitterAllowance(Duration.ZERO).build();
    Governor governor = new Governor(config, time);
    governor.tryAcquire(Demand.of(MODEL, 1, 1)).orElseThrow();
    CompletableFuture<Permit> batch = governor.acquireAsync(Demand.of(MODEL, 1, 1));
    List<CompletableFuture<Permit>> interactive = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      interactive.add(governor.acquireAsync(Demand.of(MODEL, 1, 1).withPriority(Priority.INTERACTIVE)));
    }
    time.advance(Duration.ofSeconds(9));
    assertThat(interactive.subList(0, 9)).allMatch(CompletableFuture::isDone);
    assertThat(batch).isNotDone();
    time.advance(Duration.ofSeconds(2));
    assertThat(batch).isCompleted();
    assertThat(interactive.stream().filter(CompletableFuture::isDone).count()).isLessThanOrEqualTo(10);
  }

  @Test
  void aLowerLimitFromTheServerWinsAtOnce() {
    Governor governor = governor(Limits.of(1000, 1_000_000, 1_000_000), Duration.ofMinutes(1), OutputRule.RESERVE);
    Permit permit = governor.tryAcquire(Demand.of(MODEL, 10, 10)).orElseThrow();
    permit.onResponse(head(200, 100, 99, 50_000, 49_000, 10_000, 9_000));
    permit.settle(Usage.of(10, 10));
    PoolSnapshot snapshot = governor.snapshot(POOL).orElseThrow();
    assertThat(snapshot.limits()).isEqualTo(Limits.of(100, 50_000, 10_000));
    assertThat(events).anyMatch(event -> event instanceof PacerEvent.LimitsLearned);
  }

  @Test
  void aServerWithLessThanForecastCorrectsTheLevelDown() {
    Governor governor = governor(Limits.of(100, 1_000_000, 1_000_000), Duration.ofMinutes(1), OutputRule.RESERVE);
    Permit permit = governor.tryAcquire(Demand.of(MODEL, 10, 10)).orElseThrow();
    // We forecast 99 requests left; the server says 40 (someone else uses the same key).
    permit.onResponse(head(200, 100, 40, 1_000_000, 999_000, 1_000_000, 999_000));
    permit.settle(Usage.of(10, 10));
    assertThat(level(governor, Bucket.REQUESTS)).isEqualTo(40);
  }

  @Test
  void withNoLimitsItSendsOneAtATimeUntilTheHeadersArrive() {
    Governor governor = governor(Limits.NONE, null, OutputRule.RESERVE);
    Permit first = governor.tryAcquire(Demand.of(MODEL, 10, 10)).orElseThrow();
    CompletableFuture<Permit> second = governor.acquireAsync(Demand.of(MODEL, 10, 10));
    assertThat(second).isNotDone();
    first.onResponse(head(200, 1000, 999, 2_000_000, 2_000_000, 400_000, 400_000));
    first.settle(Usage.of(10, 10));
    assertThat(second).isCompleted();
    assertThat(governor.snapshot(POOL).orElseThrow().limits()).isEqualTo(Limits.of(1000, 2_000_000, 400_000));
  }

  @Test
  void aPauseHoldsEveryCallerOfThePool() {
    Governor governor = governor(Limits.of(1000, 1_000_000, 1_000_000), Duration.ofMinutes(1), OutputRule.RESERVE);
    governor.acquireAsync(Demand.of(MODEL, 1, 1)).join();
    governor.pause(POOL, Duration.ofSeconds(7), Bucket.INPUT_TOKENS, "rate limited");
    CompletableFuture<Permit> waits = governor.acquireAsync(Demand.of(MODEL, 1, 1));
    time.advance(Duration.ofSeconds(6));
    assertThat(waits).isNotDone();
    time.advance(Duration.ofSeconds(1));
    assertThat(waits).isCompleted();
    assertThat(waits.join().bindingBucket()).contains(Bucket.INPUT_TOKENS);
  }

  @Test
  void closingFailsWhatWaits() {
    Governor governor = governor(Limits.of(1, 1_000_000, 1_000_000), Duration.ofMinutes(1), OutputRule.RESERVE);
    governor.tryAcquire(Demand.of(MODEL, 1, 1)).orElseThrow();
    CompletableFuture<Permit> waits = governor.acquireAsync(Demand.of(MODEL, 1, 1));
    governor.close();
    assertThatThrownBy(waits::join).hasCauseInstanceOf(PacerClosedException.class);
  }

  @Test
  void aListenerThatThrowsCannotBreakTheCaller() {
    GovernorConfig config = GovernorConfig.builder().limits(Limits.of(10, 1_000, 1_000))
        .listener(event -> { throw new IllegalStateException("boom"); }).build();
    Governor governor = new Governor(config, time);
    Permit permit = governor.tryAcquire(Demand.of(MODEL, 1, 1)).orElseThrow();
    permit.settle(Usage.of(1, 1));
  }

  private double level(Governor governor, Bucket bucket) {
    return Math.round(governor.snapshot(POOL).orElseThrow().level(bucket));
  }

  static ResponseHead head(int status, long rpm, long requestsLeft, long itpm, long inputLeft, long otpm, long outputLeft) {
    return ResponseHead.of(status, Map.of(
        "anthropic-ratelimit-requests-limit", Long.toString(rpm),
        "anthropic-ratelimit-requests-remaining", Long.toString(requestsLeft),
        "anthropic-ratelimit-input-tokens-limit", Long.toString(itpm),
        "anthropic-ratelimit-input-tokens-remaining", Long.toString(inputLeft),
        "anthropic-ratelimit-output-tokens-limit", Long.toString(otpm),
        "anthropic-ratelimit-output-tokens-remaining", Long.toString(outputLeft)));
  }
}
