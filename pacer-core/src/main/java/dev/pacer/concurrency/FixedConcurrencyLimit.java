package dev.pacer.concurrency;

/**
 * A limit that never moves: at most {@code limit} attempts in flight, whatever happens.
 *
 * @param limit at least 1
 */
public record FixedConcurrencyLimit(int limit) implements ConcurrencyLimit {

  public FixedConcurrencyLimit {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
  }

  @Override
  public void onSuccess(long rttNanos) {}

  @Override
  public void onOverload() {}

  @Override
  public void onOtherFailure() {}
}
