package dev.pacer.retry;

import static dev.pacer.retry.Failures.head;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryAfterTest {

  /** A wall clock 90 s after the dates the tests use, so that using it by mistake shows. */
  private static final InstantSource WALL = InstantSource.fixed(Instant.parse("2015-10-21T07:29:30Z"));

  @ParameterizedTest(name = "retry-after-ms: {0} → {1} ns")
  @CsvSource({
      "10, 10000000",
      "1500, 1500000000",
      "0.5, 500000",
      "12.345678, 12345678",
      "' 250 ', 250000000",
      "1e3, 1000000000"})
  void readsMilliseconds(String value, long nanos) {
    assertThat(RetryAfter.from(head(429, "retry-after-ms", value), WALL)).contains(Duration.ofNanos(nanos));
  }

  @ParameterizedTest(name = "retry-after: {0} → {1} ns")
  @CsvSource({
      "30, 30000000000",
      "0, 0",
      "1.234, 1234000000",
      "'  7 ', 7000000000"})
  void readsSeconds(String value, long nanos) {
    assertThat(RetryAfter.from(head(429, "retry-after", value), WALL)).contains(Duration.ofNanos(nanos));
  }

  @Test
  void millisecondsWinOverSeconds() {
    assertThat(RetryAfter.from(head(429, "retry-after", "30", "retry-after-ms", "250"), WALL))
        .contains(Duration.ofMillis(250));
  }

  @Test
  void unreadableMillisecondsFallBackToSeconds() {
    assertThat(RetryAfter.from(head(429, "retry-after-ms", "soon", "retry-after", "2"), WALL))
        .contains(Duration.ofSeconds(2));
    assertThat(RetryAfter.from(head(429, "retry-after-ms", "-5", "retry-after", "2"), WALL))
        .contains(Duration.ofSeconds(2));
  }

  @Test
  void aDateIsReadAgainstTheResponsesDateHeader() {
    var response = head(503,
        "Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT",
        "Date", "Wed, 21 Oct 2015 07:27:45 GMT");

    assertThat(RetryAfter.from(response, WALL)).contains(Duration.ofSeconds(15));
  }

  @Test
  void aDateIsReadAgainstTheWallClockWithoutADateHeader() {
    InstantSource wall = InstantSource.fixed(Instant.parse("2015-10-21T07:27:00Z"));

    assertThat(RetryAfter.from(head(503, "Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"), wall))
        .contains(Duration.ofSeconds(60));
  }

  @Test
  void anUnreadableDateHeaderFallsBackToTheWallClock() {
    InstantSource wall = InstantSource.fixed(Instant.parse("2015-10-21T07:27:58Z"));
    var response = head(503, "Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT", "Date", "yesterday");

    assertThat(RetryAfter.from(response, wall)).contains(Duration.ofSeconds(2));
  }

  @Test
  void aDateInThePastAsksForNoDelay() {
    assertThat(RetryAfter.from(head(503, "Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"), WALL))
        .contains(Duration.ZERO);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "Wed, 21 Oct 2015 07:28:00 GMT",
      "Wednesday, 21-Oct-15 07:28:00 GMT",
      "Wed Oct 21 07:28:00 2015"})
  void readsAllThreeHttpDateForms(String date) {
    var response = head(503, "retry-after", date, "date", "Wed, 21 Oct 2015 07:27:00 GMT");

    assertThat(RetryAfter.from(response, WALL)).contains(Duration.ofMinutes(1));
  }

  @Test
  void asctimePadsSingleDigitDaysWithASpace() {
    var response = head(503, "retry-after", "Sun Nov  6 08:49:37 1994", "date", "Sun, 06 Nov 1994 08:49:30 GMT");

    assertThat(RetryAfter.from(response, WALL)).contains(Duration.ofSeconds(7));
  }

  @ParameterizedTest(name = "\"{0}\" is ignored")
  @ValueSource(strings = {"", "soon", "-3", "NaN", "Infinity", "0x10", "10f", "Wed, 99 Oct 2015 07:28:00 GMT"})
  void unreadableValuesCountAsAbsent(String value) {
    assertThat(RetryAfter.from(head(429, "retry-after", value), WALL)).isEmpty();
  }

  @Test
  void absentWhenNoHeaderAsks() {
    assertThat(RetryAfter.from(head(529), WALL)).isEmpty();
  }

  @Test
  void hugeValuesSaturateRatherThanOverflow() {
    assertThat(RetryAfter.from(head(429, "retry-after", "1e300"), WALL)).contains(Duration.ofNanos(Long.MAX_VALUE));
    assertThat(RetryAfter.from(head(429, "retry-after", "99999999999999999999"), WALL))
        .contains(Duration.ofNanos(Long.MAX_VALUE));
  }
}
