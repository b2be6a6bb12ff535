package dev.pacer.simulator.internal;

import dev.pacer.simulator.Latency;
import dev.pacer.simulator.OutputRule;
import dev.pacer.simulator.RequestRecord;
import dev.pacer.simulator.SimulatorClock;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /v1/messages}: validate, fault, admit (server-model.md), answer plain or as a stream,
 * settle the output bucket, record.
 */
final class MessagesEndpoint {

  private static final int DELTA_WORDS_PACED = 4;
  private static final int DELTA_WORDS_UNPACED = 16;

  private final SimulatorEngine engine;
  private final SimulatorClock clock;
  private final OutputRule rule;
  private final Latency latency;

  MessagesEndpoint(SimulatorEngine engine) {
    this.engine = engine;
    this.clock = engine.clock();
    this.rule = engine.config().outputRule();
    this.latency = engine.config().latency();
  }

  void handle(HttpCall call) throws IOException {
    engine.stats().attemptStarted();
    Outcome outcome = new Outcome(engine.stats(), clock.wallTime(), call.requestId());
    try {
      serve(call, outcome);
    } catch (ApiException e) {
      outcome.status = e.status();
      outcome.errorType = e.errorType();
      outcome.commit();
      if (!call.answered()) {
        call.sendError(e);
      }
    } finally {
      outcome.commit();
      engine.stats().attemptEnded();
    }
  }

  private void serve(HttpCall call, Outcome outcome) throws IOException {
    call.requireApiKey();
    byte[] body = call.readBody(engine.config().maxRequestBytes());
    MessagesRequest request = RequestValidator.messages(body);
    outcome.model = request.model();
    outcome.maxTokens = request.maxTokens();
    outcome.stream = request.stream();
    String pool = engine.catalog().poolOf(request.model());
    outcome.pool = pool;
    PromptTokens prompt = PromptAnalyzer.analyze(request);
    outcome.promptHash = prompt.promptHashHex();
    PoolBuckets buckets = engine.bucketsOf(pool);
    TokenSplit split = engine.promptCache().split(pool, prompt);
    outcome.split = split;

    Optional<Fault> fault = engine.faults().next();
    if (fault.isPresent()) {
      if (fault.get().status() == 429) outcome.limitedBy = "injected";
      throw injected(fault.get(), buckets);
    }

    long admittedAt = clock.nanoTime();
    long inputCharge = split.itpmCharge(engine.catalog().countsCacheReads(pool));
    Admission admission = buckets.tryAdmit(Need.forMessages(rule, inputCharge, request.maxTokens()), admittedAt);
    Map<String, String> headers = RateLimitHeaders.of(admission.buckets(), clock.wallTime());
    if (!admission.admitted()) {
      outcome.limitedBy = admission.limitedBy().statName();
      throw rateLimited(admission, headers);
    }
    engine.promptCache().remember(pool, split);
    Answer answer = engine.answers().answer(prompt.promptHash(), request.maxTokens());
    String messageId = engine.ids().messageId();
    outcome.status = 200;
    if (request.stream()) {
      stream(call, request, split, answer, messageId, buckets, admittedAt, headers, outcome);
    } else {
      plain(call, request, split, answer, messageId, buckets, admittedAt, headers, outcome);
    }
  }

  private void plain(HttpCall call, MessagesRequest request, TokenSplit split, Answer answer, String messageId,
      PoolBuckets buckets, long admittedAt, Map<String, String> headers, Outcome outcome) throws IOException {
    long output = answer.outputTokens();
    waitUntil(admittedAt + latency.nanosUntilToken(output));
    if (rule == OutputRule.LIVE) {
      buckets.chargeOutput(output, clock.nanoTime());
    } else {
      buckets.refundOutput(request.maxTokens() - output, clock.nanoTime());
    }
    outcome.outputTokens = output;
    outcome.commit();
    call.sendJson(200, headers, MessageBodies.message(
        messageId, request.model(), answer.text(), answer.stopReason(), MessageBodies.usage(split, output)));
  }

  private void stream(HttpCall call, MessagesRequest request, TokenSplit split, Answer answer, String messageId,
      PoolBuckets buckets, long admittedAt, Map<String, String> headers, Outcome outcome) throws IOException {
    boolean paced = !latency.isOff();
    int words = answer.words().size();
    int chunk = paced ? DELTA_WORDS_PACED : DELTA_WORDS_UNPACED;
    long generated = 0;
    boolean settled = false;
    try (SseWriter sse = new SseWriter(call.startEventStream(headers))) {
      sse.event("message_start", MessageBodies.messageStart(MessageBodies.message(
          messageId, request.model(), null, null, MessageBodies.usage(split, 1))));
      sse.event("content_block_start", MessageBodies.contentBlockStart(0));
      sse.event("ping", MessageBodies.ping());
      if (paced) sse.flush();
      for (int from = 0; from < words; from += chunk) {
        int to = Math.min(words, from + chunk);
        waitUntil(admittedAt + latency.nanosUntilToken(to));
        if (rule == OutputRule.LIVE) {
          buckets.chargeOutput(to - from, clock.nanoTime());
        }
        generated = to;
        outcome.outputTokens = generated;
        sse.event("content_block_delta", MessageBodies.textDelta(0, answer.delta(from, to)));
        if (paced) sse.flush();
      }
      // settle and record before the last events leave, so a client that has read them sees both
      settled = true;
      if (rule == OutputRule.RESERVE) {
        buckets.refundOutput(request.maxTokens() - generated, clock.nanoTime());
      }
      outcome.commit();
      sse.event("content_block_stop", MessageBodies.contentBlockStop(0));
      sse.event("message_delta", MessageBodies.messageDelta(answer.stopReason(), split, words));
      sse.event("message_stop", MessageBodies.messageStop());
    } finally {
      if (!settled && rule == OutputRule.RESERVE) {
        buckets.refundOutput(request.maxTokens() - generated, clock.nanoTime());
      }
    }
  }

  private void waitUntil(long targetNanos) throws InterruptedIOException {
    long remaining = targetNanos - clock.nanoTime();
    if (remaining <= 0) return;
    try {
      clock.sleep(Duration.ofNanos(remaining));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("simulator stopping");
    }
  }

  private ApiException rateLimited(Admission a, Map<String, String> rateLimitHeaders) {
    Map<String, String> headers = new LinkedHashMap<>(rateLimitHeaders);
    headers.put("retry-after", Long.toString(a.retryAfterSeconds()));
    headers.put("x-should-retry", "true");
    BucketState b = a.bucket(a.limitedBy());
    String message = a.exceedsCapacity()
        ? RateLimitMessages.exceedsLimit(a.limitedBy(), b.limit(), a.needed(), b.capacity())
        : RateLimitMessages.wouldExceed(a.limitedBy(), b.limit());
    return new ApiException(429, "rate_limit_error", message, headers);
  }

  private ApiException injected(Fault fault, PoolBuckets buckets) {
    Map<String, String> headers = new LinkedHashMap<>(
        RateLimitHeaders.of(buckets.snapshot(clock.nanoTime()), clock.wallTime()));
    String message = ApiException.messageForStatus(fault.status());
    if (fault.status() == 429) {
      headers.put("retry-after", Long.toString(fault.retryAfterSeconds()));
      headers.put("x-should-retry", "true");
      message = message + " (a fault injected by the simulator)";
    }
    return new ApiException(fault.status(), ApiException.typeForStatus(fault.status()), message, headers);
  }

  /** What is known of an attempt so far; recorded once, before the answer's last bytes are sent. */
  private static final class Outcome {
    private final StatsRecorder stats;
    private final Instant arrived;
    private final String requestId;
    private boolean committed;
    String model;
    String pool;
    int status = 500;
    String errorType;
    String limitedBy;
    TokenSplit split;
    long outputTokens;
    long maxTokens;
    boolean stream;
    String promptHash;

    Outcome(StatsRecorder stats, Instant arrived, String requestId) {
      this.stats = stats;
      this.arrived = arrived;
      this.requestId = requestId;
    }

    void commit() {
      if (committed) return;
      committed = true;
      TokenSplit s = split == null ? new TokenSplit(0, 0, 0, 0, java.util.List.of()) : split;
      stats.record(new RequestRecord(arrived, requestId, model, pool, status, errorType, limitedBy,
          s.inputTokens(), s.cacheCreation(), s.cacheRead(), outputTokens, maxTokens, stream, promptHash));
    }
  }
}
