package dev.pacer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RefillLostInTransitTest {

  private static final long MS = 1_000_000L;
  /** 10 requests, 1,000 input and 1,000 output tokens a second; capacity a second's worth. */
  private static final double[] RATE = {10e-9, 1_000e-9, 1_000e-9};
  private static final double[] CAPACITY = {10, 1_000, 1_000};
  private final boolean[] counted = {true, true, true};
  private final RefillLostInTransit transit = new RefillLostInTransit(new RefillLostInTransit.Buckets() {
    @Override
    public double capacity(int b) {
      return CAPACITY[b];
    }

    @Override
    public double ratePerNano(int b) {
      return RATE[b];
    }

    @Override
    public boolean chargedAtAdmission(int b) {
      return counted[b];
    }
  });

  @Test
  void aBucketBelowItsCapacityLosesOnlyOnceItWouldHaveFilled() {
    // Requests at 7 of 10 (3 short: 300 ms of refill); one granted, leaving 6.
    transit.granted(new double[] {1, 100, 100}, new double[] {6, 900, 500}, 0);
    double[] loss = transit.lossToTake(200 * MS);
    assertThat(loss[0]).as("requests still filling at the server").isZero();
    assertThat(loss[1]).as("input full from the start").isCloseTo(200, within(1e-9));
    loss = transit.lossToTake(500 * MS);
    assertThat(loss[0]).as("requests full at 300 ms").isCloseTo(2, within(1e-9));
    assertThat(loss[1]).as("input: the 300 ms since the last take").isCloseTo(300, within(1e-9));
    assertThat(loss[2]).as("output 400 short: full at 400 ms").isCloseTo(100, within(1e-9));
    loss = transit.sent(new double[] {1, 100, 100}, 600 * MS);
    assertThat(loss[0]).as("only what was not taken yet").isCloseTo(1, within(1e-9));
    assertThat(loss[1]).isCloseTo(100, within(1e-9));
    assertThat(loss[2]).isCloseTo(100, within(1e-9));
    assertThat(transit.lossToTake(900 * MS)).as("closed by the send").isNull();
  }

  @Test
  void requestsStillOnTheirWayCountInTheNextEpisode() {
    double[] one = {1, 0, 0};
    transit.granted(one, new double[] {9, Double.NaN, Double.NaN}, 0);
    transit.granted(one, new double[] {8, Double.NaN, Double.NaN}, 0);
    assertThat(transit.sent(one, 0)).isNull();
    // The other is still on its way: the forecast is at 7 after the next grant, the server (without
    // those two) at 9, full again 100 ms later.
    transit.granted(one, new double[] {7, Double.NaN, Double.NaN}, 0);
    assertThat(transit.lossToTake(100 * MS)).isNull();
    assertThat(transit.lossToTake(300 * MS)[0]).isCloseTo(2, within(1e-9));
  }

  @Test
  void aWithdrawnRequestLeavesTheEpisodeOpenUntilOneLeaves() {
    double[] one = {1, 0, 0};
    transit.granted(one, new double[] {9, Double.NaN, Double.NaN}, 0);
    transit.granted(one, new double[] {8, Double.NaN, Double.NaN}, 0);
    transit.withdrawn(one);
    assertThat(transit.lossToTake(100 * MS)[0]).isCloseTo(1, within(1e-9));
    transit.withdrawn(one);
    assertThat(transit.lossToTake(200 * MS)).as("nothing on its way: closed").isNull();
  }

  @Test
  void lossesUnderAMillisecondOfRefillAndBucketsLeftOutAreNotTaken() {
    transit.granted(new double[] {1, 1, 1}, new double[] {9, 999, 999}, 0);
    assertThat(transit.lossToTake(MS / 2)).isNull();
    counted[1] = false;
    counted[2] = false;
    double[] loss = transit.lossToTake(5 * MS);
    assertThat(loss[0]).isCloseTo(0.05, within(1e-9));
    assertThat(loss[1]).isZero();
    assertThat(loss[2]).isZero();
  }
}
