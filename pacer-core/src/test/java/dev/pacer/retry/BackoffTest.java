package dev.pacer.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void ceilingsDoubleFromTheInitialBackoffUpToTheMaximum() {
    Backoff backoff = new Backoff(SECOND / 2, 30 * SECOND, new Random(1));

    List<Long> ceilings = new ArrayList<>();
    for (int retry = 1; retry <= 10; retry++) {
      ceilings.add(backoff.ceilingNanos(retry));
    }

    assertThat(ceilings).containsExactly(SECOND / 2, SECOND, 2 * SECOND, 4 * SECOND, 8 * SECOND,
        16 * SECOND, 30 * SECOND, 30 * SECOND, 30 * SECOND, 30 * SECOND);
  }

  @Test
  void ceilingsDoNotOverflowForLateRetries() {
    Backoff backoff = new Backoff(SECOND / 2, Long.MAX_VALUE, new Random(1));

    assertThat(backoff.ceilingNanos(Integer.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    assertThat(backoff.ceilingNanos(30)).isEqualTo((SECOND / 2) << 29);
    for (int retry = 1; retry < 200; retry++) {
      assertThat(backoff.ceilingNanos(retry)).isPositive();
    }
  }

  @Test
  void theDefaultPolicyWithSeed42WaitsExactlyThis() {
    RetryPolicy policy = RetryPolicy.builder().jitterSeed(42).build();

    List<Long> delays = new ArrayList<>();
    for (int attempts = 1; attempts <= 9; attempts++) {
      RetryDecision decision = policy.decide(Failures.overloaded(), attempts, 0, Long.MAX_VALUE);
      assertThat(decision.retry()).isTrue();
      assertThat(decision.serverRequestedDelay()).isFalse();
      delays.add(decision.delayNanos());
    }

    // floor(min(30 s, 0.5 s · 2^(n−1)) · U_n), U_n = new Random(42).nextDouble(), n = 1..9
    assertThat(delays).containsExactly(
        363_781_840L, 683_223_471L, 617_438_910L, 1_108_313_960L, 5_324_391_614L,
        14_453_956_234L, 11_063_487_402L, 8_272_442_083L, 13_909_607_274L);
  }

  @Test
  void eachDelayIsTheCeilingTimesTheNextRandomDouble() {
    RetryPolicy policy = RetryPolicy.builder().initialBackoff(Duration.ofMillis(100))
        .maxBackoff(Duration.ofSeconds(5)).maxAttempts(20).jitterSeed(7).build();
    Random expected = new Random(7);

    for (int attempts = 1; attempts < 20; attempts++) {
      long ceiling = Math.min(5 * SECOND, (SECOND / 10) << (attempts - 1));
      long want = (long) Math.floor(ceiling * expected.nextDouble());
      assertThat(policy.decide(Failures.refused(), attempts, 0, Long.MAX_VALUE).delayNanos())
          .as("delay before retry %d", attempts)
          .isEqualTo(want);
    }
  }

  @Test
  void theSameSeedGivesTheSameDelays() {
    RetryPolicy one = RetryPolicy.builder().jitterSeed(99).build();
    RetryPolicy two = RetryPolicy.builder().jitterSeed(99).build();

    for (int attempts = 1; attempts < 10; attempts++) {
      assertThat(one.decide(Failures.reset(), attempts, 0, Long.MAX_VALUE).delayNanos())
          .isEqualTo(two.decide(Failures.reset(), attempts, 0, Long.MAX_VALUE).delayNanos());
    }
  }

  @Test
  void anInjectedGeneratorDrivesTheJitter() {
    RetryPolicy policy = RetryPolicy.builder().random(new FixedDouble(0.5)).build();

    assertThat(policy.decide(Failures.overloaded(), 1, 0, Long.MAX_VALUE).delayNanos()).isEqualTo(SECOND / 4);
    assertThat(policy.decide(Failures.overloaded(), 4, 0, Long.MAX_VALUE).delayNanos()).isEqualTo(2 * SECOND);
  }

  @Test
  void theExtremesOfTheRandomSourceStayWithinTheCeiling() {
    assertThat(RetryPolicy.builder().random(new FixedDouble(0.0)).build()
        .decide(Failures.overloaded(), 3, 0, Long.MAX_VALUE).delayNanos()).isZero();
    assertThat(RetryPolicy.builder().random(new FixedDouble(Math.nextDown(1.0))).build()
        .decide(Failures.overloaded(), 3, 0, Long.MAX_VALUE).delayNanos()).isLessThan(2 * SECOND);
  }

  @Test
  void retryNumbersStartAtOne() {
    assertThatThrownBy(() -> new Backoff(SECOND, SECOND, new Random()).ceilingNanos(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** A generator whose nextDouble() is always the same. */
  private record FixedDouble(double value) implements RandomGenerator {
    @Override
    public long nextLong() {
      throw new UnsupportedOperationException();
    }

    @Override
    public double nextDouble() {
      return value;
    }
  }
}
