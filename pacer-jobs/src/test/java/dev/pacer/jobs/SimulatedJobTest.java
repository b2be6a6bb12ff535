package dev.pacer.jobs;

import static dev.pacer.jobs.testing.Files2.prompts;
import static dev.pacer.jobs.testing.Files2.resultTypes;
import static dev.pacer.jobs.testing.Files2.results;
import static dev.pacer.jobs.testing.Files2.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.PacerStats;
import dev.pacer.limits.Limits;
import dev.pacer.simulator.Latency;
import dev.pacer.simulator.RequestRecord;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import dev.pacer.simulator.SimulatorStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Jobs sent through the official SDK ({@link SdkRequestSender}) to the in-process simulator. */
@Timeout(60)
class SimulatedJobTest {

  @TempDir Path dir;

  private static JobConfig.Builder job(Path input, PacingConfig pacing) {
    return JobConfig.builder(input).defaults(RequestDefaults.of("claude-haiku-4-5", 50L, null)).pacing(pacing);
  }

  @Test
  void aJobUnderTightLimitsCompletesWithoutA429AndEveryCustomIdAnsweredOnce() throws Exception {
    // 30 requests per 3-second window (10 a second): 60 requests take about 3 s.
    Duration window = Duration.ofSeconds(3);
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().rpm(30).itpm(1_000_000).otpm(1_000_000)
        .window(window).seed(7).build())) {
      Path input = prompts(dir.resolve("in.jsonl"), 60);
      PacingConfig pacing = PacingConfig.builder().requestsPerWindow(30).inputTokensPerWindow(1_000_000)
          .outputTokensPerWindow(1_000_000).window(window).concurrency(16).build();
      JobSummary summary;
      PacerStats pacerStats;
      try (SdkRequestSender sender = SdkRequestSender.builder().baseUrl(sim.baseUrl()).apiKey("test").pacing(pacing).build()) {
        summary = JobRunner.builder(job(input, pacing).build()).sender(sender).build().run();
        pacerStats = sender.pacer().stats();
      }

      SimulatorStats stats = sim.stats();
      assertThat(stats.rateLimited()).as("429s by bucket: %s", stats.rateLimitedByBucket()).isZero();
      assertThat(stats.attempts()).as("the simulator saw each request once").isEqualTo(60);
      assertThat(summary.rateLimited()).isZero();
      assertThat(summary.succeeded()).isEqualTo(60);
      assertThat(summary.attempts()).isEqualTo(60);
      assertThat(summary.retries()).isZero();
      assertThat(pacerStats.attempts()).as("the Pacer's own count").isEqualTo(60);
      assertThat(pacerStats.requests()).isEqualTo(60);
      Map<String, String> types = resultTypes(dir.resolve("in.results.jsonl"));
      assertThat(types).hasSize(60).doesNotContainValue("errored");
      assertThat(stats.records().stream().map(RequestRecord::promptHash).distinct().count()).isEqualTo(60);
      assertThat(summary.inputTokens()).isEqualTo(stats.inputTokensServed());
      assertThat(summary.outputTokens()).isEqualTo(stats.outputTokensServed());
      assertThat(summary.bindingLimit()).startsWith("haiku-4-5 requests");
      assertThat(summary.efficiency()).isPresent();
      JsonNode message = results(dir.resolve("in.results.jsonl")).get(0).at("/result/message");
      assertThat(message.path("type").asText()).isEqualTo("message");
      assertThat(message.path("usage").path("output_tokens").asLong()).isPositive();
    }
  }

  @Test
  void aJobTightOnEveryBucketInACompressedWindowDrawsNo429() throws Exception {
    // Per 2-second window: 60 requests, 2,000 input and 1,200 output tokens; 40 requests reserving
    // max_tokens 50 each need ~2,000 output tokens: output binds, a few windows' worth.
    Duration window = Duration.ofSeconds(2);
    int n = 40;
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().rpm(60).itpm(2_000).otpm(1_200).window(window)
        .latency(Latency.of(Duration.ofMillis(20), 2_000)).seed(13).build())) {
      Path input = prompts(dir.resolve("in.jsonl"), n);
      PacingConfig pacing = PacingConfig.builder().requestsPerWindow(60).inputTokensPerWindow(2_000)
          .outputTokensPerWindow(1_200).window(window).concurrency(8).build();
      JobSummary summary;
      PacerStats pacerStats;
      try (SdkRequestSender sender = SdkRequestSender.builder().baseUrl(sim.baseUrl()).apiKey("test").pacing(pacing)
          .build()) {
        summary = JobRunner.builder(job(input, pacing).build()).sender(sender).build().run();
        pacerStats = sender.pacer().stats();
      }

      SimulatorStats stats = sim.stats();
      assertThat(stats.rateLimited()).as("429s by bucket: %s", stats.rateLimitedByBucket()).isZero();
      assertThat(stats.attempts()).isEqualTo(n);
      assertThat(stats.records().stream().map(RequestRecord::promptHash).distinct().count())
          .as("every prompt answered exactly once").isEqualTo(n);
      Map<String, String> types = resultTypes(dir.resolve("in.results.jsonl"));
      assertThat(types).hasSize(n).doesNotContainValue("errored");
      assertThat(java.nio.file.Files.readAllLines(dir.resolve("in.results.jsonl"))).as("one line per custom_id")
          .hasSize(n);
      assertThat(summary.attempts()).isEqualTo(n).isEqualTo(pacerStats.attempts());
      assertThat(summary.rateLimited()).isZero();
      assertThat(pacerStats.rateLimited()).isZero();
      assertThat(summary.outputTokens()).isEqualTo(stats.outputTokensServed());
      assertThat(summary.bindingLimit()).startsWith("haiku-4-5 output tokens");
      assertThat(summary.efficiency()).isPresent();
    }
  }

  @Test
  void promptsInChineseDrawNo429BeforeTheEstimatorHasLearnedThem() throws Exception {
    // An ideograph costs the simulator a token, four times a letter: counted like English text,
    // the first burst's estimates came to half the server's count (a whole-window burst of 20,000
    // input tokens took 20 such prompts at once, and refused 7 of them).
    Duration window = Duration.ofSeconds(2);
    int n = 20;
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().rpm(1_000).itpm(20_000).otpm(100_000)
        .window(window).burst(window).latency(Latency.of(Duration.ofMillis(20), 2_000)).seed(17).build())) {
      java.util.Random random = new java.util.Random(17);
      String[] lines = new String[n];
      for (int i = 0; i < n; i++) {
        StringBuilder text = new StringBuilder("请总结：");
        for (int k = 0; k < 1_500; k++) {
          text.appendCodePoint(0x4E00 + random.nextInt(2_000));
        }
        lines[i] = "{\"custom_id\":\"c" + i + "\",\"prompt\":\"" + text + "\"}";
      }
      Path input = write(dir.resolve("in.jsonl"), lines);
      PacingConfig pacing = PacingConfig.builder().requestsPerWindow(1_000).inputTokensPerWindow(20_000)
          .outputTokensPerWindow(100_000).window(window).burst(window).concurrency(32).build();
      JobSummary summary = run(sim, input, pacing);

      SimulatorStats stats = sim.stats();
      assertThat(stats.inputTokensServed()).as("more than the burst: some must wait").isGreaterThan(25_000);
      assertThat(stats.rateLimited()).as("429s by bucket: %s", stats.rateLimitedByBucket()).isZero();
      assertThat(summary.succeeded()).isEqualTo(n);
      assertThat(summary.attempts()).isEqualTo(n);
    }
  }

  @Test
  void longPromptsThatFitAreSentThoughAServersHiddenOverheadMadeShortOnesLookDear() throws Exception {
    // 350 tokens counted on every request (as the API's tool-use system prompt): a short prompt
    // cost 2.5 tokens a character of its body, and a 10,000-token prompt was estimated at over
    // 100,000, "more than the 30,000 ITPM allows": 5 of 65 lines errored unsent. The server's own
    // count (count_tokens) now decides, and the estimator takes the overhead apart.
    Duration window = Duration.ofSeconds(2);
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().rpm(1_000).itpm(30_000).otpm(100_000)
        .window(window).hiddenPromptTokens(350).latency(Latency.of(Duration.ofMillis(20), 2_000)).seed(19).build())) {
      java.util.Random random = new java.util.Random(19);
      String[] vocabulary = {"pace", "limit", "token", "bucket", "refill", "window", "burst", "queue"};
      List<String> lines = new java.util.ArrayList<>();
      int longOnes = 0;
      for (int i = 0; i < 40; i++) {
        lines.add("{\"custom_id\":\"s" + i + "\",\"prompt\":\"Classify review " + i + ": great value.\",\"max_tokens\":20}");
        if (i % 10 == 5) {
          StringBuilder text = new StringBuilder("Summarise:");
          for (int k = 0; k < 9_000; k++) {
            text.append(' ').append(vocabulary[random.nextInt(vocabulary.length)]);
          }
          lines.add("{\"custom_id\":\"L" + i + "\",\"prompt\":\"" + text + "\",\"max_tokens\":20}");
          longOnes++;
        }
      }
      Path input = write(dir.resolve("in.jsonl"), lines.toArray(String[]::new));
      PacingConfig pacing = PacingConfig.builder().requestsPerWindow(1_000).inputTokensPerWindow(30_000)
          .outputTokensPerWindow(100_000).window(window).build();
      JobSummary summary = run(sim, input, pacing);

      SimulatorStats stats = sim.stats();
      assertThat(longOnes).isEqualTo(4);
      assertThat(summary.errored()).isZero();
      assertThat(summary.succeeded()).isEqualTo(lines.size());
      assertThat(stats.rateLimited()).as("429s by bucket: %s", stats.rateLimitedByBucket()).isZero();
      assertThat(summary.attempts()).as("count_tokens calls are not Messages attempts").isEqualTo(lines.size())
          .isEqualTo(stats.attempts());
    }
  }

  @Test
  void aServerSheddingLoadSeesFewerInFlightNotTheSameHammering() throws Exception {
    // Above 8 in flight the server answers 529 with probability (n - 8) / 8: with 32 kept in
    // flight every attempt would be shed. The in-flight cap lowers on the 529s (AIMD, up to
    // --concurrency) until most attempts get through.
    int n = 150;
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().tier("tier4").seed(5)
        .latency(dev.pacer.simulator.Latency.of(Duration.ofMillis(60), 2_000))
        .faults(dev.pacer.simulator.FaultPlan.builder().overloadCapacity(8).build()).build())) {
      Path input = prompts(dir.resolve("in.jsonl"), n);
      PacingConfig pacing = PacingConfig.builder().tier(dev.pacer.limits.Tier.TIER4).concurrency(32).build();
      JobSummary summary;
      int capAtTheEnd;
      try (SdkRequestSender sender = SdkRequestSender.builder().baseUrl(sim.baseUrl()).apiKey("test").pacing(pacing).build()) {
        summary = JobRunner.builder(job(input, pacing).build()).sender(sender).build().run();
        capAtTheEnd = sender.pacer().governor().snapshot("haiku-4-5").orElseThrow().concurrencyLimit();
      }
      assertThat(summary.succeeded()).isEqualTo(n);
      assertThat(resultTypes(dir.resolve("in.results.jsonl"))).hasSize(n).doesNotContainValue("errored");
      assertThat(summary.overloaded()).as("529s among %s attempts", summary.attempts()).isLessThan(n);
      assertThat(capAtTheEnd).as("the in-flight cap, lowered on the 529s").isLessThan(32);
    }
  }

  @Test
  void streamsEndingAtAReserveServerBeforeTheirLastEventArrivesAreNotTakenForTheLiveRule() throws Exception {
    // Half the requests stream (max_tokens 30,000: three fit the output bucket at once). A stream
    // ends at the server, its unused output refunded, a moment before its message_stop reaches
    // Pacer: readings of admissions in that moment looked like no max_tokens had been held, the
    // pool took the live rule, and the next burst drew 8 to 14 429s.
    Duration window = Duration.ofSeconds(6);
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().tier("tier2").window(window).seed(4)
        .latency(dev.pacer.simulator.Latency.of(Duration.ofMillis(100), 2_000)).outputTokens(100, 2_000).build())) {
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < 40; i++) {
        lines.append("{\"custom_id\":\"s").append(i).append("\",\"params\":{\"model\":\"claude-haiku-4-5\",")
            .append("\"max_tokens\":").append(i % 2 == 1 ? 30_000 : 200)
            .append(",\"messages\":[{\"role\":\"user\",\"content\":\"Write about topic ").append(i).append("\"}]}}\n");
      }
      Path input = java.nio.file.Files.writeString(dir.resolve("in.jsonl"), lines);
      PacingConfig pacing = PacingConfig.builder().tier(dev.pacer.limits.Tier.TIER2).window(window).build();
      JobSummary summary;
      try (SdkRequestSender sender = SdkRequestSender.builder().baseUrl(sim.baseUrl()).apiKey("test").pacing(pacing).build()) {
        summary = JobRunner.builder(job(input, pacing).build()).sender(sender).build().run();
      }
      assertThat(summary.succeeded()).isEqualTo(40);
      assertThat(sim.stats().rateLimited()).as("429s by bucket: %s", sim.stats().rateLimitedByBucket()).isZero();
    }
  }

  @Test
  void aServerRefusingASharpRampUpSeesTheRampSlowedNotHammered() throws Exception {
    // "A sharp ramp-up of an organization's traffic can draw 429s even under the limits": here a
    // 2-second window may carry twice the previous one's admitted requests plus 5. The first such
    // 429 shows room in every bucket; from then on the pace follows what the server admitted.
    Duration window = Duration.ofSeconds(2);
    int n = 80;
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().rpm(120).itpm(1_000_000).otpm(1_000_000)
        .window(window).latency(Latency.of(Duration.ofMillis(20), 4_000)).seed(23)
        .faults(dev.pacer.simulator.FaultPlan.builder()
            .accelerationLimit(dev.pacer.simulator.AccelerationLimit.parse("2x+5")).build()).build())) {
      Path input = prompts(dir.resolve("in.jsonl"), n);
      PacingConfig pacing = PacingConfig.builder().requestsPerWindow(120).inputTokensPerWindow(1_000_000)
          .outputTokensPerWindow(1_000_000).window(window).build();
      JobSummary summary = run(sim, input, pacing);

      assertThat(summary.succeeded()).isEqualTo(n);
      // The first burst went out before any answer: the server refused all but its allowance. After
      // that first refusal, the pace is the server's.
      List<RequestRecord> records = sim.stats().records();
      java.time.Instant firstRefusal = records.stream().filter(r -> r.status() == 429).map(RequestRecord::time)
          .min(java.util.Comparator.naturalOrder()).orElseThrow();
      assertThat(records).filteredOn(r -> r.status() == 429).extracting(RequestRecord::limitedBy)
          .containsOnly("acceleration");
      assertThat(records).as("429s after the first burst")
          .filteredOn(r -> r.status() == 429 && r.time().isAfter(firstRefusal.plus(window.dividedBy(2))))
          .hasSizeLessThanOrEqualTo(3);
    }
  }

  /** Lines {@code c0…c(n-1)} asking for {@code maxTokens}, more than the tests' OTPM of 2,000. */
  private Path largeMaxTokens(int n, long maxTokens) {
    String[] lines = new String[n];
    for (int i = 0; i < n; i++) {
      lines[i] = "{\"custom_id\":\"c" + i + "\",\"params\":{\"model\":\"claude-haiku-4-5\",\"max_tokens\":" + maxTokens
          + ",\"messages\":[{\"role\":\"user\",\"content\":\"Think hard about " + i + "\"}]}}";
    }
    return write(dir.resolve("in.jsonl"), lines);
  }

  /** Runs the job in {@code input} against {@code sim} through a Pacer of its own, and says how it went. */
  private static JobSummary run(Simulator sim, Path input, PacingConfig pacing) throws Exception {
    try (SdkRequestSender sender = SdkRequestSender.builder().baseUrl(sim.baseUrl()).apiKey("test").pacing(pacing)
        .build()) {
      return JobRunner.builder(job(input, pacing).build()).sender(sender).build().run();
    }
  }

  private static PacingConfig twoThousandOutputTokens(Duration window) {
    return PacingConfig.builder().requestsPerWindow(1_000).inputTokensPerWindow(1_000_000)
        .outputTokensPerWindow(2_000).window(window).concurrency(8).build();
  }

  @Test
  void withTheRuleNotToldAMaxTokensBeyondOtpmIsAnsweredByALiveServer() throws Exception {
    // The 2026 API counts output as it is generated: a max_tokens over OTPM is no reason to
    // refuse a line (thinking models ask for large ones). Told the limits, not the rule.
    Duration window = Duration.ofSeconds(2);
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().rpm(1_000).itpm(1_000_000).otpm(2_000)
        .window(window).outputRule(dev.pacer.simulator.OutputRule.LIVE).outputTokens(50, 150).seed(19).build())) {
      Path input = largeMaxTokens(6, 3_000);
      JobSummary summary;
      try (SdkRequestSender sender = SdkRequestSender.builder().baseUrl(sim.baseUrl()).apiKey("test")
          .pacing(twoThousandOutputTokens(window)).build()) {
        summary = JobRunner.builder(job(input, twoThousandOutputTokens(window)).build()).sender(sender).build().run();
      }

      assertThat(summary.succeeded()).isEqualTo(6);
      assertThat(summary.rejected()).isZero();
      assertThat(sim.stats().rateLimited()).as("429s by bucket: %s", sim.stats().rateLimitedByBucket()).isZero();
      assertThat(resultTypes(dir.resolve("in.results.jsonl"))).hasSize(6).doesNotContainValue("errored");
    }
  }

  @Test
  void withTheRuleNotToldAReserveServersRefusalOfAMaxTokensBeyondOtpmErrsEveryLineLikeIt() throws Exception {
    Duration window = Duration.ofSeconds(2);
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().rpm(1_000).itpm(1_000_000).otpm(2_000)
        .window(window).outputRule(dev.pacer.simulator.OutputRule.RESERVE).outputTokens(50, 150).seed(19).build())) {
      Path input = write(dir.resolve("in.jsonl"), java.util.stream.Stream.concat(
          java.nio.file.Files.readAllLines(largeMaxTokens(5, 3_000)).stream(),
          java.util.stream.Stream.of("{\"custom_id\":\"small\",\"prompt\":\"Say hi\"}")).toArray(String[]::new));
      JobSummary summary;
      try (SdkRequestSender sender = SdkRequestSender.builder().baseUrl(sim.baseUrl()).apiKey("test")
          .pacing(twoThousandOutputTokens(window)).build()) {
        summary = JobRunner.builder(job(input, twoThousandOutputTokens(window)).build()).sender(sender).build().run();
      }

      Map<String, String> types = resultTypes(dir.resolve("in.results.jsonl"));
      assertThat(types).hasSize(6).containsEntry("small", "succeeded");
      assertThat(types).as("every line asking 3,000 of 2,000").containsEntry("c0", "errored").containsEntry("c4", "errored");
      assertThat(types.values().stream().filter("errored"::equals).count()).isEqualTo(5);
      assertThat(sim.stats().rateLimited()).as("the one refusal that proved the rule").isEqualTo(1);
      assertThat(sim.stats().attempts()).isEqualTo(2);
      assertThat(results(dir.resolve("in.results.jsonl")).stream().filter(r -> r.at("/result/type").asText().equals("errored"))
          .map(r -> r.at("/result/error/error/message").asText()))
          .allSatisfy(message -> assertThat(message).contains("output tokens").contains("2,000"));
    }
  }

  @Test
  void aRequestNoLearnedLimitCanAdmitErrsOnTheServersRefusalAndTheRestRun() throws Exception {
    // Nothing configured: the limits are learned from the first answer. A max_tokens of 5,000 is
    // over the output limit of 1,000 (per 2-second window), but the rule is not known: under the
    // live rule the server would admit it, so it is sent once. This server holds max_tokens and
    // refuses it for good (a whole window's retry-after): the line errs, naming the limit.
    Duration window = Duration.ofSeconds(2);
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().rpm(1_000).itpm(1_000_000).otpm(1_000)
        .window(window).seed(17).build())) {
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < 7; i++) {
        lines.append("{\"custom_id\":\"r").append(i).append("\",\"prompt\":\"Question ").append(i).append("\"")
            .append(i == 3 ? ",\"max_tokens\":5000" : "").append("}\n");
      }
      Path input = dir.resolve("in.jsonl");
      java.nio.file.Files.writeString(input, lines);
      PacingConfig pacing = PacingConfig.builder().window(window).concurrency(1).build();
      JobSummary summary = run(sim, input, pacing);

      Map<String, JsonNode> byId = results(dir.resolve("in.results.jsonl")).stream()
          .collect(Collectors.toMap(n -> n.path("custom_id").asText(), n -> n.path("result")));
      assertThat(byId).hasSize(7);
      JsonNode refused = byId.get("r3");
      assertThat(refused.path("type").asText()).isEqualTo("errored");
      assertThat(refused.at("/error/error/details/error_code").asText()).isEqualTo(ResultError.EXCEEDS_LIMITS);
      assertThat(refused.at("/error/error/message").asText())
          .contains("5,000 output tokens").contains("1,000").contains("haiku-4-5").contains("never be sent");
      assertThat(byId.entrySet().stream().filter(e -> !e.getKey().equals("r3")))
          .allMatch(e -> e.getValue().path("type").asText().equals("succeeded"));
      assertThat(sim.stats().records()).filteredOn(r -> r.maxTokens() == 5000).singleElement()
          .satisfies(r -> assertThat(r.status()).isEqualTo(429));
      assertThat(sim.stats().rateLimited()).isEqualTo(1);
      assertThat(summary.errored()).isEqualTo(1);
      assertThat(summary.succeeded()).isEqualTo(6);
      assertThat(summary.attempts()).isEqualTo(7);
      assertThat(summary.exitCode()).isEqualTo(1);
    }
  }

  @Test
  void abandoningWithdrawsTheWaitsAndCutsTheCallsInThePacer() throws Exception {
    // Answers take 30 s; two requests a window: two go, the rest wait. Abandoning (the deadline, a
    // second Ctrl-C) must end both kinds in the Pacer, not just stop listening to them: the waits
    // withdrawn, the calls cut and their permits ended.
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().rpm(2).itpm(1_000_000).otpm(1_000_000)
        .latency(Latency.of(Duration.ofSeconds(30), 1_000)).seed(19).build())) {
      Path input = prompts(dir.resolve("in.jsonl"), 6);
      PacingConfig pacing = PacingConfig.builder().requestsPerWindow(2).inputTokensPerWindow(1_000_000)
          .outputTokensPerWindow(1_000_000).burst(Duration.ofMinutes(1)).build();
      try (SdkRequestSender sender = SdkRequestSender.builder().baseUrl(sim.baseUrl()).apiKey("test").pacing(pacing)
              .build();
          java.util.concurrent.ExecutorService background = java.util.concurrent.Executors.newSingleThreadExecutor()) {
        JobRunner runner = JobRunner.builder(job(input, pacing).build()).sender(sender).build();
        java.util.concurrent.Future<JobSummary> running = background.submit(runner::run);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> sim.stats().inFlight() == 2
            && pool(sender).waiting() == 4);

        runner.stop();
        runner.abandon();
        JobSummary summary = running.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(summary.outcome()).isEqualTo(JobOutcome.INTERRUPTED);
        assertThat(summary.unfinished()).isEqualTo(6);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
            .until(() -> pool(sender).inFlight() + " in flight, " + pool(sender).waiting() + " waiting",
                "0 in flight, 0 waiting"::equals);
        assertThat(sim.stats().attempts()).as("the waiting ones were never sent").isEqualTo(2);
      }
      assertThat(resultTypes(dir.resolve("in.results.jsonl"))).isEmpty();
    }
  }

  private static dev.pacer.PoolSnapshot pool(SdkRequestSender sender) {
    return sender.pacer().governor().snapshot("haiku-4-5").orElseThrow();
  }

  @Test
  void largeMaxTokensAreStreamedAndErrorsComeBackAsEnvelopes() throws Exception {
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().tier("build").seed(3)
        .latency(Latency.of(Duration.ofMillis(5), 100_000)).build())) {
      Path input = write(dir.resolve("in.jsonl"),
          "{\"custom_id\":\"long\",\"params\":{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":30000,"
              + "\"messages\":[{\"role\":\"user\",\"content\":\"Write at length.\"}]}}",
          "{\"custom_id\":\"short\",\"prompt\":\"Hi\"}",
          "{\"custom_id\":\"capped\",\"params\":{\"model\":\"claude-opus-4-0\",\"max_tokens\":10000,"
              + "\"messages\":[{\"role\":\"user\",\"content\":\"A model with a lower plain-response cap in the SDK.\"}]}}",
          "{\"custom_id\":\"odd\",\"params\":{\"model\":\"claude-haiku-4-5\",\"max_tokens\":10,"
              + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"mystery_block\"}]}]}}");
      PacingConfig pacing = PacingConfig.builder().build();
      JobSummary summary = run(sim, input, pacing);
      List<RequestRecord> records = sim.stats().records();
      assertThat(records.stream().filter(r -> r.maxTokens() == 30000)).allMatch(RequestRecord::stream).hasSize(1);
      assertThat(records.stream().filter(r -> r.maxTokens() == 50)).noneMatch(RequestRecord::stream);
      Map<String, JsonNode> byId = results(dir.resolve("in.results.jsonl")).stream()
          .collect(Collectors.toMap(n -> n.path("custom_id").asText(), n -> n.path("result")));
      assertThat(byId.get("long").path("type").asText()).isEqualTo("succeeded");
      assertThat(byId.get("long").at("/message/content/0/text").asText()).isNotEmpty();
      assertThat(byId.get("short").path("type").asText()).isEqualTo("succeeded");
      assertThat(byId.get("capped").path("type").asText()).isEqualTo("succeeded");
      JsonNode odd = byId.get("odd");
      if (odd.path("type").asText().equals("errored")) {
        assertThat(odd.at("/error/type").asText()).isEqualTo("error");
        assertThat(odd.at("/error/error/type").asText()).isNotEmpty();
        assertThat(summary.errored()).isEqualTo(1);
      }
      assertThat(summary.sent()).isEqualTo(4);
    }
  }

  @Test
  void aJobOverTwoModelsRunsEachUnderItsPoolsLimits() throws Exception {
    Duration window = Duration.ofSeconds(2);
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().window(window).seed(11)
        .poolLimits("haiku-4-5", 20, 1_000_000, 1_000_000)
        .poolLimits("sonnet-4-5", 10, 1_000_000, 1_000_000)
        .build())) {
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < 20; i++) {
        String model = i % 2 == 0 ? "claude-haiku-4-5" : "claude-sonnet-4-5";
        lines.append("{\"custom_id\":\"r").append(i).append("\",\"prompt\":\"Question ").append(i)
            .append("\",\"model\":\"").append(model).append("\"}\n");
      }
      Path input = dir.resolve("two.jsonl");
      java.nio.file.Files.writeString(input, lines);
      PacingConfig pacing = PacingConfig.builder().window(window)
          .poolLimits("haiku-4-5", Limits.of(20, 1_000_000, 1_000_000))
          .poolLimits("sonnet-4-5", Limits.of(10, 1_000_000, 1_000_000))
          .build();
      JobSummary summary = run(sim, input, pacing);
      assertThat(sim.stats().rateLimited()).isZero();
      assertThat(summary.succeeded()).isEqualTo(20);
      assertThat(sim.stats().records().stream().map(RequestRecord::pool).distinct()).containsExactlyInAnyOrder(
          "haiku-4-5", "sonnet-4-5");
      assertThat(summary.lowerBound()).isPresent();
    }
  }

  @Test
  void limitsAreLearnedFromHeadersWhenNoneAreConfigured() throws Exception {
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().tier("build").seed(5).build())) {
      Path input = prompts(dir.resolve("in.jsonl"), 5);
      PacingConfig pacing = PacingConfig.defaults();
      try (SdkRequestSender sender = SdkRequestSender.builder().baseUrl(sim.baseUrl()).apiKey("test").pacing(pacing).build()) {
        JobSummary summary = JobRunner.builder(job(input, pacing).build()).sender(sender).build().run();
        assertThat(summary.succeeded()).isEqualTo(5);
        assertThat(sender.limits("haiku-4-5")).as("learned by the governor from the headers")
            .contains(Limits.of(5000, 5_000_000, 1_000_000));
        assertThat(summary.lowerBound()).isPresent();
      }
    }
  }
}
