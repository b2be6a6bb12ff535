package dev.pacer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.simulator.Latency;
import dev.pacer.simulator.RequestRecord;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pacer run} as its own process, against a simulator in this JVM: killed with SIGKILL in
 * the middle and rerun, or interrupted with SIGINT. Whatever the timing, the output ends with one
 * line per custom_id, and the simulator answered no prompt twice beyond those in flight.
 */
@Timeout(180)
class RunProcessTest {

  static final int REQUESTS = 120;
  static final int CONCURRENCY = 4;

  @TempDir Path dir;

  private Path input() throws IOException {
    return PacerProcess.questions(dir, REQUESTS);
  }

  /** Each answer takes 60 ms or more: with 4 in flight, the job takes a couple of seconds. */
  private static Simulator simulator() {
    return Simulator.start(SimulatorConfig.builder().tier("build").seed(42)
        .latency(Latency.of(Duration.ofMillis(60), 2_000)).build());
  }

  private Process start(Simulator sim, Path input) throws IOException {
    return start(sim, input, dir.resolve("log-" + System.nanoTime() + ".txt"));
  }

  private Process start(Simulator sim, Path input, Path log) throws IOException {
    return PacerProcess.start(List.of(), List.of(input.toString(), "--base-url", sim.baseUrl(),
        "--model", "claude-haiku-4-5", "--max-tokens", "40", "--concurrency", String.valueOf(CONCURRENCY),
        "--progress", "lines"), log);
  }

  private static long resultLines(Path output) throws IOException {
    if (!Files.exists(output)) {
      return 0;
    }
    return Files.readAllLines(output).stream().filter(l -> l.endsWith("}")).count();
  }

  /** Waits until {@code run} has written at least {@code lines} results, and checks it is still going. */
  private static void awaitResultsWhileRunning(Process run, Path output, int lines) {
    Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20))
        .until(() -> resultLines(output) >= lines || !run.isAlive());
    assertThat(run.isAlive()).as("the run is still going after %d results", lines).isTrue();
  }

  private static Map<String, Integer> answersPerPrompt(Simulator sim) {
    Map<String, Integer> counts = new HashMap<>();
    for (RequestRecord record : sim.stats().records()) {
      if (record.status() == 200) {
        counts.merge(record.promptHash(), 1, Integer::sum);
      }
    }
    return counts;
  }

  @Test
  void killedWithSigkillAndRerunGivesExactlyOneLinePerCustomId() throws Exception {
    try (Simulator sim = simulator()) {
      Path input = input();
      Path output = dir.resolve("in.results.jsonl");
      Process first = start(sim, input);
      awaitResultsWhileRunning(first, output, 10);
      first.destroyForcibly(); // SIGKILL
      first.waitFor(30, TimeUnit.SECONDS);
      long beforeRerun = resultLines(output);
      assertThat(beforeRerun).isLessThan(REQUESTS);

      Process second = start(sim, input);
      assertThat(second.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(second.exitValue()).isZero();

      Map<String, String> types = PacerProcess.results(output);
      assertThat(types).hasSize(REQUESTS).doesNotContainValue("errored");
      Map<String, Integer> answers = answersPerPrompt(sim);
      assertThat(answers).hasSize(REQUESTS);
      long answeredTwice = answers.values().stream().filter(n -> n > 1).count();
      assertThat(answeredTwice).as("prompts answered twice: only those in flight at the kill")
          .isLessThanOrEqualTo(CONCURRENCY);
    }
  }

  @Test
  void aSecondRunOnTheSameOutputRefusesToStartWhileTheFirstGoes() throws Exception {
    try (Simulator sim = simulator()) {
      Path input = input();
      Path output = dir.resolve("in.results.jsonl");
      Process first = start(sim, input);
      awaitResultsWhileRunning(first, output, 5);

      Path log = dir.resolve("second.txt");
      Process second = start(sim, input, log);
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(second.exitValue()).isEqualTo(2);
      assertThat(Files.readString(log)).contains("another pacer run is writing " + output + " (pid " + first.pid());
      assertThat(first.isAlive()).as("the refusal came while the first still ran").isTrue();

      assertThat(first.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(first.exitValue()).isZero();
      assertThat(PacerProcess.results(output)).hasSize(REQUESTS);
      assertThat(answersPerPrompt(sim).values()).as("no prompt sent by both").allMatch(n -> n == 1);

      Process after = start(sim, input); // the lock went with the first run
      assertThat(after.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(after.exitValue()).isZero();
    }
  }

  @Test
  void ctrlCLetsInFlightRequestsFinishAndExits130() throws Exception {
    try (Simulator sim = simulator()) {
      Path input = input();
      Path output = dir.resolve("in.results.jsonl");
      Process run = start(sim, input);
      awaitResultsWhileRunning(run, output, 5);
      new ProcessBuilder("kill", "-INT", String.valueOf(run.pid())).start().waitFor();
      assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(run.exitValue()).isEqualTo(130);

      Map<String, String> types = PacerProcess.results(output);
      assertThat(types.size()).isLessThan(REQUESTS);
      assertThat(Files.readString(output)).endsWith("\n");
      long sent = sim.stats().records().stream().filter(r -> r.status() == 200).count();
      assertThat(types).as("every request sent before Ctrl-C was waited for and written").hasSize((int) sent);

      Process rerun = start(sim, input);
      assertThat(rerun.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(rerun.exitValue()).isZero();
      assertThat(PacerProcess.results(output)).hasSize(REQUESTS);
      assertThat(answersPerPrompt(sim).values()).allMatch(n -> n == 1);
    }
  }
}
