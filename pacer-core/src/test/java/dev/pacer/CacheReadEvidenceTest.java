package dev.pacer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When the readings show that a server counts cache reads the model data says it does not. */
class CacheReadEvidenceTest {

  private static final long WINDOW = 6_000_000_000L;
  private static final double ROUNDING = 500;

  private final CacheReadEvidence evidence = new CacheReadEvidence(false, ROUNDING, WINDOW);

  @Test
  void readingsShortByTheReadsWhileReadsAreUnderWayMakeThePoolCountThem() {
    Permit first = read(20);
    Permit second = read(20);
    evidence.granted(first);
    evidence.granted(second);
    // The burst's first reading shows both reads charged: about 2 × 2,200 beyond the forecast.
    evidence.lowered(first, 4_900, 10);
    evidence.lowered(second, 0, 11);
    assertThat(evidence.settled(first, 2_200, 22, 20)).as("one answer is not enough").isFalse();
    evidence.ended(first);
    assertThat(evidence.settled(second, 2_200, 22, 21)).isTrue();
    evidence.ended(second);
    assertThat(evidence.counted()).isTrue();
    assertThat(evidence.extraFor(read(20).demand)).isEqualTo(2_200);
    assertThat(evidence.extraFor(Demand.estimated("claude-haiku-4-5", "whole prompt", 100))).isZero();

    Permit later = read(20);
    evidence.granted(later);
    assertThat(later.readsCounted).isTrue();
  }

  @Test
  void readingsThatAgreeWithTheForecastLeaveReadsFree() {
    for (int i = 0; i < 20; i++) {
      Permit permit = read(20);
      evidence.granted(permit);
      // Now and then a reading lowers the forecast a little beyond its rounding (drift, another client).
      evidence.lowered(permit, i % 5 == 0 ? 1_200 : 0, i);
      assertThat(evidence.settled(permit, 2_200, 22, i)).isFalse();
      evidence.ended(permit);
    }
    assertThat(evidence.counted()).isFalse();
    assertThat(evidence.extraFor(read(20).demand)).isZero();
  }

  @Test
  void aLoweringWithNoReadUnderWayIsNoEvidence() {
    Permit plain = new Permit(null, Demand.estimated("claude-haiku-4-5", "a long prompt", 100), new long[] {1, 5_000, 100},
        new double[3], new double[3], new double[3], 0, 0, null, 1);
    evidence.granted(plain);
    evidence.lowered(plain, 9_000, 5); // another client took that, say
    evidence.settled(plain, 0, 5_000, 6);
    evidence.ended(plain);
    for (int i = 0; i < 2; i++) {
      Permit permit = read(20);
      evidence.granted(permit);
      assertThat(evidence.settled(permit, 2_200, 22, 10 + i)).isFalse();
      evidence.ended(permit);
    }
    assertThat(evidence.counted()).isFalse();
  }

  @Test
  void whatAnAttemptsOwnEstimateFellShortOfItsCountIsTakenOut() {
    Permit first = read(20);
    Permit second = read(20);
    evidence.granted(first);
    evidence.granted(second);
    // The reading is short by the first attempt's own under-estimate: 3,000 counted against 20 held.
    evidence.lowered(first, 3_500, 10);
    assertThat(evidence.settled(first, 2_200, 3_000, 20)).isFalse();
    assertThat(evidence.settled(second, 2_200, 22, 21)).isFalse();
    assertThat(evidence.counted()).isFalse();
  }

  @Test
  void aPoolTheModelDataSaysCountsReadsCountsThemFromTheStart() {
    CacheReadEvidence told = new CacheReadEvidence(true, ROUNDING, WINDOW);
    Permit permit = read(20);
    told.granted(permit);
    assertThat(permit.readsCounted).isTrue();
    assertThat(told.counted()).isTrue();
    assertThat(told.settled(permit, 2_200, 2_222, 5)).as("nothing left to learn").isFalse();
  }

  /** A permit for a question held without the document it reads from the cache. */
  private static Permit read(long heldInput) {
    Demand demand = Demand.estimated("claude-haiku-4-5", "Question: what is the main figure?", 100).withCacheReadAssumed();
    return new Permit(null, demand, new long[] {1, heldInput, 100}, new double[3], new double[3], new double[3], 0, 0,
        null, 1);
  }
}
