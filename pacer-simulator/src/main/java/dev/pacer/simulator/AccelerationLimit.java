package dev.pacer.simulator;

import java.util.Locale;

/**
 * A simple model of the API's acceleration limits ("a sharp ramp-up of an organization's traffic
 * can draw 429s even under the limits"): the Messages attempts an organization gets admitted in any
 * window W (the simulator's window, 60 s unless configured) may be at most {@code factor} times those
 * admitted in the window before it, plus {@code allowance}.
 *
 * <p>An attempt arriving at {@code t} is refused with a 429 (charging nothing) when
 * {@code A + 1 > factor × B + allowance}, where {@code A} counts the attempts admitted in
 * {@code (t − W, t]} and {@code B} those in {@code (t − 2W, t − W]}, across every pool. Both are
 * counted in slots of W/60, so the windows slide in steps of one slot. Its {@code retry-after} is the
 * time until the rule would let one more attempt through if nothing else arrived.
 *
 * <p>Written {@code FACTORx+ALLOWANCE}, e.g. {@code 2x+100}: each window may carry twice the previous
 * window's traffic plus 100 requests. A steady client never meets it; one that jumps from idle to its
 * full RPM does, for about a window.
 *
 * @param factor how many times the previous window's admitted attempts the current window may carry (at least 1)
 * @param allowance attempts allowed in any window on top of that (at least 1)
 */
public record AccelerationLimit(double factor, long allowance) {

  public AccelerationLimit {
    if (!(factor >= 1) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("factor must be at least 1 and finite: " + factor);
    }
    if (allowance < 1) {
      throw new IllegalArgumentException("allowance must be at least 1: " + allowance);
    }
  }

  public static AccelerationLimit of(double factor, long allowance) {
    return new AccelerationLimit(factor, allowance);
  }

  /** Parses {@code FACTORx+ALLOWANCE}, e.g. {@code 2x+100} or {@code 1.5x+20}. */
  public static AccelerationLimit parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT).replace(" ", "");
    int x = t.indexOf("x+");
    if (x <= 0) {
      throw new IllegalArgumentException(
          "cannot read acceleration limit '" + text + "': write FACTORx+ALLOWANCE, e.g. 2x+100");
    }
    try {
      return new AccelerationLimit(Double.parseDouble(t.substring(0, x)), Long.parseLong(t.substring(x + 2)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "cannot read acceleration limit '" + text + "': write FACTORx+ALLOWANCE, e.g. 2x+100", e);
    }
  }

  /** Whether one more attempt is allowed with {@code current} admitted in this window and {@code previous} in the one before. */
  public boolean allows(long current, long previous) {
    return current + 1 <= factor * previous + allowance;
  }

  @Override
  public String toString() {
    String f = factor == Math.rint(factor) ? Long.toString((long) factor) : Double.toString(factor);
    return f + "x+" + allowance;
  }
}
