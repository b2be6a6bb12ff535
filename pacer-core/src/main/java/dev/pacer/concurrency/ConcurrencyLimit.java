package dev.pacer.concurrency;

import java.time.Duration;
import java.util.Objects;

/**
 * How many attempts may be in flight at once, and what it learns from their outcomes. The
 * governor admits an attempt only while fewer than {@link #limit()} are in flight, and reports
 * every finished attempt exactly once: {@link #onSuccess}, {@link #onOverload} (a 529 or a
 * time-out, see {@code FailureKind.signalsOverload()}) or {@link #onOtherFailure}.
 *
 * <p>Implementations are thread-safe; {@link #limit()} is cheap enough to call per admission.
 */
public interface ConcurrencyLimit {

  /** The current limit, at least 1. */
  int limit();

  /** An attempt succeeded after {@code rttNanos} (from sending to its response). */
  void onSuccess(long rttNanos);

  /**
   * An attempt succeeded after {@code rttNanos}, with {@code inFlight} attempts in flight when it
   * finished (itself included). An adaptive limit grows only when it is being used, so that a
   * quiet hour does not leave it at its maximum for the next burst. By default the same as
   * {@link #onSuccess(long)}.
   */
  default void onSuccess(long rttNanos, int inFlight) {
    onSuccess(rttNanos);
  }

  /** An attempt met a 529 {@code overloaded_error} or timed out. */
  void onOverload();

  /** An attempt failed in any other way (429, 5xx, 4xx, a broken connection). */
  void onOtherFailure();

  /**
   * Little's law: the attempts in flight needed to sustain {@code requestsPerSecond} when each
   * takes {@code latency}, times {@code headroom}, rounded up: {@code ceil(λ × W × headroom)}, at
   * least 1. E.g. 1,000 requests per minute (16.7/s) of 12 s each with headroom 1.5 → 300.
   *
   * @param requestsPerSecond the rate to sustain, e.g. the requests-per-minute limit / 60
   * @param latency how long one attempt takes, e.g. the observed mean
   * @param headroom at least 1: room for latency to vary (1.2 to 2 is usual)
   */
  static int littleLawLimit(double requestsPerSecond, Duration latency, double headroom) {
    if (!Double.isFinite(requestsPerSecond) || requestsPerSecond <= 0) {
      throw new IllegalArgumentException("requestsPerSecond must be positive, got " + requestsPerSecond);
    }
    Objects.requireNonNull(latency, "latency");
    if (latency.isNegative() || latency.isZero()) {
      throw new IllegalArgumentException("latency must be positive, got " + latency);
    }
    if (!Double.isFinite(headroom) || headroom < 1) {
      throw new IllegalArgumentException("headroom must be at least 1, got " + headroom);
    }
    double seconds = latency.getSeconds() + latency.getNano() / 1e9;
    double inFlight = Math.ceil(requestsPerSecond * seconds * headroom - 1e-9);
    if (inFlight >= Integer.MAX_VALUE) {
      return Integer.MAX_VALUE;
    }
    return Math.max(1, (int) inFlight);
  }
}
