package dev.pacer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GrantsSoonAfterTest {

  private static final long SPAN = 50_000_000L;
  private static final int REQ = 0;
  private static final int IN = 1;
  private static final int OUT = 2;

  private final GrantsSoonAfter grants = new GrantsSoonAfter();

  @Test
  void countsWhatWasGrantedWithinTheSpanAfterAPermitAndNothingLater() {
    Permit first = permit(0);
    grants.granted(first, new long[] {1, 2_000, 400}, true, 0, SPAN);
    grants.granted(permit(10_000_000L), new long[] {1, 1_000, 400}, true, 10_000_000L, SPAN);
    grants.granted(permit(40_000_000L), new long[] {1, 500, 400}, true, 40_000_000L, SPAN);

    assertThat(grants.after(first, REQ, 45_000_000L, SPAN)).as("still open: so far").isEqualTo(2);
    // Granted 60 ms after the first: beyond its span, so it cannot have overtaken it.
    grants.granted(permit(60_000_000L), new long[] {1, 9_000, 400}, true, 60_000_000L, SPAN);
    assertThat(grants.after(first, REQ, 5_000_000_000L, SPAN)).isEqualTo(2);
    assertThat(grants.after(first, IN, 5_000_000_000L, SPAN)).isEqualTo(1_500);
    assertThat(grants.after(first, OUT, 5_000_000_000L, SPAN)).isEqualTo(800);
  }

  @Test
  void outputNotChargedAtAdmissionCountsNothing() {
    Permit first = permit(0);
    grants.granted(first, new long[] {1, 100, 400}, false, 0, SPAN);
    grants.granted(permit(1_000_000L), new long[] {1, 100, 400}, false, 1_000_000L, SPAN);
    assertThat(grants.after(first, OUT, 2_000_000L, SPAN)).isZero();
    assertThat(grants.after(first, REQ, 2_000_000L, SPAN)).isEqualTo(1);
  }

  @Test
  void theLastOfABurstHasNothingAfterItAndAPermitNeverSeenCountsNothing() {
    Permit last = null;
    for (int i = 0; i < 48; i++) {
      last = permit(i * 100_000L);
      grants.granted(last, new long[] {1, 40, 400}, true, i * 100_000L, SPAN);
    }
    assertThat(grants.after(last, REQ, 1_000_000_000L, SPAN)).isZero();
    assertThat(grants.after(permit(0), REQ, 1_000_000_000L, SPAN)).isZero();
  }

  @Test
  void beyondTheLimitOfOpenSpansTheOldestGetsItsFigureEarlyAndSmaller() {
    Permit first = permit(0);
    grants.granted(first, new long[] {1, 0, 0}, true, 0, SPAN);
    for (int i = 1; i <= 2_000; i++) {
      grants.granted(permit(i), new long[] {1, 0, 0}, true, i, SPAN); // all within the span
    }
    // Closed when the 1,025th was granted: 1,023 grants after it by then, and no more since.
    assertThat(grants.after(first, REQ, 3_000, SPAN)).isEqualTo(1_023);
  }

  private static Permit permit(long grantedAt) {
    return new Permit(null, null, new long[3], new double[3], new double[3], new double[3], grantedAt, 0, null, 1);
  }
}
