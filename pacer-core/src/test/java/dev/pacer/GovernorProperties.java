package dev.pacer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.limits.Bucket;
import dev.pacer.limits.Limits;
import dev.pacer.testing.ServerModel;
import dev.pacer.time.FakeTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariants of the governor over random sequences of demands, settles, failures, cancellations
 * and timeouts, each sequence from a seed (a failure names its seed and replays exactly):
 *
 * <ul>
 *   <li>no bucket is ever overdrawn: an independent model of the server admits every permit the
 *       governor grants, so no window ever holds more than the bucket allows;
 *   <li>tokens are conserved: once every permit has ended and a window has passed, every bucket
 *       is full again and nothing is in flight or waiting (no leak on timeout, cancel, failure).
 * </ul>
 */
class GovernorProperties {

  private static final String MODEL = "claude-opus-4-5";
  private static final String POOL = "opus-4";
  private static final Duration WINDOW = Duration.ofSeconds(10);

  static LongStream seeds() {
    return LongStream.range(1, 151);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void permitsNeverOverdrawTheServerAndTokensAreConserved(long seed) {
    Random random = new Random(seed);
    FakeTimeSource time = new FakeTimeSource(random.nextLong());
    long rpm = 5 + random.nextInt(100);
    long itpm = 1_000 + random.nextInt(50_000);
    long otpm = 1_000 + random.nextInt(20_000);
    ServerModel server = new ServerModel(rpm, itpm, otpm, WINDOW.toNanos(), 1.0, ServerModel.Rule.RESERVE, time.nanoTime());
    Governor governor = new Governor(GovernorConfig.builder().window(WINDOW).burst(WINDOW)
        .limits(Limits.of(rpm, itpm, otpm)).build(), time);

    List<CompletableFuture<Permit>> waiting = new ArrayList<>();
    List<Permit> inFlight = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (int step = 0; step < 300; step++) {
      switch (random.nextInt(6)) {
        case 0, 1 -> {
          long input = 1 + random.nextInt((int) Math.min(itpm, 5_000));
          long maxTokens = 1 + random.nextInt((int) Math.min(otpm, 2_000));
          Demand demand = Demand.of(MODEL, input, maxTokens);
          if (random.nextInt(5) == 0) {
            demand = demand.withTimeout(Duration.ofMillis(1 + random.nextInt(3_000)));
          }
          CompletableFuture<Permit> future = governor.acquireAsync(demand);
          // Sent the moment it is granted: the server must admit every one.
          future.thenAccept(permit -> {
            ServerModel.Admission admission = server.admit(permit.inputTokensReserved(), permit.demand().maxTokens(),
                time.nanoTime());
            if (!admission.admitted()) {
              refused.add("seed " + seed + ": the server refused a granted permit (" + admission.bucket() + "; server has "
                  + server.level(0, time.nanoTime()) + " / " + server.level(1, time.nanoTime()) + " / "
                  + server.level(2, time.nanoTime()) + ", the permit needs " + permit.inputTokensReserved() + " / "
                  + permit.demand().maxTokens() + ")");
            }
            inFlight.add(permit);
          });
          waiting.add(future);
        }
        case 2 -> {
          if (!waiting.isEmpty() && random.nextInt(3) == 0) {
            waiting.remove(random.nextInt(waiting.size())).cancel(false);
          }
        }
        case 3 -> endOne(random, server, inFlight, time);
        default -> time.advanceNanos(random.nextInt(1_000_000_000));
      }
      waiting.removeIf(CompletableFuture::isDone);
    }
    // Wind down: end everything, let what waits go (and end it too), then a window passes.
    while (!inFlight.isEmpty() || !waiting.isEmpty()) {
      while (!inFlight.isEmpty()) {
        endOne(random, server, inFlight, time);
      }
      time.advance(WINDOW);
      waiting.removeIf(CompletableFuture::isDone);
    }
    time.advance(WINDOW.multipliedBy(2));
    PoolSnapshot snapshot = governor.snapshot(POOL).orElseThrow();
    assertThat(snapshot.inFlight()).as("seed %d: in flight", seed).isZero();
    assertThat(snapshot.waiting()).as("seed %d: waiting", seed).isZero();
    for (Bucket bucket : Bucket.values()) {
      assertThat(snapshot.level(bucket)).as("seed %d: %s level", seed, bucket)
          .isCloseTo(snapshot.capacity(bucket), org.assertj.core.data.Offset.offset(1e-6));
    }
    assertThat(refused).isEmpty();
  }

  /** Ends a random permit in flight: mostly a success with some output, else a failure of some kind. */
  private static void endOne(Random random, ServerModel server, List<Permit> inFlight, FakeTimeSource time) {
    if (inFlight.isEmpty()) {
      return;
    }
    Permit permit = inFlight.remove(random.nextInt(inFlight.size()));
    long maxTokens = permit.demand().maxTokens();
    switch (random.nextInt(10)) {
      case 0 -> {
        // A failure after admission: the server keeps what it charged (all of max_tokens here).
        server.complete(maxTokens, maxTokens, time.nanoTime());
        permit.release(Permit.Release.FAILED);
      }
      case 1 -> {
        server.complete(maxTokens, maxTokens, time.nanoTime());
        permit.release(Permit.Release.TIMED_OUT);
      }
      default -> {
        long output = random.nextInt((int) maxTokens + 1);
        server.complete(maxTokens, output, time.nanoTime());
        permit.settle(Usage.of(permit.inputTokensReserved(), output));
      }
    }
  }
}
