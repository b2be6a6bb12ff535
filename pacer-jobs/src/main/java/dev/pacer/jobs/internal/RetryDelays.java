package dev.pacer.jobs.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** How long to wait before a retry: what the server asked for, else an exponential backoff with jitter. */
public final class RetryDelays {

  static final Duration FIRST = Duration.ofMillis(500);
  static final Duration MAX = Duration.ofSeconds(8);

  private RetryDelays() {}

  /** {@code retry-after-ms} (milliseconds, may be fractional), else {@code retry-after} (seconds or an HTTP date). */
  public static Optional<Duration> fromHeaders(String retryAfterMs, String retryAfter) {
    if (retryAfterMs != null) {
      try {
        double millis = Double.parseDouble(retryAfterMs.trim());
        if (millis >= 0) {
          return Optional.of(Duration.ofNanos((long) (millis * 1_000_000)));
        }
      } catch (NumberFormatException ignored) {
        // Fall through to retry-after.
      }
    }
    if (retryAfter != null) {
      String value = retryAfter.trim();
      try {
        double seconds = Double.parseDouble(value);
        if (seconds >= 0) {
          return Optional.of(Duration.ofNanos((long) (seconds * 1e9)));
        }
      } catch (NumberFormatException notSeconds) {
        try {
          Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
          Duration wait = Duration.between(Instant.now(), at);
          return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        } catch (RuntimeException ignored) {
          // Unreadable: back off instead.
        }
      }
    }
    return Optional.empty();
  }

  /** After the {@code attempt}-th attempt failed: min(0.5 s × 2^(attempt−1), 8 s), less up to 25% jitter. */
  public static Duration backoff(int attempt) {
    long base = Math.min(MAX.toNanos(), FIRST.toNanos() << Math.min(20, Math.max(0, attempt - 1)));
    double jitter = 1 - 0.25 * ThreadLocalRandom.current().nextDouble();
    return Duration.ofNanos((long) (base * jitter));
  }
}
