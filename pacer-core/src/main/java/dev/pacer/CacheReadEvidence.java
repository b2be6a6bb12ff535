package dev.pacer;

import dev.pacer.limits.Bucket;
import java.util.Locale;

/**
 * Whether the server counts prompt-cache reads against a pool's input limit: the model data's
 * word, or learned from the readings where the data says it does not (servers count their own
 * way). Mutated under the pool's lock; {@link #counted()} may be read from any thread.
 *
 * <p>Where the server counts reads, a request held without the prefix it reads (a demand marked
 * {@link Demand#cacheReadAssumed()} by the SDK bridge) costs the server that prefix too, and the
 * readings show the forecast too high: the first 429s of a burst, or the next 200s. So what input
 * readings lowered the forecast by, beyond their rounding, while reads were under way (attempts in
 * flight held without a read, or an answer that read within the window) is set against what the
 * answers read: at least half of it, over at least two such answers and four rounding steps read,
 * and the server counts them. What an attempt's own estimate fell short of its count is taken out
 * at its settle. Learned once, never unlearned: counting reads holds a request at its whole
 * prompt, the safe side.
 */
final class CacheReadEvidence {

  private static final int IN = Bucket.INPUT_TOKENS.ordinal();

  private final double rounding;
  private final long windowNanos;
  private volatile boolean counted;
  /** Cache reads in the answers settled so far, and how many such answers. */
  private double readTokens;
  private int answersWithReads;
  /** When the latest answer that read the cache was settled. */
  private long readSettledAt;
  /** Attempts in flight held without a prefix assumed read from the cache. */
  private int assumedReadsInFlight;
  /** What input readings lowered the forecast by, beyond their rounding, while reads were under way. */
  private double shortfall;

  /**
   * @param countedByData the model data's word
   * @param rounding how far a token reading may be from the level (500: rounded to the nearest 1,000)
   */
  CacheReadEvidence(boolean countedByData, double rounding, long windowNanos) {
    this.counted = countedByData;
    this.rounding = rounding;
    this.windowNanos = windowNanos;
  }

  /** Whether the server counts cache reads against the input limit, as far as known now. */
  boolean counted() {
    return counted;
  }

  void granted(Permit permit) {
    permit.readsCounted = counted;
    if (permit.demand.cacheReadAssumed()) {
      assumedReadsInFlight++;
    }
  }

  void ended(Permit permit) {
    if (permit.demand.cacheReadAssumed()) {
      assumedReadsInFlight--;
    }
  }

  /** {@code permit}'s input reading lowered the forecast by {@code lowered}. */
  void lowered(Permit permit, double lowered, long now) {
    boolean readsUnderWay = assumedReadsInFlight > 0 || answersWithReads > 0 && now - readSettledAt < windowNanos;
    if (!counted && lowered > rounding && readsUnderWay) {
      permit.inputLowered = lowered - rounding;
      shortfall += permit.inputLowered;
    }
  }

  /**
   * {@code permit}'s answer read {@code readTokens} from the cache, and the server counted
   * {@code counted} of its input (reads left out unless the pool counted them at its grant).
   *
   * @return whether this answer made the evidence enough: the pool counts reads from now
   */
  boolean settled(Permit permit, long read, long counted, long now) {
    if (this.counted) {
      return false;
    }
    shortfall -= Math.min(permit.inputLowered, Math.max(0, counted - permit.reserved[IN]));
    if (read <= 0) {
      return false;
    }
    answersWithReads++;
    readTokens += read;
    readSettledAt = now;
    if (answersWithReads >= 2 && readTokens >= 4 * rounding && shortfall * 2 >= readTokens) {
      this.counted = true;
      return true;
    }
    return false;
  }

  /**
   * What a demand held without a prefix assumed read costs beyond its estimate once the server is
   * found counting reads: the mean read so far (its own prefix is not known here).
   */
  long extraFor(Demand demand) {
    return counted && demand.cacheReadAssumed() && answersWithReads > 0 ? Math.round(readTokens / answersWithReads) : 0;
  }

  /** What the evidence came to, for the event that reports it. */
  String describe() {
    return String.format(Locale.ROOT, "readings fell %.0f tokens short while %.0f were read", shortfall,
        readTokens);
  }
}
