package dev.pacer.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.AnthropicClientAsync;
import com.anthropic.models.messages.Message;
import dev.pacer.Pacer;
import dev.pacer.anthropic.testing.Sim;
import dev.pacer.simulator.Latency;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Many requests through the paced client against the simulator's tight limits: no 429s, no retries. */
class PacedThroughputTest {

  @Test
  void twoHundredRequestsFromFiftyVirtualThreadsDrawNoRateLimits() throws Exception {
    try (Simulator sim = Simulator.start(Sim.tight().build());
        Pacer pacer = Sim.pacerFor(sim).build();
        ExecutorService threads = Executors.newFixedThreadPool(50, Thread.ofVirtual().factory())) {
      AnthropicClient client = Sim.paced(sim, pacer);
      warmUp(sim, () -> client.messages().create(Sim.params(-1, 64)));
      long started = System.nanoTime();
      AtomicInteger next = new AtomicInteger();
      List<Future<Integer>> workers = new ArrayList<>();
      for (int t = 0; t < 50; t++) {
        workers.add(threads.submit(() -> {
          int done = 0;
          for (int i; (i = next.getAndIncrement()) < 200; ) {
            Message message = client.messages().create(Sim.params(i, 64));
            assertThat(message.usage().outputTokens()).isPositive();
            done++;
          }
          return done;
        }));
      }
      int succeeded = 0;
      for (Future<Integer> worker : workers) {
        succeeded += worker.get(60, TimeUnit.SECONDS);
      }

      SimulatorStats stats = sim.stats();
      assertThat(succeeded).isEqualTo(200);
      assertThat(stats.rateLimited()).as("429s by bucket: %s; 429s: %s", stats.rateLimitedByBucket(),
          stats.records().stream().filter(r -> r.status() == 429).toList()).isZero();
      assertThat(stats.attempts()).isEqualTo(200);
      assertThat(pacer.stats().attempts()).isEqualTo(1 + 200);
      assertThat(pacer.stats().requests()).isEqualTo(1 + 200);
      System.out.printf("200 blocking requests from 50 virtual threads at 50 requests/s with 1 s of burst: %d ms%n",
          (System.nanoTime() - started) / 1_000_000);
      client.close();
    }
  }

  @Test
  void twoHundredAsyncRequestsDrawNoRateLimits() throws Exception {
    try (Simulator sim = Simulator.start(Sim.tight().build());
        Pacer pacer = Sim.pacerFor(sim).build()) {
      AnthropicClientAsync client = PacedAnthropic.wrap(Sim.sdk(sim), pacer).async();
      warmUp(sim, () -> client.messages().create(Sim.params(-1, 64)).join());
      long started = System.nanoTime();
      List<CompletableFuture<Message>> futures = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        futures.add(client.messages().create(Sim.params(i, 64)));
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

      assertThat(futures).allMatch(f -> f.join().usage().outputTokens() > 0);
      assertThat(sim.stats().rateLimited()).as("429s by bucket: %s; 429s: %s", sim.stats().rateLimitedByBucket(),
          sim.stats().records().stream().filter(r -> r.status() == 429).toList()).isZero();
      assertThat(sim.stats().attempts()).isEqualTo(200);
      assertThat(pacer.stats().attempts()).isEqualTo(1 + 200);
      System.out.printf("200 async requests at 50 requests/s with 1 s of burst: %d ms%n",
          (System.nanoTime() - started) / 1_000_000);
      client.close();
    }
  }

  /**
   * One request first, then the stats forgotten. On a cold JVM the first request spends up to
   * two seconds between its permit and the server (class loading, the first connection), and
   * requests granted meanwhile then reach the server bunched: what is measured here is pacing,
   * not the JVM's warm-up. (The cold-start effect is reported in docs/sdk.md.)
   */
  private static void warmUp(Simulator sim, Runnable request) {
    request.run();
    sim.resetStats();
  }

  @Test
  void fiveHundredAsyncRequestsAreInFlightAtOnce() throws Exception {
    // Generous limits and a full burst: only latency keeps requests in flight. The first token
    // takes 8 s, so that all 500 are in flight at once even on a slow, busy machine.
    try (Simulator sim = Simulator.start(Sim.tight().rpm(100_000).itpm(10_000_000).otpm(10_000_000)
            .burst(Sim.WINDOW).latency(Latency.of(Duration.ofSeconds(8), 1000)).build());
        Pacer pacer = Sim.pacerFor(sim).maxConcurrency(2000).build()) {
      AnthropicClientAsync client = PacedAnthropic.wrap(Sim.sdk(sim), pacer).async();
      long started = System.nanoTime();
      List<CompletableFuture<Message>> futures = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        futures.add(client.messages().create(Sim.params(i, 16)));
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      Duration took = Duration.ofNanos(System.nanoTime() - started);

      assertThat(sim.stats().maxInFlight()).as("past OkHttp's dispatcher cap of 64").isEqualTo(500);
      assertThat(sim.stats().succeeded()).isEqualTo(500);
      assertThat(sim.stats().rateLimited()).isZero();
      System.out.printf("500 async requests with 8 s latency each: %d ms, at most %d in flight%n",
          took.toMillis(), sim.stats().maxInFlight());
      client.close();
    }
  }
}
