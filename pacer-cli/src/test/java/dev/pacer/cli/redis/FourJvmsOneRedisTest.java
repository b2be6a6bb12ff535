package dev.pacer.cli.redis;

import static dev.pacer.cli.redis.PacerJvms.RPM;
import static dev.pacer.cli.redis.PacerJvms.SHARING;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.redis.testing.Closer;
import dev.pacer.redis.testing.RedisServer;
import dev.pacer.simulator.Simulator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four {@code pacer run} JVMs, each on its own part of one job, against one simulator, sharing its
 * limits through one real {@code redis-server} ({@code pacer run --redis URL}); in the second test
 * Redis is killed (SIGKILL) in the middle and started again, empty, on the same port. What
 * docs/distributed.md promises: the four together stay within the limits (zero 429s at the
 * simulator, the outage included: every process was counted before it), and every request is
 * answered exactly once. E is printed, not asserted (a benchmark figure:
 * pacer-redis/scripts/four-jvms.sh).
 */
@Timeout(150)
class FourJvmsOneRedisTest {

  static final int PARTS = 4;
  /**
   * The store's default heartbeat interval is 2 s: a process counts the others at its heartbeats,
   * and goes alone at the share its last heartbeat counted.
   */
  static final Duration HEARTBEAT = Duration.ofSeconds(2);

  @TempDir Path dir;

  private final Closer closer = new Closer();

  @AfterEach
  void closeAll() throws Exception {
    closer.close();
  }

  private <T extends AutoCloseable> T open(T resource) {
    return closer.open(resource);
  }

  private static List<Process> startAll(PacerJvms jvms, List<Path> parts, Simulator sim, RedisServer redis) {
    List<Process> runs = new ArrayList<>();
    for (Path part : parts) {
      runs.add(jvms.start(part, sim.baseUrl(), redis.url(), RPM));
    }
    return runs;
  }

  private static void awaitAll(List<Process> runs, List<Path> parts) throws InterruptedException {
    for (int p = 0; p < parts.size(); p++) {
      PacerJvms.awaitSuccess(runs.get(p), parts.get(p));
    }
  }

  private static void assertEachSharedThroughRedis(List<Path> parts) {
    for (Path part : parts) {
      assertThat(PacerJvms.logOf(part)).as("pacer run %s used the store", part.getFileName()).contains(SHARING);
    }
  }

  private static void assertAnsweredOnceAndNever429(Simulator sim, int requests) {
    assertThat(sim.stats().rateLimited()).as("429s at the simulator").isZero();
    assertThat(sim.stats().succeeded()).isEqualTo(requests);
    assertThat(PacerJvms.answersPerPrompt(sim)).hasSize(requests).allSatisfy((prompt, n) -> assertThat(n).isOne());
  }

  @Test
  void fourJvmsSharingOneRedisNeverDraw429sAndAnswerEveryRequest() throws Exception {
    int requests = PARTS * 40;
    Simulator sim = open(PacerJvms.simulator(RPM, PacerJvms.quickAnswers()));
    RedisServer redis = open(RedisServer.start());
    PacerJvms jvms = open(new PacerJvms(dir));
    List<Path> parts = jvms.job("shared", requests, PARTS);

    Instant started = Instant.now();
    List<Process> runs = startAll(jvms, parts, sim, redis);
    awaitAll(runs, parts);

    assertEachSharedThroughRedis(parts);
    PacerJvms.assertEveryRequestSucceededOnce(parts);
    assertAnsweredOnceAndNever429(sim, requests);
    System.out.printf("four JVMs, one Redis, %d requests: %s%n", requests,
        PacerJvms.efficiency(sim, requests, RPM, RPM, 6, 0.3));
    System.out.println("  " + PacerJvms.timeline(sim, started));
  }

  @Test
  void redisKilledMidRunAndRestartedEmptyLosesNothingAndStillNoJvmDraws429s() throws Exception {
    int requests = PARTS * 60;
    Simulator sim = open(PacerJvms.simulator(RPM, PacerJvms.quickAnswers()));
    RedisServer redis = open(RedisServer.start());
    PacerJvms jvms = open(new PacerJvms(dir));
    List<Path> parts = jvms.job("outage", requests, PARTS);

    Instant started = Instant.now();
    List<Process> runs = startAll(jvms, parts, sim, redis);
    // Every process is connected and counted by every other before Redis goes (each has beaten
    // since the last one registered): a process that joins during an outage, or that the others
    // have not counted yet, is the documented exception.
    Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
        .until(() -> parts.stream().allMatch(p -> PacerJvms.logOf(p).contains(SHARING)));
    Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .until(() -> PacerJvms.redisCount(redis.port(), "ZCARD", "{pacer}:processes") == PARTS);
    Thread.sleep(HEARTBEAT.toMillis() + 500);
    // ... and every process is sending: Redis goes in the middle of the jobs.
    Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
        .until(() -> parts.stream().allMatch(p -> PacerJvms.resultLines(List.of(p)) >= 3));

    long doneBeforeKill = PacerJvms.resultLines(parts);
    long running = runs.stream().filter(Process::isAlive).count();
    assertThat(running).as("jobs still running when Redis is killed").isGreaterThanOrEqualTo(2);
    assertThat(doneBeforeKill).as("requests answered before Redis is killed").isLessThan(requests - 40);
    Instant killed = Instant.now();
    redis.kill(); // SIGKILL: Redis forgets everything
    Thread.sleep(4_000); // each process paces alone, at its quarter, starting empty
    redis.restart(); // same port, empty
    double back = Duration.between(killed, Instant.now()).toMillis() / 1e3;
    long doneDuringOutage = PacerJvms.resultLines(parts) - doneBeforeKill;

    awaitAll(runs, parts);

    assertEachSharedThroughRedis(parts);
    PacerJvms.assertEveryRequestSucceededOnce(parts);
    assertThat(sim.stats().rateLimited()).as("429s at the simulator, at seconds from the kill (Redis back at %.2f s): %s",
        back, PacerJvms.rateLimitedTimeline(sim, killed)).isZero();
    assertAnsweredOnceAndNever429(sim, requests);
    // They went back to the restarted Redis: the pool lives there again.
    List<String> pools = PacerJvms.redisList(redis.port(), "KEYS", "{pacer:*}:state");
    assertThat(pools).as("pools on the restarted Redis").isNotEmpty();
    System.out.printf("four JVMs (%d running at the kill), one Redis killed after %d answers and back 4 s later"
        + " (%d answers meanwhile), %d requests: %s%n", running, doneBeforeKill, doneDuringOutage, requests,
        PacerJvms.efficiency(sim, requests, RPM, RPM, 6, 0.3));
    System.out.println("  " + PacerJvms.timeline(sim, started));
  }
}
