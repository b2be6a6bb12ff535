package dev.pacer.cli.redis;

import static dev.pacer.cli.redis.PacerJvms.RPM;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.redis.testing.Closer;
import dev.pacer.redis.testing.RedisServer;
import dev.pacer.simulator.Latency;
import dev.pacer.simulator.Simulator;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code pacer run} JVM sharing limits through Redis is killed (SIGKILL) while it holds
 * reservations (requests granted and in flight, never settled) and a place in the pool's
 * cross-process queue (never withdrawn); a second JVM resumes the job. The real-process
 * counterpart of SharedPoolTest's {@code aDeadProcessesReservationsComeBackByRefill} and
 * {@code aDeadProcessesPlaceInTheQueueExpires} (pacer-redis), which close a store in-process.
 */
@Timeout(150)
class KilledJvmOverRedisTest {

  static final int REQUESTS = 120;

  @TempDir Path dir;

  private final Closer closer = new Closer();

  @AfterEach
  void closeAll() throws Exception {
    closer.close();
  }

  private <T extends AutoCloseable> T open(T resource) {
    return closer.open(resource);
  }

  private static long queued(RedisServer redis) {
    long places = 0;
    for (String key : PacerJvms.redisList(redis.port(), "KEYS", "{pacer:*}:queue")) {
      places += PacerJvms.redisCount(redis.port(), "ZCARD", key);
    }
    return places;
  }

  @Test
  void aJvmKilledHoldingReservationsAndAQueuePlaceHoldsNobodyUpAndItsGrantsStillCount() throws Exception {
    // Answers take over a second: a dozen requests are in flight at any time.
    Simulator sim = open(PacerJvms.simulator(RPM, Latency.of(Duration.ofMillis(1_200), 2_000)));
    RedisServer redis = open(RedisServer.start());
    PacerJvms jvms = open(new PacerJvms(dir));
    Path input = jvms.job("killed", REQUESTS, 1).getFirst();

    Process first = jvms.start(input, sim.baseUrl(), redis.url(), RPM);
    // Frozen (SIGSTOP) where it stands, then killed (SIGKILL) only if it holds both: requests in
    // flight at the simulator (granted, never to be settled) and its place in Redis's queue.
    Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50)).until(() -> {
      if (!first.isAlive()) {
        return true;
      }
      if (PacerJvms.resultLines(List.of(input)) < 10 || sim.stats().inFlight() == 0 || queued(redis) == 0) {
        return false;
      }
      PacerJvms.signal(first, "STOP");
      if (sim.stats().inFlight() > 0 && queued(redis) > 0) {
        return true;
      }
      PacerJvms.signal(first, "CONT");
      return false;
    });
    assertThat(first.isAlive()).as("the first run is still going when killed; its log:%n%s", PacerJvms.logOf(input))
        .isTrue();
    first.destroyForcibly(); // SIGKILL: no settle, no withdraw, no goodbye
    first.waitFor();
    long written = PacerJvms.resultLines(List.of(input));
    assertThat(written).isLessThan(REQUESTS);
    // What the simulator answered that the dead process never wrote: the rerun sends it again.
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> sim.stats().inFlight() == 0);
    long answeredNotWritten = sim.stats().succeeded() - written;

    Process second = jvms.start(input, sim.baseUrl(), redis.url(), RPM); // resumes the job
    PacerJvms.awaitSuccess(second, input);

    // Nothing the dead process held was lost for good: the second finished the job ...
    PacerJvms.assertEveryRequestSucceededOnce(List.of(input));
    assertThat(queued(redis)).as("places left in the queue").isZero();
    // ... and nothing it took was forgotten: the server never saw the limit exceeded.
    assertThat(sim.stats().rateLimited()).as("429s at the simulator").isZero();
    // Answered twice: only what the dead process had been answered but never wrote.
    Map<String, Integer> answers = PacerJvms.answersPerPrompt(sim);
    assertThat(answers).hasSize(REQUESTS);
    assertThat(answers.values().stream().filter(n -> n > 1).count()).as("prompts answered twice")
        .isLessThanOrEqualTo(answeredNotWritten);
    assertThat(answers.values()).allMatch(n -> n <= 2);
  }
}
