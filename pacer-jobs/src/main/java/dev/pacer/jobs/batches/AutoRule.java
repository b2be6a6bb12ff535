package dev.pacer.jobs.batches;

import dev.pacer.jobs.Durations;
import dev.pacer.jobs.PacingConfig;
import dev.pacer.jobs.Via;
import dev.pacer.jobs.internal.LowerBound;
import dev.pacer.limits.Limits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code --via auto}: which API a job goes through, decided once the input is checked. In order:
 *
 * <ol>
 *   <li>batches in flight from an earlier run: <b>batches</b> (to collect them; nothing is sent twice);
 *   <li>nothing to send: <b>messages</b>;
 *   <li>a {@code --deadline} under 24 hours: <b>messages</b> (a batch may take up to 24 hours);
 *   <li>fewer than {@value #MIN_REQUESTS} requests to send: <b>messages</b>;
 *   <li>batches would save at least {@code $}{@value #MIN_SAVING_USD} on the worst case (input as
 *       estimated, every answer at max_tokens): <b>batches</b>;
 *   <li>the least possible time through the Messages API, under limits that are known, is
 *       {@value #MIN_DIRECT_MINUTES} minutes or more: <b>batches</b> (spares the interactive limits);
 *   <li>otherwise <b>messages</b>.
 * </ol>
 */
public final class AutoRule {

  /** A batch ends within 24 hours; a deadline shorter than that rules batches out. */
  public static final Duration BATCH_TURNAROUND = Duration.ofHours(24);
  public static final int MIN_REQUESTS = 100;
  public static final double MIN_SAVING_USD = 0.50;
  public static final int MIN_DIRECT_MINUTES = 10;

  private AutoRule() {}

  /** The API chosen and why, in a phrase. */
  public record Choice(Via via, String why) {
    @Override
    public String toString() {
      return via.name().toLowerCase(Locale.ROOT) + " (" + why + ")";
    }
  }

  /**
   * The least possible time through the Messages API (requests and input tokens), if the limits are known.
   *
   * @param loads per pool: requests, estimated input tokens
   */
  public static Optional<Duration> leastDirectTime(Map<String, long[]> loads, Function<String, Limits> limitsOf,
      PacingConfig pacing) {
    List<LowerBound.PoolLoad> pools = new ArrayList<>();
    loads.forEach((pool, load) -> pools.add(new LowerBound.PoolLoad(pool, load[0], load[1], 0)));
    if (pools.isEmpty()) {
      return Optional.empty();
    }
    LowerBound.Bound bound = LowerBound.compute(pools, limitsOf, pacing.window(), pacing.burst(), Duration.ZERO);
    return bound.complete() ? Optional.of(bound.time()) : Optional.empty();
  }

  /**
   * @param toSend requests the run would send
   * @param worstStandardUsd their worst-case cost at standard prices
   * @param batchFactor batch price ÷ standard price (0.5)
   * @param leastDirectTime the least possible time through the Messages API, if the limits are known
   * @param deadline {@code --deadline}
   * @param batchesInFlight batches an earlier run left in flight
   */
  public static Choice choose(int toSend, double worstStandardUsd, double batchFactor,
      Optional<Duration> leastDirectTime, Optional<Duration> deadline, int batchesInFlight) {
    if (batchesInFlight > 0) {
      return new Choice(Via.BATCHES, batchesInFlight + " batch" + (batchesInFlight == 1 ? "" : "es")
          + " of an earlier run still in flight");
    }
    if (toSend == 0) {
      return new Choice(Via.MESSAGES, "nothing to send");
    }
    if (deadline.isPresent() && deadline.get().compareTo(BATCH_TURNAROUND) < 0) {
      return new Choice(Via.MESSAGES, "--deadline " + Durations.format(deadline.get())
          + " is under the 24 h a batch may take");
    }
    if (toSend < MIN_REQUESTS) {
      return new Choice(Via.MESSAGES, toSend + " requests, fewer than " + MIN_REQUESTS);
    }
    double saving = worstStandardUsd * (1 - batchFactor);
    String money = String.format(Locale.ROOT, "could cost $%.2f directly, $%.2f in batches", worstStandardUsd,
        worstStandardUsd * batchFactor);
    if (saving >= MIN_SAVING_USD) {
      return new Choice(Via.BATCHES, toSend + " requests; " + money);
    }
    if (leastDirectTime.isPresent() && leastDirectTime.get().compareTo(Duration.ofMinutes(MIN_DIRECT_MINUTES)) >= 0) {
      return new Choice(Via.BATCHES, toSend + " requests; at least " + Durations.format(leastDirectTime.get())
          + " through the Messages API");
    }
    return new Choice(Via.MESSAGES, toSend + " requests; " + money
        + (leastDirectTime.filter(t -> t.toSeconds() >= 1).map(t -> "; at least " + Durations.format(t) + " directly")
            .orElse("")));
  }
}
