package dev.pacer.retry;

import static dev.pacer.retry.Failures.error;
import static dev.pacer.retry.Failures.http;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pacer.retry.RetryDecision.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private static final long SECOND = 1_000_000_000L;
  private static final long NO_DEADLINE = Long.MAX_VALUE;

  private final RetryPolicy policy = RetryPolicy.builder().jitterSeed(1).build();

  @Test
  void theDefaultsAreTheDocumentedOnes() {
    RetryConfig config = RetryPolicy.defaults().config();

    assertThat(config).isEqualTo(RetryConfig.defaults());
    assertThat(config.maxAttempts()).isEqualTo(10);
    assertThat(config.initialBackoff()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.maxBackoff()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.maxRetryAfter()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.waitBeyondMaxRetryAfter()).isFalse();
    assertThat(config.maxElapsed()).isEmpty();
  }

  @Nested
  class NotRetryable {

    @Test
    void saysWhyInTheServersWords() {
      RetryDecision d = policy.decide(http(400,
          error("invalid_request_error", "max_tokens: Input should be greater than or equal to 1"),
          "request-id", "req_011"), 1, 0, NO_DEADLINE);

      assertThat(d.retry()).isFalse();
      assertThat(d.verdict()).isEqualTo(Verdict.NOT_RETRYABLE);
      assertThat(d.delayNanos()).isZero();
      assertThat(d.reason()).isEqualTo("not retryable: 400 invalid_request_error: max_tokens: Input should be"
          + " greater than or equal to 1 (request-id req_011)");
      assertThat(d.classification().kind()).isEqualTo(FailureKind.CLIENT_ERROR);
    }

    @Test
    void evenOnTheFirstAttemptWithTimeToSpare() {
      assertThat(policy.decide(http(401), 1, 0, NO_DEADLINE).retry()).isFalse();
      assertThat(policy.decide(http(413), 1, 0, NO_DEADLINE).retry()).isFalse();
    }
  }

  @Nested
  class MaxAttempts {

    @Test
    void retriesUntilTheLastAttemptThenGivesUp() {
      for (int attempts = 1; attempts < 10; attempts++) {
        assertThat(policy.decide(Failures.overloaded(), attempts, 0, NO_DEADLINE).retry())
            .as("after attempt %d", attempts)
            .isTrue();
      }
      RetryDecision last = policy.decide(Failures.overloaded(), 10, 0, NO_DEADLINE);

      assertThat(last.retry()).isFalse();
      assertThat(last.verdict()).isEqualTo(Verdict.ATTEMPTS_EXHAUSTED);
      assertThat(last.reason()).isEqualTo(
          "gave up after 10 attempts (maxAttempts); last failure: 529 overloaded_error: Overloaded");
    }

    @Test
    void oneAttemptMeansNoRetries() {
      RetryPolicy once = RetryPolicy.builder().maxAttempts(1).build();

      RetryDecision d = once.decide(Failures.refused(), 1, 0, NO_DEADLINE);

      assertThat(d.verdict()).isEqualTo(Verdict.ATTEMPTS_EXHAUSTED);
      assertThat(d.reason()).startsWith("gave up after 1 attempt (maxAttempts)");
    }

    @Test
    void theRetryReasonCountsRetries() {
      assertThat(policy.decide(Failures.overloaded(), 3, 0, NO_DEADLINE).reason())
          .startsWith("retry 3 of 9 in ")
          .contains("(backoff); last failure: 529 overloaded_error: Overloaded");
    }
  }

  @Nested
  class ServerDelay {

    @Test
    void theServersDelayReplacesTheBackoff() {
      RetryDecision d = policy.decide(http(429, "retry-after", "7"), 1, 0, NO_DEADLINE);

      assertThat(d.retry()).isTrue();
      assertThat(d.delayNanos()).isEqualTo(7 * SECOND);
      assertThat(d.delay()).isEqualTo(Duration.ofSeconds(7));
      assertThat(d.serverRequestedDelay()).isTrue();
      assertThat(d.reason()).startsWith("retry 1 of 9 in 7 s as the server asked (retry-after)");
    }

    @Test
    void aZeroOrPastDelayGetsTheBackoffInstead() {
      RetryPolicy seeded = RetryPolicy.builder().jitterSeed(42).build();

      RetryDecision zero = seeded.decide(http(503, "retry-after", "0"), 1, 0, NO_DEADLINE);

      assertThat(zero.serverRequestedDelay()).isFalse();
      assertThat(zero.delayNanos()).isEqualTo(363_781_840L);
      RetryDecision past = policy.decide(http(503, "retry-after", "Wed, 21 Oct 2015 07:28:00 GMT",
          "date", "Wed, 21 Oct 2015 07:30:00 GMT"), 1, 0, NO_DEADLINE);
      assertThat(past.serverRequestedDelay()).isFalse();
      assertThat(past.delayNanos()).isBetween(0L, SECOND / 2);
    }

    @Test
    void aDelayAtTheCeilingIsObeyed() {
      RetryDecision d = policy.decide(http(429, "retry-after", "60"), 1, 0, NO_DEADLINE);

      assertThat(d.retry()).isTrue();
      assertThat(d.delayNanos()).isEqualTo(60 * SECOND);
    }

    @Test
    void aDelayBeyondTheCeilingFailsFastWithAClearReason() {
      RetryDecision d = policy.decide(http(429, error("rate_limit_error", "slow down"), "retry-after", "3600"),
          1, 0, NO_DEADLINE);

      assertThat(d.retry()).isFalse();
      assertThat(d.verdict()).isEqualTo(Verdict.RETRY_AFTER_TOO_LONG);
      assertThat(d.delayNanos()).isEqualTo(3600 * SECOND);
      assertThat(d.serverRequestedDelay()).isTrue();
      assertThat(d.reason()).isEqualTo("retry-after of 3600 s exceeds the 60 s ceiling (maxRetryAfter);"
          + " raise it or allow waiting (waitBeyondMaxRetryAfter); last failure: 429 rate_limit_error: slow down");
    }

    @Test
    void aDelayBeyondTheCeilingIsWaitedWhenAllowed() {
      RetryPolicy patient = RetryPolicy.builder().maxRetryAfter(Duration.ofSeconds(10))
          .waitBeyondMaxRetryAfter(true).build();

      RetryDecision d = patient.decide(http(429, "retry-after", "3600"), 1, 0, NO_DEADLINE);

      assertThat(d.retry()).isTrue();
      assertThat(d.delayNanos()).isEqualTo(3600 * SECOND);
      assertThat(d.serverRequestedDelay()).isTrue();
      assertThat(d.reason()).contains("beyond the 10 s maxRetryAfter, waiting as configured");
    }

    @Test
    void theCeilingAppliesToMillisecondsAndDatesToo() {
      RetryPolicy strict = RetryPolicy.builder().maxRetryAfter(Duration.ofSeconds(1)).build();

      assertThat(strict.decide(http(529, "retry-after-ms", "1500.5"), 1, 0, NO_DEADLINE).reason())
          .startsWith("retry-after of 1.501 s exceeds the 1 s ceiling");
      assertThat(strict.decide(http(503, "retry-after", "Wed, 21 Oct 2015 07:28:00 GMT",
          "date", "Wed, 21 Oct 2015 07:27:58 GMT"), 1, 0, NO_DEADLINE).verdict())
          .isEqualTo(Verdict.RETRY_AFTER_TOO_LONG);
    }

    @Test
    void aDateWithoutADateHeaderIsReadOnTheInjectedWallClock() {
      RetryPolicy withClock = RetryPolicy.builder()
          .wallClock(InstantSource.fixed(Instant.parse("2015-10-21T07:27:50Z"))).build();

      RetryDecision d = withClock.decide(http(503, "retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"), 1, 0, NO_DEADLINE);

      assertThat(d.delayNanos()).isEqualTo(10 * SECOND);
      assertThat(d.serverRequestedDelay()).isTrue();
    }
  }

  @Nested
  class Deadlines {

    @Test
    void givesUpWhenTheDelayDoesNotFitBeforeTheDeadline() {
      RetryDecision d = policy.decide(http(429, "retry-after", "8"), 2, 0, 5 * SECOND);

      assertThat(d.retry()).isFalse();
      assertThat(d.verdict()).isEqualTo(Verdict.DEADLINE_EXCEEDED);
      assertThat(d.delayNanos()).isEqualTo(8 * SECOND);
      assertThat(d.reason()).startsWith(
          "the next attempt could not start before the deadline: it must wait 8 s and 5 s remain");
    }

    @Test
    void retriesWhenTheDelayFits() {
      assertThat(policy.decide(http(429, "retry-after", "8"), 2, 0, 9 * SECOND).retry()).isTrue();
    }

    @Test
    void givesUpOnceTheDeadlineHasPassed() {
      RetryDecision d = policy.decide(Failures.refused(), 1, 0, 0);

      assertThat(d.verdict()).isEqualTo(Verdict.DEADLINE_EXCEEDED);
      assertThat(d.reason()).contains("the deadline has passed");
      assertThat(policy.decide(Failures.refused(), 1, 0, -SECOND).retry()).isFalse();
    }

    @Test
    void maxElapsedBoundsTheWholeRequest() {
      RetryPolicy bounded = RetryPolicy.builder().maxElapsed(Duration.ofSeconds(60)).build();

      assertThat(bounded.decide(http(503, "retry-after", "5"), 3, 54 * SECOND, NO_DEADLINE).retry()).isTrue();
      RetryDecision late = bounded.decide(http(503, "retry-after", "5"), 3, 56 * SECOND, NO_DEADLINE);
      assertThat(late.verdict()).isEqualTo(Verdict.DEADLINE_EXCEEDED);
      assertThat(late.reason()).startsWith("the next attempt would start 61 s after the first, beyond maxElapsed of 60 s");
    }

    @Test
    void theOrderOfReasonsIsRetryableThenAttemptsThenCeilingThenDeadline() {
      assertThat(policy.decide(http(400, "retry-after", "3600"), 10, 0, 0).verdict())
          .isEqualTo(Verdict.NOT_RETRYABLE);
      assertThat(policy.decide(http(429, "retry-after", "3600"), 10, 0, 0).verdict())
          .isEqualTo(Verdict.ATTEMPTS_EXHAUSTED);
      assertThat(policy.decide(http(429, "retry-after", "3600"), 2, 0, 0).verdict())
          .isEqualTo(Verdict.RETRY_AFTER_TOO_LONG);
      assertThat(policy.decide(http(429, "retry-after", "30"), 2, 0, 0).verdict())
          .isEqualTo(Verdict.DEADLINE_EXCEEDED);
    }
  }

  @Nested
  class Validation {

    @Test
    void rejectsNonsenseArguments() {
      assertThatThrownBy(() -> policy.decide(Failures.refused(), 0, 0, NO_DEADLINE))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attemptsMade");
      assertThatThrownBy(() -> policy.decide(Failures.refused(), 1, -1, NO_DEADLINE))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("elapsedNanos");
    }

    @Test
    void rejectsNonsenseConfiguration() {
      assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0).build())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts");
      assertThatThrownBy(() -> RetryPolicy.builder().initialBackoff(Duration.ZERO).build())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initialBackoff");
      assertThatThrownBy(() -> RetryPolicy.builder().initialBackoff(Duration.ofSeconds(2))
          .maxBackoff(Duration.ofSeconds(1)).build())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBackoff");
      assertThatThrownBy(() -> RetryPolicy.builder().maxRetryAfter(Duration.ofSeconds(-1)).build())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRetryAfter");
      assertThatThrownBy(() -> RetryPolicy.builder().maxElapsed(Duration.ZERO).build())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxElapsed");
    }

    @Test
    void theConfigIsFrozenAtBuild() {
      RetryPolicy.Builder builder = RetryPolicy.builder().maxAttempts(3);
      RetryPolicy built = builder.build();
      builder.maxAttempts(7).maxElapsed(Duration.ofSeconds(5));

      assertThat(built.config().maxAttempts()).isEqualTo(3);
      assertThat(built.config().maxElapsed()).isEqualTo(Optional.empty());
    }

    @Test
    void hugeDurationsMeanForever() {
      RetryPolicy patient = RetryPolicy.builder().maxBackoff(Duration.ofDays(365 * 1000))
          .maxRetryAfter(Duration.ofDays(365 * 1000)).build();

      assertThat(patient.decide(http(429, "retry-after", "86400"), 1, 0, NO_DEADLINE).retry()).isTrue();
    }
  }
}
