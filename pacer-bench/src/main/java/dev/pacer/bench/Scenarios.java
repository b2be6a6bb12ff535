package dev.pacer.bench;

import dev.pacer.simulator.Latency;
import dev.pacer.simulator.OutputRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * The board's scenarios. Time is compressed: a window of {@link #WINDOW} stands for the API's
 * minute, answers come ten times faster than from the real API, and every job is sized so that
 * its lower bound is about one window beyond what the burst serves at once.
 *
 * <p>Base limits are the old Tier 1 Sonnet line of the tier table, 50 requests / 30,000 input /
 * 8,000 output tokens per minute: a window of those numbers.
 */
public final class Scenarios {

  public static final Duration WINDOW = Duration.ofSeconds(6);
  public static final String MODEL = "claude-sonnet-4-5";
  /** Tier 1, Sonnet 4.x: RPM / ITPM / OTPM. */
  public static final Rates TIER_1 = Rates.of(50, 30_000, 8_000);
  /** What the tier table says for the next tier up: what the user of "unknown limits" was told. */
  public static final Rates TOLD_TIER_2 = Rates.of(100, 60_000, 16_000);
  /** The real API's pace (0.6 s to the first token, then 80 tokens a second), compressed with the window. */
  public static final Latency REAL_LATENCY = Latency.of(Duration.ofMillis(600), 80);

  /**
   * The quick board, at full size: three scenarios, each with Pacer, the learner and the baselines
   * that win on the full board (token-window and Resilience4j never do, and are left out).
   */
  public static final Map<String, List<String>> QUICK = quick();

  private static Map<String, List<String>> quick() {
    Map<String, List<String>> quick = new LinkedHashMap<>();
    List<String> strong = List.of("sdk-retries", "backoff-loop", "semaphore-5", "bucket4j", "pacer", "pacer-learning");
    quick.put("request-bound", strong);
    quick.put("output-bound-reserve", strong);
    // sdk-retries and semaphore-5 wait out six retry-afters of a window each on the impossible request.
    quick.put("never-fits", List.of("backoff-loop", "bucket4j", "pacer", "pacer-learning"));
    return java.util.Collections.unmodifiableMap(quick);
  }

  private Scenarios() {}

  /** Every scenario, jobs at {@code size} times their full length (1 for the board). */
  public static List<Scenario> all(double size, long seed) {
    return all(WINDOW, size, seed);
  }

  public static List<Scenario> all(Duration window, double size, long seed) {
    Builder b = new Builder(window, size, seed);
    List<Scenario> all = new ArrayList<>();
    all.add(b.scenario("request-bound", "many small requests: RPM binds", OutputRule.RESERVE, 10, 60,
        b.job(100, 40, 100, null, 0), List.of(), Rates.Bucket.REQUESTS));
    all.add(b.scenario("input-bound", "long prompts: ITPM binds", OutputRule.RESERVE, 10, 60,
        b.job(30, 2_000, 100, null, 0), List.of(), Rates.Bucket.INPUT_TOKENS));
    all.add(b.scenario("output-bound-reserve", "long answers, max_tokens held at admission: OTPM binds",
        OutputRule.RESERVE, 150, 350, b.job(64, 40, 400, null, 0), List.of(), Rates.Bucket.OUTPUT_TOKENS));
    all.add(b.scenario("output-bound-live", "long answers, output counted as generated: OTPM binds",
        OutputRule.LIVE, 150, 350, b.job(64, 40, 400, null, 0), List.of(), Rates.Bucket.OUTPUT_TOKENS));
    all.add(b.unknown("unknown-limits", "the server's limits are half of what the user was told",
        b.job(80, 300, 256, null, 0)));
    all.add(b.withBurst(b.scenario("small-burst", "bucket capacity a tenth of the limit (unpublished)",
        OutputRule.RESERVE, 10, 60, b.job(55, 40, 100, null, 0), List.of(), Rates.Bucket.REQUESTS),
        b.compressed(6)));
    all.add(b.changing("limits-halved", "every limit halves 3 s into the run", OutputRule.RESERVE, 200, 500,
        b.job(40, 40, 512, null, 0),
        List.of(new ServerEvent.LimitsChange(b.at(0.5), TIER_1.scaled(0.5))), Rates.Bucket.OUTPUT_TOKENS));
    all.add(b.scenario("overload-wave", "half the attempts answered 529 for a third of a window",
        OutputRule.RESERVE, 10, 60, b.job(100, 40, 100, null, 0),
        List.of(new ServerEvent.OverloadWave(b.at(2.0 / 6), b.at(4.0 / 6), 0.5)), Rates.Bucket.REQUESTS));
    all.add(b.scenario("outage", "every attempt answered 503 for a third of a window", OutputRule.RESERVE, 10, 60,
        b.job(100, 40, 100, null, 0), List.of(new ServerEvent.Outage(b.at(2.0 / 6), b.at(4.0 / 6))),
        Rates.Bucket.REQUESTS));
    all.add(b.scenario("prompt-caching", "a 3,000-token system prompt read from the cache", OutputRule.RESERVE, 10, 60,
        b.job(100, 30, 100, JobRequest.text(new Random(seed ^ 0xCAC4E), 3_000), 0), List.of(),
        Rates.Bucket.INPUT_TOKENS));
    all.add(b.scenario("never-fits", "one request larger than ITPM among ordinary ones", OutputRule.RESERVE, 10, 60,
        b.job(100, 40, 100, null, 1), List.of(), Rates.Bucket.REQUESTS));
    return all;
  }

  /** Builds scenarios over one window, size and seed. */
  private static final class Builder {
    private final Duration window;
    private final double size;
    private final long seed;

    Builder(Duration window, double size, long seed) {
      this.window = window;
      this.size = size;
      this.seed = seed;
    }

    /** A share of the window, as a time from the job's start. */
    Duration at(double windows) {
      return Duration.ofNanos(Math.round(window.toNanos() * windows));
    }

    /** A real-world number of seconds, compressed like the window. */
    Duration compressed(double realSeconds) {
      return Duration.ofNanos(Math.round(realSeconds * 1e9 * window.toNanos() / 60e9));
    }

    Latency latency() {
      return REAL_LATENCY.scaledBy(window.toNanos() / 60e9);
    }

    /**
     * {@code n} requests (scaled by the size) of a fresh user message of about {@code userTokens},
     * then {@code impossible} requests that need twice the ITPM.
     */
    List<JobRequest> job(int n, long userTokens, long maxTokens, String system, int impossible) {
      Random random = new Random(seed * 31 + n * 7919L + userTokens);
      int count = Math.max(2, (int) Math.round(n * size));
      List<JobRequest> job = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String user = "Request " + i + ": " + JobRequest.text(random, userTokens);
        job.add(new JobRequest(i, MODEL, system, user, maxTokens, false));
      }
      for (int i = 0; i < impossible; i++) {
        // Placed a third of the way in, so it meets a contender in full stride.
        int at = count / 3;
        String user = "Request " + count + ": " + JobRequest.text(random, TIER_1.inputTokens() * 2);
        job.add(at, new JobRequest(count, MODEL, system, user, maxTokens, true));
      }
      return job;
    }

    Scenario scenario(String name, String title, OutputRule rule, int minOut, int maxOut, List<JobRequest> job,
        List<ServerEvent> events, Rates.Bucket chart) {
      return new Scenario(name, title, TIER_1, TIER_1, window, Optional.empty(), rule, latency(), minOut, maxOut, job,
          events, true, chart);
    }

    Scenario changing(String name, String title, OutputRule rule, int minOut, int maxOut, List<JobRequest> job,
        List<ServerEvent> events, Rates.Bucket chart) {
      return new Scenario(name, title, TIER_1, TIER_1, window, Optional.empty(), rule, latency(), minOut, maxOut, job,
          events, false, chart);
    }

    Scenario unknown(String name, String title, List<JobRequest> job) {
      return new Scenario(name, title, TIER_1, TOLD_TIER_2, window, Optional.empty(), OutputRule.RESERVE, latency(),
          150, 250, job, List.of(), false, Rates.Bucket.OUTPUT_TOKENS);
    }

    Scenario withBurst(Scenario s, Duration burst) {
      return new Scenario(s.name(), s.title(), s.limits(), s.told(), s.window(), Optional.of(burst), s.outputRule(),
          s.latency(), s.minOutput(), s.maxOutput(), s.job(), s.events(), s.limitsKnown(), s.chartBucket());
    }
  }
}
