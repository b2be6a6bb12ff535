package dev.pacer.limits;

import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A pool's three limits per window: requests, input tokens, output tokens. A limit may be
 * unknown ({@link #UNKNOWN}); Pacer learns it from the server's headers.
 */
public record Limits(long requests, long inputTokens, long outputTokens) {

  /** Marks a limit nobody has told us. */
  public static final long UNKNOWN = -1;

  public static final Limits NONE = new Limits(UNKNOWN, UNKNOWN, UNKNOWN);

  public Limits {
    check("requests", requests);
    check("input tokens", inputTokens);
    check("output tokens", outputTokens);
  }

  private static void check(String what, long value) {
    if (value != UNKNOWN && value < 1) {
      throw new IllegalArgumentException(what + " limit must be at least 1 per window (or unknown), got " + value);
    }
  }

  public static Limits of(long requests, long inputTokens, long outputTokens) {
    return new Limits(requests, inputTokens, outputTokens);
  }

  /** Parses {@code "1000 / 2000000 / 400000"} (RPM / ITPM / OTPM), as in the data file. */
  public static Limits parse(String text) {
    String[] parts = text.split("/");
    if (parts.length != 3) {
      throw new IllegalArgumentException("limits must read 'RPM / ITPM / OTPM', got '" + text + "'");
    }
    return new Limits(parseOne(parts[0]), parseOne(parts[1]), parseOne(parts[2]));
  }

  private static long parseOne(String part) {
    String trimmed = part.trim().replace("_", "").replace(",", "");
    return trimmed.equals("?") ? UNKNOWN : Long.parseLong(trimmed);
  }

  public long get(Bucket bucket) {
    return switch (bucket) {
      case REQUESTS -> requests;
      case INPUT_TOKENS -> inputTokens;
      case OUTPUT_TOKENS -> outputTokens;
    };
  }

  public OptionalLong known(Bucket bucket) {
    long value = get(bucket);
    return value == UNKNOWN ? OptionalLong.empty() : OptionalLong.of(value);
  }

  public boolean isKnown(Bucket bucket) {
    return get(bucket) != UNKNOWN;
  }

  public boolean anyKnown() {
    return requests != UNKNOWN || inputTokens != UNKNOWN || outputTokens != UNKNOWN;
  }

  /** This, with {@code bucket}'s limit replaced. */
  public Limits with(Bucket bucket, long value) {
    Map<Bucket, Long> values = new EnumMap<>(Bucket.class);
    for (Bucket each : Bucket.values()) {
      values.put(each, each == bucket ? value : get(each));
    }
    return new Limits(values.get(Bucket.REQUESTS), values.get(Bucket.INPUT_TOKENS), values.get(Bucket.OUTPUT_TOKENS));
  }

  /** Each of this one's limits, or {@code fallback}'s where this one's is unknown. */
  public Limits orElse(Limits fallback) {
    return new Limits(
        requests != UNKNOWN ? requests : fallback.requests,
        inputTokens != UNKNOWN ? inputTokens : fallback.inputTokens,
        outputTokens != UNKNOWN ? outputTokens : fallback.outputTokens);
  }

  @Override
  public String toString() {
    return show(requests) + " requests / " + show(inputTokens) + " input tokens / " + show(outputTokens) + " output tokens";
  }

  private static String show(long value) {
    return value == UNKNOWN ? "?" : String.format("%,d", value);
  }
}
