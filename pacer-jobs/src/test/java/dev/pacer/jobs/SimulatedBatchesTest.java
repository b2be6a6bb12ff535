package dev.pacer.jobs;

import static dev.pacer.jobs.testing.Files2.prompts;
import static dev.pacer.jobs.testing.Files2.resultTypes;
import static dev.pacer.jobs.testing.Files2.results;
import static dev.pacer.jobs.testing.Files2.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.jobs.batches.BatchApi;
import dev.pacer.simulator.BatchStats;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Jobs through the Message Batches API ({@code --via batches}) of the in-process simulator, via the official SDK. */
@Timeout(60)
class SimulatedBatchesTest {

  private static final BatchOptions FAST_POLLS = BatchOptions.defaults()
      .withPolls(Duration.ofMillis(50), Duration.ofMillis(200));

  @TempDir Path dir;

  private static JobConfig.Builder job(Path input, BatchOptions batches) {
    return JobConfig.builder(input).defaults(RequestDefaults.of("claude-haiku-4-5", 50L, null)).via(Via.BATCHES)
        .batches(batches);
  }

  private static JobSummary run(Simulator sim, JobConfig config, JobListener listener) throws Exception {
    return run(sim, config, listener, api -> api);
  }

  private static JobSummary run(Simulator sim, JobConfig config, JobListener listener,
      java.util.function.UnaryOperator<BatchApi> wrap) throws Exception {
    return run(sim, config, listener, wrap, dev.pacer.jobs.internal.ResultWriter::new);
  }

  private static JobSummary run(Simulator sim, JobConfig config, JobListener listener,
      java.util.function.UnaryOperator<BatchApi> wrap, dev.pacer.jobs.internal.ResultWriter.Opener results)
      throws Exception {
    try (SdkRequestSender sender = SdkRequestSender.builder().baseUrl(sim.baseUrl()).apiKey("test")
        .pacing(config.pacing()).build()) {
      return JobRunner.builder(config).sender(sender).batchApi(wrap.apply(sender.batchApi())).listener(listener)
          .resultsOpener(results).build().run();
    }
  }

  @Test
  void aFullDiskWhileCollectingLeavesTheBatchForTheRerunToCollectWithoutSendingAgain() throws Exception {
    try (Simulator sim = fastBatches()) {
      Path input = prompts(dir.resolve("in.jsonl"), 20);
      Path output = dir.resolve("in.results.jsonl");
      JobConfig config = job(input, FAST_POLLS).build();
      List<String> notices = Collections.synchronizedList(new ArrayList<>());
      JobSummary full = run(sim, config, new JobListener() {
        @Override
        public void notice(String message) {
          notices.add(message);
        }
      }, api -> api, dev.pacer.jobs.testing.FillingDisk.withRoom(3_000));

      assertThat(full.outcome()).isEqualTo(JobOutcome.STOPPED_CANNOT_WRITE);
      assertThat(full.exitCode()).isEqualTo(5);
      assertThat(full.batchesInFlight()).as("the batch is not recorded collected").isEqualTo(1);
      assertThat(notices).anySatisfy(n -> assertThat(n).startsWith("cannot write to " + output).contains("collects"));
      int written = results(output).size(); // every line whole
      assertThat(written).isBetween(1, 19);
      assertThat(Files.readString(dir.resolve("in.results.jsonl.batches.jsonl"))).doesNotContain("\"collected\"");

      JobSummary rerun = run(sim, config, JobListener.none());
      assertThat(rerun.outcome()).isEqualTo(JobOutcome.COMPLETED);
      assertThat(rerun.sent()).as("nothing sent again").isZero();
      assertThat(sim.stats().batches().created()).isEqualTo(1);
      assertThat(resultTypes(output)).hasSize(20).containsOnlyKeys(ids(20)).doesNotContainValue("errored");
    }
  }

  private static Simulator fastBatches() {
    return Simulator.start(SimulatorConfig.builder().seed(3).batchRate(1_000).build());
  }

  @Test
  void aJobSplitIntoSeveralBatchesCompletesAtBatchPrices() throws Exception {
    try (Simulator sim = fastBatches()) {
      Path input = prompts(dir.resolve("in.jsonl"), 25);
      Files.writeString(input, "{not json\n", java.nio.file.StandardOpenOption.APPEND);
      List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
      List<InputProblem> problems = Collections.synchronizedList(new ArrayList<>());
      JobSummary summary = run(sim, job(input, FAST_POLLS.withMaxRequestsPerBatch(10)).build(), new JobListener() {
        @Override
        public void batchCreated(String batchId, int requests) {
          sizes.add(requests);
        }

        @Override
        public void inputProblem(InputProblem problem) {
          problems.add(problem);
        }
      });

      BatchStats batches = sim.stats().batches();
      assertThat(sizes).containsExactly(10, 10, 5);
      assertThat(batches.created()).isEqualTo(3);
      assertThat(batches.requestsSubmitted()).isEqualTo(25);
      assertThat(sim.stats().attempts()).as("nothing went through the Messages API").isZero();
      Path output = dir.resolve("in.results.jsonl");
      Map<String, String> types = resultTypes(output);
      assertThat(types).hasSize(25).containsOnlyKeys(ids(25)).doesNotContainValue("errored");
      JsonNode message = results(output).get(0).at("/result/message");
      assertThat(message.at("/usage/service_tier").asText()).isEqualTo("batch");

      assertThat(summary.via()).isEqualTo(Via.BATCHES);
      assertThat(summary.outcome()).isEqualTo(JobOutcome.COMPLETED);
      assertThat(summary.succeeded()).isEqualTo(25);
      assertThat(summary.sent()).isEqualTo(25);
      assertThat(summary.batchesCreated()).isEqualTo(3);
      assertThat(summary.batchesInFlight()).isZero();
      assertThat(summary.unfinished()).isZero();
      assertThat(summary.outputTokens()).isEqualTo(batchOutputTokens(output));
      assertThat(summary.costUsd()).isPositive();
      assertThat(summary.costUsd()).isCloseTo(summary.standardCostUsd() / 2, org.assertj.core.data.Offset.offset(1e-9));
      assertThat(summary.rejected()).isEqualTo(1);
      assertThat(problems).singleElement().satisfies(p -> assertThat(p.line()).isEqualTo(26));
      assertThat(summary.exitCode()).as("a rejected line").isEqualTo(1);
      assertThat(summary.toJson().path("via").asText()).isEqualTo("batches");

      // The state file records three batches created and collected.
      List<String> log = Files.readAllLines(dir.resolve("in.results.jsonl.batches.jsonl"));
      assertThat(log.stream().filter(l -> l.contains("\"event\":\"created\""))).hasSize(3);
      assertThat(log.stream().filter(l -> l.contains("\"event\":\"collected\""))).hasSize(3);

      // A rerun has nothing to send.
      JobSummary again = run(sim, job(input, FAST_POLLS.withMaxRequestsPerBatch(10)).build(), JobListener.none());
      assertThat(again.sent()).isZero();
      assertThat(again.skipped()).isEqualTo(25);
      assertThat(sim.stats().batches().created()).isEqualTo(3);
    }
  }

  @Test
  void aCrashBetweenSubmissionAndResultsThenARerunResubmitsNothing() throws Exception {
    try (Simulator sim = fastBatches()) {
      Path input = prompts(dir.resolve("in.jsonl"), 25);
      JobConfig config = job(input, FAST_POLLS.withMaxRequestsPerBatch(10)).build();
      // The process "dies" at its first look at a batch, after creating all three.
      assertThatThrownBy(() -> run(sim, config, JobListener.none(), api -> new Crashing(api, 0, true)))
          .hasMessageContaining("simulated crash");
      assertThat(sim.stats().batches().created()).isEqualTo(3);
      assertThat(dir.resolve("in.results.jsonl")).satisfiesAnyOf(
          p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyFile());

      List<String> notices = Collections.synchronizedList(new ArrayList<>());
      JobSummary summary = run(sim, config, new JobListener() {
        @Override
        public void notice(String message) {
          notices.add(message);
        }
      });

      BatchStats batches = sim.stats().batches();
      assertThat(batches.created()).as("no batch created again").isEqualTo(3);
      assertThat(batches.requestsSubmitted()).as("no request submitted twice").isEqualTo(25);
      assertThat(resultTypes(dir.resolve("in.results.jsonl"))).hasSize(25).containsOnlyKeys(ids(25))
          .doesNotContainValue("errored");
      assertThat(summary.sent()).isZero();
      assertThat(summary.succeeded()).isEqualTo(25);
      assertThat(summary.exitCode()).isZero();
      assertThat(notices).anySatisfy(n -> assertThat(n).contains("waiting for 3 batches in flight"));
    }
  }

  @Test
  void batchesInFlightAreNotSentAgainDirectlyAndAutoCollectsThem() throws Exception {
    try (Simulator sim = fastBatches()) {
      Path input = prompts(dir.resolve("in.jsonl"), 25);
      assertThatThrownBy(() -> run(sim, job(input, FAST_POLLS.withMaxRequestsPerBatch(10)).build(), JobListener.none(),
          api -> new Crashing(api, 0, true))).hasMessageContaining("simulated crash");

      List<String> notices = Collections.synchronizedList(new ArrayList<>());
      JobListener collect = new JobListener() {
        @Override
        public void notice(String message) {
          notices.add(message);
        }
      };
      JobSummary direct = run(sim, job(input, FAST_POLLS).via(Via.MESSAGES).build(), collect);
      assertThat(direct.sent()).isZero();
      assertThat(direct.unfinished()).isEqualTo(25);
      assertThat(direct.exitCode()).isEqualTo(1);
      assertThat(sim.stats().attempts()).as("nothing sent directly").isZero();
      assertThat(notices).anySatisfy(n -> assertThat(n).contains("rerun with --via batches to collect them"));

      JobSummary auto = run(sim, job(input, FAST_POLLS).via(Via.AUTO).build(), collect);
      assertThat(notices).anySatisfy(n -> assertThat(n).startsWith("--via auto: batches (3 batches of an earlier run"));
      assertThat(auto.via()).isEqualTo(Via.BATCHES);
      assertThat(auto.succeeded()).isEqualTo(25);
      assertThat(sim.stats().batches().created()).isEqualTo(3);
      assertThat(sim.stats().batches().requestsSubmitted()).isEqualTo(25);
      assertThat(sim.stats().attempts()).isZero();
    }
  }

  @Test
  void aCrashWhileWritingABatchsResultsThenARerunWritesEachResultOnce() throws Exception {
    try (Simulator sim = fastBatches()) {
      Path input = prompts(dir.resolve("in.jsonl"), 12);
      JobConfig config = job(input, FAST_POLLS).build();
      BatchApi[] real = new BatchApi[1];
      assertThatThrownBy(() -> run(sim, config, JobListener.none(), api -> {
        real[0] = api;
        return new Crashing(api, 0, false) {
          @Override
          public void results(String batchId, Consumer<ObjectNode> line) throws IOException {
            AtomicInteger passed = new AtomicInteger();
            api.results(batchId, l -> {
              if (passed.incrementAndGet() > 5) {
                throw new IllegalStateException("simulated crash while writing results");
              }
              line.accept(l);
            });
          }
        };
      })).hasMessageContaining("simulated crash");
      assertThat(results(dir.resolve("in.results.jsonl"))).hasSize(5);

      JobSummary summary = run(sim, config, JobListener.none());
      assertThat(resultTypes(dir.resolve("in.results.jsonl"))).as("one line per custom_id").hasSize(12)
          .containsOnlyKeys(ids(12));
      assertThat(summary.succeeded()).as("the 7 not written before").isEqualTo(7);
      assertThat(sim.stats().batches().requestsSubmitted()).isEqualTo(12);
    }
  }

  @Test
  void aCreateCutOffByACrashIsFoundAtTheServerAndNotSentAgain() throws Exception {
    try (Simulator sim = fastBatches()) {
      Path input = prompts(dir.resolve("in.jsonl"), 25);
      JobConfig config = job(input, FAST_POLLS.withMaxRequestsPerBatch(10)).build();
      // The second create reaches the server, but the process dies before it records the batch id.
      assertThatThrownBy(() -> run(sim, config, JobListener.none(), api -> new Crashing(api, 2, false)))
          .hasMessageContaining("simulated crash");
      assertThat(sim.stats().batches().created()).isEqualTo(2);

      List<String> notices = Collections.synchronizedList(new ArrayList<>());
      JobSummary summary = run(sim, config, new JobListener() {
        @Override
        public void notice(String message) {
          notices.add(message);
        }
      });

      assertThat(notices).anySatisfy(n -> assertThat(n).contains("that an interrupted create made"));
      BatchStats batches = sim.stats().batches();
      assertThat(batches.created()).as("the two batches, and one for the last 5").isEqualTo(3);
      assertThat(batches.requestsSubmitted()).isEqualTo(25);
      assertThat(resultTypes(dir.resolve("in.results.jsonl"))).hasSize(25).doesNotContainValue("errored");
      assertThat(summary.sent()).isEqualTo(5);
      assertThat(summary.exitCode()).isZero();
    }
  }

  @Test
  void erroredRequestsAreReportedWithTheirErrorAndResentWithRetryErrored() throws Exception {
    try (Simulator sim = fastBatches()) {
      // The simulator validates batch params as each is processed: an unknown block type errors one request.
      Path input = write(dir.resolve("in.jsonl"),
          "{\"custom_id\":\"good1\",\"prompt\":\"Hello\"}",
          "{\"custom_id\":\"bad\",\"params\":{\"model\":\"claude-haiku-4-5\",\"max_tokens\":20,"
              + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"bogus\"}]}]}}",
          "{\"custom_id\":\"good2\",\"prompt\":\"Bye\"}");
      JobSummary first = run(sim, job(input, FAST_POLLS).build(), JobListener.none());

      assertThat(first.succeeded()).isEqualTo(2);
      assertThat(first.errored()).isEqualTo(1);
      assertThat(first.exitCode()).isEqualTo(1);
      JsonNode bad = results(dir.resolve("in.results.jsonl")).stream()
          .filter(n -> n.path("custom_id").asText().equals("bad")).findFirst().orElseThrow();
      assertThat(bad.at("/result/type").asText()).isEqualTo("errored");
      assertThat(bad.at("/result/error/error/type").asText()).isEqualTo("invalid_request_error");
      assertThat(bad.at("/result/error/error/message").asText()).contains("bogus");

      JobSummary kept = run(sim, job(input, FAST_POLLS).build(), JobListener.none());
      assertThat(kept.sent()).as("errored results are kept without --retry-errored").isZero();
      assertThat(kept.earlierErrored()).isEqualTo(1);

      JobSummary retried = run(sim, job(input, FAST_POLLS).retryErrored(true).build(), JobListener.none());
      assertThat(retried.sent()).isEqualTo(1);
      assertThat(retried.errored()).isEqualTo(1);
      assertThat(sim.stats().batches().requestsSubmitted()).isEqualTo(4);
      assertThat(resultTypes(dir.resolve("in.results.jsonl"))).hasSize(3).containsEntry("bad", "errored");
    }
  }

  @Test
  void expiredRequestsAreReportedAndResentWithRetryExpiredThroughEitherApi() throws Exception {
    Path input = prompts(dir.resolve("in.jsonl"), 30);
    Path output = dir.resolve("in.results.jsonl");
    // 10 requests a second, and a batch expires after one second: most of the 30 expire.
    try (Simulator slow = Simulator.start(SimulatorConfig.builder().seed(5).batchRate(10)
        .batchExpiry(Duration.ofSeconds(1)).build())) {
      JobSummary first = run(slow, job(input, FAST_POLLS).build(), JobListener.none());
      Map<String, String> types = resultTypes(output);
      long expired = types.values().stream().filter("expired"::equals).count();
      long succeeded = types.values().stream().filter("succeeded"::equals).count();
      assertThat(types).hasSize(30);
      assertThat(expired).isPositive();
      assertThat(succeeded).isPositive();
      assertThat(first.expired()).isEqualTo((int) expired);
      assertThat(first.succeeded()).isEqualTo((int) succeeded);
      assertThat(first.unfinished()).isZero();
      assertThat(first.exitCode()).isEqualTo(1);
      assertThat(first.toJson().path("expired").asInt()).isEqualTo(expired);

      JobSummary kept = run(slow, job(input, FAST_POLLS).retryErrored(true).build(), JobListener.none());
      assertThat(kept.sent()).as("--retry-errored leaves expired results").isZero();
      assertThat(slow.stats().batches().created()).isEqualTo(1);
    }
    Map<String, String> before = resultTypes(output);
    // --retry-expired sends them again; here through the Messages API directly.
    try (Simulator fast = fastBatches()) {
      JobSummary retried = run(fast, job(input, FAST_POLLS).via(Via.MESSAGES).retryExpired(true).build(),
          JobListener.none());
      long expired = before.values().stream().filter("expired"::equals).count();
      assertThat(retried.via()).isEqualTo(Via.MESSAGES);
      assertThat(retried.sent()).isEqualTo((int) expired);
      assertThat(fast.stats().attempts()).isEqualTo(expired);
      assertThat(resultTypes(output)).hasSize(30).containsOnlyKeys(ids(30)).doesNotContainValue("expired");
      assertThat(retried.exitCode()).isZero();
    }
  }

  @Test
  void maxCostStopsCreatingBatchesAndCollectsThoseInFlight() throws Exception {
    try (Simulator sim = fastBatches()) {
      Path input = prompts(dir.resolve("in.jsonl"), 30);
      // Each request's worst case at batch prices is about (input + 50 output tokens) at $0.5/$2.5 per million:
      // a ceiling a little above ten requests' worth lets the first batch of 10 through and no more.
      JobConfig config = job(input, FAST_POLLS.withMaxRequestsPerBatch(10)).maxCostUsd(new BigDecimal("0.0025"))
          .build();
      JobSummary summary = run(sim, config, JobListener.none());
      assertThat(summary.outcome()).isEqualTo(JobOutcome.STOPPED_BY_MAX_COST);
      assertThat(summary.exitCode()).isEqualTo(3);
      assertThat(summary.sent()).isBetween(1, 29);
      assertThat(summary.succeeded()).isEqualTo(summary.sent());
      assertThat(summary.costUsd()).isLessThanOrEqualTo(0.0025);
      assertThat(sim.stats().batches().requestsSubmitted()).isEqualTo(summary.sent());
    }
  }

  @Test
  void autoSendsASmallJobDirectlyAndALargeCostlyOneThroughBatches() throws Exception {
    try (Simulator sim = fastBatches()) {
      Path small = prompts(dir.resolve("small.jsonl"), 5);
      JobSummary direct = run(sim, job(small, FAST_POLLS).via(Via.AUTO).build(), JobListener.none());
      assertThat(direct.via()).isEqualTo(Via.MESSAGES);
      assertThat(sim.stats().batches().created()).isZero();
      assertThat(sim.stats().attempts()).isEqualTo(5);

      Path large = prompts(dir.resolve("large.jsonl"), 120);
      // Opus at 4,000 max_tokens: the worst case is about $12 directly, so batches save far more than $0.50.
      JobConfig costly = JobConfig.builder(large).defaults(RequestDefaults.of("claude-opus-4-5", 4_000L, null))
          .via(Via.AUTO).batches(FAST_POLLS).build();
      List<String> notices = Collections.synchronizedList(new ArrayList<>());
      JobSummary batched = run(sim, costly, new JobListener() {
        @Override
        public void notice(String message) {
          notices.add(message);
        }
      });
      assertThat(notices).anySatisfy(n -> assertThat(n).startsWith("--via auto: batches"));
      assertThat(batched.via()).isEqualTo(Via.BATCHES);
      assertThat(batched.succeeded()).isEqualTo(120);
      assertThat(sim.stats().batches().requestsSubmitted()).isEqualTo(120);
      assertThat(sim.stats().attempts()).as("no more Messages calls").isEqualTo(5);
    }
  }

  @Test
  void aRefusedKeyStopsTheBatchPathWithNoErroredLine() throws Exception {
    try (Simulator sim = fastBatches()) {
      Path input = prompts(dir.resolve("in.jsonl"), 12);
      List<String> notices = Collections.synchronizedList(new ArrayList<>());
      JobSummary summary = run(sim, job(input, FAST_POLLS.withMaxRequestsPerBatch(5)).build(), new JobListener() {
        @Override
        public void notice(String message) {
          notices.add(message);
        }
      }, api -> new Crashing(api, 0, false) {
        @Override
        public BatchInfo create(ArrayNode requests) {
          throw new BatchApiException(new ResultError("authentication_error", "invalid x-api-key", 401, "req_1", null),
              null);
        }
      });
      assertThat(summary.outcome()).isEqualTo(JobOutcome.STOPPED_BY_SERVER);
      assertThat(summary.exitCode()).isEqualTo(4);
      assertThat(summary.unfinished()).isEqualTo(12);
      assertThat(resultTypes(dir.resolve("in.results.jsonl"))).as("the key's refusal is no request's error").isEmpty();
      assertThat(notices).anySatisfy(n -> assertThat(n).contains("401 authentication_error"));

      JobSummary rerun = run(sim, job(input, FAST_POLLS.withMaxRequestsPerBatch(5)).build(), JobListener.none());
      assertThat(rerun.exitCode()).isZero();
      assertThat(resultTypes(dir.resolve("in.results.jsonl"))).hasSize(12).doesNotContainValue("errored");
    }
  }

  @Test
  void aStopEndsACreateStillBeingRetriedAndTheRerunFindsOutWhetherItsBatchExists() throws Exception {
    try (Simulator sim = fastBatches()) {
      Path input = prompts(dir.resolve("in.jsonl"), 8);
      java.util.concurrent.CountDownLatch creating = new java.util.concurrent.CountDownLatch(1);
      JobConfig config = job(input, FAST_POLLS).build();
      try (SdkRequestSender sender = SdkRequestSender.builder().baseUrl(sim.baseUrl()).apiKey("test")
          .pacing(config.pacing()).build()) {
        BatchApi stuck = new Crashing(sender.batchApi(), 0, false) {
          @Override
          public BatchInfo create(ArrayNode requests) {
            creating.countDown();
            try {
              Thread.sleep(Duration.ofMinutes(10)); // a create the Pacer keeps retrying
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            throw new BatchApiException(new ResultError("api_error", "interrupted", 0, null, null), null);
          }
        };
        JobRunner runner = JobRunner.builder(config).sender(sender).batchApi(stuck).build();
        java.util.concurrent.Future<JobSummary> running =
            java.util.concurrent.Executors.newSingleThreadExecutor().submit(runner::run);
        assertThat(creating.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        runner.stop();
        JobSummary summary = running.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(summary.outcome()).isEqualTo(JobOutcome.INTERRUPTED);
        assertThat(resultTypes(dir.resolve("in.results.jsonl"))).as("a create cut off errs no request").isEmpty();
      }
      List<String> notices = Collections.synchronizedList(new ArrayList<>());
      JobSummary rerun = run(sim, job(input, FAST_POLLS).build(), new JobListener() {
        @Override
        public void notice(String message) {
          notices.add(message);
        }
      });
      assertThat(notices).anySatisfy(n -> assertThat(n).contains("an interrupted create of 8 requests made no batch"));
      assertThat(rerun.exitCode()).isZero();
      assertThat(resultTypes(dir.resolve("in.results.jsonl"))).hasSize(8).doesNotContainValue("errored");
    }
  }

  private static String[] ids(int n) {
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) {
      ids[i] = "p" + i;
    }
    return ids;
  }

  private static long batchOutputTokens(Path output) {
    return results(output).stream().mapToLong(n -> n.at("/result/message/usage/output_tokens").asLong()).sum();
  }

  /** Passes calls through, then "dies" (throws) after the {@code n}th create returns, or at the first retrieve. */
  private static class Crashing implements BatchApi {
    private final BatchApi api;
    private final int crashAfterCreate;
    private final boolean crashAtRetrieve;
    private final AtomicInteger creates = new AtomicInteger();

    Crashing(BatchApi api, int crashAfterCreate, boolean crashAtRetrieve) {
      this.api = api;
      this.crashAfterCreate = crashAfterCreate;
      this.crashAtRetrieve = crashAtRetrieve;
    }

    @Override
    public BatchInfo create(ArrayNode requests) {
      BatchInfo info = api.create(requests);
      if (creates.incrementAndGet() == crashAfterCreate) {
        throw new IllegalStateException("simulated crash after creating " + info.id());
      }
      return info;
    }

    @Override
    public BatchInfo retrieve(String batchId) {
      if (crashAtRetrieve) {
        throw new IllegalStateException("simulated crash before looking at " + batchId);
      }
      return api.retrieve(batchId);
    }

    @Override
    public void results(String batchId, Consumer<ObjectNode> line) throws IOException {
      api.results(batchId, line);
    }

    @Override
    public List<BatchInfo> createdSince(Instant since) {
      return api.createdSince(since);
    }
  }
}
