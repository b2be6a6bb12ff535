package dev.pacer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.limits.Limits;
import dev.pacer.limits.OutputRule;
import dev.pacer.testing.ServerModel;
import dev.pacer.testing.VirtualRun;
import dev.pacer.time.FakeTimeSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The governor against the server's rules on virtual time: an hour of traffic per scenario, run
 * in about a second. Asserts the goals of the "Feedback and learning" issue and writes each
 * scenario's figures to target/virtual-time-simulation.md (copied into docs/benchmarks.md).
 */
class VirtualTimeSimulationTest {

  private static final String MODEL = "claude-sonnet-4-5";
  private static final Duration WINDOW = Duration.ofMinutes(1);
  private static final Duration LIMIT = Duration.ofHours(6);
  private static final StringBuilder REPORT = new StringBuilder();

  private final FakeTimeSource time = new FakeTimeSource();

  @Test
  void requestBoundWithKnownLimits() {
    VirtualRun.Result result = run("request-bound, known limits", limits(600, 2_000_000, 400_000), 1.0,
        ServerModel.Rule.RESERVE, true, VirtualRun.workload(36_000, 1_000, 1_024, 300, 1));
    assertKnownLimitsGoal(result);
  }

  @Test
  void inputBoundWithKnownLimits() {
    VirtualRun.Result result = run("input-bound, known limits", limits(4_000, 400_000, 400_000), 1.0,
        ServerModel.Rule.RESERVE, true, VirtualRun.workload(12_000, 2_000, 1_024, 300, 2));
    assertKnownLimitsGoal(result);
  }

  @Test
  void outputBoundUnderTheReserveRule() {
    VirtualRun.Result result = run("output-bound, reserve rule", limits(4_000, 10_000_000, 80_000), 1.0,
        ServerModel.Rule.RESERVE, true, VirtualRun.workload(12_000, 500, 1_024, 400, 3));
    assertKnownLimitsGoal(result);
  }

  @Test
  void outputBoundUnderTheLiveRule() {
    VirtualRun.Result result = run("output-bound, live rule", limits(4_000, 10_000_000, 80_000), 1.0,
        ServerModel.Rule.LIVE, true, VirtualRun.workload(12_000, 500, 1_024, 400, 4));
    assertKnownLimitsGoal(result);
  }

  /**
   * The concurrency limit starts at 64 by default; these "from 16 in flight" cases start where the
   * default did before 2026-11-28, so both starts stay covered. From 64 in flight (now the
   * default case above) the first burst went out against the assumed burst while the server's
   * bucket sat full (and so did not refill) for the first answer's 1.8 s; the forecast, below it,
   * refilled all along, and the readings raised it to the server's level as if the server had
   * refilled too: 1,900 tokens too high, and 210 429s half a minute later.
   */
  @Test
  void outputBoundUnderTheLiveRuleFromSixteenInFlight() {
    long[] limits = limits(4_000, 10_000_000, 80_000);
    VirtualRun run = new VirtualRun(time, server(limits, 1.0, ServerModel.Rule.LIVE), limits, WINDOW, 1.0, 42);
    VirtualRun.Result result = report(run.run("output-bound, live rule, from 16 in flight",
        pacerFrom(16, limits, OutputRule.LIVE), MODEL,
        VirtualRun.workload(12_000, 500, 1_024, 400, 4), LIMIT));
    assertKnownLimitsGoal(result);
  }

  @Test
  void aOneSecondBurst() {
    VirtualRun.Result result = run("request-bound, 1 s burst", limits(600, 2_000_000, 400_000), 1.0 / 60,
        ServerModel.Rule.RESERVE, true, VirtualRun.workload(36_000, 1_000, 1_024, 300, 5));
    assertKnownLimitsGoal(result);
  }

  @Test
  void aTenSecondBurstUnderTheLiveRule() {
    VirtualRun.Result result = run("input-bound, 10 s burst, live rule", limits(4_000, 400_000, 400_000), 1.0 / 6,
        ServerModel.Rule.LIVE, true, VirtualRun.workload(12_000, 2_000, 1_024, 300, 6));
    assertKnownLimitsGoal(result);
  }

  @Test
  void unknownLimitsAreLearned() {
    VirtualRun.Result result = run("request-bound, limits unknown", limits(600, 2_000_000, 400_000), 1.0,
        ServerModel.Rule.RESERVE, false, VirtualRun.workload(36_000, 1_000, 1_024, 300, 7));
    assertLearningGoal(result);
  }

  @Test
  void unknownLimitsAndASmallBurstAreLearned() {
    VirtualRun.Result result = run("input-bound, limits unknown, 5 s burst", limits(4_000, 400_000, 400_000), 1.0 / 12,
        ServerModel.Rule.LIVE, false, VirtualRun.workload(12_000, 2_000, 1_024, 300, 8));
    assertLearningGoal(result);
  }

  @Test
  void limitsHalvedMidRun() {
    long[] limits = limits(600, 2_000_000, 400_000);
    ServerModel server = server(limits, 1.0, ServerModel.Rule.RESERVE);
    VirtualRun run = new VirtualRun(time, server, limits, WINDOW, 1.0, 9);
    long[] rejectedAtChange = new long[1];
    run.at(Duration.ofMinutes(20), () -> {
      server.setLimits(300, 1_000_000, 200_000, time.nanoTime());
      rejectedAtChange[0] = server.rejected();
    });
    VirtualRun.Result measured = run.run("request-bound, limits halved at 20 min", pacer(limits, true,
        OutputRule.RESERVE), MODEL, VirtualRun.workload(24_000, 1_000, 1_024, 300, 9), LIMIT);
    // The least time: the burst and 20 minutes at 600 a minute, the rest at 300, plus a latency.
    double lowerBound = 20 * 60 + (24_000 - 600 - 20 * 600) / 300.0 * 60 + 2.3;
    VirtualRun.Result result = report(measured.withLowerBound(lowerBound));
    assertThat(result.efficiency()).isGreaterThanOrEqualTo(0.95);
    assertThat(result.failed()).isZero();
    // The next responses carry the new limits; 429s stop within a few of them.
    assertThat(server.rejected() - rejectedAtChange[0]).isLessThanOrEqualTo(5);
  }

  @Test
  void aSecondClientUsesPartOfTheLimits() {
    aSecondClientUsesPartOfTheLimits(0);
  }

  /**
   * With the adaptive limit starting at 64 in flight (now the default case above), the first
   * drift samples overshot: the estimate of the other client's drain reached the whole refill
   * rate, the forecast stopped refilling, nothing was sent, no reading came to correct it, and the
   * pool stalled for good. This case starts at 16, the default before 2026-11-28.
   */
  @Test
  void aSecondClientSeenFromSixteenInFlight() {
    aSecondClientUsesPartOfTheLimits(16);
  }

  private void aSecondClientUsesPartOfTheLimits(int initialInFlight) {
    long[] limits = limits(4_000, 400_000, 400_000);
    ServerModel server = server(limits, 1.0, ServerModel.Rule.RESERVE);
    VirtualRun run = new VirtualRun(time, server, limits, WINDOW, 1.0, 10);
    // Another program on the same key takes a quarter of the input limit, unseen by Pacer.
    Runnable[] other = new Runnable[1];
    other[0] = () -> {
      server.consume(1, 400_000 / 4.0 / 60, time.nanoTime());
      time.schedule(other[0], Duration.ofSeconds(1).toNanos());
    };
    run.at(Duration.ZERO, other[0]);
    List<VirtualRun.Request> workload = VirtualRun.workload(9_000, 2_000, 1_024, 300, 10);
    Pacer pacer = pacerFrom(initialInFlight, limits, OutputRule.RESERVE);
    VirtualRun.Result measured = run.run("input-bound, a second client takes 25%"
        + (initialInFlight == 0 ? "" : ", from " + initialInFlight + " in flight"), pacer, MODEL, workload,
        Duration.ofHours(2));
    // The least time with three quarters of the input limit's refill (and the whole burst).
    double input = workload.stream().mapToLong(VirtualRun.Request::inputTokens).sum();
    VirtualRun.Result result = report(measured.withLowerBound((input - 400_000) / (0.75 * 400_000) * 60 + 2.3));
    assertThat(result.efficiency()).isGreaterThanOrEqualTo(0.93);
    assertThat(result.failed()).isZero();
    assertThat(result.rateLimitedShare()).isLessThanOrEqualTo(0.01);
  }

  @Test
  void aFifthOfAttemptsOverloadedCostsNoMoreThanTheFloorAllows() {
    aFifthOfAttemptsOverloaded(0);
  }

  /**
   * A burst's 529s come back at once, its successes only with their answers: from 64 in flight
   * (now the default case above), a fifth of them made five failures in a row again and again,
   * and the overload brake paused the pool and probed one request at a time 65 times (E 0.95), as
   * if the service were down. This case starts at 16, the default before 2026-11-28.
   */
  @Test
  void aFifthOfAttemptsOverloadedFromSixteenInFlight() {
    aFifthOfAttemptsOverloaded(16);
  }

  private void aFifthOfAttemptsOverloaded(int initialInFlight) {
    long[] limits = limits(600, 2_000_000, 400_000);
    ServerModel server = server(limits, 1.0, ServerModel.Rule.RESERVE);
    VirtualRun run = new VirtualRun(time, server, limits, WINDOW, 1.0, 11).overloads(0.2);
    Pacer pacer = pacerFrom(initialInFlight, limits, OutputRule.RESERVE);
    VirtualRun.Result result = report(run.run("request-bound, 20% of attempts 529"
        + (initialInFlight == 0 ? "" : ", from " + initialInFlight + " in flight"), pacer, MODEL,
        VirtualRun.workload(12_000, 1_000, 1_024, 300, 11), LIMIT));
    assertThat(result.failed()).isZero();
    assertThat(result.rateLimited()).isZero();
    // Every attempt fails with probability 0.2 whatever we do: the floor is 1 / 0.8 = 1.25.
    assertThat(result.attemptsPerRequest()).isLessThanOrEqualTo(1.30);
    assertThat(result.efficiency()).isGreaterThanOrEqualTo(0.98);
  }

  @Test
  void aFiveMinuteOutageLosesNothingAndRetriesStayWithinTheBudget() {
    long[] limits = limits(600, 2_000_000, 400_000);
    ServerModel server = server(limits, 1.0, ServerModel.Rule.RESERVE);
    long start = time.nanoTime();
    long outageStart = Duration.ofMinutes(10).toNanos();
    long outageEnd = Duration.ofMinutes(15).toNanos();
    VirtualRun run = new VirtualRun(time, server, limits, WINDOW, 1.0, 12)
        .outage(now -> now - start >= outageStart && now - start < outageEnd);
    VirtualRun.Result result = report(run.run("request-bound, 5 min outage at 10 min", pacer(limits, true,
        OutputRule.RESERVE), MODEL, VirtualRun.workload(12_000, 1_000, 1_024, 300, 12), LIMIT)
        .withLowerBound((12_000 - 600 - 600) / 600.0 * 60 + 300 + 2.3)); // the burst twice: at the start and after
    assertThat(result.failed()).isZero();
    // The budget: retries at most half the first attempts (over a 10 s window) plus one a second.
    double allowed = 0.5 * (run.firstAttemptsInOutage() + 10 * 10) + 1.0 * (300 + 10);
    assertThat(run.retriesInOutage()).isLessThanOrEqualTo((long) allowed);
    assertThat(result.efficiency()).isGreaterThanOrEqualTo(0.9);
  }

  @AfterAll
  static void writeReport() throws IOException {
    Path file = Path.of("target", "virtual-time-simulation.md");
    Files.createDirectories(file.getParent());
    String header = "| scenario | requests | E | 429s | 429s / attempts | attempts / request | T_lb (s) | T (s) | binding |\n"
        + "|---|---|---|---|---|---|---|---|---|\n";
    Files.writeString(file, header + REPORT, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
  }

  private VirtualRun.Result run(String scenario, long[] limits, double burstFraction, ServerModel.Rule rule,
      boolean limitsKnown, List<VirtualRun.Request> workload) {
    ServerModel server = server(limits, burstFraction, rule);
    VirtualRun run = new VirtualRun(time, server, limits, WINDOW, burstFraction, 42);
    OutputRule outputRule = rule == ServerModel.Rule.RESERVE ? OutputRule.RESERVE : OutputRule.LIVE;
    return report(run.run(scenario, pacer(limits, limitsKnown, outputRule), MODEL, workload, LIMIT));
  }

  private ServerModel server(long[] limits, double burstFraction, ServerModel.Rule rule) {
    return new ServerModel(limits[0], limits[1], limits[2], WINDOW.toNanos(), burstFraction, rule, time.nanoTime());
  }

  private Pacer pacer(long[] limits, boolean known, OutputRule rule) {
    return builder(limits, known, rule).build();
  }

  /** Told the limits, with the adaptive concurrency limit starting at {@code initialInFlight} (0: the default). */
  private Pacer pacerFrom(int initialInFlight, long[] limits, OutputRule rule) {
    Pacer.Builder builder = builder(limits, true, rule);
    if (initialInFlight > 0) {
      builder.adaptiveConcurrency(dev.pacer.concurrency.AdaptiveConcurrencyLimit.builder().initialLimit(initialInFlight)
          .build().config());
    }
    return builder.build();
  }

  private Pacer.Builder builder(long[] limits, boolean known, OutputRule rule) {
    // Seeded jitter: the same run every time, so a figure that moves means the code changed.
    Pacer.Builder builder = Pacer.builder().timeSource(time).window(WINDOW).outputRule(rule)
        .retryPolicy(dev.pacer.retry.RetryPolicy.builder().jitterSeed(7).build());
    if (known) {
      builder.limits(Limits.of(limits[0], limits[1], limits[2]));
    }
    return builder;
  }

  private static VirtualRun.Result report(VirtualRun.Result result) {
    REPORT.append(result.row()).append('\n');
    System.out.println(result.row());
    return result;
  }

  private static void assertKnownLimitsGoal(VirtualRun.Result result) {
    assertThat(result.failed()).as("failed requests").isZero();
    assertThat(result.rateLimited()).as("429s").isZero();
    assertThat(result.efficiency()).as("efficiency").isGreaterThanOrEqualTo(0.97);
  }

  private static void assertLearningGoal(VirtualRun.Result result) {
    assertThat(result.failed()).as("failed requests").isZero();
    assertThat(result.rateLimitedShare()).as("share of attempts answered 429").isLessThanOrEqualTo(0.01);
    assertThat(result.efficiency()).as("efficiency").isGreaterThanOrEqualTo(0.93);
  }

  private static long[] limits(long rpm, long itpm, long otpm) {
    return new long[] {rpm, itpm, otpm};
  }
}
