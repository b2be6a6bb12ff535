package dev.pacer.simulator;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations written the short way: {@code 250ms}, {@code 6s}, {@code 1.5s}, {@code 1m}, {@code 2h}. */
public final class Durations {

  private static final Pattern SHORT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|s|m|h)");

  private Durations() {}

  /** Parses a duration such as {@code 500ms}, {@code 6s}, {@code 1m}; an ISO-8601 text ({@code PT6S}) is accepted too. */
  public static Duration parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("pt")) {
      return Duration.parse(text.trim());
    }
    Matcher m = SHORT.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "cannot read duration '" + text + "': write it like 500ms, 6s, 1.5s, 1m or 2h");
    }
    double amount = Double.parseDouble(m.group(1));
    double nanosPerUnit = switch (m.group(2)) {
      case "ns" -> 1;
      case "us" -> 1e3;
      case "ms" -> 1e6;
      case "s" -> 1e9;
      case "m" -> 60e9;
      case "h" -> 3600e9;
      default -> throw new AssertionError(m.group(2));
    };
    return Duration.ofNanos(Math.round(amount * nanosPerUnit));
  }

  /** The shortest exact short form: {@code 60s} becomes {@code 1m}, {@code 1500ms} stays {@code 1500ms}. */
  public static String format(Duration d) {
    long nanos = d.toNanos();
    if (nanos != 0 && nanos % 3_600_000_000_000L == 0) return nanos / 3_600_000_000_000L + "h";
    if (nanos != 0 && nanos % 60_000_000_000L == 0) return nanos / 60_000_000_000L + "m";
    if (nanos % 1_000_000_000L == 0) return nanos / 1_000_000_000L + "s";
    if (nanos % 1_000_000L == 0) return nanos / 1_000_000L + "ms";
    if (nanos % 1_000L == 0) return nanos / 1_000L + "us";
    return nanos + "ns";
  }
}
