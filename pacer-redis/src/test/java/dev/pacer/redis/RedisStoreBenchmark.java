package dev.pacer.redis;

import dev.pacer.limits.Bucket;
import dev.pacer.redis.testing.RedisServer;
import dev.pacer.store.PoolBuckets;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: round trips per decision and decisions per second of {@link RedisBucketStore}
 * against a local redis-server it starts itself. Prints a Markdown table for docs/benchmarks.md.
 * Run with {@code pacer-redis/scripts/bench.sh} (see docs/benchmarks.md, "Redis store").
 */
public final class RedisStoreBenchmark {

  private static final long WINDOW = Duration.ofSeconds(60).toNanos();

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    try (RedisServer redis = RedisServer.start();
         RedisBucketStore store = RedisBucketStore.builder(redis.url()).prefix("bench").build()) {
      PoolBuckets pool = store.pool("bench", WINDOW);
      // Limits far above what the benchmark can take, so that every take is granted.
      pool.configure(Bucket.REQUESTS, 1_000_000_000L, 1_000_000_000L);
      pool.configure(Bucket.INPUT_TOKENS, 1_000_000_000_000L, 1_000_000_000_000L);
      pool.configure(Bucket.OUTPUT_TOKENS, 1_000_000_000_000L, 1_000_000_000_000L);
      double[] need = {1, 1_000, 500};
      double[] refund = {0, -100, -400};

      // Warm up (JIT, connection).
      run(pool, need, refund, 1, Duration.ofSeconds(2));

      // Round trips: what Redis counted, over one request's decisions (take at admission, charge at settle).
      long before = evalshaCalls(redis.port());
      int requests = 1_000;
      for (int i = 0; i < requests; i++) {
        pool.tryTake(need, "t");
        pool.charge(refund);
      }
      long calls = evalshaCalls(redis.port()) - before;
      System.out.println("Redis's own time per script call (INFO commandstats): "
          + evalshaStat(redis.port(), "usec_per_call=") + " µs");
      System.out.printf(Locale.ROOT, "round trips (EVALSHA) per request, take + settle: %.3f (%d over %d requests)%n",
          (double) calls / requests, calls, requests);

      System.out.printf(Locale.ROOT, "round trips per request through two paced Pacers (waits included, no headers): %.2f%n",
          pacedRoundTrips(redis));

      System.out.println();
      System.out.println("| threads | decisions/s | p50 µs | p99 µs |");
      System.out.println("|---:|---:|---:|---:|");
      for (int threads : new int[] {1, 4, 16}) {
        Result result = run(pool, need, refund, threads, Duration.ofSeconds(seconds));
        System.out.printf(Locale.ROOT, "| %d | %,.0f | %.0f | %.0f |%n", threads, result.perSecond, result.p50Micros,
            result.p99Micros);
      }
    }
  }

  /**
   * Two Pacers on one Redis, on virtual time, 200 requests each under 600 a minute with a burst
   * of 10: every EVALSHA Redis ran (configure, takes that waited and came back, settles) per request.
   */
  private static double pacedRoundTrips(RedisServer redis) throws IOException {
    dev.pacer.time.FakeTimeSource time = new dev.pacer.time.FakeTimeSource();
    String prefix = "paced-" + System.nanoTime();
    long before;
    int requests = 400;
    try (RedisBucketStore one = RedisBucketStore.builder(redis.url()).prefix(prefix).time(time).build();
         RedisBucketStore two = RedisBucketStore.builder(redis.url()).prefix(prefix).time(time).build();
         dev.pacer.Pacer first = paced(one, time);
         dev.pacer.Pacer second = paced(two, time)) {
      before = evalshaCalls(redis.port());
      List<java.util.concurrent.CompletableFuture<dev.pacer.Permit>> all = new ArrayList<>();
      for (int i = 0; i < requests / 2; i++) {
        for (dev.pacer.Pacer pacer : List.of(first, second)) {
          var permit = pacer.governor().acquireAsync(dev.pacer.Demand.of("claude-haiku-4-5", 100, 10));
          permit.thenAccept(granted -> granted.settle(dev.pacer.Usage.of(100, 10)));
          all.add(permit);
        }
      }
      for (int i = 0; i < 100_000 && !all.stream().allMatch(java.util.concurrent.CompletableFuture::isDone); i++) {
        time.advance(Duration.ofMillis(10));
      }
    }
    return (double) (evalshaCalls(redis.port()) - before) / requests;
  }

  private static dev.pacer.Pacer paced(RedisBucketStore store, dev.pacer.time.FakeTimeSource time) {
    return dev.pacer.Pacer.builder().store(store).timeSource(time)
        .limits(dev.pacer.limits.Limits.of(600, 1_000_000, 1_000_000)).burst(Duration.ofSeconds(1)).build();
  }

  private record Result(double perSecond, double p50Micros, double p99Micros) {}

  /** Takes and settles in a loop on {@code threads} threads; each call is one decision. */
  private static Result run(PoolBuckets pool, double[] need, double[] refund, int threads, Duration duration)
      throws InterruptedException {
    AtomicLong decisions = new AtomicLong();
    List<long[]> latencies = new ArrayList<>();
    List<Thread> running = new ArrayList<>();
    long start = System.nanoTime();
    long until = start + duration.toNanos();
    for (int t = 0; t < threads; t++) {
      long[] samples = new long[200_000];
      latencies.add(samples);
      running.add(Thread.ofPlatform().start(() -> {
        int n = 0;
        while (System.nanoTime() - until < 0) {
          long began = System.nanoTime();
          pool.tryTake(need, "t");
          long between = System.nanoTime();
          pool.charge(refund);
          long ended = System.nanoTime();
          if (n + 2 <= samples.length) {
            samples[n++] = between - began;
            samples[n++] = ended - between;
          }
          decisions.addAndGet(2);
        }
        samples[samples.length - 1] = n; // how many were recorded
      }));
    }
    for (Thread thread : running) {
      thread.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    List<Long> all = new ArrayList<>();
    for (long[] samples : latencies) {
      int n = (int) samples[samples.length - 1];
      for (int i = 0; i < n; i++) {
        all.add(samples[i]);
      }
    }
    long[] sorted = all.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    return new Result(decisions.get() / elapsed, sorted[sorted.length / 2] / 1e3,
        sorted[(int) (sorted.length * 0.99)] / 1e3);
  }

  /** {@code INFO commandstats}: how many EVALSHA calls Redis has run. */
  private static long evalshaCalls(int port) throws IOException {
    String calls = evalshaStat(port, "calls=");
    return calls.isEmpty() ? 0 : Long.parseLong(calls);
  }

  /** One field of EVALSHA's line in {@code INFO commandstats}, or empty. */
  private static String evalshaStat(int port, String field) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      OutputStream out = socket.getOutputStream();
      out.write("INFO commandstats\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder text = new StringBuilder();
      byte[] buffer = new byte[8192];
      socket.setSoTimeout(2_000);
      int read;
      while ((read = in.read(buffer)) > 0) {
        text.append(new String(buffer, 0, read, StandardCharsets.US_ASCII));
        if (text.indexOf("\r\n", text.indexOf("\r\n") + 2) > 0 && text.toString().endsWith("\r\n\r\n")
            || text.indexOf("cmdstat_evalsha") > 0 && text.toString().endsWith("\r\n")) {
          break;
        }
      }
      int line = text.indexOf("cmdstat_evalsha:");
      int at = line < 0 ? -1 : text.indexOf(field, line);
      if (at < 0) {
        return "";
      }
      int from = at + field.length();
      int to = text.indexOf(",", from);
      return text.substring(from, to);
    }
  }
}
