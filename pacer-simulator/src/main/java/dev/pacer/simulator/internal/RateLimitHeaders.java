package dev.pacer.simulator.internal;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code anthropic-ratelimit-*} headers of a bucket state (server-model.md, "Headers"), as a
 * pure function of the state and the wall-clock time.
 */
public final class RateLimitHeaders {

  private static final String PREFIX = "anthropic-ratelimit-";

  private RateLimitHeaders() {}

  /**
   * For each bucket {@code limit}, {@code remaining} and {@code reset}; with both token buckets, the
   * {@code tokens-*} combination (limits and remainings summed, the later reset).
   */
  public static Map<String, String> of(List<BucketState> buckets, Instant now) {
    Map<String, String> h = new LinkedHashMap<>();
    BucketState input = null;
    BucketState output = null;
    for (BucketState b : buckets) {
      String p = PREFIX + b.kind().headerName() + "-";
      h.put(p + "limit", Long.toString(b.limit()));
      h.put(p + "remaining", Long.toString(remaining(b)));
      h.put(p + "reset", format(resetAt(b, now)));
      if (b.kind() == BucketKind.INPUT_TOKENS) input = b;
      if (b.kind() == BucketKind.OUTPUT_TOKENS) output = b;
    }
    if (input != null && output != null) {
      Instant in = resetAt(input, now);
      Instant out = resetAt(output, now);
      h.put(PREFIX + "tokens-limit", Long.toString(input.limit() + output.limit()));
      h.put(PREFIX + "tokens-remaining", Long.toString(remaining(input) + remaining(output)));
      h.put(PREFIX + "tokens-reset", format(in.isAfter(out) ? in : out));
    }
    return h;
  }

  /** {@code max(0, floor(x))}; token buckets rounded to the nearest 1,000 (half up). */
  public static long remaining(BucketState b) {
    long whole = Math.max(0, (long) Math.floor(b.level() + b.epsilon()));
    return b.kind().isTokens() ? (whole + 500) / 1000 * 1000 : whole;
  }

  /** {@code now + (C − x) / r}, rounded up to a whole second. */
  public static Instant resetAt(BucketState b, Instant now) {
    double seconds = Math.max(0, b.secondsUntil(b.capacity()));
    Instant exact = now.plusNanos(Math.round(seconds * 1e9));
    Instant whole = exact.truncatedTo(ChronoUnit.SECONDS);
    return whole.equals(exact) ? whole : whole.plusSeconds(1);
  }

  /** RFC 3339 UTC, whole seconds: {@code 2025-02-24T22:25:32Z}. */
  public static String format(Instant instant) {
    long second = instant.getEpochSecond();
    int slot = (int) Math.floorMod(second, (long) FORMATTED.length);
    Formatted f = FORMATTED[slot]; // a racy read of an immutable value: at worst formatted again
    if (f == null || f.second != second) {
      f = new Formatted(second, DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(second)));
      FORMATTED[slot] = f;
    }
    return f.text;
  }

  /** Recently formatted seconds: every answer formats four resets, mostly the same few seconds. */
  private static final Formatted[] FORMATTED = new Formatted[256];

  private record Formatted(long second, String text) {}
}
