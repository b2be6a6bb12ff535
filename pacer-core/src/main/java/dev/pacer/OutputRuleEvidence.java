package dev.pacer;

import dev.pacer.limits.Bucket;
import java.util.LinkedHashSet;

/**
 * What a pool that was not told the output rule has seen of it: whether a response's output
 * reading proves that the server does not hold {@code max_tokens} at admission (the reserve rule,
 * assumed until then), so that it counts output live. Not thread-safe: the pool's lock guards it.
 *
 * <p>Two proofs. First, the attempts granted together with one (its cohort, granted within a
 * span far shorter than any answer): under the reserve rule the last of them to be admitted saw
 * the max_tokens of all of them held (none can be done before the last arrives), so the lowest
 * reading among those seen so far is at most the limit less all their max_tokens. Second, under
 * the reserve rule, when the server admitted an attempt it held that attempt's max_tokens and
 * those of every attempt sent well before it (granted earlier than a request may take to reach the
 * server, and gone before it was granted where the transport reports sends) whose answer is not
 * back yet (a stream under way is left out: it may have ended at the server before its end
 * reaches this client). A bucket holds at most its limit and gains at most its
 * refill between two admissions, and {@code remaining} is within the rounding of the level, so a
 * reading more than rounding and margin above the limit, plus the refill over the span of the
 * admissions counted, less those holds cannot come from the reserve rule. Another client on the
 * same key only lowers readings, so it cannot fake a proof.
 */
final class OutputRuleEvidence {

  /** Readings that must disprove the reserve rule before the live rule is taken. */
  static final int READINGS_NEEDED = 2;

  /** Attempts granted together (see the class comment). */
  static final class Cohort {
    final long openedAt;
    long lastGrantedAt;
    double observedHeld;
    double lowestRemaining = Double.POSITIVE_INFINITY;

    Cohort(long openedAt) {
      this.openedAt = openedAt;
      this.lastGrantedAt = openedAt;
    }
  }

  private final double rounding;
  /** The permits in flight, in the order granted. */
  private final LinkedHashSet<Permit> inFlight = new LinkedHashSet<>();
  private Cohort cohort;
  private int readings;
  /** Output tokens of every answer settled so far. */
  private long settledOutput;

  /** @param rounding how far a token reading may be from the level (500: rounded to the nearest 1,000) */
  OutputRuleEvidence(double rounding) {
    this.rounding = rounding;
  }

  /** A permit was granted at {@code now}; a cohort stays open for {@code cohortSpanNanos}. */
  void granted(Permit permit, long now, long cohortSpanNanos) {
    inFlight.add(permit);
    permit.settledOutputAtGrant = settledOutput;
    if (cohort == null || now - cohort.openedAt > cohortSpanNanos) {
      cohort = new Cohort(now);
    }
    cohort.lastGrantedAt = now;
    permit.cohort = cohort;
  }

  /** A permit ended (settled or released). */
  void ended(Permit permit) {
    inFlight.remove(permit);
  }

  void settled(long outputTokens) {
    settledOutput += outputTokens;
  }

  /** Output the server has charged, or will, for answers settled since {@code permit} was granted. */
  long settledSince(Permit permit) {
    return settledOutput - permit.settledOutputAtGrant;
  }

  /**
   * Takes the output reading {@code remaining} of an admitted attempt; returns whether enough
   * readings have now proved the live rule (then the caller switches, and stops asking).
   *
   * @param held what {@code permit} held for output (its max_tokens under the reserve rule)
   */
  /**
   * @param sendOrderNanos how long after its permit a request may reach the server: one granted
   *     earlier than that before {@code permit} is taken to have arrived first
   * @param refillPerNano the bucket's refill rate: between two admissions it gains at most that
   */
  boolean provesLive(Permit permit, double remaining, double held, long limit, long sendOrderNanos,
      double refillPerNano) {
    if (disprovesReserve(permit, remaining, held, limit, sendOrderNanos, refillPerNano)
        && ++readings >= READINGS_NEEDED) {
      inFlight.clear();
      cohort = null;
      return true;
    }
    return false;
  }

  /**
   * Whether the reading cannot come from the reserve rule. The holds counted were all made by the
   * server between the first of their admissions and this one's, and over that span the bucket
   * refilled: a hold under way for longer than the bucket takes to refill is no longer missing
   * from its level. So the level is at most the limit, plus the refill over that span, less the
   * holds (without the refill, answers under way for seconds against a bucket that refills in a
   * few made every reading look live).
   */
  private boolean disprovesReserve(Permit permit, double remaining, double held, long limit, long sendOrderNanos,
      double refillPerNano) {
    double margin = 2 * rounding;
    Cohort together = permit.cohort;
    if (together != null) {
      together.observedHeld += held;
      together.lowestRemaining = Math.min(together.lowestRemaining, remaining);
      double refill = refillPerNano * (together.lastGrantedAt + sendOrderNanos - together.openedAt);
      if (together.observedHeld >= 4 * rounding
          && together.lowestRemaining > limit + refill - together.observedHeld + margin) {
        return true;
      }
    }
    double heldBefore = held;
    long earliest = permit.grantedAt;
    for (Permit other : inFlight) {
      if (permit.grantedAt - other.grantedAt < sendOrderNanos) {
        break; // granted in this order: the rest are later still
      }
      if (other.demand.sendReported() && !(other.left && other.leftAt - permit.grantedAt < 0)) {
        // Its transport says when it left: not gone before this one was granted, it may have
        // reached the server after this one (a cold client, a slow thread) and was not held then.
        continue;
      }
      if (other.answering) {
        // A stream under way may have ended at the server, its unused output refunded, before
        // this admission, while its last event is still on its way here: its hold proves nothing
        // (counted, a race of milliseconds took a reserve server's readings for live ones).
        continue;
      }
      heldBefore += other.reserved[Bucket.OUTPUT_TOKENS.ordinal()];
      earliest = Math.min(earliest, other.grantedAt);
    }
    double refill = refillPerNano * (permit.grantedAt + sendOrderNanos - earliest);
    return remaining > limit + refill - heldBefore + margin;
  }
}
