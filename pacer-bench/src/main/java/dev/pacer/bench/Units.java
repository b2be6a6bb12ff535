package dev.pacer.bench;

import java.time.Duration;
import java.util.Locale;

/** Formatting shared by the reports. */
public final class Units {

  private Units() {}

  public static String seconds(Duration d) {
    return seconds(d.toNanos() / 1e9);
  }

  public static String seconds(double s) {
    return String.format(Locale.ROOT, s < 10 ? "%.2f s" : "%.1f s", s);
  }

  public static String fixed(double value, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", value);
  }
}
