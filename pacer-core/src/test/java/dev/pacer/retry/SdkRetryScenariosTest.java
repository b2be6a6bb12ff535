package dev.pacer.retry;

import static dev.pacer.retry.Failures.error;
import static dev.pacer.retry.Failures.http;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.http.AttemptFailure;
import dev.pacer.retry.RetryDecision.Verdict;
import dev.pacer.time.FakeTimeSource;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The scenarios of the official Java SDK's retry tests ({@code RetryingHttpClientTest} and the
 * rules of its {@code shouldRetry}), replayed against the policy on a fake clock: each scripted
 * response is one attempt, {@code null} is a 200. {@code maxRetries(n)} there is
 * {@code maxAttempts(n + 1)} here, and the SDK's {@code x-stainless-retry-count} is
 * {@code attemptsMade − 1}.
 */
class SdkRetryScenariosTest {

  private static final long MILLI = 1_000_000L;

  private final FakeTimeSource time = new FakeTimeSource();
  private final InstantSource wall = InstantSource.fixed(Instant.parse("2026-11-27T12:00:00Z"));

  @Test
  void aSuccessIsOneAttempt() throws InterruptedException {
    Run run = run(policy(2), (AttemptFailure) null);

    assertThat(run.attempts()).isEqualTo(1);
    assertThat(run.retryCounts()).containsExactly(0);
    assertThat(run.succeeded()).isTrue();
  }

  @Test
  void retryAfterAsADateThenAsDecimalSecondsThenSuccess() throws InterruptedException {
    Run run = run(policy(2),
        http(503, "Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"),
        http(503, "Retry-After", "1.234"),
        null);

    assertThat(run.succeeded()).isTrue();
    assertThat(run.attempts()).isEqualTo(3);
    assertThat(run.retryCounts()).containsExactly(0, 1, 2);
    // The date is long past: Pacer backs off (the SDK would retry at once); then 1.234 s exactly.
    assertThat(run.waits().get(0)).isBetween(0L, 500 * MILLI);
    assertThat(run.serverDelays()).containsExactly(false, true);
    assertThat(run.waits().get(1)).isEqualTo(1_234 * MILLI);
  }

  @Test
  void retryAfterAsAFutureDateIsWaitedOut() throws InterruptedException {
    Run run = run(policy(2),
        http(503, "Retry-After", "Fri, 27 Nov 2026 12:00:03 GMT", "Date", "Fri, 27 Nov 2026 12:00:01 GMT"),
        null);

    assertThat(run.attempts()).isEqualTo(2);
    assertThat(run.waits()).containsExactly(2_000 * MILLI);
  }

  @Test
  void retryAfterMsThenSuccess() throws InterruptedException {
    Run run = run(policy(1), http(503, "Retry-After-Ms", "10"), null);

    assertThat(run.succeeded()).isTrue();
    assertThat(run.attempts()).isEqualTo(2);
    assertThat(run.waits()).containsExactly(10 * MILLI);
    assertThat(run.serverDelays()).containsExactly(true);
  }

  @Test
  void aRetryableConnectionFailureThenSuccess() throws InterruptedException {
    Run run = run(policy(2), Failures.reset(), null);

    assertThat(run.succeeded()).isTrue();
    assertThat(run.retryCounts()).containsExactly(0, 1);
  }

  @Test
  void xShouldRetryTrueRetriesWhatWouldNotBe() throws InterruptedException {
    Run run = run(policy(2), http(400, error("invalid_request_error", "try again"), "x-should-retry", "true"), null);

    assertThat(run.succeeded()).isTrue();
    assertThat(run.attempts()).isEqualTo(2);
  }

  @Test
  void xShouldRetryFalseStopsWhatWouldBeRetried() throws InterruptedException {
    Run run = run(policy(2), http(503, "x-should-retry", "false", "retry-after", "1"), null);

    assertThat(run.succeeded()).isFalse();
    assertThat(run.attempts()).isEqualTo(1);
    assertThat(run.last().verdict()).isEqualTo(Verdict.NOT_RETRYABLE);
  }

  @Test
  void serverErrorsAreRetriedUntilTheRetriesRunOut() throws InterruptedException {
    Run run = run(policy(2), http(500), http(502), http(500), null);

    assertThat(run.succeeded()).isFalse();
    assertThat(run.attempts()).isEqualTo(3);
    assertThat(run.retryCounts()).containsExactly(0, 1, 2);
    assertThat(run.last().verdict()).isEqualTo(Verdict.ATTEMPTS_EXHAUSTED);
    assertThat(run.last().reason()).startsWith("gave up after 3 attempts");
  }

  @Test
  void everyRetryableStatusOfTheSdkIsRetried() throws InterruptedException {
    for (int status : new int[] {408, 409, 429, 500, 502, 503, 504, 529}) {
      Run run = run(policy(2), http(status), null);
      assertThat(run.succeeded()).as("status %d", status).isTrue();
      assertThat(run.attempts()).as("status %d", status).isEqualTo(2);
    }
  }

  @Test
  void clientErrorsAreNotRetried() throws InterruptedException {
    for (int status : new int[] {400, 401, 403, 404, 413, 422}) {
      Run run = run(policy(2), http(status), null);
      assertThat(run.succeeded()).as("status %d", status).isFalse();
      assertThat(run.attempts()).as("status %d", status).isEqualTo(1);
    }
  }

  @Test
  void zeroRetriesMeansOneAttempt() throws InterruptedException {
    Run run = run(policy(0), Failures.overloaded(), null);

    assertThat(run.attempts()).isEqualTo(1);
    assertThat(run.succeeded()).isFalse();
  }

  @Test
  void theTimeWaitedIsTheTimeThatPassedOnTheClock() throws InterruptedException {
    long start = time.nanoTime();

    Run run = run(policy(3), http(429, "retry-after", "2"), http(429, "retry-after-ms", "1500"), null);

    assertThat(time.nanoTime() - start).isEqualTo(3_500 * MILLI);
    assertThat(run.waits()).containsExactly(2_000 * MILLI, 1_500 * MILLI);
  }

  private RetryPolicy policy(int maxRetries) {
    return RetryPolicy.builder().maxAttempts(maxRetries + 1).jitterSeed(3).wallClock(wall).build();
  }

  /** Plays the script as a caller would: attempt, decide, sleep on the fake clock, repeat. */
  private Run run(RetryPolicy policy, AttemptFailure... script) throws InterruptedException {
    List<AttemptFailure> responses = Arrays.asList(script);
    List<Integer> retryCounts = new ArrayList<>();
    List<Long> waits = new ArrayList<>();
    List<Boolean> serverDelays = new ArrayList<>();
    long start = time.nanoTime();
    int attempts = 0;
    while (true) {
      retryCounts.add(attempts);
      AttemptFailure outcome = responses.get(attempts);
      attempts++;
      if (outcome == null) {
        return new Run(attempts, retryCounts, waits, serverDelays, Optional.empty());
      }
      RetryDecision decision = policy.decide(outcome, attempts, time.nanoTime() - start, Long.MAX_VALUE);
      if (!decision.retry()) {
        return new Run(attempts, retryCounts, waits, serverDelays, Optional.of(decision));
      }
      waits.add(decision.delayNanos());
      serverDelays.add(decision.serverRequestedDelay());
      time.sleep(decision.delay());
    }
  }

  private record Run(int attempts, List<Integer> retryCounts, List<Long> waits, List<Boolean> serverDelays,
      Optional<RetryDecision> gaveUp) {
    boolean succeeded() {
      return gaveUp.isEmpty();
    }

    RetryDecision last() {
      return gaveUp.orElseThrow();
    }
  }
}
