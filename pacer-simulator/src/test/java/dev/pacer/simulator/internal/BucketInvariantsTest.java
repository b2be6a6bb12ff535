package dev.pacer.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.simulator.Limits;
import dev.pacer.simulator.OutputRule;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random request sequences on virtual time (seeded, so every run is the same): whatever happens,
 * no level exceeds its capacity, a refusal charges nothing, and the requests and input tokens
 * admitted over any span T never exceed {@code C + r·T}.
 */
class BucketInvariantsTest {

  private static final long SECOND = 1_000_000_000L;

  private record Taken(long atNanos, long requests, long input) {}

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void admissionsStayWithinTheBuckets(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    OutputRule rule = random.nextBoolean() ? OutputRule.RESERVE : OutputRule.LIVE;
    Limits limits = new Limits(5 + random.nextInt(100), 1_000 + random.nextInt(50_000), 500 + random.nextInt(10_000));
    long window = (1 + random.nextInt(60)) * SECOND;
    long burst = random.nextBoolean() ? 0 : 1 + random.nextLong(window);
    long now = Long.MAX_VALUE - 100 * SECOND;
    PoolBuckets pool = PoolBuckets.forPool(limits, window, burst, now);
    List<BucketState> initial = pool.snapshot(now);
    List<Taken> taken = new ArrayList<>();

    for (int i = 0; i < 1_500; i++) {
      now += random.nextLong(window / 20 + 1);
      long input = random.nextLong(limits.itpm() / 4 + 1);
      long maxTokens = 1 + random.nextLong(limits.otpm() / 3 + 1);
      List<BucketState> before = pool.snapshot(now);
      Admission a = pool.tryAdmit(Need.forMessages(rule, input, maxTokens), now);
      for (BucketState b : a.buckets()) {
        assertThat(b.level()).isLessThanOrEqualTo(b.capacity() + 1e-6);
      }
      if (!a.admitted()) {
        assertThat(a.buckets()).as("a refusal charges nothing").isEqualTo(before);
        assertThat(a.retryAfterSeconds()).isPositive();
        continue;
      }
      taken.add(new Taken(now, 1, input));
      long output = 1 + random.nextLong(maxTokens);
      if (rule == OutputRule.RESERVE) {
        pool.refundOutput(maxTokens - output, now);
      } else {
        pool.chargeOutput(output, now);
      }
    }

    assertThat(taken.size()).as("the sequence admits something").isGreaterThan(10);
    for (BucketKind kind : new BucketKind[] {BucketKind.REQUESTS, BucketKind.INPUT_TOKENS}) {
      BucketState b = initial.stream().filter(s -> s.kind() == kind).findFirst().orElseThrow();
      for (int from = 0; from < taken.size(); from++) {
        long sum = 0;
        for (int to = from; to < taken.size(); to++) {
          Taken t = taken.get(to);
          sum += kind == BucketKind.REQUESTS ? t.requests() : t.input();
          double span = (t.atNanos() - taken.get(from).atNanos()) / 1e9;
          assertThat((double) sum).isLessThanOrEqualTo(b.capacity() + b.ratePerSecond() * span + 1e-6);
        }
      }
    }
  }
}
