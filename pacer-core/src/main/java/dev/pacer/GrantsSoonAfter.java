package dev.pacer;

import java.util.ArrayDeque;

/**
 * What the server was asked to charge at admission by the permits granted within a span after
 * each permit: requests that may have reached the server before it (requests sent together arrive
 * in any order), so that its reading already shows them charged. A reading lower than the forecast
 * by no more than that is no news: the forecast holds those grants too. Without this, a burst sent
 * at once lowered the forecast by its largest reordering (a dozen requests of a burst of 48).
 *
 * <p>Each permit is marked with the running total when granted and gets its figure when its span
 * ends, at the next grant or reading after that: one pass per permit, however many are in flight.
 * At most {@value #MAX_OPEN} permits wait for their span to end; beyond that the oldest gets its
 * figure early (smaller, so readings correct it more, never less). Not thread-safe: the pool's lock
 * guards it.
 */
final class GrantsSoonAfter {

  private static final int MAX_OPEN = 1_024;

  private final ArrayDeque<Permit> open = new ArrayDeque<>();
  /** The running total of what this pool's grants asked the server to charge at admission. */
  private final double[] total = new double[3];

  /**
   * Records {@code permit}, granted at {@code now} for {@code need}; the server charges its output
   * at admission only under the reserve rule ({@code outputAtAdmission}).
   */
  void granted(Permit permit, long[] need, boolean outputAtAdmission, long now, long spanNanos) {
    close(now, spanNanos);
    if (open.size() >= MAX_OPEN) {
      end(open.removeFirst());
    }
    total[0] += need[0];
    total[1] += need[1];
    if (outputAtAdmission) {
      total[2] += need[2];
    }
    permit.grantedSoonAfter = total.clone();
    open.addLast(permit);
  }

  /**
   * What bucket {@code b}'s charges of the permits granted within the span after {@code permit}
   * came to (so far, if its span has not ended); 0 for a permit this never saw.
   */
  double after(Permit permit, int b, long now, long spanNanos) {
    close(now, spanNanos);
    if (permit.grantedSoonAfter == null) {
      return 0;
    }
    return permit.grantedSoonAfterFinal ? permit.grantedSoonAfter[b] : total[b] - permit.grantedSoonAfter[b];
  }

  private void close(long now, long spanNanos) {
    while (!open.isEmpty() && now - open.peekFirst().grantedAt > spanNanos) {
      end(open.removeFirst());
    }
  }

  /** Turns the permit's mark into what was granted since. */
  private void end(Permit permit) {
    for (int b = 0; b < 3; b++) {
      permit.grantedSoonAfter[b] = total[b] - permit.grantedSoonAfter[b];
    }
    permit.grantedSoonAfterFinal = true;
  }
}
