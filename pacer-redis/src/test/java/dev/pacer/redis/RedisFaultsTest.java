package dev.pacer.redis;

import static dev.pacer.redis.SharedPoolTest.awaitRedis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pacer.limits.Bucket;
import dev.pacer.redis.testing.Closer;
import dev.pacer.redis.testing.RedisServer;
import dev.pacer.store.PoolBuckets;
import dev.pacer.time.FakeTimeSource;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Redis killed, restarted, unreachable, or guarded by a password. Each test has its own server. */
class RedisFaultsTest {

  private static final long WINDOW = Duration.ofSeconds(60).toNanos();
  private static final String PASSWORD = "s3cret-Pa55word";

  private final Closer open = new Closer();
  private final FakeTimeSource time = new FakeTimeSource();

  @AfterEach
  void closeAll() throws Exception {
    open.close();
  }

  private RedisServer server(String password) {
    return open.open(RedisServer.start(password));
  }

  private RedisBucketStore store(RedisServer server, FaultMode mode) {
    RedisBucketStore store = RedisBucketStore.builder(server.url()).prefix("faults").faultMode(mode).time(time)
        .commandTimeout(Duration.ofMillis(300)).probeInterval(Duration.ofMillis(50))
        .heartbeatInterval(Duration.ofMillis(200)).failClosedAfter(Duration.ofSeconds(5)).build();
    open.open(store);
    return store;
  }

  private static PoolBuckets pool(RedisBucketStore store) {
    PoolBuckets pool = store.pool("claude-test", WINDOW);
    pool.configure(Bucket.REQUESTS, 120, 20); // 2 a second, burst 20
    return pool;
  }

  /** Takes as many single requests as each process can, every 100 ms of virtual time, for {@code seconds}. */
  private int run(List<PoolBuckets> processes, int seconds) {
    int granted = 0;
    for (int step = 0; step < seconds * 10; step++) {
      for (PoolBuckets process : processes) {
        while (process.tryTake(new double[] {1, 0, 0}, "head").granted()) {
          granted++;
        }
      }
      time.advance(Duration.ofMillis(100));
    }
    return granted;
  }

  @Test
  void redisKilledMidRunDegradesToAShareOfTheLimitAndComesBackWithoutABurst() throws InterruptedException {
    RedisServer redis = server(null);
    RedisBucketStore first = store(redis, FaultMode.DEGRADE);
    RedisBucketStore second = store(redis, FaultMode.DEGRADE);
    awaitRedis(first);
    awaitRedis(second);
    assertThat(first.liveProcesses()).isEqualTo(2);
    List<PoolBuckets> processes = List.of(pool(first), pool(second));

    int before = run(processes, 10);
    assertThat(before).isBetween(20 + 19, 20 + 20); // burst, then 2 a second

    // Each has heard the other's heartbeats for long enough to trust the count (three intervals).
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (first.shareDivisor() != 2 || second.shareDivisor() != 2) {
      assertThat(System.nanoTime() - deadline).isNegative();
      Thread.sleep(20);
    }
    redis.kill();
    int alone = run(processes, 10);
    // Each process alone at half the limit (1 a second, burst 10), starting empty: together at
    // most the limit's refill over the outage, and work goes on.
    assertThat(first.redisAvailable()).isFalse();
    assertThat(alone).isBetween(10, 2 * 10);

    redis.restart(); // empty: Redis forgot everything
    awaitRedis(first);
    awaitRedis(second);
    int after = run(processes, 10);
    // No burst on return: the pool was seen before, so it is born empty, then lowered to what
    // the processes had left alone; refill only.
    assertThat(after).isBetween(15, 2 * 10 + 1);
    assertThat(before + alone + after).isLessThanOrEqualTo(20 + 2 * 30);
  }

  @Test
  void aReadingThatLowersTheLocalCopyWhileRedisIsDownSaysItLowered() {
    // The governor voids a raise still waiting from an older reading when a newer one lowered the
    // forecast (concepts.md, "Levels"); it learns of the lowering from correct's answer.
    RedisServer redis = server(null);
    RedisBucketStore store = store(redis, FaultMode.DEGRADE);
    awaitRedis(store);
    PoolBuckets pool = store.pool("claude-test", WINDOW);
    pool.configure(Bucket.INPUT_TOKENS, 60_000, 60_000);
    redis.kill();

    // The server has 10,000 where the forecast said 20,000 (each give or take 500).
    double corrected = pool.correct(new PoolBuckets.Reading(Bucket.INPUT_TOKENS, 10_000, 500, 20_000, 0, true, 0, true));
    assertThat(store.redisAvailable()).isFalse();
    assertThat(corrected).as("lowered, by this process's share of the shortfall").isNegative();
    double raised = pool.correct(new PoolBuckets.Reading(Bucket.INPUT_TOKENS, 60_000, 500, 1_000, 0, true, 0, true));
    assertThat(raised).as("alone, nothing raises the local copy").isZero();
  }

  /**
   * Redis restarted empty forgets the heartbeats: the process whose probe reaches it first counts
   * itself alone until the others' probes re-register them. Raising the shared levels from its
   * readings meanwhile would let the others' requests in flight through twice (the four-JVM test
   * in pacer-cli drew 27 429s this way), so it keeps counting them as it did before the outage
   * until it has beaten for three intervals.
   */
  @Test
  void aProcessBackFirstAfterARestartStillCountsTheOthersUntilTheyCouldHaveBeatenAgain()
      throws InterruptedException {
    RedisServer redis = server(null);
    RedisBucketStore first = RedisBucketStore.builder(redis.url()).prefix("faults").time(time)
        .commandTimeout(Duration.ofMillis(300)).probeInterval(Duration.ofMillis(50))
        .heartbeatInterval(Duration.ofSeconds(2)).build();
    open.open(first);
    // The other one probes rarely: it comes back to Redis long after the first.
    RedisBucketStore other = RedisBucketStore.builder(redis.url()).prefix("faults").time(time)
        .commandTimeout(Duration.ofMillis(300)).probeInterval(Duration.ofSeconds(30))
        .heartbeatInterval(Duration.ofSeconds(2)).build();
    open.open(other);
    assertThat(first.probe()).isTrue();
    assertThat(first.liveProcesses()).isEqualTo(2);
    assertThat(first.shared()).isTrue();
    PoolBuckets firstPool = pool(first);
    PoolBuckets otherPool = pool(other);

    redis.kill();
    firstPool.tryTake(new double[] {1, 0, 0}, "a"); // fails: each knows Redis is away
    otherPool.tryTake(new double[] {1, 0, 0}, "b");
    assertThat(first.redisAvailable()).isFalse();
    assertThat(other.redisAvailable()).isFalse();
    redis.restart(); // empty: no heartbeat left
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!first.redisAvailable()) { // its own probe brings it back
      assertThat(System.nanoTime() - deadline).isNegative();
      Thread.sleep(10);
    }
    assertThat(first.liveProcesses()).isEqualTo(1); // only itself has beaten yet
    assertThat(first.shared()).as("the other one counted until it could have beaten again").isTrue();
  }

  @Test
  void aRedisTooSlowToAnswerCountsAsUnavailableAndIsUsedAgainWhenItAnswers() throws InterruptedException {
    RedisServer redis = RedisServer.start(null, List.of("--enable-debug-command", "yes"));
    open.open(redis);
    RedisBucketStore store = store(redis, FaultMode.DEGRADE);
    PoolBuckets pool = pool(store);
    assertThat(pool.tryTake(new double[] {1, 0, 0}, "a").granted()).isTrue();
    redis.sendWithoutWaiting("DEBUG", "SLEEP", "3"); // the whole server stops answering for 3 s
    long deadline = System.nanoTime() + Duration.ofMillis(2_500).toNanos();
    while (store.redisAvailable() && System.nanoTime() - deadline < 0) {
      long before = System.nanoTime();
      pool.tryTake(new double[] {1, 0, 0}, "a"); // waits at most the command timeout, then goes on alone
      assertThat(System.nanoTime() - before).isLessThan(Duration.ofMillis(1_500).toNanos());
      Thread.sleep(20);
    }
    assertThat(store.redisAvailable()).isFalse();
    awaitRedis(store);
    time.advance(Duration.ofSeconds(5));
    assertThat(pool.tryTake(new double[] {1, 0, 0}, "a").granted()).isTrue();
    assertThat(store.redisAvailable()).isTrue();
  }

  @Test
  void heartbeatsCountTheLiveProcessesAndOneThatLeavesIsNoLongerCounted() {
    RedisServer redis = server(null);
    RedisBucketStore first = store(redis, FaultMode.DEGRADE);
    RedisBucketStore second = store(redis, FaultMode.DEGRADE);
    assertThat(first.probe()).isTrue();
    assertThat(first.liveProcesses()).isEqualTo(2);
    second.close();
    assertThat(first.probe()).isTrue();
    assertThat(first.liveProcesses()).isEqualTo(1);
  }

  @Test
  void failingClosedWaitsForRedisThenFailsNamingItWithoutThePassword() {
    RedisServer redis = server(PASSWORD);
    RedisBucketStore store = store(redis, FaultMode.FAIL_CLOSED);
    PoolBuckets pool = pool(store);
    assertThat(pool.tryTake(new double[] {1, 0, 0}, "a").granted()).isTrue();
    redis.kill();
    PoolBuckets.Take told = pool.tryTake(new double[] {1, 0, 0}, "a");
    assertThat(told.granted()).isFalse();
    assertThat(told.paused()).isTrue();
    pool.charge(new double[] {-1, 0, 0}); // settling never throws
    time.advance(Duration.ofSeconds(5));
    assertThatThrownBy(() -> pool.tryTake(new double[] {1, 0, 0}, "a"))
        .isInstanceOf(RedisUnavailableException.class)
        .hasMessageContaining("Redis at redis://***@127.0.0.1:" + redis.port())
        .hasMessageContaining("fail-closed")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD));

    redis.restart();
    awaitRedis(store);
    time.advance(Duration.ofSeconds(1));
    assertThat(pool.tryTake(new double[] {1, 0, 0}, "a").granted()).isTrue();
  }

  @Test
  void thePasswordIsNeverPrinted() {
    RedisServer redis = server(PASSWORD);
    RedisBucketStore store = store(redis, FaultMode.DEGRADE);
    assertThat(store.toString()).doesNotContain(PASSWORD).contains("redis://***@127.0.0.1:" + redis.port() + "/0");
    assertThat(RedisBucketStore.builder(redis.url()).toString()).doesNotContain(PASSWORD);

    String wrong = "redis://:Wr0ng-" + PASSWORD + "@127.0.0.1:" + redis.port();
    assertThatThrownBy(() -> RedisBucketStore.connect(wrong))
        .isInstanceOf(RedisUnavailableException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD).contains("redis://***@127.0.0.1"));
    assertThatThrownBy(() -> RedisBucketStore.connect("http://:" + PASSWORD + "@127.0.0.1:1"))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD));
  }

  @Test
  void aRedisThatCannotBeReachedAtStartFailsAtOnceNamingIt() {
    RedisServer redis = server(null);
    String url = redis.url();
    redis.kill();
    assertThatThrownBy(() -> RedisBucketStore.builder(url).connectTimeout(Duration.ofMillis(500)).build())
        .isInstanceOf(RedisUnavailableException.class)
        .hasMessageContaining("cannot connect to Redis at redis://127.0.0.1:" + redis.port());
  }
}
