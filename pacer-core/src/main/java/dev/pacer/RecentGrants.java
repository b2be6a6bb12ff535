package dev.pacer;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The output held by the permits granted lately, within a span: those that may reach the server
 * after one granted now (a request is not sent the instant its permit is granted, and requests
 * sent together arrive in any order). Not thread-safe: the pool's lock guards it.
 */
final class RecentGrants {

  private record Grant(long at, double held) {}

  private final ArrayDeque<Grant> grants = new ArrayDeque<>();
  private double held;

  /**
   * Records a grant at {@code now} holding {@code output}, forgetting those more than
   * {@code spanNanos} before it; returns the output held by the grants it did not forget, before
   * this one.
   */
  double granted(long now, double output, long spanNanos) {
    forget(now, spanNanos);
    double before = Math.max(0, held);
    grants.addLast(new Grant(now, output));
    held += output;
    return before;
  }

  /**
   * The output held by the grants within {@code spanNanos} before {@code now}, a span no longer
   * than the one {@link #granted} keeps (the record is left as it is).
   */
  double heldWithin(long now, long spanNanos) {
    double within = 0;
    for (Iterator<Grant> newestFirst = grants.descendingIterator(); newestFirst.hasNext(); ) {
      Grant grant = newestFirst.next();
      if (now - grant.at() > spanNanos) {
        break;
      }
      within += grant.held();
    }
    return within;
  }

  private void forget(long now, long spanNanos) {
    while (!grants.isEmpty() && now - grants.peekFirst().at() > spanNanos) {
      held -= grants.removeFirst().held();
    }
    if (grants.isEmpty()) {
      held = 0; // no drift from summing doubles
    }
  }
}
