package dev.pacer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The pace after a refused ramp-up, on virtual time (nanoseconds from 0; a one-minute window). */
class RampLimiterTest {

  private static final long SECOND = 1_000_000_000L;
  private static final long WINDOW = 60 * SECOND;

  /** Two refusals a millisecond apart, without retry-after: the second sets the pace. */
  private static double refusedTwice(RampLimiter ramp, long at) {
    assertThat(ramp.refused(at - 1_000_000, 0)).as("one alone sets no pace").isZero();
    return ramp.refused(at, 0);
  }

  @Test
  void oneRefusalAloneSetsNoPaceAndTheServersRetryAfterIsItsFloor() {
    RampLimiter ramp = new RampLimiter(WINDOW);
    assertThat(ramp.refused(SECOND, 2 * SECOND)).isZero();
    assertThat(ramp.active()).isFalse();
    assertThat(ramp.refused(WINDOW + 2 * SECOND, 2 * SECOND)).as("a window later: alone again").isZero();
    // Nothing admitted, but the server said one more may go in 2 s: 30 a window.
    assertThat(ramp.refused(WINDOW + 3 * SECOND, 2 * SECOND)).isEqualTo(30.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  /** Sends whenever the pace lets one go, from {@code from} to {@code until}; returns how many went. */
  private static int sendAtPace(RampLimiter ramp, long from, long until) {
    int sent = 0;
    long now = from;
    while (now < until) {
      long wait = ramp.nanosUntilNext(now);
      if (wait > 0) {
        now += wait;
        continue;
      }
      ramp.took(now);
      sent++;
    }
    return sent;
  }

  @Test
  void anAttemptRefusedIsNoLongerCountedAsAdmitted() {
    RampLimiter ramp = new RampLimiter(WINDOW);
    for (int i = 0; i < 10; i++) {
      ramp.took(i * SECOND);
    }
    ramp.notAdmitted(3 * SECOND);
    ramp.notAdmitted(4 * SECOND);
    assertThat(refusedTwice(ramp, 11 * SECOND)).isEqualTo(8.0);
  }

  @Test
  void noPaceUntilARefusal() {
    RampLimiter ramp = new RampLimiter(WINDOW);
    for (int i = 0; i < 1_000; i++) {
      ramp.admitted(i * 1_000_000L);
    }
    assertThat(ramp.active()).isFalse();
    assertThat(ramp.nanosUntilNext(SECOND)).isZero();
    assertThat(ramp.admittedInLastWindow(SECOND)).isEqualTo(1_000);
    assertThat(ramp.admittedInLastWindow(SECOND + WINDOW)).as("a window later").isZero();
  }

  @Test
  void afterARefusalTheNextWindowCarriesWhatTheLastAdmittedGrownByHalfAtMost() {
    RampLimiter ramp = new RampLimiter(WINDOW);
    for (int i = 0; i < 40; i++) {
      ramp.admitted(i * SECOND / 10); // 40 admitted in the first four seconds
    }
    long refusedAt = 5 * SECOND;
    assertThat(refusedTwice(ramp, refusedAt)).isEqualTo(40.0);
    assertThat(ramp.nanosUntilNext(refusedAt)).as("nothing at once").isPositive();

    int nextWindow = sendAtPace(ramp, refusedAt, refusedAt + WINDOW);
    // The pace starts at 40 a window and grows to 60 over it: about 49 (20 / ln 1.5, an exponential's mean).
    assertThat(nextWindow).isBetween(45, 53);
    int windowAfter = sendAtPace(ramp, refusedAt + WINDOW, refusedAt + 2 * WINDOW);
    assertThat(windowAfter).isBetween(70, 78);
  }

  @Test
  void aSecondRefusalNeverRaisesThePaceAndItStepsAsideOnceGrownAThousandfold() {
    RampLimiter ramp = new RampLimiter(WINDOW);
    ramp.admitted(0);
    assertThat(refusedTwice(ramp, SECOND)).isEqualTo(1.0);
    for (int i = 0; i < 100; i++) {
      ramp.admitted(2 * SECOND + i);
    }
    assertThat(ramp.refused(3 * SECOND, 0)).as("101 admitted in the window, but the pace stays").isLessThan(1.1);

    // 1.5 a window: 1,024-fold takes 17.1 windows.
    assertThat(ramp.nanosUntilNext(3 * SECOND + 17 * WINDOW)).isZero();
    assertThat(ramp.active()).as("grown 985-fold").isTrue();
    ramp.took(3 * SECOND + 17 * WINDOW);
    ramp.nanosUntilNext(3 * SECOND + 18 * WINDOW);
    assertThat(ramp.active()).as("grown past 1,024-fold").isFalse();
  }
}
