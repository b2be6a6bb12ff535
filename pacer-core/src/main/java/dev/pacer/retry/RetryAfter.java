package dev.pacer.retry;

import dev.pacer.http.ResponseHead;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The delay a response asks for before the next attempt, read from its headers:
 *
 * <ol>
 *   <li>{@code retry-after-ms}: milliseconds, possibly fractional ({@code 10}, {@code 1.5});
 *   <li>else {@code retry-after}: seconds, whole or decimal ({@code 30}, {@code 1.234}), or an
 *       HTTP date ({@code Wed, 21 Oct 2015 07:28:00 GMT}; the obsolete RFC 850 and asctime forms
 *       too). A date is read against the response's own {@code Date} header when it has one
 *       (both stamped by the server's clock, so the local clock's skew does not matter), else
 *       against the wall clock given.
 * </ol>
 *
 * <p>A value that does not parse, or a negative number, counts as absent, and the next header is
 * tried. A date already past gives {@link Duration#ZERO}. Absurdly large values saturate at
 * {@code Long.MAX_VALUE} nanoseconds rather than overflow.
 */
public final class RetryAfter {

  /** Plain decimal numbers: {@code 30}, {@code 1.234}, {@code .5}, {@code 1e3}. No sign, no hex. */
  private static final Pattern DECIMAL =
      Pattern.compile("\\+?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?");

  private static final BigDecimal NANOS_PER_MILLI = BigDecimal.valueOf(1_000_000L);
  private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);
  private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

  /** IMF-fixdate (RFC 9110's preferred form) and the two obsolete forms a recipient must accept. */
  private static final List<DateTimeFormatter> HTTP_DATES = List.of(
      DateTimeFormatter.RFC_1123_DATE_TIME,
      new DateTimeFormatterBuilder().parseCaseInsensitive()
          .appendPattern("EEEE, dd-MMM-")
          .appendValueReduced(ChronoField.YEAR, 2, 2, 1970)
          .appendPattern(" HH:mm:ss 'GMT'")
          .toFormatter(Locale.US).withZone(ZoneOffset.UTC),
      new DateTimeFormatterBuilder().parseCaseInsensitive()
          .appendPattern("EEE MMM ppd HH:mm:ss yyyy")
          .toFormatter(Locale.US).withZone(ZoneOffset.UTC));

  private RetryAfter() {}

  /**
   * The delay {@code head} asks for, if it asks for one.
   *
   * @param wallClock the clock an HTTP date is read against when the response has no usable
   *     {@code Date} header
   */
  public static Optional<Duration> from(ResponseHead head, InstantSource wallClock) {
    Objects.requireNonNull(head, "head");
    Objects.requireNonNull(wallClock, "wallClock");
    Optional<Duration> millis = head.header("retry-after-ms")
        .flatMap(value -> decimal(value, NANOS_PER_MILLI));
    if (millis.isPresent()) {
      return millis;
    }
    return head.header("retry-after").flatMap(value -> decimal(value, NANOS_PER_SECOND)
        .or(() -> httpDate(value).map(when -> untilDate(when, head, wallClock))));
  }

  private static Optional<Duration> decimal(String value, BigDecimal nanosPerUnit) {
    String text = value.strip();
    if (!DECIMAL.matcher(text).matches()) {
      return Optional.empty();
    }
    BigDecimal nanos;
    try {
      nanos = new BigDecimal(text).multiply(nanosPerUnit);
    } catch (NumberFormatException | ArithmeticException unreadable) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofNanos(nanos.min(MAX_NANOS).longValue()));
  }

  private static Duration untilDate(Instant when, ResponseHead head, InstantSource wallClock) {
    Instant reference = head.header("date").flatMap(RetryAfter::httpDate).orElseGet(wallClock::instant);
    Duration delay = Duration.between(reference, when);
    return delay.isNegative() ? Duration.ZERO : delay;
  }

  /** An HTTP date in any of its three forms, or empty. */
  static Optional<Instant> httpDate(String value) {
    String text = value.strip();
    for (DateTimeFormatter format : HTTP_DATES) {
      try {
        return Optional.of(Instant.from(format.parse(text)));
      } catch (DateTimeException notThisForm) {
        // try the next form
      }
    }
    return Optional.empty();
  }
}
