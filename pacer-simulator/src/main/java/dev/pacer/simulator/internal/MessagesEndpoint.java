package dev.pacer.simulator.internal;

import dev.pacer.simulator.AccelerationLimit;
import dev.pacer.simulator.Latency;
import dev.pacer.simulator.OutputRule;
import dev.pacer.simulator.RequestRecord;
import dev.pacer.simulator.SimulatorClock;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /v1/messages}: outage, validate, slow headers, faults, acceleration limit, admit
 * (server-model.md), answer plain or as a stream (broken or cut when a fault says so), settle the
 * output bucket, record.
 */
final class MessagesEndpoint {

  private static final int DELTA_WORDS_PACED = 4;
  private static final int DELTA_WORDS_UNPACED = 16;

  private final SimulatorEngine engine;
  private final SimulatorClock clock;
  private final OutputRule rule;
  private final Latency latency;
  private final FaultInjector faults;

  MessagesEndpoint(SimulatorEngine engine) {
    this.engine = engine;
    this.clock = engine.clock();
    this.rule = engine.config().outputRule();
    this.latency = engine.config().latency();
    this.faults = engine.faults();
  }

  void handle(HttpCall call) throws IOException {
    int inFlight = engine.stats().attemptStarted();
    Outcome outcome = new Outcome(engine.stats(), clock.wallTime(), call.requestId());
    try {
      serve(call, outcome, inFlight);
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

  private void serve(HttpCall call, Outcome outcome, int inFlight) throws IOException {
    byte[] body = call.readBody(engine.config().maxRequestBytes());
    Fault outage = faults.outage(clock.nanoTime());
    if (outage != null) {
      outcome.fault = outage.kind();
      throw injected(outage, null);
    }
    call.requireApiKey();
    MessagesRequest request = RequestValidator.messages(body);
    outcome.model = request.model();
    outcome.maxTokens = request.maxTokens();
    outcome.stream = request.stream();
    String pool = engine.catalog().poolOf(request.model());
    outcome.pool = pool;
    PromptTokens prompt = PromptAnalyzer.analyze(request, engine.config().hiddenPromptTokens());
    outcome.promptHash = prompt.promptHashHex();
    PoolBuckets buckets = engine.bucketsOf(pool);
    TokenSplit split = engine.promptCache().split(pool, prompt);
    outcome.split = split;

    long slowNanos = faults.slowHeadersNanos();
    if (slowNanos > 0) {
      outcome.fault = Fault.SLOW_HEADERS;
      engine.stats().faultInjected(Fault.SLOW_HEADERS);
      waitUntil(clock.nanoTime() + slowNanos);
    }

    long now = clock.nanoTime();
    engine.applyDueLimitChanges(now);
    Fault fault = faults.beforeAdmission(now, inFlight);
    if (fault != null) {
      if (fault.status() == 429) outcome.limitedBy = "injected";
      outcome.fault = fault.kind();
      throw injected(fault, buckets);
    }
    AccelerationLimit acceleration = faults.accelerationLimit();
    if (acceleration != null) {
      long waitNanos = engine.acceleration().nanosToWait(acceleration, now);
      if (waitNanos > 0) {
        outcome.limitedBy = Fault.ACCELERATION;
        outcome.fault = Fault.ACCELERATION;
        throw accelerationLimited(acceleration, waitNanos, buckets, now);
      }
    }

    long admittedAt = now;
    long inputCharge = split.itpmCharge(engine.catalog().countsCacheReads(pool));
    Admission admission = buckets.tryAdmit(Need.forMessages(rule, inputCharge, request.maxTokens()), admittedAt);
    Map<String, String> headers = RateLimitHeaders.of(admission.buckets(), clock.wallTime());
    if (!admission.admitted()) {
      outcome.limitedBy = admission.limitedBy().statName();
      throw rateLimited(admission, headers);
    }
    if (acceleration != null) {
      engine.acceleration().admitted(admittedAt);
    }
    boolean readyLater = engine.config().cacheReadyAtFirstToken() && !request.stream();
    if (!readyLater) {
      engine.promptCache().remember(pool, split); // a stream's response begins now
    }
    Answer answer = engine.answers().answer(prompt.promptHash(), request.maxTokens());
    String messageId = engine.ids().messageId();
    outcome.status = 200;
    Fault.Break broken = faults.afterAdmission(request.stream());
    if (request.stream()) {
      stream(call, request, split, answer, messageId, buckets, admittedAt, headers, outcome, broken);
    } else {
      if (readyLater) {
        waitUntil(admittedAt + latency.nanosUntilToken(1));
        engine.promptCache().remember(pool, split);
      }
      plain(call, request, split, answer, messageId, buckets, admittedAt, headers, outcome, broken);
    }
  }

  private void plain(HttpCall call, MessagesRequest request, TokenSplit split, Answer answer, String messageId,
      PoolBuckets buckets, long admittedAt, Map<String, String> headers, Outcome outcome, Fault.Break broken)
      throws IOException {
    long output = answer.outputTokens();
    waitUntil(admittedAt + latency.nanosUntilToken(output));
    if (rule == OutputRule.LIVE) {
      buckets.chargeOutput(output, clock.nanoTime());
    } else {
      buckets.refundOutput(request.maxTokens() - output, clock.nanoTime());
    }
    outcome.outputTokens = output;
    var message = MessageBodies.message(
        messageId, request.model(), answer.text(), answer.stopReason(), MessageBodies.usage(split, output));
    if (broken == Fault.Break.CONNECTION_DROP) {
      outcome.fault = Fault.CONNECTION_DROP;
      outcome.commit();
      call.sendJsonCut(200, headers, message);
    }
    outcome.commit();
    call.sendJson(200, headers, message);
  }

  private void stream(HttpCall call, MessagesRequest request, TokenSplit split, Answer answer, String messageId,
      PoolBuckets buckets, long admittedAt, Map<String, String> headers, Outcome outcome, Fault.Break broken)
      throws IOException {
    boolean paced = !latency.isOff();
    int words = answer.words().size();
    int chunk = paced ? DELTA_WORDS_PACED : DELTA_WORDS_UNPACED;
    int deltas = (words + chunk - 1) / chunk;
    int breakAfter = broken == Fault.Break.NONE ? Integer.MAX_VALUE : Math.max(1, deltas / 2);
    long generated = 0;
    boolean settled = false;
    boolean dropped = false;
    SseWriter sse = new SseWriter(call.startEventStream(headers));
    try {
      sse.event("message_start", MessageBodies.messageStart(MessageBodies.message(
          messageId, request.model(), null, null, MessageBodies.usage(split, 1))));
      sse.event("content_block_start", MessageBodies.contentBlockStart(0));
      sse.event("ping", MessageBodies.ping());
      if (paced) sse.flush();
      int sent = 0;
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
        if (++sent == breakAfter) {
          settled = true;
          settle(buckets, request, generated);
          if (broken == Fault.Break.STREAM_ERROR) {
            outcome.fault = Fault.STREAM_ERROR;
            outcome.errorType = "overloaded_error";
            outcome.commit();
            sse.event("error", MessageBodies.streamError("overloaded_error", "Overloaded"));
            return;
          }
          outcome.fault = Fault.CONNECTION_DROP;
          outcome.commit();
          sse.flush();
          dropped = true;
          throw new ConnectionDropped();
        }
      }
      // settle and record before the last events leave, so a client that has read them sees both
      settled = true;
      settle(buckets, request, generated);
      outcome.commit();
      sse.event("content_block_stop", MessageBodies.contentBlockStop(0));
      sse.event("message_delta", MessageBodies.messageDelta(answer.stopReason(), split, words));
      sse.event("message_stop", MessageBodies.messageStop());
    } finally {
      if (!settled) {
        settle(buckets, request, generated);
      }
      if (!dropped) {
        sse.close();
      }
    }
  }

  /** Reserve rule at completion: refund {@code max_tokens − generated}; live: already charged as generated. */
  private void settle(PoolBuckets buckets, MessagesRequest request, long generated) {
    if (rule == OutputRule.RESERVE) {
      buckets.refundOutput(request.maxTokens() - generated, clock.nanoTime());
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

  private ApiException accelerationLimited(AccelerationLimit limit, long waitNanos, PoolBuckets buckets, long now) {
    Map<String, String> headers = new LinkedHashMap<>(RateLimitHeaders.of(buckets.snapshot(now), clock.wallTime()));
    headers.put("retry-after", Long.toString(Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L)));
    headers.put("x-should-retry", "true");
    return new ApiException(429, "rate_limit_error", RateLimitMessages.acceleration(limit), headers);
  }

  private ApiException injected(Fault fault, PoolBuckets buckets) {
    Map<String, String> headers = buckets == null ? new LinkedHashMap<>() : new LinkedHashMap<>(
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
    private static final TokenSplit NO_SPLIT = new TokenSplit(0, 0, 0, 0, java.util.List.of());
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
    String fault;

    Outcome(StatsRecorder stats, Instant arrived, String requestId) {
      this.stats = stats;
      this.arrived = arrived;
      this.requestId = requestId;
    }

    void commit() {
      if (committed) return;
      committed = true;
      TokenSplit s = split == null ? NO_SPLIT : split;
      if (fault != null && !fault.equals(Fault.SLOW_HEADERS)) {
        stats.faultInjected(fault); // slow headers were counted when they happened
      }
      stats.record(new RequestRecord(arrived, requestId, model, pool, status, errorType, limitedBy,
          s.inputTokens(), s.cacheCreation(), s.cacheRead(), outputTokens, maxTokens, stream, promptHash, fault));
    }
  }
}
