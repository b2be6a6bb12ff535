package dev.pacer.retry;

import dev.pacer.time.TimeSource;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Caps retries, across all requests, to a fraction of first attempts plus a floor, over a
 * sliding window, so that an outage cannot turn every request into ten. A retry token is granted
 * only if, with it, the retries of the last window number at most
 * {@code floor(ratio × firstAttempts + minRetriesPerSecond × window)}, the first attempts being
 * those of the same window. The window slides in tenths: "the last window" is the current tenth
 * and the nine before it.
 *
 * <p>A spent budget does not fail the retry: {@link #tryAcquireRetry()} says how long until a
 * retry fits, and the caller waits and asks again. So an outage neither storms (retries are held
 * to the budget) nor loses work (every retry eventually gets its turn; the floor guarantees it even
 * when no first attempts are made at all).
 *
 * <p>The defaults ({@link RetryBudgetConfig#defaults()}), and why:
 *
 * <ul>
 *   <li>ratio 0.5. Anthropic's 529s are service-wide and can run at a steady rate unrelated to
 *       our load. A steady failure rate {@code p} needs {@code p/(1−p)} retries per first attempt:
 *       0.25 at 20%, 0.5 at 33%. So the budget stays out of the way until more than a third of
 *       attempts fail, which is an outage, and then holds attempts to at most 1.5× the first
 *       attempts (plus the floor), where ten attempts per request with no budget would be 10×.
 *   <li>floor 1 retry per second. A client that sends a request every few seconds earns less than
 *       one retry per window from the ratio; the floor lets its retries through without delay. And
 *       in a full outage, when no first attempt is being made, it is what keeps retries (and so the
 *       work) moving: at a trickle the API does not notice.
 *   <li>window 10 s, sliding in ten 1-second steps. The allowance earned before an outage is
 *       spent as a burst at its start; a short window bounds that burst to ten seconds' worth, and
 *       the budget refills within ten seconds of traffic coming back. Counts are kept per step, so
 *       memory and the cost of a call are constant however many requests there are.
 * </ul>
 *
 * <p>Thread-safe; time comes from the injected {@link TimeSource}.
 */
public final class RetryBudget {

  /** The window slides in this many steps. */
  static final int SLOTS = 10;

  private static final long EMPTY = Long.MIN_VALUE;

  private final RetryBudgetConfig config;
  private final TimeSource time;
  private final long origin;
  private final long slotNanos;
  private final double reserve;
  private final ReentrantLock lock = new ReentrantLock();
  private final long[] slotIds = new long[SLOTS];
  private final long[] firstAttempts = new long[SLOTS];
  private final long[] retries = new long[SLOTS];

  private RetryBudget(RetryBudgetConfig config, TimeSource time) {
    this.config = config;
    this.time = time;
    this.origin = time.nanoTime();
    this.slotNanos = config.window().toNanos() / SLOTS;
    this.reserve = config.minRetriesPerSecond() * (slotNanos * (double) SLOTS) / 1e9;
    Arrays.fill(slotIds, EMPTY);
  }

  /**
   * A budget of {@code ratio} retries per first attempt plus {@code minRetriesPerSecond}, over a
   * sliding {@code window}.
   */
  public static RetryBudget create(double ratio, int minRetriesPerSecond, Duration window, TimeSource time) {
    return create(new RetryBudgetConfig(ratio, minRetriesPerSecond, window), time);
  }

  public static RetryBudget create(RetryBudgetConfig config, TimeSource time) {
    return new RetryBudget(Objects.requireNonNull(config, "config"), Objects.requireNonNull(time, "time"));
  }

  /** Ratio 0.5, at least 1 retry per second, over 10 s. */
  public static RetryBudget defaults(TimeSource time) {
    return create(RetryBudgetConfig.defaults(), time);
  }

  public RetryBudgetConfig config() {
    return config;
  }

  /** Counts a request's first attempt, which earns {@code ratio} retries for the window. */
  public void onFirstAttempt() {
    lock.lock();
    try {
      count(firstAttempts, currentSlot(time.nanoTime()));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes a retry token if the budget has one.
   *
   * @return 0 if a token was taken and the retry may go now; otherwise the nanoseconds until one
   *     should be free (if nothing else takes it first): wait that long, then ask again
   */
  public long tryAcquireRetry() {
    lock.lock();
    try {
      long now = time.nanoTime();
      long slot = currentSlot(now);
      if (sum(retries, slot - SLOTS, slot) < allowed(sum(firstAttempts, slot - SLOTS, slot))) {
        count(retries, slot);
        return 0;
      }
      // Wait for the oldest steps to leave the window, one by one, until a retry fits.
      for (int ahead = 1; ahead <= SLOTS; ahead++) {
        long oldestKept = slot + ahead - SLOTS;
        if (sum(retries, oldestKept, slot) < allowed(sum(firstAttempts, oldestKept, slot))) {
          long freeAt = (slot + ahead) * slotNanos;
          return Math.max(1, freeAt - (now - origin));
        }
      }
      throw new IllegalStateException("unreachable: an empty window allows " + allowed(0) + " retries");
    } finally {
      lock.unlock();
    }
  }

  /** First attempts, retries and the retries allowed, in the window as it stands now. */
  public Usage usage() {
    lock.lock();
    try {
      long slot = currentSlot(time.nanoTime());
      long firsts = sum(firstAttempts, slot - SLOTS, slot);
      return new Usage(firsts, sum(retries, slot - SLOTS, slot), allowed(firsts));
    } finally {
      lock.unlock();
    }
  }

  /**
   * The budget's window at one moment.
   *
   * @param firstAttempts first attempts counted in the window
   * @param retries retry tokens taken in the window
   * @param retriesAllowed {@code floor(ratio × firstAttempts + minRetriesPerSecond × window)}
   */
  public record Usage(long firstAttempts, long retries, long retriesAllowed) {}

  private long allowed(long firsts) {
    return (long) Math.floor(config.ratio() * firsts + reserve + 1e-9);
  }

  private long currentSlot(long now) {
    return Math.max(0, now - origin) / slotNanos;
  }

  private void count(long[] counts, long slot) {
    int position = (int) (slot % SLOTS);
    if (slotIds[position] != slot) {
      slotIds[position] = slot;
      firstAttempts[position] = 0;
      retries[position] = 0;
    }
    counts[position]++;
  }

  /** The counts of steps {@code (afterSlot, upToSlot]}. */
  private long sum(long[] counts, long afterSlot, long upToSlot) {
    long total = 0;
    for (int position = 0; position < SLOTS; position++) {
      long id = slotIds[position];
      if (id != EMPTY && id > afterSlot && id <= upToSlot) {
        total += counts[position];
      }
    }
    return total;
  }

  @Override
  public String toString() {
    return "RetryBudget" + config + " " + usage();
  }
}
