package dev.pacer.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.Demand;
import dev.pacer.Pacer;
import dev.pacer.Permit;
import dev.pacer.Usage;
import dev.pacer.limits.Limits;
import dev.pacer.redis.testing.RedisServer;
import dev.pacer.time.FakeTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The governor itself, in two "processes" (two Pacers, two stores) sharing limits through Redis. */
class PacerOverRedisTest {

  private static RedisServer redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Test
  void twoPacersSharingRedisTogetherKeepToOneLimitAndFinish() {
    FakeTimeSource time = new FakeTimeSource();
    String prefix = "pacers-" + System.nanoTime();
    List<Long> grantedAt = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<Permit>> all = new ArrayList<>();
    try (RedisBucketStore one = RedisBucketStore.builder(redis.url()).prefix(prefix).time(time).build();
         RedisBucketStore two = RedisBucketStore.builder(redis.url()).prefix(prefix).time(time).build();
         Pacer first = pacer(one, time);
         Pacer second = pacer(two, time)) {
      long start = time.nanoTime();
      for (int i = 0; i < 40; i++) {
        for (Pacer pacer : List.of(first, second)) {
          CompletableFuture<Permit> permit = pacer.governor().acquireAsync(Demand.of("claude-haiku-4-5", 100, 10));
          permit.thenAccept(granted -> {
            grantedAt.add(time.nanoTime() - start);
            granted.settle(Usage.of(100, 10));
          });
          all.add(permit);
        }
      }
      // Waiters come back at the times the store gave them: run the clock until all are served.
      for (int i = 0; i < 2_000 && !all.stream().allMatch(CompletableFuture::isDone); i++) {
        time.advance(Duration.ofMillis(100));
      }
      assertThat(all).allMatch(future -> future.isDone() && !future.isCompletedExceptionally());
      // 60 requests a minute with a burst of 10: by time t, at most 10 + t seconds' worth.
      List<Long> sorted = new ArrayList<>(grantedAt);
      Collections.sort(sorted);
      for (int n = 0; n < sorted.size(); n++) {
        double seconds = sorted.get(n) / 1e9;
        assertThat(n + 1).isLessThanOrEqualTo((int) Math.floor(10 + seconds + 1e-6));
      }
      // And close to that pace: 80 requests in about 70 s.
      assertThat(sorted.get(sorted.size() - 1)).isLessThan(Duration.ofSeconds(80).toNanos());
    }
  }

  private static Pacer pacer(RedisBucketStore store, FakeTimeSource time) {
    return Pacer.builder().store(store).timeSource(time)
        .limits(Limits.of(60, 1_000_000, 1_000_000)).burst(Duration.ofSeconds(10)).build();
  }
}
