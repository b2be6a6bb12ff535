package dev.pacer.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.anthropic.client.AnthropicClientAsync;
import com.anthropic.models.messages.Message;
import dev.pacer.Pacer;
import dev.pacer.PacerClosedException;
import dev.pacer.anthropic.testing.Sim;
import dev.pacer.simulator.Simulator;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Ten thousand async requests waiting for capacity hold no threads and little memory. */
class TenThousandWaitingTest {

  private static final int WAITING = 10_000;

  @Test
  void tenThousandWaitingRequestsHoldNoThreads() throws Exception {
    // Two requests per 6 s window: nearly everything must wait.
    try (Simulator sim = Simulator.start(Sim.tight().rpm(2).burst(Sim.WINDOW).build());
        Pacer pacer = Sim.pacerFor(sim).build()) {
      AnthropicClientAsync client = PacedAnthropic.wrap(Sim.sdk(sim), pacer).async();
      client.messages().create(Sim.params(0, 16)).get(20, TimeUnit.SECONDS); // classes loaded, the pool known
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      long heapBefore = settledHeap(memory);

      long started = System.nanoTime();
      List<CompletableFuture<Message>> futures = new ArrayList<>(WAITING);
      for (int i = 1; i <= WAITING; i++) {
        futures.add(client.messages().create(Sim.params(i, 16)));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> pacer.stats().requests() == WAITING + 1);
      long submitMillis = (System.nanoTime() - started) / 1_000_000;
      long heapWaiting = settledHeap(memory);
      int waiting = pacer.governor().snapshot(Sim.POOL).orElseThrow().waiting();

      // Two requests per 6 s go; the rest wait. An attempt thread exists only for an attempt
      // sent, so the thousands waiting hold none: they are futures in the pool's queue.
      long arrived = sim.stats().attempts();
      long sent = pacer.stats().attempts(); // counted when granted, before sending: never behind the server
      assertThat(sent).isLessThan(50);
      assertThat(arrived).isLessThanOrEqualTo(sent);
      assertThat(waiting).isGreaterThan(WAITING - 50);
      System.out.printf("%,d requests waiting: submitted in %,d ms, heap %+,d bytes (%,d bytes each)%n",
          waiting, submitMillis, heapWaiting - heapBefore, (heapWaiting - heapBefore) / waiting);

      pacer.close();
      CompletableFuture.allOf(futures.stream().map(f -> f.exceptionally(e -> null)).toArray(CompletableFuture[]::new))
          .get(60, TimeUnit.SECONDS);
      // Each waiting request ended with PacerClosedException; a few were granted in the meantime.
      long closed = futures.stream().filter(f -> f.isCompletedExceptionally()
          && f.handle((value, error) -> rootCause(error) instanceof PacerClosedException).join()).count();
      long answered = futures.stream().filter(f -> !f.isCompletedExceptionally()).count();
      assertThat(closed + answered).isEqualTo(WAITING);
      assertThat(closed).isGreaterThan(WAITING - 50);
      client.close();
    }
  }

  private static Throwable rootCause(Throwable error) {
    Throwable cause = error;
    while (cause != null && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static long settledHeap(MemoryMXBean memory) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
