package dev.pacer.internal;

import dev.pacer.http.ResponseHead;
import dev.pacer.limits.Bucket;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The rate-limit facts one response carries: per bucket {@code limit}, {@code remaining} and
 * {@code reset}, and the server's {@code Date}. Values that do not parse are treated as absent:
 * a server that formats a header its own way costs us a reading, never a crash.
 */
public record RateLimitReading(Map<Bucket, BucketReading> buckets, Optional<Instant> serverDate) {

  /** One bucket's headers. */
  public record BucketReading(OptionalLong limit, OptionalLong remaining, Optional<Instant> reset) {

    /**
     * Seconds of refill the server says the bucket lacks, {@code reset - Date}, when both are
     * known; never negative.
     */
    public Optional<Double> secondsToFull(Optional<Instant> serverDate) {
      if (reset.isEmpty() || serverDate.isEmpty()) {
        return Optional.empty();
      }
      double seconds = (reset.get().toEpochMilli() - serverDate.get().toEpochMilli()) / 1000.0;
      return Optional.of(Math.max(0, seconds));
    }
  }

  public static RateLimitReading of(ResponseHead head) {
    Map<Bucket, BucketReading> buckets = new EnumMap<>(Bucket.class);
    for (Bucket bucket : Bucket.values()) {
      String prefix = "anthropic-ratelimit-" + bucket.headerPart() + "-";
      OptionalLong limit = integer(head, prefix + "limit");
      OptionalLong remaining = integer(head, prefix + "remaining");
      Optional<Instant> reset = head.header(prefix + "reset").flatMap(RateLimitReading::instant);
      if (limit.isPresent() || remaining.isPresent() || reset.isPresent()) {
        buckets.put(bucket, new BucketReading(limit, remaining, reset));
      }
    }
    return new RateLimitReading(buckets, head.header("date").flatMap(RateLimitReading::instant));
  }

  public boolean isEmpty() {
    return buckets.isEmpty();
  }

  public Optional<BucketReading> bucket(Bucket bucket) {
    return Optional.ofNullable(buckets.get(bucket));
  }

  private static OptionalLong integer(ResponseHead head, String name) {
    Optional<String> value = head.header(name);
    if (value.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      double parsed = Double.parseDouble(value.get().trim());
      return parsed >= 0 && !Double.isInfinite(parsed) ? OptionalLong.of((long) parsed) : OptionalLong.empty();
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** RFC 3339 ({@code 2025-02-24T22:25:32Z}) or an HTTP date ({@code Mon, 24 Feb 2025 22:25:32 GMT}). */
  public static Optional<Instant> instant(String text) {
    String trimmed = text.trim();
    try {
      return Optional.of(OffsetDateTime.parse(trimmed).toInstant());
    } catch (DateTimeParseException notRfc3339) {
      try {
        return Optional.of(ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      } catch (DateTimeParseException notHttpDate) {
        return Optional.empty();
      }
    }
  }
}
