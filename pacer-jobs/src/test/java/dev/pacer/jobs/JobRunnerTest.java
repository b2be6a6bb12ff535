package dev.pacer.jobs;

import static dev.pacer.jobs.testing.Files2.prompts;
import static dev.pacer.jobs.testing.Files2.resultTypes;
import static dev.pacer.jobs.testing.Files2.results;
import static dev.pacer.jobs.testing.Files2.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.PacerStats;
import dev.pacer.jobs.testing.FakeSender;
import dev.pacer.jobs.testing.FillingDisk;
import dev.pacer.limits.Limits;
import dev.pacer.time.FakeTimeSource;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobRunnerTest {

  @TempDir Path dir;

  private final FakeSender sender = new FakeSender();
  private final List<InputProblem> reported = new ArrayList<>();
  private final List<String> notices = new ArrayList<>();

  private JobConfig.Builder job(Path input) {
    return JobConfig.builder(input).defaults(RequestDefaults.of("claude-haiku-4-5", 100L, null));
  }

  private JobRunner runner(JobConfig config) {
    return runnerBuilder(config).build();
  }

  /** The FakeSender, and a listener that keeps the problems and notices. */
  private JobRunner.Builder runnerBuilder(JobConfig config) {
    return JobRunner.builder(config).sender(sender).listener(new JobListener() {
      @Override
      public void inputProblem(InputProblem problem) {
        reported.add(problem);
      }

      @Override
      public void notice(String message) {
        notices.add(message);
      }
    });
  }

  private JobSummary run(JobConfig config) throws Exception {
    return runner(config).run();
  }

  @Test
  void answersEveryRequestOnceInTheBatchResultsFormat() throws Exception {
    Path input = prompts(dir.resolve("prompts.jsonl"), 25);
    JobSummary summary = run(job(input).build());

    Path output = dir.resolve("prompts.results.jsonl");
    assertThat(summary.output()).isEqualTo(output);
    Map<String, String> types = resultTypes(output);
    assertThat(types).hasSize(25).containsValue("succeeded").doesNotContainValue("errored");
    JsonNode first = results(output).get(0);
    assertThat(first.path("result").path("message").path("content").get(0).path("text").asText()).startsWith("answer to p");
    assertThat(summary.outcome()).isEqualTo(JobOutcome.COMPLETED);
    assertThat(summary.exitCode()).isZero();
    assertThat(summary.requests()).isEqualTo(25);
    assertThat(summary.sent()).isEqualTo(25);
    assertThat(summary.succeeded()).isEqualTo(25);
    assertThat(summary.inputTokens()).isEqualTo(250);
    assertThat(summary.outputTokens()).isEqualTo(500);
    // Haiku 4.5: $1 / $5 per million.
    assertThat(summary.costUsd()).isCloseTo(250 * 1e-6 + 500 * 5e-6, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(Files.exists(dir.resolve("prompts.results.jsonl.state.json"))).isTrue();
  }

  @Test
  void saysWhenTheSenderFoundTheServerCountingCacheReadsTheModelDataSaysItDoesNot() throws Exception {
    Path input = prompts(dir.resolve("prompts.jsonl"), 3);
    RequestSender countingReads = new RequestSender() {
      @Override
      public java.util.concurrent.CompletableFuture<SendOutcome> send(String customId,
          com.fasterxml.jackson.databind.node.ObjectNode params) {
        return sender.send(customId, params);
      }

      @Override
      public java.util.Optional<Boolean> countsCacheReads(String pool) {
        return java.util.Optional.of(pool.equals("haiku-4-5"));
      }
    };
    JobRunner.builder(job(input).build()).sender(countingReads).listener(new JobListener() {
      @Override
      public void notice(String message) {
        notices.add(message);
      }
    }).build().run();
    assertThat(notices).filteredOn(n -> n.contains("counts cache reads")).singleElement().satisfies(notice ->
        assertThat(notice).contains("haiku-4-5").contains("--model-data").contains("pool.haiku-4-5.counts-cache-reads = true"));

    notices.clear();
    run(job(prompts(dir.resolve("more.jsonl"), 3)).build()); // a sender that cannot say: the model data holds
    assertThat(notices).noneMatch(n -> n.contains("counts cache reads"));
  }

  @Test
  void recordsBadLinesAsErroredResultsWhereTheyHaveAnIdAndRunTheRest() throws Exception {
    Path input = write(dir.resolve("in.jsonl"),
        "{\"custom_id\":\"good\",\"prompt\":\"hello\"}",
        "{not json",
        "{\"custom_id\":\"bad id!\",\"prompt\":\"x\"}",
        "{\"custom_id\":\"noparams\",\"params\":{\"model\":\"m\",\"max_tokens\":5}}",
        "{\"custom_id\":\"good\",\"prompt\":\"again\"}",
        "\"bare\"");
    JobSummary summary = run(job(input).build());

    Map<String, String> types = resultTypes(dir.resolve("in.results.jsonl"));
    assertThat(types).containsOnlyKeys("good", "noparams", CustomIdsView.derive("\"bare\""));
    assertThat(types.get("noparams")).isEqualTo("errored");
    JsonNode rejected = results(dir.resolve("in.results.jsonl")).stream()
        .filter(n -> n.path("custom_id").asText().equals("noparams")).findFirst().orElseThrow();
    assertThat(rejected.at("/result/error/type").asText()).isEqualTo("error");
    assertThat(rejected.at("/result/error/error/type").asText()).isEqualTo("invalid_request_error");
    assertThat(rejected.at("/result/error/error/message").asText()).startsWith("line 4: no params.messages");
    assertThat(sender.sent()).containsExactly("good", CustomIdsView.derive("\"bare\""));
    assertThat(reported).extracting(InputProblem::line).containsExactly(2, 3, 4, 5);
    assertThat(summary.rejected()).isEqualTo(4);
    assertThat(summary.requests()).isEqualTo(2);
    assertThat(summary.exitCode()).isEqualTo(1);
  }

  @Test
  void reportsEveryBadLineBeforeSendingAnything() throws Exception {
    Path input = write(dir.resolve("in.jsonl"), "\"a\"", "[1]", "\"b\"", "{x", "\"c\"");
    AtomicInteger sentWhenLastReported = new AtomicInteger(-1);
    JobRunner runner = JobRunner.builder(job(input).build()).sender(sender).listener(new JobListener() {
      @Override
      public void inputProblem(InputProblem problem) {
        sentWhenLastReported.set(sender.sent().size());
      }
    }).build();
    runner.run();
    assertThat(sentWhenLastReported.get()).isZero();
    assertThat(sender.sent()).hasSize(3);
  }

  @Test
  void resumeSkipsAnsweredCustomIdsAndRepairsATornLastLine() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 10);
    Path output = dir.resolve("in.results.jsonl");
    run(job(input).build());
    // Keep the first 4 results and a torn fifth line, as a kill during a write would leave.
    List<String> lines = Files.readAllLines(output);
    String torn = lines.get(4).substring(0, lines.get(4).length() / 2);
    Files.writeString(output, String.join("\n", lines.subList(0, 4)) + "\n" + torn, StandardCharsets.UTF_8);

    FakeSender second = new FakeSender();
    JobSummary summary = JobRunner.builder(job(input).build()).sender(second).listener(new JobListener() {
      @Override
      public void notice(String message) {
        notices.add(message);
      }
    }).build().run();

    assertThat(resultTypes(output)).hasSize(10);
    assertThat(second.sent()).hasSize(6).doesNotContainAnyElementsOf(List.of("p0", "p1", "p2", "p3"));
    assertThat(summary.skipped()).isEqualTo(4);
    assertThat(summary.sent()).isEqualTo(6);
    assertThat(summary.exitCode()).isZero();
    assertThat(notices).anyMatch(n -> n.contains("torn last line")).anyMatch(n -> n.contains("resuming: 4 of 10"));

    FakeSender third = new FakeSender();
    JobSummary nothingLeft = JobRunner.builder(job(input).build()).sender(third).build().run();
    assertThat(third.sent()).isEmpty();
    assertThat(nothingLeft.skipped()).isEqualTo(10);
    assertThat(nothingLeft.exitCode()).isZero();
  }

  @Test
  void retryErroredResendsOnlyTheErroredAndLeavesOneLinePerCustomId() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 6);
    Path output = dir.resolve("in.results.jsonl");
    sender.answering((id, params) -> id.equals("p2") || id.equals("p4")
        ? FakeSender.error("overloaded_error", 529, "Overloaded") : FakeSender.success(id, params));
    JobSummary first = run(job(input).build());
    assertThat(first.errored()).isEqualTo(2);
    assertThat(first.exitCode()).isEqualTo(1);

    FakeSender plainRerun = new FakeSender();
    JobSummary rerun = JobRunner.builder(job(input).build()).sender(plainRerun).build().run();
    assertThat(plainRerun.sent()).isEmpty();
    assertThat(rerun.earlierErrored()).isEqualTo(2);
    assertThat(rerun.exitCode()).as("errored results kept from before still fail the job").isEqualTo(1);

    FakeSender retry = new FakeSender();
    JobSummary retried = JobRunner.builder(job(input).retryErrored(true).build()).sender(retry).build().run();
    assertThat(retry.sent()).containsExactlyInAnyOrder("p2", "p4");
    assertThat(resultTypes(output)).hasSize(6).doesNotContainValue("errored");
    assertThat(retried.exitCode()).isZero();
  }

  @Test
  void aFixedLineRunsOnTheNextRunWithoutRetryErrored() throws Exception {
    Path input = write(dir.resolve("in.jsonl"), "{\"custom_id\":\"a\",\"prompt\":\"\"}", "{\"custom_id\":\"b\",\"prompt\":\"x\"}");
    run(job(input).build());
    assertThat(resultTypes(dir.resolve("in.results.jsonl"))).containsEntry("a", "errored");

    write(input, "{\"custom_id\":\"a\",\"prompt\":\"now fixed\"}", "{\"custom_id\":\"b\",\"prompt\":\"x\"}");
    FakeSender second = new FakeSender();
    JobSummary summary = JobRunner.builder(job(input).allowChanges(true).build()).sender(second).build().run();
    assertThat(second.sent()).containsExactly("a");
    assertThat(resultTypes(dir.resolve("in.results.jsonl"))).containsEntry("a", "succeeded").hasSize(2);
    assertThat(summary.exitCode()).isZero();
  }

  @Test
  void aChangedInputFileIsExplainedAndRefused() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 3);
    run(job(input).build());
    write(input, "{\"custom_id\":\"p0\",\"prompt\":\"something else\"}", "{\"custom_id\":\"p1\",\"prompt\":\"Say 1\"}");

    assertThatThrownBy(() -> run(job(input).build()))
        .isInstanceOf(JobException.class)
        .hasMessageContaining("changed since the results")
        .hasMessageContaining("not only by lines added at the end")
        .hasMessageContaining("--allow-changes");
    FakeSender allowed = new FakeSender();
    JobSummary summary = JobRunner.builder(job(input).allowChanges(true).build()).sender(allowed).build().run();
    assertThat(allowed.sent()).isEmpty();
    assertThat(summary.skipped()).isEqualTo(2);
  }

  @Test
  void linesAddedAtTheEndRunWithoutComplaint() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 3);
    run(job(input).build());
    Files.writeString(input, "{\"custom_id\":\"p3\",\"prompt\":\"Say 3\"}\n", StandardOpenOption.APPEND);

    FakeSender second = new FakeSender();
    JobRunner.builder(job(input).build()).sender(second).listener(new JobListener() {
      @Override
      public void notice(String message) {
        notices.add(message);
      }
    }).build().run();
    assertThat(second.sent()).containsExactly("p3");
    assertThat(notices).anyMatch(n -> n.contains("input grew"));
  }

  @Test
  void changedRequestOptionsAreExplainedAndRefused() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 2);
    run(job(input).build());
    JobConfig changed = JobConfig.builder(input).defaults(RequestDefaults.of("claude-sonnet-4-5", 100L, "Be terse")).build();
    assertThatThrownBy(() -> run(changed))
        .isInstanceOf(JobException.class)
        .hasMessageContaining("--model was claude-haiku-4-5, now claude-sonnet-4-5")
        .hasMessageContaining("--system was not given, now it is");
  }

  @Test
  void maxCostStopsAdmittingBeforeTheCeilingAndExitsThree() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 20);
    // Worst case per request: ~14 input tokens at $1/M + 100 max_tokens at $5/M ≈ $0.00051;
    // each answer costs $0.00011 (10 in, 20 out), so about 9 fit under $0.0015.
    JobSummary summary = run(job(input).maxCostUsd(new BigDecimal("0.0015")).build());
    assertThat(summary.outcome()).isEqualTo(JobOutcome.STOPPED_BY_MAX_COST);
    assertThat(summary.exitCode()).isEqualTo(3);
    assertThat(summary.sent()).isBetween(1, 19);
    assertThat(summary.costUsd()).isLessThanOrEqualTo(0.0015);
    assertThat(summary.unfinished()).isEqualTo(20 - summary.sent());
    assertThat(resultTypes(dir.resolve("in.results.jsonl"))).hasSize(summary.sent());
  }

  @Test
  void theDeadlineAbandonsRequestsInFlightAndExitsThree() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 5);
    FakeTimeSource clock = new FakeTimeSource();
    sender.holding(true);
    JobRunner runner = JobRunner.builder(job(input).deadline(Duration.ofMinutes(5)).build())
        .sender(sender).timeSource(clock).build();
    Future<JobSummary> running = Executors.newSingleThreadExecutor().submit(runner::run);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sender.heldCount() == 5);
    clock.advance(Duration.ofMinutes(5));
    JobSummary summary = running.get(10, TimeUnit.SECONDS);
    assertThat(summary.outcome()).isEqualTo(JobOutcome.STOPPED_BY_DEADLINE);
    assertThat(summary.exitCode()).isEqualTo(3);
    assertThat(summary.unfinished()).isEqualTo(5);
    sender.releaseAll();
    assertThat(resultTypes(dir.resolve("in.results.jsonl"))).as("late answers leave no line").isEmpty();
  }

  @Test
  void aRefusedKeyStopsTheJobAtOnceLeavingEveryLineToTheRerun() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 25);
    sender.answering((id, params) -> FakeSender.error("authentication_error", 401, "invalid x-api-key"));
    JobSummary summary = run(job(input).build());

    assertThat(summary.outcome()).isEqualTo(JobOutcome.STOPPED_BY_SERVER);
    assertThat(summary.exitCode()).isEqualTo(4);
    assertThat(sender.sent()).as("nothing more is sent after the first refusal").hasSize(1);
    assertThat(summary.unfinished()).isEqualTo(25);
    assertThat(resultTypes(dir.resolve("in.results.jsonl"))).as("a refused key is no line's error").isEmpty();
    assertThat(notices).singleElement().satisfies(n ->
        assertThat(n).contains("401 authentication_error: invalid x-api-key").contains("ANTHROPIC_API_KEY"));

    sender.answering(FakeSender::success);
    JobSummary rerun = run(job(input).build());
    assertThat(rerun.exitCode()).isZero();
    assertThat(resultTypes(dir.resolve("in.results.jsonl"))).hasSize(25).doesNotContainValue("errored");
  }

  @Test
  void aBillingRefusalMidJobKeepsWhatWasAnsweredAndStops() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 20);
    AtomicInteger calls = new AtomicInteger();
    sender.answering((id, params) -> calls.incrementAndGet() <= 5 ? FakeSender.success(id, params)
        : FakeSender.error("billing_error", 402, "Your credit balance is too low"));
    JobSummary summary = run(job(input).build());

    assertThat(summary.outcome()).isEqualTo(JobOutcome.STOPPED_BY_SERVER);
    assertThat(summary.succeeded()).isEqualTo(5);
    assertThat(summary.errored()).isZero();
    assertThat(resultTypes(dir.resolve("in.results.jsonl"))).hasSize(5).doesNotContainValue("errored");
    assertThat(notices).anySatisfy(n -> assertThat(n).contains("402 billing_error").contains("billing"));
  }

  @Test
  void otherRefusalsAreTheLinesOwnAndTheJobGoesOn() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 6);
    sender.answering((id, params) -> FakeSender.error("permission_error", 403, "not allowed for this model"));
    JobSummary summary = run(job(input).build());

    assertThat(summary.outcome()).isEqualTo(JobOutcome.COMPLETED);
    assertThat(summary.exitCode()).isEqualTo(1);
    assertThat(resultTypes(dir.resolve("in.results.jsonl"))).hasSize(6).containsValue("errored")
        .doesNotContainValue("succeeded");
    assertThat(sender.sent()).hasSize(6);
  }

  @Test
  void aServerThatNeverAnswersStopsTheJobAfterItsPatienceWithNoLines() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 5);
    FakeTimeSource clock = new FakeTimeSource();
    sender.holding(true).neverAnswered("3 attempts to http://127.0.0.1:9 failed without a response "
        + "(last: ConnectException: Connection refused)");
    JobRunner runner = runnerBuilder(job(input).build()).timeSource(clock).build();
    Future<JobSummary> running = Executors.newSingleThreadExecutor().submit(runner::run);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sender.heldCount() == 5);
    clock.advance(JobRunner.SILENCE_PATIENCE.minusSeconds(2));
    assertThat(running.isDone()).as("still within its patience").isFalse();
    clock.advance(Duration.ofSeconds(3));
    JobSummary summary = running.get(10, TimeUnit.SECONDS);

    assertThat(summary.outcome()).isEqualTo(JobOutcome.STOPPED_BY_SERVER);
    assertThat(summary.exitCode()).isEqualTo(4);
    assertThat(summary.unfinished()).isEqualTo(5);
    assertThat(notices).singleElement().satisfies(n -> assertThat(n).contains("no answer from the server")
        .contains("Connection refused").contains("--base-url"));
    sender.releaseAll();
    assertThat(resultTypes(dir.resolve("in.results.jsonl"))).as("late answers leave no line").isEmpty();
  }

  @Test
  void aServerThatHasAnsweredIsWaitedForWhateverItsFailures() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 5);
    FakeTimeSource clock = new FakeTimeSource();
    sender.holding(true); // in flight, retried by the sender: an outage, not a wrong address
    JobRunner runner = JobRunner.builder(job(input).build()).sender(sender).timeSource(clock).build();
    Future<JobSummary> running = Executors.newSingleThreadExecutor().submit(runner::run);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sender.heldCount() == 5);
    clock.advance(Duration.ofMinutes(10));
    assertThat(running.isDone()).isFalse();
    sender.releaseAll();
    JobSummary summary = running.get(10, TimeUnit.SECONDS);
    assertThat(summary.outcome()).isEqualTo(JobOutcome.COMPLETED);
    assertThat(summary.succeeded()).isEqualTo(5);
  }

  @Test
  void stopLetsInFlightRequestsFinishAndExits130() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 10);
    sender.holding(true);
    JobRunner runner = runner(job(input).pacing(PacingConfig.builder().concurrency(3).build()).build());
    Future<JobSummary> running = Executors.newSingleThreadExecutor().submit(runner::run);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sender.heldCount() == 3);
    runner.stop();
    sender.releaseAll();
    JobSummary summary = running.get(10, TimeUnit.SECONDS);
    assertThat(summary.outcome()).isEqualTo(JobOutcome.INTERRUPTED);
    assertThat(summary.exitCode()).isEqualTo(130);
    assertThat(summary.sent()).isEqualTo(3);
    assertThat(summary.succeeded()).isEqualTo(3);
    assertThat(summary.unfinished()).isEqualTo(7);
    assertThat(resultTypes(dir.resolve("in.results.jsonl"))).hasSize(3);
  }

  @Test
  void abandonLeavesNoLineForRequestsInFlight() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 10);
    sender.holding(true);
    JobRunner runner = runner(job(input).pacing(PacingConfig.builder().concurrency(4).build()).build());
    Future<JobSummary> running = Executors.newSingleThreadExecutor().submit(runner::run);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sender.heldCount() == 4);
    runner.stop();
    runner.abandon();
    JobSummary summary = running.get(10, TimeUnit.SECONDS);
    sender.releaseAll();
    assertThat(summary.exitCode()).isEqualTo(130);
    assertThat(Files.readString(dir.resolve("in.results.jsonl"))).isEmpty();
  }

  @Test
  void aFullDiskStopsTheJobWithExit5AndLeavesOnlyWholeLinesForTheRerun() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 30);
    Path output = dir.resolve("in.results.jsonl");
    JobConfig config = job(input).pacing(PacingConfig.builder().concurrency(1).build()).build();
    JobSummary full = runnerBuilder(config).resultsOpener(FillingDisk.withRoom(2_000)).build().run();

    assertThat(full.outcome()).isEqualTo(JobOutcome.STOPPED_CANNOT_WRITE);
    assertThat(full.exitCode()).isEqualTo(5);
    assertThat(notices).anySatisfy(n -> assertThat(n).startsWith("cannot write to " + output + ": No space left on device")
        .contains("rerun"));
    int written = results(output).size(); // parses every line: none is torn
    assertThat(written).isBetween(1, 29);
    assertThat(full.succeeded()).isEqualTo(written);
    assertThat(sender.sent()).hasSize(written + 1); // one answer more than the disk could hold, then none sent

    JobSummary rerun = run(config);
    assertThat(rerun.outcome()).isEqualTo(JobOutcome.COMPLETED);
    assertThat(rerun.sent()).isEqualTo(30 - written);
    assertThat(resultTypes(output)).hasSize(30).doesNotContainValue("errored");
  }

  @Test
  void aRunOnAnOutputAnotherRunHoldsRefusesToStartAndSendsNothing() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 5);
    Path output = dir.resolve("in.results.jsonl");
    try (dev.pacer.jobs.internal.OutputLock held = dev.pacer.jobs.internal.OutputLock.tryTake(output).orElseThrow()) {
      assertThatThrownBy(() -> run(job(input).build()))
          .isInstanceOf(JobException.class)
          .hasMessageStartingWith("another pacer run is writing " + output + " (pid " + ProcessHandle.current().pid()
              + "; it holds " + output + ".lock)");
      assertThat(sender.sent()).isEmpty();
      assertThat(output).doesNotExist();
    }
    assertThat(run(job(input).build()).succeeded()).isEqualTo(5); // released
    assertThat(run(job(input).build()).sent()).isZero(); // and released again at the end of the run
  }

  @Test
  void aPoolWhoseRequestsWaitDoesNotHoldBackTheOtherPools() throws Exception {
    // Five requests for a slow pool come first; with one count of requests in flight for all
    // pools, the two it holds took every place and the twenty for the other pool never went.
    String[] lines = new String[25];
    for (int i = 0; i < 25; i++) {
      lines[i] = "{\"custom_id\":\"r" + i + "\",\"prompt\":\"Say " + i + "\",\"model\":\""
          + (i < 5 ? "claude-opus-4" : "claude-haiku-4-5") + "\"}";
    }
    Path input = write(dir.resolve("in.jsonl"), lines);
    Path output = dir.resolve("in.results.jsonl");
    sender.holdingModel("claude-opus-4");
    JobRunner runner = runner(job(input).pacing(PacingConfig.builder().concurrency(2).build()).build());
    Future<JobSummary> running = Executors.newSingleThreadExecutor().submit(runner::run);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> Files.exists(output) && resultTypes(output).size() == 20);
    assertThat(resultTypes(output)).as("the other pool's requests, all answered").allSatisfy((id, type) ->
        assertThat(Integer.parseInt(id.substring(1))).isGreaterThanOrEqualTo(5));
    assertThat(sender.heldCount()).as("the slow pool's requests in flight: its --concurrency").isEqualTo(2);

    sender.holdingModel(null);
    sender.releaseAll();
    JobSummary summary = running.get(10, TimeUnit.SECONDS);
    assertThat(summary.succeeded()).isEqualTo(25);
    assertThat(resultTypes(output)).hasSize(25);
  }

  @Test
  void aDirectoryGivenAsInputOrOutputIsRefusedWithWhatToGive() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 2);
    Path folder = Files.createDirectory(dir.resolve("results"));
    assertThatThrownBy(() -> run(job(folder).output(dir.resolve("out.jsonl")).build()))
        .isInstanceOf(JobException.class).hasMessageContaining("is a directory: give the JSONL file of requests");
    assertThatThrownBy(() -> run(job(input).output(folder).build()))
        .isInstanceOf(JobException.class)
        .hasMessage("the output " + folder + " is a directory: give a file for the results, e.g. -o "
            + folder.resolve("in.results.jsonl"));
    assertThat(dir.resolve("results.lock")).as("no lock file beside it").doesNotExist();
    assertThat(sender.sent()).isEmpty();
  }

  @Test
  void aSenderThatFailsIsRecordedAsAnApiError() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 2);
    RequestSender broken = (id, params) -> id.equals("p0")
        ? CompletableFuture.failedFuture(new IllegalStateException("boom"))
        : CompletableFuture.completedFuture(FakeSender.success(id, params));
    JobSummary summary = JobRunner.builder(job(input).build()).sender(broken).build().run();
    assertThat(resultTypes(dir.resolve("in.results.jsonl"))).containsEntry("p0", "errored").containsEntry("p1", "succeeded");
    assertThat(summary.errored()).isEqualTo(1);
  }

  @Test
  void theSummaryJsonHasTheListedFields() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 4);
    sender.answering((id, params) -> id.equals("p1")
        ? new SendOutcome.Errored(new ResultError("rate_limit_error", "slow down", 429, "req_1", null), new Attempts(8, 8, 0))
        : new SendOutcome.Succeeded(FakeSender.message("claude-haiku-4-5", "ok", 10, 20), new Attempts(2, 0, 1)));
    JsonNode json = run(job(input).build()).toJson();
    assertThat(json.fieldNames()).toIterable().contains("requests", "succeeded", "errored", "attempts", "rate_limited",
        "overloaded", "input_tokens", "output_tokens", "cost_usd", "elapsed_s", "rejected", "binding_limit",
        "efficiency", "exit_code");
    assertThat(json.get("requests").asInt()).isEqualTo(4);
    assertThat(json.get("succeeded").asInt()).isEqualTo(3);
    assertThat(json.get("errored").asInt()).isEqualTo(1);
    assertThat(json.get("attempts").asInt()).isEqualTo(14);
    assertThat(json.get("rate_limited").asInt()).isEqualTo(8);
    assertThat(json.get("overloaded").asInt()).isEqualTo(3);
    assertThat(json.get("input_tokens").asInt()).isEqualTo(30);
    assertThat(json.get("output_tokens").asInt()).isEqualTo(60);
    assertThat(json.get("cost_usd").decimalValue()).isEqualByComparingTo("0.000330");
    assertThat(json.get("elapsed_s").isNumber()).isTrue();
    assertThat(json.get("exit_code").asInt()).isEqualTo(1);
  }

  @Test
  void aDryRunChecksCountsAndEstimatesAndChangesNothing() throws Exception {
    Path input = write(dir.resolve("in.jsonl"),
        "{\"custom_id\":\"a\",\"prompt\":\"" + "word ".repeat(70) + "\"}",
        "{\"custom_id\":\"b\",\"prompt\":\"hello\",\"model\":\"claude-sonnet-4-5\"}",
        "{broken");
    JobConfig config = job(input).pacing(PacingConfig.builder().tier("tier1").build()).build();
    JobEstimate estimate = runner(config).estimate();
    assertThat(sender.sent()).isEmpty();
    assertThat(Files.exists(config.output())).isFalse();
    assertThat(Files.exists(config.stateFile())).isFalse();
    assertThat(estimate.requests()).isEqualTo(2);
    assertThat(estimate.rejected()).isEqualTo(1);
    assertThat(estimate.problems()).extracting(InputProblem::line).containsExactly(3);
    assertThat(estimate.pools()).extracting(JobEstimate.PoolEstimate::pool).containsExactly("haiku-4-5", "sonnet-4-5");
    // 70 words (~90 tokens) in a ~400-character prompt: pacer-core's estimator, before any answer,
    // counts 0.5 tokens a character of the prompt as JSON (the settings left out), as the Pacer
    // will reserve: never low, at most ~2.5x.
    assertThat(estimate.pools().get(0).inputTokens()).isBetween(90L, 250L)
        .isEqualTo(dev.pacer.estimate.TokenEstimator.calibrating().estimate("haiku-4-5",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "word ".repeat(70) + "\"}]}"));
    assertThat(estimate.pools().get(0).limits()).isEqualTo("50 / 50,000 / 10,000");
    assertThat(estimate.maxCostUsd()).isGreaterThan(estimate.inputCostUsd());
    assertThat(estimate.limitsKnown()).isTrue();
    assertThat(estimate.leastTime()).as("two requests fit in a tier-1 burst").isEqualTo(Duration.ZERO);
  }

  @Test
  void aDryRunWorksOutTheLeastPossibleTimeFromTheBindingLimit() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 300);
    JobConfig config = job(input).pacing(PacingConfig.builder().requestsPerWindow(60).inputTokensPerWindow(1_000_000)
        .outputTokensPerWindow(1_000_000).burst(Duration.ofSeconds(1)).build()).build();
    JobEstimate estimate = runner(config).estimate();
    // 300 requests at 60 a minute with a one-second burst (1 request): (300 - 1) / 1 per s = 299 s.
    assertThat(estimate.leastTime()).isEqualTo(Duration.ofSeconds(299));
    assertThat(estimate.bindingLimit()).contains("haiku-4-5 requests (RPM 60)");
  }

  @Test
  void aDryRunOfQuestionsOnACachedDocumentCountsItOnceAgainstTheInputLimit() throws Exception {
    String document = "The quarterly report on market growth. ".repeat(300); // ~11,700 characters
    String[] lines = new String[40];
    for (int i = 0; i < lines.length; i++) {
      lines[i] = "{\"custom_id\":\"q" + i + "\",\"params\":{\"model\":\"claude-haiku-4-5\",\"max_tokens\":20,"
          + "\"system\":[{\"type\":\"text\",\"text\":\"" + document + "\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Question " + i + "?\"}]}}";
    }
    Path input = write(dir.resolve("in.jsonl"), lines);
    JobEstimate estimate = runner(job(input).pacing(PacingConfig.builder().tier("tier1").build()).build()).estimate();

    JobEstimate.PoolEstimate pool = estimate.pools().get(0);
    long documentTokens = dev.pacer.estimate.TokenEstimator.calibrating().estimate("haiku-4-5", document);
    // Written once, read 39 times: the input limit counts the document once, not 40 times.
    assertThat(pool.inputTokens()).isBetween(documentTokens, 2 * documentTokens);
    assertThat(pool.cacheReadTokens()).isGreaterThan(38 * documentTokens);
    // So requests bind (40 fit a tier-1 burst of 50), not 40 documents against a 50,000 ITPM.
    assertThat(estimate.leastTime()).isEqualTo(Duration.ZERO);
    // Priced as a write and 39 reads (a tenth of the input price), far below 40 documents of input.
    double allInput = 40 * documentTokens * 1.0 / 1_000_000;
    assertThat(estimate.inputCostUsd()).isLessThan(allInput / 4);
  }

  @Test
  void aDryRunCanCountTokensExactly() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 3);
    JobEstimate estimate = JobRunner.builder(job(input).build()).sender(sender)
        .tokenCounter(params -> CompletableFuture.completedFuture(1000L)).build().estimate();
    assertThat(estimate.exactCounts()).isTrue();
    assertThat(estimate.pools().get(0).inputTokens()).isEqualTo(3000);
  }

  @Test
  void aJobOverTwoModelsIsPacedPerPoolWithLimitsFromAFile() throws Exception {
    Path input = write(dir.resolve("in.jsonl"),
        "{\"custom_id\":\"h1\",\"prompt\":\"x\",\"model\":\"claude-haiku-4-5\"}",
        "{\"custom_id\":\"s1\",\"prompt\":\"x\",\"model\":\"claude-sonnet-4-5-20250929\"}",
        "{\"custom_id\":\"h2\",\"prompt\":\"y\",\"model\":\"claude-haiku-4-5-20251001\"}",
        "{\"custom_id\":\"s2\",\"prompt\":\"y\",\"model\":\"claude-sonnet-4-6\"}");
    PacingConfig pacing = PacingConfig.builder()
        .poolLimits("haiku-4-5", Limits.of(2, 100_000, 100_000))
        .poolLimits("sonnet-4-5", Limits.of(1, 100_000, 100_000))
        .burst(Duration.ofSeconds(30))
        .build();
    JobEstimate estimate = runner(job(input).pacing(pacing).build()).estimate();
    assertThat(estimate.pools()).extracting(JobEstimate.PoolEstimate::pool, JobEstimate.PoolEstimate::requests)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("haiku-4-5", 2), org.assertj.core.groups.Tuple.tuple("sonnet-4-5", 2));
    // sonnet: 2 requests at 1 a minute, burst 0.5 request: (2 - 0.5) / (1/60 s) = 90 s.
    assertThat(estimate.leastTime()).isEqualTo(Duration.ofSeconds(90));
    assertThat(estimate.bindingLimit()).startsWith("sonnet-4-5 requests");

    JobSummary summary = run(job(input).pacing(pacing).build());
    assertThat(summary.succeeded()).isEqualTo(4);
    assertThat(resultTypes(dir.resolve("in.results.jsonl"))).hasSize(4);
    assertThat(summary.bindingLimit()).startsWith("sonnet-4-5 requests");
  }

  @Test
  void aRequestLargerThanAKnownLimitIsRejectedBeforeSending() throws Exception {
    Path input = write(dir.resolve("in.jsonl"),
        "{\"custom_id\":\"big\",\"prompt\":\"" + "word ".repeat(40000) + "\"}",
        "{\"custom_id\":\"huge_out\",\"prompt\":\"x\",\"max_tokens\":20000}",
        "{\"custom_id\":\"fine\",\"prompt\":\"x\"}");
    // Told the reserve rule: with it unknown, a max_tokens over OTPM goes for the server to judge.
    JobSummary summary = run(job(input).pacing(PacingConfig.builder().tier("tier1")
        .outputRule(dev.pacer.limits.OutputRule.RESERVE).build()).build());
    assertThat(sender.sent()).containsExactly("fine");
    assertThat(reported).extracting(InputProblem::kind).containsOnly(InputProblem.Kind.EXCEEDS_LIMITS);
    assertThat(reported.get(1).message()).contains("max_tokens 20000").contains("OTPM 10000");
    assertThat(resultTypes(dir.resolve("in.results.jsonl"))).containsEntry("big", "errored").containsEntry("huge_out", "errored");
    assertThat(summary.exitCode()).isEqualTo(1);
  }

  @Test
  void aPromptTheEstimateDoubtsIsCountedExactlyAndRunsWhenItFits() throws Exception {
    // ~28k tokens of words in 200,000 characters: the estimate (0.5 a character) says 100,000, over
    // tier 1's 50,000 ITPM; count_tokens says how many there are.
    Path input = write(dir.resolve("in.jsonl"),
        "{\"custom_id\":\"fits\",\"prompt\":\"" + "word ".repeat(40000) + "\"}",
        "{\"custom_id\":\"too_big\",\"prompt\":\"" + "word ".repeat(40001) + "\"}",
        "{\"custom_id\":\"small\",\"prompt\":\"x\"}");
    List<String> counted = new ArrayList<>();
    TokenCounter counter = params -> {
      String text = params.at("/messages/0/content").asText();
      counted.add(text.length() > 200_000 ? "too_big" : text.length() > 100 ? "fits" : "small");
      return CompletableFuture.completedFuture(text.length() > 200_000 ? 60_000L : 28_000L);
    };
    JobSummary summary = JobRunner.builder(job(input).pacing(PacingConfig.builder().tier("tier1").build()).build())
        .sender(sender).tokenCounter(counter).listener(new JobListener() {
          @Override
          public void inputProblem(InputProblem problem) {
            reported.add(problem);
          }
        }).build().run();

    assertThat(sender.sent()).containsExactly("fits", "small");
    assertThat(counted).as("counted once each, only where the estimate doubts; both passes agree")
        .containsExactly("fits", "too_big");
    assertThat(reported).singleElement().satisfies(problem -> {
      assertThat(problem.customId()).isEqualTo("too_big");
      assertThat(problem.message()).contains("needs 60000 input tokens (count_tokens)").contains("ITPM 50000");
    });
    assertThat(summary.rejected()).isEqualTo(1);
  }

  @Test
  void theSendersTotalsOfTheRunGoToTheSummary() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 3);
    // A sender whose Pacer had done other work before the run: only the run's share counts.
    long[] attempts = {100, 0, 0};
    RequestSender counting = new RequestSender() {
      @Override
      public CompletableFuture<SendOutcome> send(String customId, com.fasterxml.jackson.databind.node.ObjectNode params) {
        attempts[0] += 2;
        attempts[1] += 1;
        return CompletableFuture.completedFuture(new SendOutcome.Succeeded(
            FakeSender.message("claude-haiku-4-5", "ok", 10, 20), new Attempts(2, 1, 0)));
      }

      @Override
      public java.util.Optional<PacerStats> stats() {
        return java.util.Optional.of(new PacerStats(0, 0, 0, attempts[0], attempts[1], attempts[2], 0));
      }
    };
    JobSummary summary = JobRunner.builder(job(input).build()).sender(counting).build().run();
    assertThat(summary.attempts()).isEqualTo(6);
    assertThat(summary.retries()).isEqualTo(3);
    assertThat(summary.rateLimited()).isEqualTo(3);
    assertThat(summary.overloaded()).isZero();
  }

  @Test
  void theProgressCountsTheRetriesOfRequestsStillInFlight() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 3);
    sender.holding(true);
    long[] attempts = {0};
    RequestSender retrying = new RequestSender() {
      @Override
      public CompletableFuture<SendOutcome> send(String customId, com.fasterxml.jackson.databind.node.ObjectNode params) {
        attempts[0] += 4; // a first attempt and three retries, the request still in flight (an outage)
        return sender.send(customId, params);
      }

      @Override
      public java.util.Optional<PacerStats> stats() {
        return java.util.Optional.of(new PacerStats(0, 0, 0, attempts[0], 0, 0, 0));
      }
    };
    JobRunner runner = JobRunner.builder(job(input).build()).sender(retrying).build();
    Future<JobSummary> running = Executors.newSingleThreadExecutor().submit(runner::run);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sender.heldCount() == 3);
    JobProgress progress = runner.progress();
    assertThat(progress.done()).isZero();
    assertThat(progress.attempts()).isEqualTo(12);
    assertThat(progress.retries()).as("three requests sent, twelve attempts").isEqualTo(9);
    sender.releaseAll();
    running.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aMissingInputIsAJobException() {
    assertThatThrownBy(() -> run(job(dir.resolve("nope.jsonl")).build()))
        .isInstanceOf(JobException.class).hasMessageContaining("input file not found");
  }

  @Test
  void batchesWithoutTheBatchEndpointsStopWithAnExplanation() throws IOException {
    Path input = prompts(dir.resolve("in.jsonl"), 1);
    assertThatThrownBy(() -> run(job(input).via(Via.BATCHES).build()))
        .isInstanceOf(JobException.class).hasMessageContaining("needs the Message Batches endpoints");
  }

  @Test
  void theDefaultOutputSitsBesideTheInput() {
    assertThat(JobConfig.defaultOutput(Path.of("/x/prompts.jsonl"))).isEqualTo(Path.of("/x/prompts.results.jsonl"));
    assertThat(JobConfig.defaultOutput(Path.of("jobs"))).isEqualTo(Path.of("jobs.results.jsonl"));
    assertThat(JobConfig.defaultOutput(Path.of("a.json"))).isEqualTo(Path.of("a.results.jsonl"));
  }

  /** The derivation rule, as the tests see it. */
  static final class CustomIdsView {
    static String derive(String line) {
      return dev.pacer.jobs.internal.CustomIds.derive(line);
    }
  }
}
