package dev.pacer.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pacer.simulator.Limits;
import dev.pacer.simulator.OutputRule;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scripted request sequences on virtual time: the buckets, headers and retry-after exactly as
 * server-model.md says. Limits 60 RPM / 6,000 ITPM / 1,200 OTPM over 60 s refill at 1 request,
 * 100 input and 20 output tokens per second.
 */
class BucketScriptTest {

  private static final long SECOND = 1_000_000_000L;
  private static final long WINDOW = 60 * SECOND;
  private static final long T0 = Long.MAX_VALUE - 10 * SECOND; // nanoTime values wrap: compare by subtraction
  private static final Instant WALL0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final Limits LIMITS = new Limits(60, 6000, 1200);

  private final PoolBuckets full = PoolBuckets.forPool(LIMITS, WINDOW, 0, T0);

  private static long at(double seconds) {
    return T0 + Math.round(seconds * SECOND);
  }

  private static Instant wall(double seconds) {
    return WALL0.plusNanos(Math.round(seconds * SECOND));
  }

  private static double level(Admission a, BucketKind kind) {
    return a.bucket(kind).level();
  }

  @Test
  void reserveHoldsMaxTokensThenRefundsTheUnusedPart() {
    Admission first = full.tryAdmit(Need.forMessages(OutputRule.RESERVE, 1000, 500), at(0));
    assertThat(first.admitted()).isTrue();
    assertThat(level(first, BucketKind.REQUESTS)).isEqualTo(59);
    assertThat(level(first, BucketKind.INPUT_TOKENS)).isEqualTo(5000);
    assertThat(level(first, BucketKind.OUTPUT_TOKENS)).isEqualTo(700);
    assertThat(RateLimitHeaders.of(first.buckets(), wall(0))).containsExactlyEntriesOf(ordered(
        "anthropic-ratelimit-requests-limit", "60",
        "anthropic-ratelimit-requests-remaining", "59",
        "anthropic-ratelimit-requests-reset", "2026-03-01T12:00:01Z",
        "anthropic-ratelimit-input-tokens-limit", "6000",
        "anthropic-ratelimit-input-tokens-remaining", "5000",
        "anthropic-ratelimit-input-tokens-reset", "2026-03-01T12:00:10Z",
        "anthropic-ratelimit-output-tokens-limit", "1200",
        "anthropic-ratelimit-output-tokens-remaining", "1000", // 700 rounded to the nearest 1,000
        "anthropic-ratelimit-output-tokens-reset", "2026-03-01T12:00:25Z",
        "anthropic-ratelimit-tokens-limit", "7200",
        "anthropic-ratelimit-tokens-remaining", "6000",
        "anthropic-ratelimit-tokens-reset", "2026-03-01T12:00:25Z"));

    full.refundOutput(500 - 100, at(0)); // generated 100 of 500
    Admission second = full.tryAdmit(Need.forMessages(OutputRule.RESERVE, 1000, 1000), at(0));
    assertThat(second.admitted()).isTrue();
    assertThat(level(second, BucketKind.OUTPUT_TOKENS)).isEqualTo(100);

    Admission third = full.tryAdmit(Need.forMessages(OutputRule.RESERVE, 1000, 500), at(0));
    assertThat(third.admitted()).isFalse();
    assertThat(third.limitedBy()).isEqualTo(BucketKind.OUTPUT_TOKENS);
    assertThat(third.retryAfterSeconds()).isEqualTo(20); // (500 - 100) / 20
    assertThat(third.exceedsCapacity()).isFalse();
    assertThat(level(third, BucketKind.INPUT_TOKENS)).as("a refusal charges nothing").isEqualTo(4000);
    assertThat(level(third, BucketKind.REQUESTS)).isEqualTo(58);

    // 5 s later: input 4,500, output 200. Input is what is short now.
    Admission fourth = full.tryAdmit(Need.forMessages(OutputRule.RESERVE, 5000, 100), at(5));
    assertThat(fourth.admitted()).isFalse();
    assertThat(fourth.limitedBy()).isEqualTo(BucketKind.INPUT_TOKENS);
    assertThat(fourth.retryAfterSeconds()).isEqualTo(5);

    // Both short: the longest wait is named. Input waits 5.5 s, output (700 - 210) / 20 = 24.5 s.
    Admission fifth = full.tryAdmit(Need.forMessages(OutputRule.RESERVE, 5000, 700), at(5.5));
    assertThat(fifth.limitedBy()).isEqualTo(BucketKind.OUTPUT_TOKENS);
    assertThat(fifth.retryAfterSeconds()).isEqualTo(25);

    // A fraction of a second to wait is asked as 1 s.
    Admission sixth = full.tryAdmit(Need.forMessages(OutputRule.RESERVE, 4600, 10), at(5.5));
    assertThat(sixth.limitedBy()).isEqualTo(BucketKind.INPUT_TOKENS);
    assertThat(sixth.retryAfterSeconds()).isEqualTo(1);

    // Admitted exactly when the wait is over.
    assertThat(full.tryAdmit(Need.forMessages(OutputRule.RESERVE, 4600, 10), at(6)).admitted()).isTrue();
  }

  @Test
  void aNeedAboveCapacityIsRefusedWithAWholeWindow() {
    Admission input = full.tryAdmit(Need.forMessages(OutputRule.RESERVE, 7000, 10), at(0));
    assertThat(input.admitted()).isFalse();
    assertThat(input.exceedsCapacity()).isTrue();
    assertThat(input.limitedBy()).isEqualTo(BucketKind.INPUT_TOKENS);
    assertThat(input.retryAfterSeconds()).isEqualTo(60);
    assertThat(input.needed()).isEqualTo(7000);

    Admission output = full.tryAdmit(Need.forMessages(OutputRule.RESERVE, 10, 4000), at(0));
    assertThat(output.exceedsCapacity()).isTrue();
    assertThat(output.limitedBy()).isEqualTo(BucketKind.OUTPUT_TOKENS);

    assertThat(full.tryAdmit(Need.forMessages(OutputRule.LIVE, 10, 4000), at(0)).admitted())
        .as("under the live rule max_tokens is not held").isTrue();
  }

  @Test
  void requestsRunOutFirstUnderALowRpm() {
    PoolBuckets pool = PoolBuckets.forPool(new Limits(2, 6000, 1200), WINDOW, 0, T0);
    assertThat(pool.tryAdmit(Need.forMessages(OutputRule.RESERVE, 10, 10), at(0)).admitted()).isTrue();
    assertThat(pool.tryAdmit(Need.forMessages(OutputRule.RESERVE, 10, 10), at(0)).admitted()).isTrue();
    Admission third = pool.tryAdmit(Need.forMessages(OutputRule.RESERVE, 10, 10), at(0));
    assertThat(third.limitedBy()).isEqualTo(BucketKind.REQUESTS);
    assertThat(third.retryAfterSeconds()).isEqualTo(30); // 1 / (2 / 60 s)
    assertThat(RateLimitHeaders.of(third.buckets(), wall(0)))
        .containsEntry("anthropic-ratelimit-requests-remaining", "0")
        .containsEntry("anthropic-ratelimit-requests-reset", "2026-03-01T12:01:00Z");
    Admission later = pool.tryAdmit(Need.forMessages(OutputRule.RESERVE, 10, 10), at(29.5));
    assertThat(later.retryAfterSeconds()).isEqualTo(1);
    assertThat(pool.tryAdmit(Need.forMessages(OutputRule.RESERVE, 10, 10), at(30)).admitted()).isTrue();
  }

  @Test
  void liveChargesWhatIsGeneratedAndRefusesWhileInDebt() {
    Admission first = full.tryAdmit(Need.forMessages(OutputRule.LIVE, 100, 4000), at(0));
    assertThat(first.admitted()).isTrue();
    assertThat(level(first, BucketKind.OUTPUT_TOKENS)).as("nothing held at admission").isEqualTo(1200);

    full.chargeOutput(1500, at(0)); // generated more than the bucket held: debt
    Map<String, String> headers = RateLimitHeaders.of(full.snapshot(at(0)), wall(0));
    assertThat(headers)
        .containsEntry("anthropic-ratelimit-output-tokens-remaining", "0")
        .containsEntry("anthropic-ratelimit-output-tokens-reset", "2026-03-01T12:01:15Z"); // (1200 + 300) / 20

    Admission inDebt = full.tryAdmit(Need.forMessages(OutputRule.LIVE, 100, 10), at(0));
    assertThat(inDebt.admitted()).isFalse();
    assertThat(inDebt.limitedBy()).isEqualTo(BucketKind.OUTPUT_TOKENS);
    assertThat(inDebt.retryAfterSeconds()).isEqualTo(16); // (1 + 300) / 20 = 15.05

    Admission atZero = full.tryAdmit(Need.forMessages(OutputRule.LIVE, 100, 10), at(15));
    assertThat(atZero.admitted()).as("a level of 0 is still below 1").isFalse();
    assertThat(atZero.retryAfterSeconds()).isEqualTo(1);

    Admission atOne = full.tryAdmit(Need.forMessages(OutputRule.LIVE, 100, 10), at(15.05));
    assertThat(atOne.admitted()).isTrue();
    assertThat(level(atOne, BucketKind.OUTPUT_TOKENS)).isCloseTo(1.0, within(1e-6));
  }

  @Test
  void aSmallBurstCapsEveryBucket() {
    PoolBuckets pool = PoolBuckets.forPool(LIMITS, WINDOW, 6 * SECOND, T0); // C = rate × 6 s
    Map<String, String> fresh = RateLimitHeaders.of(pool.snapshot(at(0)), wall(0.25));
    assertThat(fresh).containsExactlyEntriesOf(ordered(
        "anthropic-ratelimit-requests-limit", "60",
        "anthropic-ratelimit-requests-remaining", "6",
        "anthropic-ratelimit-requests-reset", "2026-03-01T12:00:01Z", // full: now, rounded up
        "anthropic-ratelimit-input-tokens-limit", "6000",
        "anthropic-ratelimit-input-tokens-remaining", "1000", // 600
        "anthropic-ratelimit-input-tokens-reset", "2026-03-01T12:00:01Z",
        "anthropic-ratelimit-output-tokens-limit", "1200",
        "anthropic-ratelimit-output-tokens-remaining", "0", // 120
        "anthropic-ratelimit-output-tokens-reset", "2026-03-01T12:00:01Z",
        "anthropic-ratelimit-tokens-limit", "7200",
        "anthropic-ratelimit-tokens-remaining", "1000",
        "anthropic-ratelimit-tokens-reset", "2026-03-01T12:00:01Z"));

    for (int i = 0; i < 6; i++) {
      assertThat(pool.tryAdmit(Need.forMessages(OutputRule.RESERVE, 50, 10), at(0)).admitted()).isTrue();
    }
    Admission seventh = pool.tryAdmit(Need.forMessages(OutputRule.RESERVE, 50, 10), at(0));
    assertThat(seventh.limitedBy()).isEqualTo(BucketKind.REQUESTS);
    assertThat(seventh.retryAfterSeconds()).isEqualTo(1);

    Admission tooMuchInput = pool.tryAdmit(Need.forMessages(OutputRule.RESERVE, 700, 10), at(10));
    assertThat(tooMuchInput.exceedsCapacity()).as("700 fits the limit but never the burst").isTrue();
    assertThat(tooMuchInput.retryAfterSeconds()).isEqualTo(60);
    assertThat(RateLimitMessages.exceedsLimit(BucketKind.INPUT_TOKENS, 6000, 700, 600))
        .contains("exceeds the rate limit").contains("6,000 input tokens per minute")
        .contains("burst capacity of 600");

    Admission tooMuchOutput = pool.tryAdmit(Need.forMessages(OutputRule.RESERVE, 10, 200), at(10));
    assertThat(tooMuchOutput.exceedsCapacity()).isTrue();
    assertThat(tooMuchOutput.limitedBy()).isEqualTo(BucketKind.OUTPUT_TOKENS);
  }

  @Test
  void refillNeverPassesCapacityAndRefundsAreClipped() {
    full.tryAdmit(Need.forMessages(OutputRule.RESERVE, 600, 600), at(0));
    full.refundOutput(600, at(0));
    assertThat(full.snapshot(at(0)).get(2).level()).isEqualTo(1200);
    assertThat(full.snapshot(at(3600)).get(1).level()).isEqualTo(6000);
  }

  @Test
  void changedLimitsShowAtOnceAndClipLevels() {
    full.tryAdmit(Need.forMessages(OutputRule.RESERVE, 1000, 100), at(0)); // input 5,000
    full.changeLimits(new Limits(30, 3000, 1200), at(0));
    Map<String, String> h = RateLimitHeaders.of(full.snapshot(at(0)), wall(0));
    assertThat(h)
        .containsEntry("anthropic-ratelimit-requests-limit", "30")
        .containsEntry("anthropic-ratelimit-requests-remaining", "30") // 59 clipped to 30
        .containsEntry("anthropic-ratelimit-input-tokens-limit", "3000")
        .containsEntry("anthropic-ratelimit-input-tokens-remaining", "3000")
        .containsEntry("anthropic-ratelimit-input-tokens-reset", "2026-03-01T12:00:00Z");
    full.changeLimits(new Limits(60, 6000, 1200), at(0));
    Map<String, String> raised = RateLimitHeaders.of(full.snapshot(at(0)), wall(0));
    assertThat(raised)
        .as("raising a limit does not fill the bucket")
        .containsEntry("anthropic-ratelimit-input-tokens-remaining", "3000")
        .containsEntry("anthropic-ratelimit-input-tokens-reset", "2026-03-01T12:00:30Z");
  }

  @Test
  void tokenRemainingRoundsToTheNearestThousand() {
    assertThat(remaining(BucketKind.INPUT_TOKENS, 1499.9)).isEqualTo(1000);
    assertThat(remaining(BucketKind.INPUT_TOKENS, 1500)).isEqualTo(2000);
    assertThat(remaining(BucketKind.INPUT_TOKENS, 499)).isZero();
    assertThat(remaining(BucketKind.INPUT_TOKENS, -50)).isZero();
    assertThat(remaining(BucketKind.REQUESTS, 3.99)).isEqualTo(3);
  }

  private static long remaining(BucketKind kind, double level) {
    return RateLimitHeaders.remaining(new BucketState(kind, 10_000, 10_000, level, 100));
  }

  private static Map<String, String> ordered(String... kv) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
