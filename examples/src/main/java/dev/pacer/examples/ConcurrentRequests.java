package dev.pacer.examples;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.MessageCreateParams;
import dev.pacer.Pacer;
import dev.pacer.PacerStats;
import dev.pacer.anthropic.PacedAnthropic;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends {@code requests} requests from {@code threads} virtual threads through one paced client,
 * then prints one line: succeeded, failed, attempts, 429s seen, seconds. Exits 1 if any failed.
 *
 * <pre>examples/run ConcurrentRequests 500 50</pre>
 */
public final class ConcurrentRequests {

  private ConcurrentRequests() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: ConcurrentRequests <requests> <threads>");
      System.exit(2);
    }
    int requests = Integer.parseInt(args[0]);
    int threads = Integer.parseInt(args[1]);
    int failed;
    PacerStats stats;
    double seconds;
    try (Target target = Target.fromEnvironment(); Pacer pacer = target.pacer().build()) {
      System.err.println("ConcurrentRequests: " + requests + " requests from " + threads + " threads to "
          + target.describe());
      AnthropicClient client = PacedAnthropic.wrap(target.sdk(), pacer);
      AtomicInteger next = new AtomicInteger();
      AtomicInteger failures = new AtomicInteger();
      AtomicReference<String> firstFailure = new AtomicReference<>();
      long started = System.nanoTime();
      try (ExecutorService pool = Executors.newFixedThreadPool(threads, Thread.ofVirtual().factory())) {
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          workers.add(pool.submit(() -> {
            for (int i; (i = next.getAndIncrement()) < requests; ) {
              try {
                client.messages().create(MessageCreateParams.builder().model(target.model()).maxTokens(128)
                    .addUserMessage("Request " + i + ": in one sentence, why pace API calls?").build());
              } catch (RuntimeException e) {
                failures.incrementAndGet();
                firstFailure.compareAndSet(null, e.getClass().getSimpleName() + ": " + e.getMessage());
              }
            }
          }));
        }
        for (Future<?> worker : workers) {
          worker.get();
        }
      }
      seconds = (System.nanoTime() - started) / 1e9;
      failed = failures.get();
      stats = pacer.stats();
      if (firstFailure.get() != null) {
        System.err.println("first failure: " + firstFailure.get());
      }
      client.close();
    }
    System.out.println(String.format(Locale.ROOT, "succeeded=%d failed=%d attempts=%d 429s=%d seconds=%.1f",
        requests - failed, failed, stats.attempts(), stats.rateLimited(), seconds));
    System.exit(failed == 0 ? 0 : 1);
  }
}
