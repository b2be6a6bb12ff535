package dev.pacer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.simulator.BatchStats;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pacer run --via batches} as its own process, killed with SIGKILL once its batches are
 * created and before their results are in, then rerun: the rerun creates no batch and submits no
 * request again, and the output ends with one line per custom_id.
 */
@Timeout(180)
class RunBatchesProcessTest {

  static final int REQUESTS = 90;
  static final int BATCH_SIZE = 30;

  @TempDir Path dir;

  private Path input() throws IOException {
    return PacerProcess.questions(dir, REQUESTS);
  }

  private Process start(Simulator sim, Path input) throws IOException {
    return PacerProcess.start(List.of(), List.of(input.toString(), "--base-url", sim.baseUrl(), "--via", "batches",
        "--batch-size", String.valueOf(BATCH_SIZE), "--batch-poll", "300ms", "--model", "claude-haiku-4-5",
        "--max-tokens", "40", "--progress", "lines"), dir.resolve("log-" + System.nanoTime() + ".txt"));
  }

  @Test
  void killedAfterCreatingItsBatchesThenRerunSubmitsNothingAgain() throws Exception {
    // 30 batch requests a second: the three batches take about three seconds to process.
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().seed(9).batchRate(30).build())) {
      Path input = input();
      Path output = dir.resolve("in.results.jsonl");
      Process first = start(sim, input);
      Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(10))
          .until(() -> sim.stats().batches().created() >= REQUESTS / BATCH_SIZE || !first.isAlive());
      assertThat(first.isAlive()).as("the first run is still waiting for its batches").isTrue();
      first.destroyForcibly(); // SIGKILL
      first.waitFor(30, TimeUnit.SECONDS);
      assertThat(sim.stats().batches().processing()).as("killed before the batches ended").isPositive();

      Process second = start(sim, input);
      assertThat(second.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(second.exitValue()).isZero();

      BatchStats batches = sim.stats().batches();
      assertThat(batches.created()).as("no batch created again").isEqualTo(REQUESTS / BATCH_SIZE);
      assertThat(batches.requestsSubmitted()).as("no request submitted twice").isEqualTo(REQUESTS);
      assertThat(PacerProcess.results(output)).hasSize(REQUESTS).doesNotContainValue("errored");
      assertThat(sim.stats().attempts()).as("nothing sent through the Messages API").isZero();
    }
  }
}
