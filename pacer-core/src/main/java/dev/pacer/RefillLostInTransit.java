package dev.pacer;

/**
 * The refill a server's full bucket forgoes while requests granted from it are still on their way.
 * The forecast takes a grant at once; the server takes it when the request arrives, and a bucket at
 * its capacity meanwhile gains nothing. A cold client's first requests leave hundreds of
 * milliseconds after their permits (classes loaded, connections opened): refilling from the grants
 * on, the forecast ran ahead of a full server bucket by that much refill, more than the jitter
 * allowance keeps in hand, and a one-second burst drew 429s.
 *
 * <p>Only the permits of demands whose transport says when the request left
 * ({@link Demand#sendReported()}, {@link Permit#sent()}) are followed; any other request counts as
 * having left at its grant, as before. A grant with none of them on the way opens an episode: the
 * server's level then is the forecast's plus what the requests on their way hold, and whatever it
 * would refill beyond its capacity until the first of them leaves is lost. That loss is taken from
 * the forecast before every take while the episode lasts (so nothing is granted on refill the
 * server never got) and when it ends. Losses under a millisecond of refill are not worth a call on
 * a shared store and are dropped.
 *
 * <p>Not thread-safe: the pool's lock guards it.
 */
final class RefillLostInTransit {

  /** Losses below this much refill are left out (well inside the jitter allowance). */
  private static final long NEGLIGIBLE_NANOS = 1_000_000L;

  /** The pool's buckets as the forecast knows them now. */
  interface Buckets {
    double capacity(int b);

    double ratePerNano(int b);

    /** Whether the server charges bucket {@code b} at admission and its limit is known. */
    boolean chargedAtAdmission(int b);
  }

  private final Buckets buckets;
  private int onTheirWay;
  private final double[] heldOnTheirWay = new double[3];
  private boolean open;
  private long openedAt;
  private final double[] serverLevelAtOpen = new double[3];
  private final double[] taken = new double[3];

  RefillLostInTransit(Buckets buckets) {
    this.buckets = buckets;
  }

  /**
   * A permit whose send will be reported was granted at {@code now}, taking {@code admitted} and
   * leaving the forecast at {@code levelsAfter} (NaN for a bucket without a known level).
   */
  void granted(double[] admitted, double[] levelsAfter, long now) {
    if (!open) {
      open = true;
      openedAt = now;
      for (int b = 0; b < 3; b++) {
        serverLevelAtOpen[b] = levelsAfter[b] + admitted[b] + heldOnTheirWay[b];
        taken[b] = 0;
      }
    }
    onTheirWay++;
    for (int b = 0; b < 3; b++) {
      heldOnTheirWay[b] += admitted[b];
    }
  }

  /** What the followed permits whose requests have not left yet took of bucket {@code b}. */
  double heldOnTheirWay(int b) {
    return onTheirWay == 0 ? 0 : heldOnTheirWay[b];
  }

  /**
   * The loss not yet taken from the forecast, as of {@code now}, or null when there is none worth
   * taking; counts it as taken.
   */
  double[] lossToTake(long now) {
    if (!open) {
      return null;
    }
    double[] loss = null;
    for (int b = 0; b < 3; b++) {
      double rate = buckets.ratePerNano(b);
      if (!buckets.chargedAtAdmission(b) || Double.isNaN(serverLevelAtOpen[b]) || rate <= 0) {
        continue;
      }
      double lost = serverLevelAtOpen[b] + rate * Math.max(0, now - openedAt) - buckets.capacity(b);
      double more = lost - taken[b];
      if (more > rate * NEGLIGIBLE_NANOS) {
        if (loss == null) {
          loss = new double[3];
        }
        loss[b] = more;
        taken[b] = lost;
      }
    }
    return loss;
  }

  /**
   * The request of a followed permit that took {@code admitted} left at {@code now}: the server's
   * level stops being held at its capacity. Returns the loss left to take, as {@link #lossToTake}.
   */
  double[] sent(double[] admitted, long now) {
    double[] loss = lossToTake(now);
    open = false;
    forget(admitted);
    return loss;
  }

  /** A followed permit ended without its request reaching the server: nothing arrived. */
  void withdrawn(double[] admitted) {
    forget(admitted);
    if (onTheirWay == 0) {
      open = false;
    }
  }

  private void forget(double[] admitted) {
    onTheirWay--;
    for (int b = 0; b < 3; b++) {
      heldOnTheirWay[b] = onTheirWay == 0 ? 0 : heldOnTheirWay[b] - admitted[b];
    }
  }
}
