package dev.pacer.estimate;

/**
 * Guesses a request's input tokens before it is sent, so the governor can reserve them. The
 * server's count is the truth: the governor settles every permit to the actual usage and tells
 * the estimator, which may learn from it.
 *
 * <p>Implementations must be thread-safe and fast: they run on every acquire.
 */
public interface TokenEstimator {

  /** The input tokens {@code text} (a request's content or body) will count, for {@code pool}. */
  long estimate(String pool, CharSequence text);

  /** What the server counted for {@code text}: a chance to calibrate. Default: ignore it. */
  default void calibrate(String pool, CharSequence text, long actualInputTokens) {}

  /**
   * As {@link #calibrate(String, CharSequence, long)}; {@code partlyCached}: part of the prompt was
   * read from the cache and not counted, so the count is not what the text's length would say
   * (a write of the same prompt counts it all); also when the text left out a prefix expected to
   * be read from the cache (the count then covers either less or more than the text). Default:
   * the three-argument form.
   */
  default void calibrate(String pool, CharSequence text, long actualInputTokens, boolean partlyCached) {
    calibrate(pool, text, actualInputTokens);
  }

  /**
   * Whether this estimator has seen enough of {@code pool} to be trusted near a limit. An
   * uncalibrated estimate is not used to reject a demand as too large for the limit.
   */
  default boolean isCalibrated(String pool) {
    return true;
  }

  /** The default: no network, self-calibrating per pool, over-estimating until it has data. */
  static TokenEstimator calibrating() {
    return new CalibratingEstimator();
  }
}
