package dev.pacer.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.limits.Bucket;
import dev.pacer.redis.testing.RedisServer;
import dev.pacer.store.PoolBuckets;
import dev.pacer.time.FakeTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two stores on one Redis are two processes sharing one organization's limits. */
class SharedPoolTest {

  private static final long WINDOW = Duration.ofSeconds(60).toNanos();
  private static RedisServer redis;

  private final List<RedisBucketStore> stores = new ArrayList<>();
  private FakeTimeSource time;
  private String pool;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void setUp() {
    time = new FakeTimeSource();
    pool = "shared-" + System.nanoTime();
  }

  @AfterEach
  void closeStores() {
    stores.forEach(RedisBucketStore::close);
  }

  private PoolBuckets process(FakeTimeSource clock) {
    RedisBucketStore store = RedisBucketStore.builder(redis.url()).prefix("shared").time(clock).build();
    stores.add(store);
    PoolBuckets buckets = store.pool(pool, WINDOW);
    buckets.configure(Bucket.REQUESTS, 60, 10);
    buckets.configure(Bucket.INPUT_TOKENS, 6_000, 1_000);
    return buckets;
  }

  @Test
  void twoProcessesTakingAsFastAsTheyCanNeverTakeMoreThanTheLimitAllows() {
    PoolBuckets a = process(time);
    PoolBuckets b = process(time);
    int granted = 0;
    long steps = 600; // one minute of virtual time in 100 ms steps
    for (int step = 0; step < steps; step++) {
      for (PoolBuckets process : List.of(a, b)) {
        while (process.tryTake(new double[] {1, 10, 0}, "t" + step).granted()) {
          granted++;
        }
      }
      // Capacity 10, refill 1 a second: never more than 10 + elapsed seconds.
      assertThat(granted).isLessThanOrEqualTo(10 + (int) (step / 10.0));
      time.advance(Duration.ofMillis(100));
    }
    assertThat(granted).isGreaterThanOrEqualTo(10 + 59);
  }

  @Test
  void realThreadsOnRedisTimeNeverOverAdmit() throws Exception {
    List<PoolBuckets> processes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      RedisBucketStore store = RedisBucketStore.builder(redis.url()).prefix("shared").build();
      stores.add(store);
      PoolBuckets buckets = store.pool(pool, WINDOW);
      buckets.configure(Bucket.REQUESTS, 600, 20); // 10 a second, burst 20
      processes.add(buckets);
    }
    AtomicInteger granted = new AtomicInteger();
    long start = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      PoolBuckets process = processes.get(i % 2);
      int id = i;
      threads.add(Thread.ofPlatform().start(() -> {
        long until = System.nanoTime() + Duration.ofMillis(1_500).toNanos();
        while (System.nanoTime() - until < 0) {
          if (process.tryTake(new double[] {1, 0, 0}, "thread-" + id).granted()) {
            granted.incrementAndGet();
          }
        }
      }));
    }
    for (Thread thread : threads) {
      thread.join();
    }
    double elapsedSeconds = (System.nanoTime() - start) / 1e9;
    // An upper bound: the real time between Redis's first and last decision is shorter.
    assertThat(granted.get()).isLessThanOrEqualTo((int) Math.floor(20 + 10 * elapsedSeconds));
    assertThat(granted.get()).isGreaterThanOrEqualTo(20);
  }

  @Test
  void aFastProcessDoesNotStarveASlowOnesLargeDemand() {
    PoolBuckets slow = process(time);
    PoolBuckets fast = process(time);
    // Drain the input bucket (capacity 1,000, 100 a second).
    assertThat(fast.tryTake(new double[] {1, 1_000, 0}, "drain").granted()).isTrue();
    time.advance(Duration.ofSeconds(10)); // the requests bucket full again, input at 1,000
    assertThat(fast.tryTake(new double[] {1, 1_000, 0}, "drain-2").granted()).isTrue();
    PoolBuckets.Take told = slow.tryTake(new double[] {1, 800, 0}, "big");
    assertThat(told.granted()).isFalse();
    assertThat(told.waitNanos()).isCloseTo(Duration.ofSeconds(8).toNanos(), org.assertj.core.data.Offset.offset(1_000_000L));
    // The fast process asks every 100 ms for a little; it gets only what is above the 800 held.
    int fastGrants = 0;
    for (int i = 0; i < 80; i++) {
      time.advance(Duration.ofMillis(100));
      if (fast.tryTake(new double[] {1, 50, 0}, "small-" + i).granted()) {
        fastGrants++;
      }
    }
    assertThat(fastGrants).isZero();
    time.advance(Duration.ofMillis(1));
    assertThat(slow.tryTake(new double[] {1, 800, 0}, "big").granted()).isTrue();
    // Served, the slow one no longer holds anything back.
    time.advance(Duration.ofSeconds(1));
    assertThat(fast.tryTake(new double[] {1, 50, 0}, "small-after").granted()).isTrue();
  }

  @Test
  void aWithdrawnWaiterHoldsNothingBack() {
    PoolBuckets slow = process(time);
    PoolBuckets fast = process(time);
    assertThat(fast.tryTake(new double[] {1, 1_000, 0}, "drain").granted()).isTrue();
    assertThat(slow.tryTake(new double[] {1, 900, 0}, "big").granted()).isFalse();
    time.advance(Duration.ofSeconds(2));
    assertThat(fast.tryTake(new double[] {1, 100, 0}, "small").granted()).isFalse();
    slow.withdraw("big");
    assertThat(fast.tryTake(new double[] {1, 100, 0}, "small").granted()).isTrue();
  }

  @Test
  void aDeadProcessesPlaceInTheQueueExpires() {
    FakeTimeSource clock = time;
    PoolBuckets fast = process(clock);
    RedisBucketStore dying = RedisBucketStore.builder(redis.url()).prefix("shared").time(clock).build();
    PoolBuckets slow = dying.pool(pool, WINDOW);
    slow.configure(Bucket.REQUESTS, 60, 10);
    slow.configure(Bucket.INPUT_TOKENS, 6_000, 1_000);
    assertThat(fast.tryTake(new double[] {1, 1_000, 0}, "drain").granted()).isTrue();
    PoolBuckets.Take told = slow.tryTake(new double[] {1, 900, 0}, "big");
    dying.close(); // dies waiting: never comes back, never withdraws
    clock.advanceNanos(told.waitNanos());
    assertThat(fast.tryTake(new double[] {1, 100, 0}, "small").granted()).isFalse(); // still held for it
    clock.advance(RedisStoreConfig.defaults().ticketGrace().plusMillis(1));
    assertThat(fast.tryTake(new double[] {1, 100, 0}, "small").granted()).isTrue();
  }

  @Test
  void aDeadProcessesReservationsComeBackByRefill() {
    RedisBucketStore dying = RedisBucketStore.builder(redis.url()).prefix("shared").time(time).build();
    PoolBuckets holder = dying.pool(pool, WINDOW);
    holder.configure(Bucket.REQUESTS, 60, 10);
    holder.configure(Bucket.INPUT_TOKENS, 6_000, 1_000);
    assertThat(holder.tryTake(new double[] {1, 1_000, 0}, "held")).extracting(PoolBuckets.Take::granted).isEqualTo(true);
    dying.close(); // killed before settling: its refund never comes
    PoolBuckets other = process(time);
    PoolBuckets.Take told = other.tryTake(new double[] {1, 1_000, 0}, "next");
    assertThat(told.granted()).isFalse();
    assertThat(told.waitNanos()).isLessThanOrEqualTo(Duration.ofSeconds(10).toNanos()); // capacity / rate
    time.advanceNanos(told.waitNanos());
    assertThat(other.tryTake(new double[] {1, 1_000, 0}, "next").granted()).isTrue();
  }

  @Test
  void capacityGivenBackByAnotherProcessWakesAWaiter() throws Exception {
    PoolBuckets waiter = process(time);
    PoolBuckets giver = process(time);
    CountDownLatch woken = new CountDownLatch(1);
    AtomicInteger ownNotices = new AtomicInteger();
    waiter.onChange(woken::countDown);
    giver.onChange(ownNotices::incrementAndGet);
    assertThat(giver.tryTake(new double[] {1, 1_000, 0}, "all").granted()).isTrue();
    assertThat(waiter.tryTake(new double[] {1, 500, 0}, "wants").granted()).isFalse();
    giver.charge(new double[] {0, -600, 0}); // used less than it held
    assertThat(woken.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(waiter.tryTake(new double[] {1, 500, 0}, "wants").granted()).isTrue();
    assertThat(ownNotices.get()).isZero(); // a process is not told of its own refunds
  }

  @Test
  void aPoolSeenBeforeThatRedisForgotStartsEmptyAndANewOneFull() {
    PoolBuckets a = process(time);
    assertThat(a.tryTake(new double[] {1, 0, 0}, "first").granted()).isTrue();
    redis.restart(); // all state lost: what the processes took up to now is unknown
    awaitRedis(stores.get(0));
    assertThat(a.tryTake(new double[] {1, 0, 0}, "after").granted()).isFalse(); // born empty
    PoolBuckets late = process(time); // joins after the restart: the pool is there, empty
    assertThat(late.tryTake(new double[] {1, 0, 0}, "late").granted()).isFalse();
    time.advance(Duration.ofSeconds(1));
    assertThat(late.tryTake(new double[] {1, 0, 0}, "late").granted()).isTrue();
    pool = "never-seen-" + System.nanoTime();
    PoolBuckets brandNew = process(time); // first ever: full
    for (int i = 0; i < 10; i++) {
      assertThat(brandNew.tryTake(new double[] {1, 0, 0}, "new-" + i).granted()).isTrue();
    }
  }

  @Test
  void aProcessThatJustJoinedStopsTheOthersRaisesBeforeAnyHeartbeatCountsIt() throws InterruptedException {
    // A beats once an hour: after its start-up beats it counts itself alone for a long while.
    RedisBucketStore alone = RedisBucketStore.builder(redis.url()).prefix("shared").time(time)
        .heartbeatInterval(Duration.ofHours(1)).build();
    stores.add(alone);
    PoolBuckets a = alone.pool(pool, WINDOW);
    a.configure(Bucket.REQUESTS, 60, 10);
    a.configure(Bucket.INPUT_TOKENS, 6_000, 1_000);
    Thread.sleep(600); // past its second, early heartbeat: it has counted itself alone
    assertThat(alone.shared()).isFalse();
    PoolBuckets.Take taken = a.tryTake(new double[] {1, 900, 0}, "a1");
    assertThat(taken.granted()).isTrue();
    PoolBuckets b = process(time); // joins now and takes at once
    assertThat(b.tryTake(new double[] {1, 50, 0}, "b1").granted()).isTrue();
    assertThat(alone.shared()).as("A's own count, not yet updated").isFalse();
    double before = a.state().levels()[Bucket.INPUT_TOKENS.ordinal()];
    // A reading well above A's forecast (1,000 against 100): alone, A would raise the shared level
    // by 400; B's grant, unseen by the server when the reading was made, would be given back.
    double raise = a.correct(new PoolBuckets.Reading(Bucket.INPUT_TOKENS, 1_000, 500, taken.levelsAfter()[1],
        taken.correctionTotals()[1], true, 0, false));
    assertThat(raise).isZero();
    assertThat(a.state().levels()[Bucket.INPUT_TOKENS.ordinal()]).isCloseTo(before, org.assertj.core.data.Offset.offset(1e-6));
  }

  /** Waits (real time) until {@code store} reaches Redis again. */
  static void awaitRedis(RedisBucketStore store) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!(store.probe() && store.redisAvailable())) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("Redis did not come back for " + store);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }
}
