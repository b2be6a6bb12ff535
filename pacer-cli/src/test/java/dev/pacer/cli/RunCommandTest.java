package dev.pacer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code pacer run} in-process: options, exit codes, the summary, dry runs, the embedded simulator. */
@Timeout(120)
class RunCommandTest {

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final Map<String, String> env = new HashMap<>();

  private int run(String... args) {
    RunCommand command = new RunCommand();
    command.env = env;
    command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    CommandLine line = new CommandLine(command);
    line.setErr(new java.io.PrintWriter(command.err, true));
    return line.execute(args);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private Path prompts(int n) throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < n; i++) {
      text.append("{\"custom_id\":\"p").append(i).append("\",\"prompt\":\"Say ").append(i).append("\"}\n");
    }
    Path file = dir.resolve("in.jsonl");
    Files.writeString(file, text);
    return file;
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
  }

  @Test
  void aRunFasterThanTheLeastPossibleTimeSaysTheWindowOrLimitsToldAreNotTheServers() throws Exception {
    // Told Tier 1 on the default one-minute window; the server counts a two-second one.
    try (dev.pacer.simulator.Simulator sim = dev.pacer.simulator.Simulator.start(
        dev.pacer.simulator.SimulatorConfig.builder().tier("tier1").window(java.time.Duration.ofSeconds(2)).build())) {
      env.put("ANTHROPIC_API_KEY", "test");
      int code = run(prompts(120).toString(), "--base-url", sim.baseUrl(), "--tier", "tier1", "--model",
          "claude-haiku-4-5", "--max-tokens", "16", "--progress", "none");
      assertThat(code).as(err()).isZero();
      assertThat(err()).contains("120 succeeded").contains("less than the least possible time").contains("--window");
    }
  }

  @Test
  void aRunWithinTheLeastPossibleTimeHasNoSuchNote() throws Exception {
    int code = run(prompts(20).toString(), "--simulate", "--tier", "tier1", "--window", "2s", "--model",
        "claude-haiku-4-5", "--max-tokens", "16", "--progress", "none");
    assertThat(code).as(err()).isZero();
    assertThat(err()).contains("least possible").doesNotContain("  note ");
  }

  @Test
  void withNoKeyAndNoBaseUrlItRunsAgainstTheSimulatorAndSaysSoFirst() throws Exception {
    Path input = prompts(20);
    Path summary = dir.resolve("summary.json");
    int code = run(input.toString(), "--model", "claude-haiku-4-5", "--max-tokens", "64", "--progress", "none",
        "--summary-json", summary.toString());
    assertThat(code).as(err()).isZero();
    assertThat(err().lines().findFirst().orElse("")).contains("embedded simulator").contains("nothing is sent to Anthropic");
    assertThat(lines(dir.resolve("in.results.jsonl"))).hasSize(20);
    JsonNode json = new ObjectMapper().readTree(summary.toFile());
    for (String field : List.of("requests", "succeeded", "errored", "attempts", "rate_limited", "overloaded",
        "input_tokens", "output_tokens", "cost_usd", "elapsed_s")) {
      assertThat(json.has(field)).as(field).isTrue();
    }
    assertThat(json.get("requests").asInt()).isEqualTo(20);
    assertThat(json.get("succeeded").asInt()).isEqualTo(20);
    assertThat(json.get("output_tokens").asLong()).isPositive();
    assertThat(json.get("attempts").asInt()).as("paced: no retries needed").isEqualTo(20);
    assertThat(json.get("rate_limited").asInt()).isZero();
    assertThat(err()).contains("20 succeeded").contains("429s 0").contains("least possible");

    // The same command again: nothing left to send.
    err.reset();
    assertThat(run(input.toString(), "--model", "claude-haiku-4-5", "--max-tokens", "64", "--progress", "none")).isZero();
    assertThat(err()).contains("0 sent now, 20 answered before");
  }

  @Test
  void theReadmesFirstCommandFinishesWithinAMinuteWithoutA429() throws Exception {
    // ./pacer run --simulate examples/prompts.jsonl, on a copy (the results go beside the input).
    Path example = dir.resolve("prompts.jsonl");
    Files.copy(Path.of(System.getProperty("user.dir")).resolveSibling("examples").resolve("prompts.jsonl"), example);
    Path summary = dir.resolve("summary.json");
    int code = run("--simulate", example.toString(), "--progress", "none", "--summary-json", summary.toString());
    assertThat(code).as(err()).isZero();
    JsonNode json = new ObjectMapper().readTree(summary.toFile());
    assertThat(json.get("succeeded").asInt()).isEqualTo(200);
    assertThat(json.get("rate_limited").asInt()).isZero();
    assertThat(json.get("attempts").asInt()).isEqualTo(200);
    assertThat(json.get("elapsed_s").asDouble()).isLessThan(60);
    assertThat(lines(dir.resolve("prompts.results.jsonl"))).hasSize(200);
  }

  @Test
  void aPromptLargerThanTheLimitsIsRejectedWithTheLimitNamedAndTheRestRun() throws Exception {
    Path input = dir.resolve("in.jsonl");
    Files.writeString(input, "{\"custom_id\":\"ok\",\"prompt\":\"Hi\"}\n"
        + "{\"custom_id\":\"long\",\"prompt\":\"Write a book.\",\"max_tokens\":20000}\n");
    int code = run(input.toString(), "--simulate", "--tier", "tier1", "--output-rule", "reserve", "--model",
        "claude-haiku-4-5", "--max-tokens", "32", "--progress", "none");
    assertThat(code).isEqualTo(1);
    assertThat(err()).contains("line 2").contains("max_tokens 20000").contains("OTPM 10000").contains("1 succeeded")
        .contains("429s 0");
    assertThat(lines(dir.resolve("in.results.jsonl"))).hasSize(2);
  }

  @Test
  void withTheRuleNotToldAMaxTokensOverOtpmIsJudgedByTheServerAndErrsNamingTheLimit() throws Exception {
    // The live rule (2026 API) would admit it: sent once; this simulator holds max_tokens and refuses.
    Path input = dir.resolve("in.jsonl");
    Files.writeString(input, "{\"custom_id\":\"ok\",\"prompt\":\"Hi\"}\n"
        + "{\"custom_id\":\"long\",\"prompt\":\"Write a book.\",\"max_tokens\":20000}\n");
    int code = run(input.toString(), "--simulate", "--tier", "tier1", "--model", "claude-haiku-4-5", "--max-tokens", "32",
        "--progress", "none");
    assertThat(code).isEqualTo(1);
    assertThat(err()).contains("1 succeeded, 1 errored").contains("429s 1");
    assertThat(lines(dir.resolve("in.results.jsonl"))).hasSize(2)
        .anySatisfy(line -> assertThat(line).contains("\"long\"").contains("20,000 output tokens").contains("10,000"));
  }

  @Test
  void aRejectedLineMakesTheExitStatusOne() throws Exception {
    Path input = dir.resolve("in.jsonl");
    Files.writeString(input, "\"fine\"\n{oops\n\"also fine\"\n");
    int code = run(input.toString(), "--simulate", "--model", "claude-haiku-4-5", "--max-tokens", "32", "--progress", "lines");
    assertThat(code).isEqualTo(1);
    assertThat(err()).contains("line 2: malformed JSON").contains("1 input line rejected");
    assertThat(lines(dir.resolve("in.results.jsonl"))).hasSize(2);
  }

  @Test
  void maxCostStopsTheJobWithExitThree() throws Exception {
    Path input = prompts(50);
    int code = run(input.toString(), "--simulate", "--model", "claude-haiku-4-5", "--max-tokens", "1000",
        "--max-cost", "0.01", "--concurrency", "2", "--progress", "none");
    assertThat(code).as(err()).isEqualTo(3);
    assertThat(err()).contains("--max-cost").contains("stopped by --max-cost");
  }

  @Test
  void aRefusedKeyStopsTheJobWithExitFourAndNoLineToResendLater() throws Exception {
    Path input = prompts(20);
    try (dev.pacer.simulator.Simulator sim = dev.pacer.simulator.Simulator.start(
        dev.pacer.simulator.SimulatorConfig.builder().tier("build").build())) {
      sim.faults().failNext(1, 401);
      env.put("ANTHROPIC_API_KEY", "sk-revoked");
      int code = run(input.toString(), "--base-url", sim.baseUrl(), "--model", "claude-haiku-4-5", "--max-tokens", "32",
          "--concurrency", "1", "--progress", "none");
      assertThat(code).as(err()).isEqualTo(4);
      assertThat(err()).contains("401 authentication_error").contains("check the key in ANTHROPIC_API_KEY")
          .contains("stopped: the server refused the requests or never answered")
          .contains("20 not sent or unfinished (rerun to finish)");
      assertThat(sim.stats().attempts()).as("nothing sent after the refusal").isEqualTo(1);
      Path output = dir.resolve("in.results.jsonl");
      assertThat(Files.exists(output) ? lines(output) : List.of()).isEmpty();

      err.reset();
      assertThat(run(input.toString(), "--base-url", sim.baseUrl(), "--model", "claude-haiku-4-5", "--max-tokens", "32",
          "--progress", "none")).as(err()).isZero();
      assertThat(lines(output)).hasSize(20);
    }
  }

  @Test
  void anAddressWhereNothingListensStopsTheJobWithExitFourNamingIt() throws Exception {
    Path input = prompts(5);
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    env.put("ANTHROPIC_API_KEY", "test");
    long start = System.nanoTime();
    int code = run(input.toString(), "--base-url", "http://127.0.0.1:" + port, "--model", "claude-haiku-4-5",
        "--max-tokens", "32", "--progress", "none");
    assertThat(code).as(err()).isEqualTo(4);
    assertThat(err()).contains("no answer from the server").contains("http://127.0.0.1:" + port)
        .contains("ConnectException").contains("check --base-url");
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).as("stopped after its patience, not retried for minutes")
        .isLessThan(java.time.Duration.ofSeconds(60));
    Path output = dir.resolve("in.results.jsonl");
    assertThat(Files.exists(output) ? lines(output) : List.of()).isEmpty();
  }

  @Test
  void aDryRunWithoutLimitsSaysTheLeastTimeIsUnknownRatherThanZero() throws Exception {
    Path input = prompts(500);
    int code = run(input.toString(), "--dry-run", "--model", "claude-sonnet-4-5", "--max-tokens", "100",
        "--base-url", "http://127.0.0.1:9");
    assertThat(code).as(err()).isZero();
    assertThat(out()).contains("500 requests").contains("some limits are unknown").doesNotContain("least time");
  }

  @Test
  void aDryRunPrintsCostAndLeastTimeAndSendsNothing() throws Exception {
    Path input = prompts(500);
    int code = run(input.toString(), "--dry-run", "--model", "claude-sonnet-4-5", "--max-tokens", "100", "--tier", "tier1");
    assertThat(code).as(err()).isZero();
    assertThat(out()).contains("nothing sent").contains("500 requests").contains("sonnet-4-5")
        .contains("least time").contains("requests (RPM 50)").contains("cost");
    // Both prices: the batch line is half the standard one.
    String standard = out().lines().filter(l -> l.contains("(Messages API)")).findFirst().orElseThrow();
    String batch = out().lines().filter(l -> l.contains("through Message Batches")).findFirst().orElseThrow();
    assertThat(dollars(batch, "at most")).isEqualTo(dollars(standard, "at most") / 2, org.assertj.core.data.Offset
        .offset(0.0001));
    assertThat(out()).contains("via        messages (--via auto would choose messages (500 requests; ");
    assertThat(Files.exists(dir.resolve("in.results.jsonl"))).isFalse();
  }

  @Test
  void aJobOverTwoModelsWithALimitsFile() throws Exception {
    Path input = dir.resolve("two.jsonl");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      text.append("{\"custom_id\":\"r").append(i).append("\",\"prompt\":\"Q").append(i).append("\",\"model\":\"")
          .append(i % 2 == 0 ? "claude-haiku-4-5" : "claude-sonnet-4-5").append("\",\"max_tokens\":50}\n");
    }
    Files.writeString(input, text);
    Path limits = dir.resolve("limits.properties");
    Files.writeString(limits, "# pool = RPM / ITPM / OTPM\nhaiku-4-5 = 6 / 100000 / 100000\n"
        + "claude-sonnet-4-5 = 3 / 100000 / 100000\n");
    Path summary = dir.resolve("s.json");
    int code = run(input.toString(), "--simulate", "--limits", limits.toString(), "--window", "2s",
        "--progress", "none", "--summary-json", summary.toString());
    assertThat(code).as(err()).isZero();
    JsonNode json = new ObjectMapper().readTree(summary.toFile());
    assertThat(json.get("succeeded").asInt()).isEqualTo(12);
    assertThat(json.get("rate_limited").asInt()).isZero();
    assertThat(json.get("binding_limit").asText()).startsWith("sonnet-4-5 requests");
  }

  /** The dollar figure after {@code label} in {@code line}: {@code at most $0.7500} gives 0.75. */
  private static double dollars(String line, String label) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(label + " \\$([0-9,.]+)").matcher(line);
    assertThat(m.find()).as(line).isTrue();
    return Double.parseDouble(m.group(1).replace(",", ""));
  }

  @Test
  void viaBatchesRunsTheJobInSeveralBatchesAtBatchPrices() throws Exception {
    Path input = prompts(20);
    Path summary = dir.resolve("summary.json");
    int code = run(input.toString(), "--simulate", "--via", "batches", "--batch-size", "8", "--batch-poll", "200ms",
        "--model", "claude-haiku-4-5", "--max-tokens", "32", "--progress", "none", "--summary-json", summary.toString());
    assertThat(code).as(err()).isZero();
    assertThat(lines(dir.resolve("in.results.jsonl"))).hasSize(20);
    JsonNode json = new ObjectMapper().readTree(summary.toFile());
    assertThat(json.get("via").asText()).isEqualTo("batches");
    assertThat(json.get("batches_created").asInt()).isEqualTo(3);
    assertThat(json.get("succeeded").asInt()).isEqualTo(20);
    assertThat(json.get("expired").asInt()).isZero();
    assertThat(json.get("cost_usd").asDouble()).isPositive()
        .isCloseTo(json.get("standard_cost_usd").asDouble() / 2, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(err()).contains("created batch msgbatch_").contains("at batch prices").contains("0 expired");
    assertThat(Files.exists(dir.resolve("in.results.jsonl.batches.jsonl"))).isTrue();
  }

  @Test
  void viaAutoSendsASmallJobDirectlyAndSaysWhy() throws Exception {
    Path input = prompts(3);
    int code = run(input.toString(), "--simulate", "--via", "auto", "--model", "claude-haiku-4-5", "--max-tokens", "16",
        "--progress", "none");
    assertThat(code).as(err()).isZero();
    assertThat(err()).contains("--via auto: messages (3 requests, fewer than 100)");
    assertThat(lines(dir.resolve("in.results.jsonl"))).hasSize(3);
  }

  @Test
  void modelDataOverridesReachTheEstimatesAndTheEmbeddedSimulator() throws Exception {
    Path input = prompts(10);
    Path data = dir.resolve("models.properties");
    // A new model in a pool of its own, with prices and tier-1 limits of its own.
    Files.writeString(data, "pool.claude-test-9 = test-9\nprice.claude-test-9 = 10 / 12.5 / 20 / 1 / 50\n"
        + "limits.tier1.test-9 = 7 / 70000 / 7000\n");
    assertThat(run(input.toString(), "--dry-run", "--tier", "tier1", "--model", "claude-test-9", "--max-tokens", "16", "--model-data",
        data.toString())).as(err()).isZero();
    assertThat(out()).contains("test-9").contains("limits 7 / 70,000 / 7,000").doesNotContain("no price known");

    Path summary = dir.resolve("s.json");
    assertThat(run(input.toString(), "--simulate", "--tier", "tier1", "--window", "2s", "--model", "claude-test-9",
        "--max-tokens", "16", "--model-data", data.toString(), "--progress", "none", "--summary-json",
        summary.toString())).as(err()).isZero();
    JsonNode json = new ObjectMapper().readTree(summary.toFile());
    assertThat(json.get("succeeded").asInt()).isEqualTo(10);
    assertThat(json.get("rate_limited").asInt()).isZero();
    // The server enforced 7 requests per 2 s (its headers would have raised the Pacer to any
    // higher limit at once): 10 requests take at least (10 - 7) / 3.5 s.
    assertThat(json.get("binding_limit").asText()).isEqualTo("test-9 requests (RPM 7 per 2.0s)");
    assertThat(json.get("elapsed_s").asDouble()).isGreaterThan(0.85);
    // Priced at the file's prices: $10 and $50 per million input and output tokens.
    assertThat(json.get("cost_usd").asDouble()).isCloseTo(
        (json.get("input_tokens").asLong() * 10.0 + json.get("output_tokens").asLong() * 50.0) / 1e6,
        org.assertj.core.data.Offset.offset(1e-4));
  }

  @Test
  void usageErrorsExitTwo() throws Exception {
    Path input = prompts(1);
    assertThat(run(input.toString(), "--window", "soon")).isEqualTo(2);
    assertThat(run(input.toString(), "--tier", "platinum")).isEqualTo(2);
    assertThat(err()).contains("unknown --tier 'platinum'");
    assertThat(run(input.toString(), "--via", "pigeon")).isEqualTo(2);
    assertThat(err()).contains("unknown --via 'pigeon'");
    assertThat(run(input.toString(), "--via", "batches", "--batch-size", "100001")).isEqualTo(2);
    assertThat(err()).contains("--batch-size must be from 1 to 100,000");
    assertThat(run(input.toString(), "--exact")).isEqualTo(2);
    assertThat(run(input.toString(), "--output-rule", "sometimes")).isEqualTo(2);
    assertThat(run(input.toString(), "--concurrency", "0")).isEqualTo(2);
    assertThat(run(dir.resolve("missing.jsonl").toString(), "--simulate", "--progress", "none")).isEqualTo(2);
    assertThat(err()).contains("input file not found");
    assertThat(run(input.toString(), "--limits", dir.resolve("nope").toString())).isEqualTo(2);
    assertThat(run(input.toString(), "--model-data", dir.resolve("nope.properties").toString())).isEqualTo(2);
    assertThat(err()).contains("--model-data " + dir.resolve("nope.properties") + ": no such file, or not readable");
    assertThat(run()).isEqualTo(2);
  }

  @Test
  void aChangedInputIsExplainedWithExitTwo() throws Exception {
    Path input = prompts(3);
    assertThat(run(input.toString(), "--simulate", "--model", "claude-haiku-4-5", "--max-tokens", "16", "--progress", "none"))
        .isZero();
    Files.writeString(input, "{\"custom_id\":\"p0\",\"prompt\":\"Different\"}\n");
    err.reset();
    int code = run(input.toString(), "--simulate", "--model", "claude-haiku-4-5", "--max-tokens", "16", "--progress", "none");
    assertThat(code).isEqualTo(2);
    assertThat(err()).contains("changed since").contains("--allow-changes");
  }

  @Test
  void everyOptionOfIssueEightIsAccepted() throws Exception {
    Path input = prompts(2);
    Path limits = dir.resolve("l.properties");
    Files.writeString(limits, "haiku-4-5 = 1000 / 1000000 / 100000\n");
    int code = run(input.toString(), "-o", dir.resolve("o.jsonl").toString(), "--model", "claude-haiku-4-5",
        "--max-tokens", "16", "--system", "Be brief.", "--tier", "build", "--rpm", "1000", "--itpm", "1000000",
        "--otpm", "100000", "--limits", limits.toString(), "--window", "1m", "--burst", "6s", "--output-rule", "live",
        "--concurrency", "4", "--request-timeout", "30s", "--deadline", "5m", "--max-cost", "1", "--priority",
        "interactive", "--simulate", "--retry-errored", "--retry-expired", "--allow-changes", "--via", "messages",
        "--batch-size", "1000", "--batch-queue", "5000", "--batch-poll", "30s", "--progress", "none",
        "--summary-json", dir.resolve("s.json").toString());
    assertThat(code).as(err()).isZero();
    assertThat(lines(dir.resolve("o.jsonl"))).hasSize(2);
    assertThat(new CommandLine(new RunCommand()).getUsageMessage()).contains("--base-url").contains("--dry-run")
        .contains("--exact");
  }
}
