package dev.pacer.estimate;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Estimates tokens as a per-request overhead plus a text's length times a per-pool ratio, both
 * learned from responses. The length is weighted by script ({@link TextWeight}): an ASCII character
 * counts 1, a letter of another alphabet 2, an ideograph, kana, Hangul syllable or emoji 4, so that
 * one ratio fits prompts in any language.
 *
 * <p>Before any data it assumes {@value #INITIAL_TOKENS_PER_UNIT} tokens per unit, about twice
 * what English text costs (and two tokens an ideograph), so early requests over-reserve (the
 * surplus comes back at settle) rather than under-reserve (which would draw 429s). With data it
 * uses the largest ratio among the last {@value #SAMPLES} responses plus a small margin: a high
 * estimate only delays a request a little, a low one can overdraw the input bucket.
 *
 * <p>A server may count tokens a request does not carry as text: the API adds a tool-use system
 * prompt of hundreds of tokens. Read as a ratio, that overhead makes a short prompt look several
 * times dearer per character than a long one, and a long prompt would be estimated several times
 * over. So a text is estimated from the samples at least a quarter as long as it (or as the longest
 * sample, for a text longer than any): the largest ratio among those, taken after an overhead. The
 * overhead is fitted by least squares over the recent samples once their lengths differ enough to
 * tell it from a ratio, and taken at the low end of its uncertainty (two standard errors): every
 * recent sample stays covered by its own estimate, and an overhead too small only errs high.
 * A response whose prompt was partly read from the cache (not counted) is no sample of the text's
 * cost: it takes no part in the fit and does not make long prompts "alike" only to one another.
 */
final class CalibratingEstimator implements TokenEstimator {

  static final double INITIAL_TOKENS_PER_UNIT = 0.5;
  static final int SAMPLES = 32;
  static final int TRUSTED_AFTER = 3;
  static final double MARGIN = 1.02;

  private final ConcurrentHashMap<String, PoolSamples> pools = new ConcurrentHashMap<>();
  private final TextWeight weight = new TextWeight();

  @Override
  public long estimate(String pool, CharSequence text) {
    PoolSamples samples = pools.get(pool);
    long units = weight.unitsOf(text);
    double tokens = samples == null ? units * INITIAL_TOKENS_PER_UNIT : samples.estimate(units);
    return Math.max(1, (long) Math.ceil(tokens));
  }

  @Override
  public void calibrate(String pool, CharSequence text, long actualInputTokens) {
    calibrate(pool, text, actualInputTokens, false);
  }

  @Override
  public void calibrate(String pool, CharSequence text, long actualInputTokens, boolean partlyCached) {
    if (text.length() == 0 || actualInputTokens <= 0) {
      return;
    }
    pools.computeIfAbsent(pool, ignored -> new PoolSamples()).add(weight.unitsOf(text), actualInputTokens, partlyCached);
  }

  @Override
  public boolean isCalibrated(String pool) {
    PoolSamples samples = pools.get(pool);
    return samples != null && samples.count() >= TRUSTED_AFTER;
  }

  /** The last {@link #SAMPLES} (units, tokens) pairs of one pool, and the fit made of them. */
  private static final class PoolSamples {
    private final ReentrantLock lock = new ReentrantLock();
    private final long[] units = new long[SAMPLES];
    private final long[] tokens = new long[SAMPLES];
    /** Samples whose prompt was partly read from the cache: their counts say little of the text. */
    private final boolean[] cached = new boolean[SAMPLES];
    /** Each sample's tokens beyond the overhead, per unit; never below the cautious default until trusted. */
    private final double[] ratios = new double[SAMPLES];
    private int count;
    private double overhead;
    private long longestUncached;

    void add(long sampleUnits, long sampleTokens, boolean partlyCached) {
      lock.lock();
      try {
        units[count % SAMPLES] = Math.max(1, sampleUnits);
        tokens[count % SAMPLES] = sampleTokens;
        cached[count % SAMPLES] = partlyCached;
        count++;
        fit();
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

    /**
     * The overhead plus the largest ratio among the samples at least a quarter as long (see the
     * class comment). A sample partly read from the cache counts whatever its length: a long prompt
     * read from the cache says nothing of what the same prompt costs written, and must not hide
     * the short uncached prompts' ratio.
     */
    double estimate(long textUnits) {
      lock.lock();
      try {
        int n = Math.min(count, SAMPLES);
        double alike = Math.min(textUnits, longestUncached) / 4.0;
        double ratio = 0;
        for (int i = 0; i < n; i++) {
          if (cached[i] || units[i] >= alike) {
            ratio = Math.max(ratio, ratios[i]);
          }
        }
        return (overhead + ratio * textUnits) * MARGIN;
      } finally {
        lock.unlock();
      }
    }

    /** Sets the overhead and each sample's ratio beyond it; until trusted, no overhead and no ratio below the default. */
    private void fit() {
      int n = Math.min(count, SAMPLES);
      boolean trusted = count >= TRUSTED_AFTER;
      overhead = trusted ? overheadLowerBound(n) : 0;
      longestUncached = 0;
      for (int i = 0; i < n; i++) {
        double ratio = Math.max(0, tokens[i] - overhead) / units[i];
        ratios[i] = trusted ? ratio : Math.max(ratio, INITIAL_TOKENS_PER_UNIT);
        if (!cached[i]) {
          longestUncached = Math.max(longestUncached, units[i]);
        }
      }
    }

    /**
     * The least-squares intercept of tokens against units over the uncached samples, less two
     * standard errors, within [0, their smallest count]; 0 when there are fewer than four or their
     * lengths are too alike to tell an overhead from a ratio.
     */
    private double overheadLowerBound(int n) {
      int m = 0;
      double meanUnits = 0;
      double meanTokens = 0;
      long fewestTokens = Long.MAX_VALUE;
      for (int i = 0; i < n; i++) {
        if (!cached[i]) {
          m++;
          meanUnits += units[i];
          meanTokens += tokens[i];
          fewestTokens = Math.min(fewestTokens, tokens[i]);
        }
      }
      if (m < 4) {
        return 0;
      }
      meanUnits /= m;
      meanTokens /= m;
      double sxx = 0;
      double sxy = 0;
      for (int i = 0; i < n; i++) {
        if (!cached[i]) {
          sxx += (units[i] - meanUnits) * (units[i] - meanUnits);
          sxy += (units[i] - meanUnits) * (tokens[i] - meanTokens);
        }
      }
      if (sxx <= 0 || sxy <= 0) {
        return 0;
      }
      double slope = sxy / sxx;
      double intercept = meanTokens - slope * meanUnits;
      double squaredResiduals = 0;
      for (int i = 0; i < n; i++) {
        if (!cached[i]) {
          double residual = tokens[i] - intercept - slope * units[i];
          squaredResiduals += residual * residual;
        }
      }
      double standardError = Math.sqrt(squaredResiduals / (m - 2) * (1.0 / m + meanUnits * meanUnits / sxx));
      return Math.max(0, Math.min(intercept - 2 * standardError, fewestTokens));
    }
  }
}
