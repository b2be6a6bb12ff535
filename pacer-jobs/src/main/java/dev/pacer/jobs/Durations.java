package dev.pacer.jobs;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them: {@code 500ms}, {@code 6s}, {@code 1m}, {@code 2h}, {@code 1h30m}, {@code 1.5s}. */
public final class Durations {

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");

  private Durations() {}

  public static Duration parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT).replace(" ", "");
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    if (s.startsWith("p")) {
      return Duration.parse(s.toUpperCase(Locale.ROOT));
    }
    Matcher matcher = PART.matcher(s);
    int at = 0;
    Duration total = Duration.ZERO;
    while (at < s.length()) {
      if (!matcher.find(at) || matcher.start() != at) {
        throw new IllegalArgumentException("not a duration: '" + text + "' (write e.g. 500ms, 6s, 1m, 2h or 1h30m)");
      }
      double amount = Double.parseDouble(matcher.group(1));
      long unitNanos = switch (matcher.group(2)) {
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        case "h" -> 3_600_000_000_000L;
        default -> 86_400_000_000_000L;
      };
      total = total.plusNanos(Math.round(amount * unitNanos));
      at = matcher.end();
    }
    return total;
  }

  /** Short and readable: {@code 850ms}, {@code 42.3s}, {@code 3m05s}, {@code 2h04m}. */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis < 1_000) {
      return millis + "ms";
    }
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }
    long seconds = duration.toSeconds();
    if (seconds < 3_600) {
      return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
  }
}
