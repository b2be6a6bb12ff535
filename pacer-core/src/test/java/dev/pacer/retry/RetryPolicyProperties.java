package dev.pacer.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.http.ApiError;
import dev.pacer.http.AttemptFailure;
import dev.pacer.retry.RetryDecision.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariants of {@link RetryPolicy#decide} over random failures, settings and moments, one batch
 * per seed (seeded, so a failure replays exactly).
 */
class RetryPolicyProperties {

  private static final int[] STATUSES = {200, 302, 400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 501,
      502, 503, 504, 529};
  private static final String[] RETRY_AFTERS = {"0", "1", "2.5", "30", "59", "61", "3600", "junk",
      "Wed, 21 Oct 2015 07:28:00 GMT"};

  static LongStream seeds() {
    return LongStream.range(0, 40);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void decisionsKeepTheirPromises(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int maxAttempts = 1 + random.nextInt(12);
    Duration initial = Duration.ofMillis(1 + random.nextInt(2_000));
    Duration max = initial.multipliedBy(1 + random.nextInt(100));
    Duration ceiling = Duration.ofSeconds(random.nextInt(120));
    boolean waitBeyond = random.nextBoolean();
    RetryPolicy policy = RetryPolicy.builder().maxAttempts(maxAttempts).initialBackoff(initial).maxBackoff(max)
        .maxRetryAfter(ceiling).waitBeyondMaxRetryAfter(waitBeyond).jitterSeed(seed).build();

    for (int i = 0; i < 500; i++) {
      AttemptFailure failure = randomFailure(random);
      int attemptsMade = 1 + random.nextInt(maxAttempts + 2);
      long deadline = random.nextInt(4) == 0 ? Long.MAX_VALUE : random.nextLong(-1_000_000_000L, 200_000_000_000L);

      RetryDecision d = policy.decide(failure, attemptsMade, 0, deadline);
      FailureClassification c = policy.classify(failure);

      assertThat(d.classification()).isEqualTo(c);
      assertThat(d.delayNanos()).isNotNegative();
      assertThat(d.reason()).isNotBlank();
      if (!c.retryable()) {
        assertThat(d.verdict()).isEqualTo(Verdict.NOT_RETRYABLE);
      }
      if (attemptsMade >= maxAttempts) {
        assertThat(d.retry()).isFalse();
      }
      if (d.retry()) {
        assertThat(d.delayNanos()).isLessThan(deadline);
        if (d.serverRequestedDelay()) {
          assertThat(d.delayNanos() <= ceiling.toNanos() || waitBeyond).isTrue();
        } else {
          long cap = Math.min(max.toNanos(), initial.toNanos() * (1L << Math.min(40, attemptsMade - 1)));
          assertThat(d.delayNanos()).isLessThan(cap);
        }
      }
      if (d.verdict() == Verdict.RETRY_AFTER_TOO_LONG) {
        assertThat(waitBeyond).isFalse();
        assertThat(d.delayNanos()).isGreaterThan(ceiling.toNanos());
      }
    }
  }

  private static AttemptFailure randomFailure(SplittableRandom random) {
    return switch (random.nextInt(8)) {
      case 0 -> Failures.refused();
      case 1 -> Failures.timedOut();
      case 2 -> Failures.stream(random.nextBoolean() ? null : new ApiError("overloaded_error", "Overloaded", null, null),
          random.nextBoolean());
      default -> {
        List<String> headers = new ArrayList<>();
        if (random.nextBoolean()) {
          headers.add("retry-after");
          headers.add(RETRY_AFTERS[random.nextInt(RETRY_AFTERS.length)]);
        }
        if (random.nextInt(4) == 0) {
          headers.add("retry-after-ms");
          headers.add(Integer.toString(random.nextInt(100_000)));
        }
        if (random.nextInt(4) == 0) {
          headers.add("x-should-retry");
          headers.add(random.nextBoolean() ? "true" : "false");
        }
        headers.add("date");
        headers.add("Wed, 21 Oct 2015 07:27:00 GMT");
        int status = STATUSES[random.nextInt(STATUSES.length)];
        yield Failures.http(status, headers.toArray(String[]::new));
      }
    };
  }
}
