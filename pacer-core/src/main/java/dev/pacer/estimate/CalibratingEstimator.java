package dev.pacer.estimate;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Estimates tokens as a text's length times a per-pool ratio learned from responses. The length is
 * weighted by script ({@link TextWeight}): an ASCII character counts 1, a letter of another
 * alphabet 2, an ideograph, kana, Hangul syllable or emoji 4, so that one ratio fits prompts in any
 * language.
 *
 * <p>Before any data it assumes {@value #INITIAL_TOKENS_PER_UNIT} tokens per unit, about twice
 * what English text costs (and two tokens an ideograph), so early requests over-reserve (the
 * surplus comes back at settle) rather than under-reserve (which would draw 429s). With data it
 * uses the largest ratio among the last {@value #SAMPLES} responses plus a small margin: a high
 * estimate only delays a request a little, a low one can overdraw the input bucket.
 */
final class CalibratingEstimator implements TokenEstimator {

  static final double INITIAL_TOKENS_PER_UNIT = 0.5;
  static final int SAMPLES = 32;
  static final int TRUSTED_AFTER = 3;
  static final double MARGIN = 1.02;

  private final ConcurrentHashMap<String, PoolRatios> pools = new ConcurrentHashMap<>();
  private final TextWeight weight = new TextWeight();

  @Override
  public long estimate(String pool, CharSequence text) {
    PoolRatios ratios = pools.get(pool);
    double ratio = ratios == null ? INITIAL_TOKENS_PER_UNIT : ratios.ratio();
    return Math.max(1, (long) Math.ceil(weight.unitsOf(text) * ratio));
  }

  @Override
  public void calibrate(String pool, CharSequence text, long actualInputTokens) {
    if (text.length() == 0 || actualInputTokens <= 0) {
      return;
    }
    pools.computeIfAbsent(pool, ignored -> new PoolRatios()).add((double) actualInputTokens / weight.unitsOf(text));
  }

  @Override
  public boolean isCalibrated(String pool) {
    PoolRatios ratios = pools.get(pool);
    return ratios != null && ratios.count() >= TRUSTED_AFTER;
  }

  /** The last {@link #SAMPLES} ratios of one pool. */
  private static final class PoolRatios {
    private final ReentrantLock lock = new ReentrantLock();
    private final double[] recent = new double[SAMPLES];
    private int count;

    void add(double ratio) {
      lock.lock();
      try {
        recent[count % SAMPLES] = ratio;
        count++;
      } finally {
        lock.unlock();
      }
    }

    int count() {
      lock.lock();
      try {
        return count;
      } finally {
        lock.unlock();
      }
    }

    double ratio() {
      lock.lock();
      try {
        double max = 0;
        for (int i = 0; i < Math.min(count, SAMPLES); i++) {
          max = Math.max(max, recent[i]);
        }
        // Until trusted, never below the cautious default.
        return count < TRUSTED_AFTER ? Math.max(max, INITIAL_TOKENS_PER_UNIT) * MARGIN : max * MARGIN;
      } finally {
        lock.unlock();
      }
    }
  }
}
