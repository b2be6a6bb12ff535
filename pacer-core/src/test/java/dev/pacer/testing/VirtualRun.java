package dev.pacer.testing;

import dev.pacer.AsyncAttempt;
import dev.pacer.AttemptFailedException;
import dev.pacer.Demand;
import dev.pacer.Pacer;
import dev.pacer.PacerStats;
import dev.pacer.Permit;
import dev.pacer.Usage;
import dev.pacer.http.ApiError;
import dev.pacer.http.AttemptFailure;
import dev.pacer.http.ResponseHead;
import dev.pacer.time.FakeTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongPredicate;

/**
 * A whole job on virtual time: a {@link Pacer} sends every request of a workload to a
 * {@link ServerModel}, with latency, optional overloads and outages, and reports the figures of
 * design.md ("The figure of merit"). An hour of traffic runs in about a second.
 */
public final class VirtualRun {

  /** One request of a workload: its prompt length in characters, max_tokens and actual output. */
  public record Request(int promptChars, long inputTokens, long maxTokens, long outputTokens) {}

  /** What a run measured. */
  public record Result(String scenario, int requests, int succeeded, int failed, long attempts, long rateLimited,
      long overloaded, double elapsedSeconds, double lowerBoundSeconds, String binding, PacerStats stats) {

    public double efficiency() {
      return lowerBoundSeconds / elapsedSeconds;
    }

    public double attemptsPerRequest() {
      return (double) attempts / requests;
    }

    public double rateLimitedShare() {
      return (double) rateLimited / attempts;
    }

    /** The same result measured against another lower bound (when limits change mid-run). */
    public Result withLowerBound(double seconds) {
      return new Result(scenario, requests, succeeded, failed, attempts, rateLimited, overloaded, elapsedSeconds, seconds,
          binding, stats);
    }

    public String row() {
      return String.format("| %s | %d | %.3f | %d | %.2f%% | %.3f | %.1f | %.1f | %s |", scenario, requests, efficiency(),
          rateLimited, 100 * rateLimitedShare(), attemptsPerRequest(), lowerBoundSeconds, elapsedSeconds, binding);
    }
  }

  private final FakeTimeSource time;
  private final ServerModel server;
  private final long windowNanos;
  private final double burstFraction;
  private final long[] limits;
  private final Random random;
  private final List<Runnable> atStart = new ArrayList<>();
  private double overloadProbability;
  private LongPredicate outage = now -> false;
  private int outageStatus = 529;
  private boolean headersAtAnswer;
  private boolean outputChargedAsGenerated;
  private long networkSpreadNanos;
  private long coldStartNanos;
  private boolean sendsReported;
  private boolean answered;
  private Duration firstTokenLatency = Duration.ofMillis(800);
  private double tokensPerSecond = 200;
  private long rateLimited;
  private long overloaded;
  private long attemptsSent;
  private long retriesInOutage;
  private long firstAttemptsInOutage;
  private final List<String> sendLog = new ArrayList<>();
  private long startNanos;

  /** With {@link #streams}: how long after the server ends an answer its last event reaches the client; -1 for plain answers. */
  private long streamLastEventNanos = -1;

  public VirtualRun(FakeTimeSource time, ServerModel server, long[] limits, Duration window, double burstFraction, long seed) {
    this.time = time;
    this.server = server;
    this.limits = limits.clone();
    this.windowNanos = window.toNanos();
    this.burstFraction = burstFraction;
    this.random = new Random(seed);
  }

  /** Time to the first token and generation speed of every answer. */
  public VirtualRun latency(Duration firstToken, double tokensPerSecond) {
    this.firstTokenLatency = firstToken;
    this.tokensPerSecond = tokensPerSecond;
    return this;
  }

  /** When each attempt was sent, from the start, in seconds, with its outcome (200, 429, 529). */
  public List<String> sendLog() {
    return sendLog;
  }

  /** Stamps each answer's {@code Date} when it is done, as a server does for answers that do not stream. */
  public VirtualRun headersAtAnswer() {
    this.headersAtAnswer = true;
    return this;
  }

  /**
   * Under the live rule, the server charges each answer's output as it is generated (as it does for
   * a stream), a few tokens at a time from the first token on, instead of all at once at the end.
   */
  public VirtualRun outputChargedAsGenerated() {
    this.outputChargedAsGenerated = true;
    return this;
  }

  /**
   * Answers stream: the head reaches the client with the first token, and with it the prompt's
   * count ({@code message_start}); the last event (the usage, the settle) comes
   * {@code lastEventDelay} after the server ended the answer and refunded it.
   */
  public VirtualRun streams(Duration lastEventDelay) {
    this.streamLastEventNanos = lastEventDelay.toNanos();
    return this;
  }

  /**
   * Each attempt reaches the server after a delay drawn evenly from zero to {@code spread}, so
   * that requests sent together arrive in a different order, some of them late.
   */
  public VirtualRun networkSpread(Duration spread) {
    this.networkSpreadNanos = spread.toNanos();
    return this;
  }

  /**
   * Attempts granted before any answer has come back leave {@code delay} after their permits, as a
   * cold client's first requests do (classes loaded, connections opened); the server sees them
   * only then.
   */
  public VirtualRun coldStart(Duration delay) {
    this.coldStartNanos = delay.toNanos();
    return this;
  }

  /** Each attempt calls {@link Permit#sent()} as it leaves, its demand saying it will. */
  public VirtualRun sendsReported() {
    this.sendsReported = true;
    return this;
  }

  /** 529 before admission with this probability, like a service-wide overload. */
  public VirtualRun overloads(double probability) {
    this.overloadProbability = probability;
    return this;
  }

  /** Every attempt sent while {@code during} holds gets a 529 (a full outage). */
  public VirtualRun outage(LongPredicate during) {
    return outage(during, 529);
  }

  /** Every attempt sent while {@code during} holds gets {@code status}: 529, or a 5xx api_error. */
  public VirtualRun outage(LongPredicate during, int status) {
    this.outage = during;
    this.outageStatus = status;
    return this;
  }

  /** Schedules {@code action} at {@code delay} after the start (limits change, another client). */
  public VirtualRun at(Duration delay, Runnable action) {
    atStart.add(() -> time.schedule(action, delay.toNanos()));
    return this;
  }

  /** Retries sent while the outage lasted. */
  public long retriesInOutage() {
    return retriesInOutage;
  }

  /** First attempts sent while the outage lasted. */
  public long firstAttemptsInOutage() {
    return firstAttemptsInOutage;
  }

  /** Runs the workload to completion (or until {@code limit} of virtual time has passed). */
  public Result run(String scenario, Pacer pacer, String model, List<Request> workload, Duration limit) {
    long start = time.nanoTime();
    startNanos = start;
    atStart.forEach(Runnable::run);
    List<CompletableFuture<Usage>> futures = new ArrayList<>();
    long[] elapsedNanos = {0};
    for (Request request : workload) {
      Demand demand = Demand.estimated(model, "x".repeat(request.promptChars()), request.maxTokens());
      if (sendsReported) {
        demand = demand.withSendReported();
      }
      CompletableFuture<Usage> future = pacer.callAsync(demand, attempt(request));
      // nanoTime values compare by difference: the fake clock starts near Long.MAX_VALUE.
      future.whenComplete((usage, error) -> elapsedNanos[0] = Math.max(elapsedNanos[0], time.nanoTime() - start));
      futures.add(future);
    }
    time.runUntilIdle(limit);
    int succeeded = 0;
    int failed = 0;
    for (CompletableFuture<Usage> future : futures) {
      if (future.isDone() && !future.isCompletedExceptionally()) {
        succeeded++;
      } else {
        failed++;
      }
    }
    double elapsed = elapsedNanos[0] / 1e9;
    return new Result(scenario, workload.size(), succeeded, failed, attemptsSent, rateLimited, overloaded, elapsed,
        lowerBound(workload), binding(workload), pacer.stats());
  }

  private AsyncAttempt<Usage> attempt(Request request) {
    return permit -> {
      CompletableFuture<Usage> answer = new CompletableFuture<>();
      answer.whenComplete((usage, error) -> answered = true);
      long leaveDelay = answered ? 0 : coldStartNanos;
      if (leaveDelay > 0) {
        time.schedule(() -> leave(permit, request, answer), leaveDelay);
      } else {
        leave(permit, request, answer);
      }
      return answer;
    };
  }

  /** The attempt leaves the client. */
  private void leave(Permit permit, Request request, CompletableFuture<Usage> answer) {
    if (sendsReported) {
      permit.sent();
    }
    if (networkSpreadNanos > 0) {
      time.schedule(() -> arrive(permit, request, answer), (long) (random.nextDouble() * networkSpreadNanos));
    } else {
      arrive(permit, request, answer);
    }
  }

  /** The attempt reaches the server. */
  private void arrive(Permit permit, Request request, CompletableFuture<Usage> answer) {
    long now = time.nanoTime();
    attemptsSent++;
    if (outage.test(now)) {
      if (permit.attempt() > 1) {
        retriesInOutage++;
      } else {
        firstAttemptsInOutage++;
      }
    }
    if (outage.test(now) || random.nextDouble() < overloadProbability) {
      overloaded++;
      int status = outage.test(now) ? outageStatus : 529;
      log(now, status);
      ResponseHead head = ResponseHead.of(status, status == 529 ? Map.of("x-should-retry", "true") : Map.of());
      answer.completeExceptionally(new AttemptFailedException(new AttemptFailure.HttpError(head, status == 529
          ? new ApiError("overloaded_error", "Overloaded", null, "req_529")
          : new ApiError("api_error", "Internal server error", null, "req_5xx"))));
      return;
    }
    ServerModel.Admission admission = server.admit(request.inputTokens(), request.maxTokens(), now);
    if (!admission.admitted()) {
      rateLimited++;
      log(now, 429);
      answer.completeExceptionally(new AttemptFailedException(new AttemptFailure.HttpError(admission.head(),
          new ApiError("rate_limit_error", "This request would exceed the rate limit for your organization of "
              + admission.bucket().replace('-', ' ') + " per minute.", null, "req_429"))));
      return;
    }
    long latency = firstTokenLatency.toNanos() + (long) (request.outputTokens() / tokensPerSecond * 1e9);
    log(now, 200);
    long chargedEarly = outputChargedAsGenerated && server.rule() == ServerModel.Rule.LIVE ? chargeAsGenerated(request.outputTokens()) : 0;
    if (streamLastEventNanos >= 0) {
      time.schedule(() -> {
        permit.onResponse(admission.head());
        permit.promptCounted(Usage.of(request.inputTokens(), 0));
      }, firstTokenLatency.toNanos());
      time.schedule(() -> server.complete(request.maxTokens() - chargedEarly, request.outputTokens() - chargedEarly,
          time.nanoTime()), latency);
      time.schedule(() -> {
        Usage usage = Usage.of(request.inputTokens(), request.outputTokens());
        permit.settle(usage);
        answer.complete(usage);
      }, latency + streamLastEventNanos);
      return;
    }
    time.schedule(() -> complete(permit, request, chargedEarly, admission.head(), answer), latency);
  }

  /** Schedules the output's charges as it is generated, ten tokens at a time; returns the tokens so charged. */
  private long chargeAsGenerated(long outputTokens) {
    long charged = 0;
    while (charged + 10 <= outputTokens) {
      charged += 10;
      long at = firstTokenLatency.toNanos() + (long) (charged / tokensPerSecond * 1e9);
      time.schedule(() -> server.consume(2, 10, time.nanoTime()), at);
    }
    return charged;
  }

  private void log(long now, int status) {
    sendLog.add(String.format(java.util.Locale.ROOT, "%.3f:%d", (now - startNanos) / 1e9, status));
  }

  private void complete(Permit permit, Request request, long chargedEarly, ResponseHead head,
      CompletableFuture<Usage> answer) {
    server.complete(request.maxTokens() - chargedEarly, request.outputTokens() - chargedEarly, time.nanoTime());
    Usage usage = Usage.of(request.inputTokens(), request.outputTokens());
    permit.onResponse(headersAtAnswer ? server.datedAt(head, time.nanoTime()) : head);
    permit.settle(usage);
    answer.complete(usage);
  }

  /** design.md: max over buckets of (total − burst) / rate, plus one request's latency. */
  private double lowerBound(List<Request> workload) {
    double[] totals = new double[3];
    double latency = 0;
    for (Request request : workload) {
      totals[0] += 1;
      totals[1] += request.inputTokens();
      totals[2] += request.outputTokens();
      latency = Math.max(latency, firstTokenLatency.toNanos() / 1e9 + request.outputTokens() / tokensPerSecond);
    }
    double longest = 0;
    for (int b = 0; b < 3; b++) {
      double seconds = (totals[b] - limits[b] * burstFraction) / limits[b] * (windowNanos / 1e9);
      longest = Math.max(longest, seconds);
    }
    return longest + latency;
  }

  private String binding(List<Request> workload) {
    String[] names = {"requests", "input tokens", "output tokens"};
    double[] totals = new double[3];
    for (Request request : workload) {
      totals[0] += 1;
      totals[1] += request.inputTokens();
      totals[2] += request.outputTokens();
    }
    int best = 0;
    for (int b = 1; b < 3; b++) {
      if ((totals[b] - limits[b] * burstFraction) / limits[b] > (totals[best] - limits[best] * burstFraction) / limits[best]) {
        best = b;
      }
    }
    return names[best];
  }

  /** A workload: {@code count} requests whose sizes vary around the given means. */
  public static List<Request> workload(int count, int meanInputTokens, long maxTokens, int meanOutputTokens, long seed) {
    Random random = new Random(seed);
    List<Request> requests = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long input = Math.max(1, Math.round(meanInputTokens * (0.5 + random.nextDouble())));
      // The server's tokenizer is not the estimator's: about 0.27 tokens a character, varying.
      int chars = (int) Math.max(1, Math.round(input / (0.24 + 0.06 * random.nextDouble())));
      long output = Math.min(maxTokens, Math.max(1, Math.round(meanOutputTokens * (0.5 + random.nextDouble()))));
      requests.add(new Request(chars, input, maxTokens, output));
    }
    return requests;
  }
}
