package dev.pacer;

import dev.pacer.concurrency.ConcurrencyLimit;
import dev.pacer.events.PacerEvent;
import dev.pacer.events.PacerListener;
import dev.pacer.http.ResponseHead;
import dev.pacer.internal.RateLimitReading;
import dev.pacer.limits.Bucket;
import dev.pacer.limits.Limits;
import dev.pacer.limits.OutputRule;
import dev.pacer.store.BucketStore;
import dev.pacer.store.PoolBuckets;
import dev.pacer.time.TimeSource;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One pool's share of the governor: its three buckets, its wait queues, its pause and its
 * concurrency. Every method takes the pool's lock; futures are completed and events delivered
 * after the lock is let go.
 *
 * <p>The queue rule: strict FIFO within a priority, and only the head may be admitted. A large
 * demand at the head holds back the small ones behind it until the buckets can take it, so it is
 * never starved; the cost is that small demands wait behind it. Interactive demands go before
 * batch ones, unless the batch head has waited longer than the starvation guard. A retry goes to
 * the head of its queue, except after its attempt failed as the overload brake's probe: then it
 * queues at the back, so that an outage's probes are spread over the requests instead of
 * spending one request's attempts.
 */
final class PoolState {

  private static final int REQ = Bucket.REQUESTS.ordinal();
  private static final int IN = Bucket.INPUT_TOKENS.ordinal();
  private static final int OUT = Bucket.OUTPUT_TOKENS.ordinal();
  private static final Bucket[] BUCKETS = Bucket.values();
  /** Capacities that bound nothing (read only). */
  private static final double[] NO_CAPACITY_BOUND = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
      Double.POSITIVE_INFINITY};
  /** Token counts in {@code remaining} are rounded to the nearest 1,000. */
  private static final double TOKEN_ROUNDING = 500;
  /** The least time a request may take from its permit to the server (see sendOrderSpanNanos). */
  private static final long SEND_ORDER_MILLIS = 50;
  /**
   * How soon after a grant another grant is taken to have maybe reached the server first (see
   * GrantsSoonAfter): a burst's grants come within a few milliseconds of each other. Shorter than
   * the send-order span on purpose: that span grows to half the quickest answer, and in a steady
   * stream every grant within it would excuse a reading that shows a real shortfall.
   */
  private static final long OVERTAKING_SPAN_NANOS = SEND_ORDER_MILLIS * 1_000_000L;
  /** The longest a burst of admissions under the live rule stays open (see liveBurstSpanNanos). */
  private static final long LIVE_BURST_SPAN_MILLIS = 10;

  final String name;
  private final GovernorConfig config;
  private final TimeSource time;
  private final long windowNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final PoolBuckets store;
  private final long[] limit = {Limits.UNKNOWN, Limits.UNKNOWN, Limits.UNKNOWN};
  private final double[] capacity = new double[3];
  /** The largest capacity the latest reading allows (its remaining plus reset's refill); +inf unknown. */
  private final double[] capacityUpperBound = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
      Double.POSITIVE_INFINITY};
  private final double[] capacityLowerBound = new double[3];
  private final boolean[] hasReading = new boolean[3];
  private final long[] newestReadingAt = new long[3];
  /** What the permits in flight hold, per bucket. */
  private final double[] heldInFlight = new double[3];
  private final DriftEstimate[] drift = {new DriftEstimate(), new DriftEstimate(), new DriftEstimate()};
  private final Deque<Waiter> interactive = new ArrayDeque<>();
  private final Deque<Waiter> batch = new ArrayDeque<>();
  private final ConcurrencyLimit concurrency;
  /** How the server counts output: as told, or reserve until the headers prove live (see ruleEvidence). */
  private OutputRule outputRule;
  private final OutputRuleEvidence ruleEvidence = new OutputRuleEvidence(TOKEN_ROUNDING);
  private final OutputTracker outputs = new OutputTracker();
  private final CacheReadEvidence cacheReads;

  private boolean probing;
  private Bucket pauseBucket;
  private long ticketSequence;
  private int inFlight;
  private int overloadStreak;
  /** Output tokens given back so far (unused output at settle, all of it on a release); see unexplained. */
  private double outputGivenBack;
  private final RecentGrants recentGrants = new RecentGrants();
  private final GrantsSoonAfter grantsSoonAfter = new GrantsSoonAfter();
  private final RefillLostInTransit refillLostInTransit = new RefillLostInTransit(new RefillLostInTransit.Buckets() {
    @Override
    public double capacity(int b) {
      return capacity[b];
    }

    @Override
    public double ratePerNano(int b) {
      return PoolState.this.ratePerNano(b);
    }

    @Override
    public boolean chargedAtAdmission(int b) {
      // Under the live rule the server charges output only as it is generated, after arrival.
      return limit[b] != Limits.UNKNOWN && (b != OUT || outputRule == OutputRule.RESERVE);
    }
  });
  /** Attempts granted since the latest success (see brakeOnOverloadStreak). */
  private int grantsSinceSuccess;
  /**
   * Every raise of the input forecast applied so far (each waits for its permit's settle). Readings
   * taken before an earlier one's raise was applied saw the same shortfall: their own raise is cut
   * by what was raised since, or the shortfall is made up twice.
   */
  private double inputRaised;
  /** How many readings have lowered the input forecast so far: one after a reading voids its pending raise. */
  private long inputLowerings;
  /**
   * What this process's grants have taken, per bucket, less those the server refused: an upper
   * bound of what they cost the server's buckets (see refusedTwiceWithTheBucketFull).
   */
  private final double[] takenByGrants = new double[3];
  /**
   * Set when the server refused a max_tokens beyond what its output bucket can hold (see
   * checkFits): it holds max_tokens at admission, as under the reserve rule.
   */
  private boolean reserveProven;
  /** The pace after a refused ramp-up (a 429 the buckets do not explain), the governor's; see RampLimiter. */
  private final RampLimiter ramp;
  /** Brake pauses since the brake was put on (0: off), and when the latest began (see brakeOnOverloadStreak). */
  private int brakePauses;
  private long brakeStartedAt;
  /** Demands whose probe failed: their retry queues at the back (see the class comment). */
  private final java.util.Set<Demand> failedProbes =
      java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
  /** Whether the estimator vouched for its estimates of this pool when last asked (see settle). */
  private boolean estimatorTrusted;
  /** Whether the estimator has learned from any of this pool's answers (see observe). */
  private boolean estimatorSampled;
  /** Demands set aside until the estimator can say whether they fit (see mayNeverFit). */
  private final List<Waiter> parked = new ArrayList<>();
  /**
   * While set, nothing is admitted before holdUntil (see jitterWaitNanos), as long as the head's
   * demand still leaves no room for the floor of holdBucket: a reading that shows a larger burst
   * lifts the hold at once.
   */
  private boolean holding;
  private long holdUntil;
  private Bucket holdBucket;
  private TimeSource.Scheduled wake;
  private long wakeAt;
  private boolean closed;
  /**
   * Live rule: the output held by permits granted in the burst now open, not yet charged to the
   * store (see grant), and when that burst opened.
   */
  private double burstOutput;
  private long burstOpenedAt;
  private boolean burstOpen;
  /** The quickest answer so far (send to settle), or -1 before the first: bounds the burst's span. */
  private long quickestAnswerNanos = -1;

  PoolState(String name, GovernorConfig config, TimeSource time, BucketStore buckets, RampLimiter ramp) {
    this.name = name;
    this.config = config;
    this.time = time;
    this.windowNanos = config.window().toNanos();
    this.ramp = ramp;
    this.concurrency = config.concurrency().apply(name);
    this.outputRule = config.outputRule();
    this.cacheReads = new CacheReadEvidence(config.catalog().countsCacheReads(name), TOKEN_ROUNDING, windowNanos);
    this.store = buckets.pool(name, windowNanos);
    // A store shared with other processes says when capacity came back through one of them.
    store.onChange(this::onStoreChange);
    long now = time.nanoTime();
    Limits configured = config.configuredLimits(name);
    for (Bucket bucket : BUCKETS) {
      if (configured.isKnown(bucket)) {
        applyLimit(bucket, configured.get(bucket), now);
      }
    }
    // Nothing known: send one request at a time until the server's headers say more.
    this.probing = !configured.anyKnown();
  }

  // ---- acquire ------------------------------------------------------------------------------

  /** Queues a demand; the future completes with a permit when the buckets can take it. */
  CompletableFuture<Permit> enqueue(Demand demand, long inputTokens, int attempt, boolean retry, long timeoutNanos) {
    CompletableFuture<Permit> future = new CompletableFuture<>();
    List<Runnable> after = new ArrayList<>();
    lock.lock();
    try {
      long now = time.nanoTime();
      if (closed) {
        future.completeExceptionally(new PacerClosedException("Pacer is closed; no new requests are taken"));
        return future;
      }
      long[] need = needOf(demand, inputTokens);
      checkFits(demand, need);
      Waiter waiter = new Waiter(demand, need, attempt, now, future, nextTicket());
      Deque<Waiter> queue = demand.priority() == Priority.INTERACTIVE ? interactive : batch;
      if (mayNeverFit(demand, need) && underWayBesides(0)) {
        parked.add(waiter);
      } else if (retry && !failedProbes.remove(demand)) {
        queue.addFirst(waiter);
      } else {
        queue.addLast(waiter);
      }
      if (timeoutNanos != Long.MAX_VALUE) {
        waiter.timeout = time.schedule(() -> expire(waiter), timeoutNanos);
      }
      drain(now, after);
    } finally {
      lock.unlock();
    }
    run(after);
    future.whenComplete((permit, failure) -> {
      if (future.isCancelled()) {
        forget(future);
      }
    });
    return future;
  }

  /** A permit now, or empty if the demand would have to wait (or others are waiting). */
  Optional<Permit> tryAcquire(Demand demand, long inputTokens) {
    List<Runnable> after = new ArrayList<>();
    Permit permit = null;
    lock.lock();
    try {
      long now = time.nanoTime();
      if (closed) {
        throw new PacerClosedException("Pacer is closed; no new requests are taken");
      }
      long[] need = needOf(demand, inputTokens);
      checkFits(demand, need);
      if (interactive.isEmpty() && batch.isEmpty()) {
        Waiter waiter = new Waiter(demand, need, 1, now, null, nextTicket());
        if (locallyAdmissible() && ramp.nanosUntilNext(now) == 0) {
          takeRefillLostInTransit(now);
          double[] admitted = admissionNeed(need);
          PoolBuckets.Take take = store.tryTake(admitted, waiter.ticket);
          if (take.granted()) {
            permit = grant(waiter, admitted, take, now, after);
          } else {
            store.withdraw(waiter.ticket);
          }
        }
      }
    } finally {
      lock.unlock();
    }
    run(after);
    return Optional.ofNullable(permit);
  }

  /** A waiter's ticket, for a store that reads them (null otherwise: nothing built per request). */
  private String nextTicket() {
    return store.readsTickets() ? name + "#" + ticketSequence++ : null;
  }

  /**
   * Whether an estimate the estimator cannot vouch for yet (too few answers) puts a demand above
   * the input limit. Such a demand is parked rather than sent: the answers to the requests already
   * under way calibrate the estimator within a round trip, and then it is either refused before
   * any attempt or queued (see releaseParked). With nothing else under way it goes at once and
   * the server decides.
   */
  private boolean mayNeverFit(Demand demand, long[] need) {
    return demand.needsEstimate() && limit[IN] != Limits.UNKNOWN && need[IN] > limit[IN]
        && !config.estimator().isCalibrated(name);
  }

  /**
   * Estimates the head's input again with what the estimator knows now: a job handed over at once
   * was estimated before any answer, and the cautious first guess would otherwise hold twice the
   * input of every request to the end. Returns false when the waiter left the queue: refused (it
   * can never fit) or parked (it may never fit; see mayNeverFit).
   */
  private boolean reestimate(Waiter waiter, List<Runnable> after) {
    if (!waiter.demand.needsEstimate() || waiter.demand.endpoint() != Demand.Endpoint.MESSAGES) {
      return true;
    }
    estimateAgain(waiter);
    if (mayNeverFit(waiter.demand, waiter.need) && underWayBesides(1)) {
      if (!interactive.remove(waiter)) {
        batch.remove(waiter); // its timeout, if any, keeps running while it is parked
      }
      parked.add(waiter);
      return false;
    }
    try {
      checkFits(waiter.demand, waiter.need);
      return true;
    } catch (DemandTooLargeException tooLarge) {
      abandon(waiter);
      after.add(() -> waiter.future.completeExceptionally(tooLarge));
      return false;
    }
  }

  /**
   * Parked demands, re-estimated, are refused or queued once the estimator is calibrated, or once
   * nothing else is under way to calibrate it (then the server decides).
   */
  private void releaseParked(List<Runnable> after) {
    if (parked.isEmpty()) {
      return;
    }
    if (!config.estimator().isCalibrated(name) && underWayBesides(0)) {
      return;
    }
    for (Waiter waiter : parked) {
      estimateAgain(waiter);
      try {
        checkFits(waiter.demand, waiter.need);
        (waiter.demand.priority() == Priority.INTERACTIVE ? interactive : batch).addFirst(waiter);
      } catch (DemandTooLargeException tooLarge) {
        withdraw(waiter);
        after.add(() -> waiter.future.completeExceptionally(tooLarge));
      }
    }
    parked.clear();
  }

  /** Estimates an estimated Messages demand's input again, with what the estimator knows now. */
  private void estimateAgain(Waiter waiter) {
    if (waiter.demand.needsEstimate() && waiter.demand.endpoint() == Demand.Endpoint.MESSAGES) {
      waiter.need[IN] = config.estimator().estimate(name, waiter.demand.inputText()) + cacheReads.extraFor(waiter.demand);
    }
  }

  /**
   * Whether anything else is under way that will calibrate the estimator: an attempt in flight,
   * or a waiter beyond the {@code queuedSelf} (0 or 1) the caller itself holds in the queues.
   */
  private boolean underWayBesides(int queuedSelf) {
    return inFlight > 0 || interactive.size() + batch.size() > queuedSelf;
  }

  private long[] needOf(Demand demand, long inputTokens) {
    long[] need = new long[3];
    need[REQ] = 1;
    if (demand.endpoint() == Demand.Endpoint.MESSAGES) {
      need[IN] = inputTokens + cacheReads.extraFor(demand);
      need[OUT] = outputRule == OutputRule.RESERVE ? demand.maxTokens() : outputs.hold(demand.maxTokens());
    }
    return need;
  }

  /**
   * Fails at once a demand the server can never admit: more than a bucket's limit, or more than its
   * capacity where the user configured the burst.
   */
  private void checkFits(Demand demand, long[] need) {
    checkFits(demand, need, config.burst() != null ? capacity : NO_CAPACITY_BOUND, false);
  }

  /**
   * As {@link #checkFits(Demand, long[])}, against the given capacities; {@code refused}: the
   * server has just refused this demand, told to wait a whole window.
   */
  private void checkFits(Demand demand, long[] need, double[] capacities, boolean refused) {
    for (Bucket bucket : BUCKETS) {
      int b = bucket.ordinal();
      if (limit[b] == Limits.UNKNOWN) {
        continue;
      }
      double ceiling = Math.min(limit[b], capacities[b]);
      if (need[b] <= ceiling + 1e-6) {
        continue;
      }
      if (b == OUT && (outputRule == OutputRule.LIVE || (!refused && outputRuleAssumed()))) {
        // The live rule admits whenever the bucket is not in debt. With the rule only assumed,
        // the server decides: refused, the demand fails then (see observe), and so do the others
        // that could never be held; admitted, the reading shows the live rule.
        continue;
      }
      if (b == IN && demand.needsEstimate() && !config.estimator().isCalibrated(name)) {
        continue; // an uncalibrated estimate is no proof; let the server's count decide
      }
      String hint = hint(bucket, demand, true);
      if (need[b] <= limit[b]) {
        throw new DemandTooLargeException(name, bucket, need[b], (long) Math.floor(ceiling + 1e-6),
            bucket.id().replace('_', ' ') + " at once (the bucket's burst)", hint);
      }
      throw new DemandTooLargeException(name, bucket, need[b], limit[b], hint);
    }
  }

  /** What a demand too large for {@code bucket} can do about it; a burst, unlike a limit, cannot be raised. */
  private static String hint(Bucket bucket, Demand demand, boolean limitCanBeRaised) {
    return switch (bucket) {
      case INPUT_TOKENS -> (demand.needsEstimate() ? "(The count is estimated from the prompt's length, calibrated"
          + " on this pool's answers.) " : "") + "Shorten the prompt" + (limitCanBeRaised
          ? ", or raise the input-token limit." : ".");
      case OUTPUT_TOKENS -> "Lower max_tokens" + (limitCanBeRaised ? ", or raise the output-token limit." : ".");
      case REQUESTS -> "";
    };
  }

  // ---- the queue ----------------------------------------------------------------------------

  private Waiter head(long now) {
    Waiter first = interactive.peekFirst();
    Waiter second = batch.peekFirst();
    if (first == null) {
      return second;
    }
    if (second == null) {
      return first;
    }
    return now - second.enqueuedAt >= config.starvationGuard().toNanos() ? second : first;
  }

  private void remove(Waiter waiter) {
    if (!interactive.remove(waiter) && !batch.remove(waiter)) {
      parked.remove(waiter);
    }
    if (waiter.timeout != null) {
      waiter.timeout.cancel();
    }
  }

  /** A waiter leaves the queue without a permit. */
  private void abandon(Waiter waiter) {
    remove(waiter);
    store.withdraw(waiter.ticket);
  }

  /** Admits waiters from the head while the buckets allow, then sets a timer for the next. */
  private void drain(long now, List<Runnable> after) {
    if (burstOpen && now - burstOpenedAt > liveBurstSpanNanos()) {
      closeLiveBurst();
    }
    while (true) {
      Waiter waiter = head(now);
      if (waiter == null) {
        cancelWake();
        return;
      }
      if (waiter.future.isDone()) {
        abandon(waiter);
        continue;
      }
      if (!reestimate(waiter, after)) {
        continue;
      }
      if (!locallyAdmissible()) {
        cancelWake(); // a permit's end will drain again
        return;
      }
      if (holding && holdUntil - now > 0 && jitterWaitNanos(holdBucket, admissionNeed(waiter.need)) > 0) {
        scheduleWake(holdUntil);
        return;
      }
      long rampWait = ramp.nanosUntilNext(now); // the pace after a refused ramp-up, if one is set
      if (rampWait > 0) {
        waiter.binding = Bucket.REQUESTS;
        scheduleWake(now + rampWait);
        return;
      }
      PoolBuckets.Take take;
      double[] admitted = admissionNeed(waiter.need);
      try {
        takeRefillLostInTransit(now);
        take = store.tryTake(admitted, waiter.ticket);
      } catch (RuntimeException storeFailed) {
        // A shared store that fails closed (its backend gone too long): this waiter fails, with why.
        abandon(waiter);
        after.add(() -> waiter.future.completeExceptionally(storeFailed));
        continue;
      }
      if (take.granted()) {
        holding = false;
        remove(waiter);
        Permit permit = grant(waiter, admitted, take, now, after);
        after.add(() -> {
          if (!waiter.future.complete(permit)) {
            permit.release(Permit.Release.NOT_SENT);
          }
        });
        continue;
      }
      waiter.binding = take.paused() ? pauseBucket : take.binding();
      long wakeAt = now + take.waitNanos() + jitterWaitNanos(take.binding(), admissionNeed(waiter.need));
      if (wakeAt - (now + take.waitNanos()) > 0) {
        holding = true;
        holdUntil = wakeAt;
        holdBucket = take.binding();
      }
      scheduleWake(wakeAt);
      return;
    }
  }

  /**
   * Whether this process may send one more now, before asking the buckets: the concurrency limit,
   * and one at a time while probing (limits unknown, or overloads coming in a row) until a success.
   */
  private boolean locallyAdmissible() {
    boolean oneAtATime = probing || brakePauses > 0;
    return inFlight < concurrency.limit() && !(oneAtATime && inFlight > 0);
  }

  private static double[] doubles(long[] values) {
    return new double[] {values[0], values[1], values[2]};
  }

  /**
   * What the buckets must hold to admit a demand. Under the live rule the server admits while the
   * output bucket is not in debt and charges the answer as it is generated; Pacer asks the same
   * (one token) of a burst's first request, and charges the output the burst's requests hold when
   * the burst closes (see grant), so its forecast is at or below the server's level once the burst
   * is under way and runs into debt no further than one burst.
   */
  private double[] admissionNeed(long[] need) {
    double[] admission = doubles(need);
    if (outputRule == OutputRule.LIVE) {
      // The burst's first request found the bucket out of debt; the others are admitted against
      // that same level (see liveBurstSpanNanos).
      admission[OUT] = burstOpen ? 0 : Math.min(admission[OUT], 1);
    }
    return admission;
  }

  /** Grants the waiter its permit; {@code admitted} is what the take asked of the buckets. */
  private Permit grant(Waiter waiter, double[] admitted, PoolBuckets.Take take, long now, List<Runnable> after) {
    double[] levelAfter = take.levelsAfter();
    double unchargedOutput = waiter.need[OUT] - admitted[OUT];
    if (unchargedOutput > 0) {
      // Charged when the burst closes: until then the burst's other requests are admitted
      // against the level before it (see liveBurstSpanNanos).
      if (!burstOpen) {
        burstOpen = true;
        burstOpenedAt = now;
      }
      burstOutput += unchargedOutput;
      levelAfter[OUT] -= unchargedOutput;
    }
    for (int b = 0; b < 3; b++) {
      heldInFlight[b] += waiter.need[b];
    }
    inFlight++;
    grantsSinceSuccess++;
    ramp.took(now);
    long waited = now - waiter.enqueuedAt;
    Permit permit = new Permit(this, waiter.demand, waiter.need, levelAfter, take.correctionTotals(),
        take.chargedTotals(), now, waited, waiter.binding, waiter.attempt);
    cacheReads.granted(permit);
    for (int b = 0; b < 3; b++) {
      takenByGrants[b] += waiter.need[b];
      permit.heldByOthers[b] = heldInFlight[b] - waiter.need[b];
    }
    permit.outputGivenBackAtGrant = outputGivenBack;
    if (waiter.demand.sendReported()) {
      // levelAfter's output is lowered above only under the live rule, where output is not counted.
      refillLostInTransit.granted(admitted, levelAfter, now);
      permit.onItsWay = admitted;
    }
    grantsSoonAfter.granted(permit, waiter.need, outputRule == OutputRule.RESERVE, now, OVERTAKING_SPAN_NANOS);
    if (outputRule == OutputRule.RESERVE) { // only readings under the reserve rule use it (see unexplained)
      permit.outputHeldByRecentGrants = recentGrants.granted(now, waiter.need[OUT], sendOrderSpanNanos());
    }
    if (learnsOutputRule()) {
      ruleEvidence.granted(permit, now, liveBurstSpanNanos());
    }
    emit(after, new PacerEvent.Acquired(name, Duration.ofNanos(waited), waiter.binding, waiter.need[IN],
        waiter.need[OUT], waiter.attempt));
    return permit;
  }

  /**
   * How long a burst of admissions under the live rule stays open. The server admits while its
   * output bucket is not in debt and charges an answer only as it is generated, so requests that
   * reach it together are all admitted against the same level, before any of them has produced a
   * token: an ideal client sends a whole burst while the bucket is not in debt and lets the
   * answers run it into debt. Pacer does the same for the requests it admits within this span of
   * the first (all of a job handed over at once), then charges their output and admits no more
   * until the debt is repaid. The span is short next to the time any answer takes (at most a
   * quarter of the quickest answer seen, and {@value #LIVE_BURST_SPAN_MILLIS} ms), so the burst
   * reaches the server before its first tokens are generated; an answer coming back closes the
   * burst at once.
   */
  private long liveBurstSpanNanos() {
    long span = LIVE_BURST_SPAN_MILLIS * 1_000_000L;
    return quickestAnswerNanos < 0 ? span : Math.min(span, quickestAnswerNanos / 4);
  }

  /** Charges the output held by the live burst's permits, and closes it. */
  private void closeLiveBurst() {
    if (burstOpen) {
      store.charge(new double[] {0, 0, burstOutput});
      burstOutput = 0;
      burstOpen = false;
    }
  }

  private void scheduleWake(long at) {
    if (wake != null && wakeAt - at <= 0) {
      return; // an earlier (or equal) wake-up is already set
    }
    cancelWake();
    wakeAt = at;
    wake = time.schedule(this::onWake, Math.max(0, at - time.nanoTime()));
  }

  private void cancelWake() {
    if (wake != null) {
      wake.cancel();
      wake = null;
    }
  }

  private void onWake() {
    List<Runnable> after = new ArrayList<>();
    lock.lock();
    try {
      wake = null;
      drain(time.nanoTime(), after);
    } finally {
      lock.unlock();
    }
    run(after);
  }

  private void onStoreChange() {
    List<Runnable> after = new ArrayList<>();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      drain(time.nanoTime(), after);
    } finally {
      lock.unlock();
    }
    run(after);
  }

  private void expire(Waiter waiter) {
    List<Runnable> after = new ArrayList<>();
    lock.lock();
    try {
      if (waiter.future.isDone()) {
        return;
      }
      abandon(waiter);
      after.add(() -> waiter.future.completeExceptionally(new PacerTimeoutException(
          "timed out waiting for capacity in pool '" + name + "'"
              + (waiter.binding == null ? "" : " (waiting for " + waiter.binding.id() + ")"),
          waiter.demand.timeout(), waiter.attempt - 1)));
      drain(time.nanoTime(), after);
    } finally {
      lock.unlock();
    }
    run(after);
  }

  private void forget(CompletableFuture<Permit> future) {
    List<Runnable> after = new ArrayList<>();
    lock.lock();
    try {
      interactive.removeIf(waiter -> waiter.future == future && withdraw(waiter));
      batch.removeIf(waiter -> waiter.future == future && withdraw(waiter));
      parked.removeIf(waiter -> waiter.future == future && withdraw(waiter));
      drain(time.nanoTime(), after);
    } finally {
      lock.unlock();
    }
    run(after);
  }

  /** For removeIf: cancels the waiter's timer and withdraws its ticket. */
  private boolean withdraw(Waiter waiter) {
    if (waiter.timeout != null) {
      waiter.timeout.cancel();
    }
    store.withdraw(waiter.ticket);
    return true;
  }

  // ---- requests on their way ----------------------------------------------------------------

  /** The permit's request has left: its transport said so (see RefillLostInTransit). */
  void sent(Permit permit) {
    lock.lock();
    try {
      permit.leftAt = time.nanoTime();
      permit.left = true;
      requestLeft(permit, permit.leftAt);
    } catch (RuntimeException storeFailed) {
      // Called from the transport mid-request: a shared store out of reach must not fail the
      // request. The loss is not taken; the next take or reading meets the store's failure.
    } finally {
      lock.unlock();
    }
  }

  /**
   * Under the reserve rule the server refunds an answer's unused output into a bucket that does
   * not yet hold the requests still on their way to it, and a bucket refills only up to its
   * capacity: near full, it loses the part of the refund those requests' holds would have made
   * room for. The forecast, which took those holds at their grant, would keep it and run ahead of
   * the server (a 1,333-token output bucket, answers of seconds: a refund of 850 kept while a
   * 1,000-token grant was on its way drew a 429 for the next request). So after a refund the
   * forecast is kept at most the capacity less what may still be on its way: the holds of
   * requests not yet sent, or, if more, of those granted in the last {@value #SEND_ORDER_MILLIS}
   * ms, this permit's own excepted (its answer came). Not the whole send-order span (half the
   * quickest answer): with answers of seconds that held back a bucket's worth at every refund and
   * halved the pace.
   */
  private void capRefundByGrantsInTransit(Permit permit, long now) {
    if (outputRule != OutputRule.RESERVE || limit[OUT] == Limits.UNKNOWN) {
      return;
    }
    long span = OVERTAKING_SPAN_NANOS;
    double inTransit = Math.max(refillLostInTransit.heldOnTheirWay(OUT),
        recentGrants.heldWithin(now, span) - (now - permit.grantedAt <= span ? permit.reserved[OUT] : 0));
    if (inTransit > 0) {
      store.lowerTo(Bucket.OUTPUT_TOKENS, capacity[OUT] - inTransit);
    }
  }

  /** The permit's request left by {@code now} (said, or surely: its answer came); takes the refill lost. */
  private void requestLeft(Permit permit, long now) {
    if (permit.onItsWay == null) {
      return;
    }
    double[] loss = refillLostInTransit.sent(permit.onItsWay, now);
    permit.onItsWay = null;
    if (loss != null) {
      store.charge(loss);
    }
  }

  /** The permit's request never got a charge from the server (not sent, or refused). */
  private void neverCharged(Permit permit) {
    if (permit.onItsWay != null) {
      refillLostInTransit.withdrawn(permit.onItsWay);
      permit.onItsWay = null;
    }
  }

  /** Before a take: the refill the server has lost so far to requests still on their way. */
  private void takeRefillLostInTransit(long now) {
    double[] loss = refillLostInTransit.lossToTake(now);
    if (loss != null) {
      store.charge(loss);
    }
  }

  // ---- settle and release -------------------------------------------------------------------

  void settle(Permit permit, Usage usage) {
    List<Runnable> after = new ArrayList<>();
    lock.lock();
    try {
      long now = time.nanoTime();
      requestLeft(permit, now);
      closeLiveBurst();
      long answerNanos = now - permit.grantedAt;
      if (quickestAnswerNanos < 0 || answerNanos < quickestAnswerNanos) {
        quickestAnswerNanos = answerNanos;
      }
      if (permit.demand.endpoint() == Demand.Endpoint.MESSAGES) {
        // Reads found counted while this attempt was in flight: the readings that showed it have
        // already lowered the forecast by them.
        long actualInput = usage.rateLimitedInputTokens(permit.readsCounted);
        double inputSurplus = permit.reserved[IN] - actualInput;
        double outputSurplus = permit.reserved[OUT] - usage.outputTokens();
        store.charge(new double[] {0, -inputSurplus, -outputSurplus});
        outputGivenBack += Math.max(0, outputSurplus);
        if (outputSurplus > 0) {
          capRefundByGrantsInTransit(permit, now);
        }
        // A reading since that lowered the forecast found it too high even without this raise.
        double inputRaise = inputLowerings != permit.inputLoweringsAtReading ? 0
            : permit.pendingInputRaise - Math.max(0, inputSurplus) - (inputRaised - permit.inputRaisedAtReading);
        if (inputRaise > 0) {
          store.raise(Bucket.INPUT_TOKENS, inputRaise);
          inputRaised += inputRaise;
        }
        if (cacheReads.settled(permit, usage.cacheReadInputTokens(), actualInput, now)) {
          interactive.forEach(this::estimateAgain);
          batch.forEach(this::estimateAgain);
          emit(after, new PacerEvent.LimitsLearned(name, currentLimits(), currentLimits(),
              "input_tokens count cache reads (" + cacheReads.describe() + ")"));
        }
        outputs.record(usage.outputTokens());
        ruleEvidence.settled(usage.outputTokens());
        if (!Double.isNaN(permit.inputLevelReported) && limit[IN] != Limits.UNKNOWN && config.burst() == null
            && raiseCapacityLowerBound(IN, permit.inputLevelReported + actualInput)) {
          emit(after, new PacerEvent.LimitsLearned(name, currentLimits(), currentLimits(),
              "input_tokens burst >= " + Math.round(capacity[IN])));
        }
        calibrateEstimator(permit, usage, actualInput, after);
        emit(after, new PacerEvent.Settled(name, permit.reserved[IN], actualInput, permit.reserved[OUT],
            usage.outputTokens()));
      }
      releaseHeld(permit);
      overloadStreak = 0;
      grantsSinceSuccess = 0;
      if (permit.grantedAt - brakeStartedAt > 0) {
        brakePauses = 0; // a probe got through; an answer to an older attempt says nothing about now
        if (!failedProbes.isEmpty()) {
          failedProbes.clear(); // clearing an empty IdentityHashMap still sweeps its table
        }
      }
      int inFlightBefore = inFlight--;
      probing = false;
      concurrencySample(after, () -> concurrency.onSuccess(now - permit.grantedAt, inFlightBefore));
      releaseParked(after);
      drain(now, after);
    } finally {
      lock.unlock();
    }
    run(after);
  }

  /**
   * The server's count of an answer's prompt, known before the answer ends (a stream's
   * {@code message_start}): the estimator learns from it now, not when the stream ends.
   */
  void promptCounted(Permit permit, Usage usage) {
    if (permit.demand.endpoint() != Demand.Endpoint.MESSAGES) {
      return;
    }
    List<Runnable> after = new ArrayList<>();
    lock.lock();
    try {
      calibrateEstimator(permit, usage, usage.rateLimitedInputTokens(permit.readsCounted), after);
      drain(time.nanoTime(), after);
    } finally {
      lock.unlock();
    }
    run(after);
  }

  /** Once per attempt, at its prompt's count: the estimator learns from an estimated demand. */
  private void calibrateEstimator(Permit permit, Usage usage, long actualInput, List<Runnable> after) {
    if (!permit.demand.needsEstimate() || permit.promptCounted) {
      return;
    }
    permit.promptCounted = true;
    // A text that leaves out a prefix assumed read matches the count only where the server
    // read it and left the read out: written instead, or its read counted, the count holds a
    // prefix the text lacks (a sample that says a question costs a document's tokens, which
    // the estimator would apply to every text until 32 newer samples pushed it out).
    boolean assumedReadMissed = permit.demand.cacheReadAssumed()
        && (usage.cacheReadInputTokens() <= 0 || permit.readsCounted);
    if (!assumedReadMissed) {
      boolean partlyCached = usage.cacheReadInputTokens() > 0 && !permit.readsCounted;
      config.estimator().calibrate(name, permit.demand.inputText(), actualInput, partlyCached);
      estimatorSampled = true;
    }
    if (probing && permit.answering) {
      probing = false; // the probe kept the pool waiting for this count (see observe)
    }
    if (!estimatorTrusted && config.estimator().isCalibrated(name)) {
      // Once, when the estimator starts to vouch for its estimates: every waiter is
      // estimated again, and those that can now be seen never to fit fail at once.
      estimatorTrusted = true;
      interactive.forEach(this::estimateAgain);
      batch.forEach(this::estimateAgain);
      failHopelessWaiters(after);
    }
  }

  void release(Permit permit, Permit.Release why) {
    List<Runnable> after = new ArrayList<>();
    lock.lock();
    try {
      long now = time.nanoTime();
      closeLiveBurst(); // before a refund of what the burst has not charged yet
      switch (why) {
        case NOT_SENT, RATE_LIMITED, OVERLOADED -> neverCharged(permit);
        case TIMED_OUT, FAILED -> requestLeft(permit, now);
      }
      switch (why) {
        case NOT_SENT, RATE_LIMITED, OVERLOADED -> {
          store.charge(new double[] {-permit.reserved[REQ], -permit.reserved[IN], -permit.reserved[OUT]});
          outputGivenBack += permit.reserved[OUT];
        }
        case TIMED_OUT, FAILED -> { } // the server may have charged it all: keep it (headers correct us later)
      }
      releaseHeld(permit);
      inFlight--;
      if (why == Permit.Release.OVERLOADED || why == Permit.Release.TIMED_OUT || why == Permit.Release.FAILED) {
        // An outage may answer 529, 503 or nothing at all: a streak of any of them brakes.
        brakeOnOverloadStreak(permit, now, after);
      }
      switch (why) {
        case OVERLOADED, TIMED_OUT -> concurrencySample(after, concurrency::onOverload);
        case FAILED -> concurrencySample(after, concurrency::onOtherFailure);
        case NOT_SENT, RATE_LIMITED -> { }
      }
      emit(after, new PacerEvent.Released(name, why.name().toLowerCase(java.util.Locale.ROOT)));
      releaseParked(after);
      drain(now, after);
    } finally {
      lock.unlock();
    }
    run(after);
  }

  private void releaseHeld(Permit permit) {
    ruleEvidence.ended(permit);
    cacheReads.ended(permit);
    for (int b = 0; b < 3; b++) {
      heldInFlight[b] -= permit.reserved[b];
    }
  }

  /**
   * An outage answers every attempt at once with a 529 (or a 5xx, or a refused connection), which
   * costs no bucket anything, so nothing but this holds the queue back: after
   * {@value #OVERLOAD_STREAK} such failures in a row with no success between, and making at least
   * two thirds of the attempts granted since the latest success, the pool pauses for
   * 250 ms and then sends one request at a time; each such probe that fails doubles the pause, up
   * to 30 s (a retried request is the next probe, so rarer probes spare its attempts in a long
   * outage); the first probe that succeeds takes the brake off. Answers to attempts sent
   * before the pause began, failed or not, arrive late and say nothing about now: they neither
   * lengthen the pause nor take the brake off. Service-wide 529s at a steady rate (even 20% of
   * attempts) rarely make such a streak. The share matters after a burst: its 529s come back at
   * once and its successes only with their answers, so a fifth of 64 sent together is a streak of
   * a dozen (from 64 in flight at 20%, 65 needless pauses in 12,000 requests, E 0.95; 11 now), but
   * of the 64 granted it is still a fifth. In an outage every attempt fails, so the share is one.
   *
   * <p>Not done, on purpose: asking the streak to outlast a success's usual time as well (529s of
   * a burst come back before any success can). Where failures come back at once, a whole queue
   * went out and failed before any time passed (a 5-minute outage on virtual time: 8,188 failed
   * attempts, and the concurrency limit collapsed).
   */
  private void brakeOnOverloadStreak(Permit permit, long now, List<Runnable> after) {
    overloadStreak++;
    if (brakePauses > 0 && permit.grantedAt - brakeStartedAt <= 0) {
      return; // sent before the pause began: it says nothing new, so the pause does not grow
    }
    if (brakePauses == 0 && (overloadStreak < OVERLOAD_STREAK || overloadStreak * 3 < grantsSinceSuccess * 2)) {
      return;
    }
    if (brakePauses > 0) {
      failedProbes.add(permit.demand);
    }
    int doublings = Math.min(7, brakePauses);
    long pauseNanos = Math.min(MAX_OVERLOAD_PAUSE_NANOS, OVERLOAD_PAUSE_NANOS << doublings);
    brakePauses++;
    brakeStartedAt = now;
    store.pause(pauseNanos);
    pauseBucket = null;
    emit(after, new PacerEvent.Paused(name, Duration.ofNanos(pauseNanos), null, overloadStreak + " overloads in a row"));
  }

  private void concurrencySample(List<Runnable> after, Runnable sample) {
    int before = concurrency.limit();
    sample.run();
    int now = concurrency.limit();
    if (now != before) {
      emit(after, new PacerEvent.ConcurrencyChanged(name, before, now));
    }
  }

  // ---- feedback -----------------------------------------------------------------------------

  /**
   * Learns from one response's headers: limits (the server's win), a lower bound of the burst,
   * and corrections of the levels where the server has less than forecast.
   */
  void observe(Permit permit, ResponseHead head) {
    RateLimitReading reading = RateLimitReading.of(head);
    List<Runnable> after = new ArrayList<>();
    lock.lock();
    try {
      long now = time.nanoTime();
      requestLeft(permit, now);
      closeLiveBurst(); // readings are compared with a forecast that holds the burst's output
      if (!head.isSuccess()) {
        ramp.notAdmitted(permit.grantedAt);
      }
      if (reading.isEmpty()) {
        probing = false; // a server that sends no rate-limit headers: nothing more to wait for
        return;
      }
      Limits before = currentLimits();
      StringBuilder learned = new StringBuilder();
      boolean admitted = head.isSuccess();
      permit.answering = admitted;
      for (Bucket bucket : BUCKETS) {
        Optional<RateLimitReading.BucketReading> found = reading.bucket(bucket);
        if (found.isEmpty()) {
          continue;
        }
        RateLimitReading.BucketReading read = found.get();
        int b = bucket.ordinal();
        boolean wasKnown = limit[b] != Limits.UNKNOWN;
        if (read.limit().isPresent() && read.limit().getAsLong() > 0 && read.limit().getAsLong() != limit[b]) {
          if (!wasKnown && admitted && read.remaining().isPresent() && config.burst() == null) {
            // A bucket learned from this reading starts from what the server showed (remaining,
            // plus what it charged this attempt when that is known), not from the assumed burst:
            // starting there and refilling, the first seconds crawled at the refill rate.
            capacityLowerBound[b] = Math.max(capacityLowerBound[b],
                read.remaining().getAsLong() - toleranceOf(b) + knownCharge(b, permit));
          }
          long oldLimit = limit[b];
          applyLimit(bucket, read.limit().getAsLong(), now);
          if (wasKnown && limit[b] < oldLimit) {
            // The server already refilled at the new rate when it answered this attempt; since the
            // grant the forecast refilled at the old one. Take back the difference.
            double overRefill = (double) (oldLimit - limit[b]) / windowNanos * Math.max(0, now - permit.grantedAt);
            store.lowerTo(bucket, store.state().levels()[b] - overRefill);
          }
          learned.append(learned.isEmpty() ? "" : ", ").append(bucket.id()).append(" limit ").append(read.limit().getAsLong());
        }
        if (limit[b] == Limits.UNKNOWN || read.remaining().isEmpty()) {
          continue;
        }
        double tolerance = toleranceOf(b);
        double remaining = read.remaining().getAsLong();
        // Admitting a max_tokens beyond the limit is a proof on its own: under the reserve rule no
        // bucket could have held it.
        if (b == OUT && admitted && learnsOutputRule() && (permit.reserved[OUT] > limit[OUT]
            || ruleEvidence.provesLive(permit, remaining, permit.reserved[OUT], limit[OUT], sendOrderSpanNanos(),
                ratePerNano(OUT)))) {
          outputRule = OutputRule.LIVE;
          // Readings taken for reserve raised the forecast by holds the server never made: start
          // again from this one. The server had remaining (within the rounding) when it admitted
          // this attempt and has since charged, or will charge, the output of every answer in
          // flight then or since and of those done since (refill left out, to be safe).
          store.lowerTo(Bucket.OUTPUT_TOKENS, remaining - tolerance - heldInFlight[OUT] - ruleEvidence.settledSince(permit));
          learned.append(learned.isEmpty() ? "" : ", ")
              .append("output rule live (max_tokens is not held at admission)");
        }
        // What the server charged this attempt at admission (nothing, if it refused it); for
        // input, our estimate of it (the count is known only at settle).
        double charged = !admitted ? 0 : b == IN ? permit.reserved[IN] : knownCharge(b, permit);
        // The server held at least remaining + what it charged this attempt before admitting it:
        // a lower bound of the burst. The input it charged is known only at settle (see there).
        if (b == IN && admitted) {
          permit.inputLevelReported = remaining - tolerance;
        }
        if (learnCapacity(bucket, remaining - tolerance + (admitted ? knownCharge(b, permit) : 0), read, reading,
            tolerance, (now - permit.grantedAt) / 1e9)) {
          learned.append(learned.isEmpty() ? "" : ", ").append(bucket.id()).append(" burst >= ")
              .append(Math.round(capacity[b]));
        }
        if (admitted && wasKnown && !(b == OUT && outputRule == OutputRule.LIVE)) {
          learnDrift(b, permit, remaining, tolerance, now);
        }
        if (!wasKnown || Double.isNaN(permit.levelAfter[b])) {
          store.lowerTo(bucket, remaining - tolerance);
          continue;
        }
        // Only the newest reading may raise the forecast: an older one would undo what newer
        // readings have taught since.
        boolean newest = !hasReading[b] || permit.grantedAt - newestReadingAt[b] >= 0;
        if (newest) {
          hasReading[b] = true;
          newestReadingAt[b] = permit.grantedAt;
        }
        // The server's level right after this attempt's admission, against our forecast then.
        double forecast = permit.levelAfter[b] + permit.reserved[b] - charged;
        // Token counts are rounded to the nearest 1,000: the server has within 500 of what it
        // says. A forecast in that band is kept. One above it is lowered to (remaining - 500);
        // one below it is raised to (remaining - 500), less what the other permits in flight
        // could explain (the server may have refunded or never charged what we give back only
        // when they end).
        // A bucket refills only up to its capacity: one full (or nearly) after admission gained
        // less since than a forecast below it, which refilled all along. The difference, at most
        // the refill since the grant less the room the server had (its level was at most
        // remaining + 500, its capacity at least ours), is not the server's.
        double room = Math.max(0, capacity[b] - remaining - tolerance);
        double hiddenRefill = Math.max(0, ratePerNano(b) * Math.max(0, now - permit.grantedAt) - room);
        // Requests granted just after this one may have reached the server first: its reading
        // shows them charged, and so does the forecast now. A reading that low is no news. Adding
        // their charges to both remaining and what may explain a higher reading lowers the forecast
        // only beyond them and raises it exactly as before.
        double overtaking = grantsSoonAfter.after(permit, b, now, OVERTAKING_SPAN_NANOS);
        // The server reports floor(level): it has [remaining, remaining + 1) requests. A forecast
        // in that band agrees with it (lowering it to the low end cost a request's refill at
        // every reading taken just before the bucket refilled its next request).
        double band = b == REQ ? 0.5 : 0;
        double corrected = store.correct(new PoolBuckets.Reading(bucket, remaining + band + overtaking,
            tolerance + band, forecast, permit.correctionAt[b], newest,
            unexplained(b, permit) + hiddenRefill + overtaking, b == IN));
        if (b == IN) {
          cacheReads.lowered(permit, -corrected, now);
          // This permit's own input surplus (estimate over actual) is known only at settle.
          permit.pendingInputRaise = Math.max(0, corrected);
          permit.inputRaisedAtReading = inputRaised;
          if (corrected < 0) {
            inputLowerings++;
          }
          permit.inputLoweringsAtReading = inputLowerings;
        }
      }
      if (!learned.isEmpty()) {
        emit(after, new PacerEvent.LimitsLearned(name, before, currentLimits(), learned.toString()));
        failHopelessWaiters(after);
      }
      double retryAfterSeconds = retryAfterSeconds(head);
      if (head.status() == 429 && refusedWithRoom(reading, permit)) {
        double pace = ramp.refused(now, (long) (retryAfterSeconds * 1e9));
        if (pace > 0) {
          emit(after, new PacerEvent.LimitsLearned(name, currentLimits(), currentLimits(), String.format(Locale.ROOT,
              "ramp-up refused with room in every bucket: at most %.0f requests a window (every pool), growing by half"
                  + " each window", pace)));
        }
      }
      boolean refusedForAWindow = !admitted && retryAfterSeconds * 1e9 >= windowNanos;
      if (refusedForAWindow) {
        // Refused, and told to wait a whole window: if this reading also proves the bucket can
        // never hold the demand, retrying is hopeless.
        try {
          checkFits(permit.demand, permit.reserved, capacityUpperBound, true);
        } catch (DemandTooLargeException tooLarge) {
          permit.hopeless = tooLarge;
          if (tooLarge.bucket() == Bucket.OUTPUT_TOKENS && outputRuleAssumed()) {
            reserveProven = true; // under the live rule a bucket out of debt admits any max_tokens
            failHopelessWaiters(after);
          }
        }
        if (permit.hopeless == null) {
          permit.hopeless = refusedTwiceWithTheBucketFull(permit, reading);
        }
      }
      if (head.status() == 429 || head.status() == 529) {
        for (int b = 0; b < 3; b++) {
          takenByGrants[b] -= permit.reserved[b]; // refused before admission: charged nothing
        }
        if (refusedForAWindow && head.status() == 429) {
          permit.takenAtWholeWindowRefusal = takenByGrants.clone();
        }
      }
      // The probe's headers tell the limits, but where its input was estimated and the estimator
      // has no count yet, a burst on the cautious first guess overdraws the input bucket of a
      // server that counts more than it (text dense with symbols): the pool stays one at a time
      // until the probe's count, which comes moments later (the body, a stream's message_start).
      probing = probing && admitted && permit.demand.needsEstimate() && !estimatorSampled
          && limit[IN] != Limits.UNKNOWN;
      drain(now, after);
    } finally {
      lock.unlock();
    }
    run(after);
  }

  /**
   * A demand the server refused for a whole window twice in a row, the second time with nothing
   * else taken from the bucket since the pool waited out the first window (so the bucket was full),
   * needs more than the bucket can ever hold: its burst, which no header states. (The server asks
   * for a whole window only for such a demand, or for one that lacks nearly a whole window's refill:
   * waiting that out fills the bucket.) One reading alone proves it only where its rounding, a
   * second of refill and 1,000 tokens, is small against the demand (checkFits with the capacity's
   * upper bound); on a short window it rarely is. The bucket is the one the demand comes nearest to
   * filling, as the refusal shows it. Null when this refusal proves nothing: the first, grants of
   * others in between (takenByGrants: what they were granted, those refused left out), or no
   * bucket near. Another process sharing the buckets is not seen, but it waits out the same pause.
   */
  private DemandTooLargeException refusedTwiceWithTheBucketFull(Permit permit, RateLimitReading reading) {
    Permit before = permit.refusedBefore;
    double[] then = before == null ? null : before.takenAtWholeWindowRefusal;
    if (then == null) {
      return null;
    }
    Bucket nearest = null;
    long shown = 0;
    double nearestShare = 0.5;
    for (Bucket bucket : BUCKETS) {
      int b = bucket.ordinal();
      Optional<RateLimitReading.BucketReading> found = reading.bucket(bucket);
      if (found.isEmpty() || found.get().remaining().isEmpty() || permit.reserved[b] <= 0) {
        continue;
      }
      long remaining = found.get().remaining().getAsLong();
      double share = permit.reserved[b] / Math.max(1.0, remaining + toleranceOf(b));
      if (share > nearestShare) {
        nearestShare = share;
        nearest = bucket;
        shown = remaining;
      }
    }
    if (nearest == null) {
      return null;
    }
    int b = nearest.ordinal();
    double takenByOthers = takenByGrants[b] - then[b] - permit.reserved[b];
    if (takenByOthers > toleranceOf(b) + 1e-6) {
      return null;
    }
    String hint = hint(nearest, permit.demand, false);
    long allowed = Math.max(shown, (long) Math.floor(capacityLowerBound[b]));
    return new DemandTooLargeException(name, nearest, Math.max((long) Math.ceil(permit.reserved[b]), allowed + 1),
        allowed, nearest.id().replace('_', ' ') + " at once (the bucket's burst, as far as the headers show it: the"
            + " server refused this request twice, each time for a whole window, the second time with the bucket full)",
        hint);
  }

  /**
   * Whether a 429 came with room for the attempt in every bucket its headers show: the server
   * refused a ramp-up, not a rate (see RampLimiter). A bucket within its rounding of the need
   * explains the refusal.
   */
  private boolean refusedWithRoom(RateLimitReading reading, Permit permit) {
    boolean shown = false;
    for (Bucket bucket : BUCKETS) {
      Optional<RateLimitReading.BucketReading> found = reading.bucket(bucket);
      if (found.isEmpty() || found.get().remaining().isEmpty()) {
        continue;
      }
      int b = bucket.ordinal();
      if (b == IN && permit.demand.cacheReadAssumed() && !permit.readsCounted) {
        return false; // held without its read: a server that counts reads explains the refusal
      }
      double need = b == OUT && outputRule == OutputRule.LIVE ? 1 : Math.max(1, permit.reserved[b]);
      if (found.get().remaining().getAsLong() - toleranceOf(b) < need) {
        return false;
      }
      shown = true;
    }
    return shown;
  }

  /** Whether the output rule is still to be learned: not told, and no reading has shown live yet. */
  private boolean learnsOutputRule() {
    return !config.outputRuleTold() && outputRule == OutputRule.RESERVE;
  }

  /**
   * Whether the reserve rule is only assumed: not told, and the server has shown neither rule. A
   * max_tokens beyond the output limit then proves nothing before the server has answered it: the
   * 2026 API counts output as it is generated, and admits such a request.
   */
  private boolean outputRuleAssumed() {
    return learnsOutputRule() && !reserveProven;
  }

  /**
   * What the other permits in flight when {@code permit} was granted may make a reading of bucket
   * {@code b} show above the forecast without the server having more to give: what the server
   * never charged or has already given back, that Pacer gives back only when they end. Under the
   * reserve rule the server holds an admitted request's max_tokens until its answer is done, as
   * Pacer does until it settles, so for output that is only what was given back since this
   * permit's grant (an answer done at the server before this attempt arrived, a 429's whole hold)
   * and the holds of the permits granted just before it (see sendOrderSpanNanos), which may have
   * reached the server after it; the holds of answers sent well before and still under way explain
   * nothing. Otherwise all their holds: input, whose
   * estimates the server never charged, and output under the live rule, which the server charges
   * only as it is generated.
   */
  private double unexplained(int b, Permit permit) {
    if (b == OUT && outputRule == OutputRule.RESERVE) {
      return Math.min(permit.heldByOthers[OUT],
          permit.outputHeldByRecentGrants + outputGivenBack - permit.outputGivenBackAtGrant);
    }
    return permit.heldByOthers[b];
  }

  /**
   * How long after its permit a request may reach the server, for all Pacer knows: a request
   * granted earlier than that before another is taken to have arrived first. At least
   * {@value #SEND_ORDER_MILLIS} ms, and half the quickest answer (a new connection's handshake
   * can take that long where answers take seconds).
   */
  private long sendOrderSpanNanos() {
    return Math.max(SEND_ORDER_MILLIS * 1_000_000L, quickestAnswerNanos / 2);
  }

  /** How far a reading of bucket {@code b} may be off: token counts are rounded to the nearest 1,000. */
  private static double toleranceOf(int b) {
    return b == REQ ? 0 : TOKEN_ROUNDING;
  }

  /**
   * What the server surely charged an admitted attempt of bucket {@code b} at admission, where
   * Pacer knows it exactly: the request itself, and max_tokens under the reserve rule. Input is
   * counted by the server (known at settle); output under the live rule is charged later.
   */
  private double knownCharge(int b, Permit permit) {
    return switch (BUCKETS[b]) {
      case REQUESTS -> 1;
      case OUTPUT_TOKENS -> outputRule == OutputRule.RESERVE ? permit.demand.maxTokens() : 0;
      case INPUT_TOKENS -> 0;
    };
  }

  private static double retryAfterSeconds(ResponseHead head) {
    try {
      return head.header("retry-after").map(value -> Double.parseDouble(value.trim())).orElse(0.0);
    } catch (NumberFormatException notSeconds) {
      return 0;
    }
  }

  /**
   * Estimates how fast someone unseen drains bucket {@code b}: between two readings at least a
   * few seconds apart, the server's level fell by more than our own grants explain (refill
   * counted, and only while the bucket was not full, when refill is hidden). The forecast then
   * refills that much slower, so a second program on the same key draws no 429s. Not learned for
   * output under the live rule, where the server charges later than we hold.
   */
  private void learnDrift(int b, Permit permit, double remaining, double tolerance, long now) {
    DriftEstimate estimate = drift[b];
    double rate = ratePerNano(b);
    if (estimate.hasSample) {
      long span = permit.grantedAt - estimate.grantedAt;
      if (span <= 0) {
        return; // an older reading than the last one used
      }
      if (span < Math.max(DRIFT_MIN_SPAN_NANOS, windowNanos / 30)) {
        return;
      }
      double refill = rate * span;
      if (estimate.remaining + tolerance + refill < capacity[b]) {
        double ours = permit.grantedTotalAt[b] - estimate.grantedTotal;
        double foreign = estimate.remaining + refill - ours - remaining;
        double sample = foreign / span;
        estimate.rate += DRIFT_GAIN * (sample - estimate.rate);
        estimate.rate = Math.max(-rate, Math.min(rate, estimate.rate));
        // At most half the rate: a forecast that never refills sends nothing, so no reading could
        // ever correct it (the pool stalled for good). Beyond half, 429s teach the rest.
        store.setDrain(BUCKETS[b], Math.min(MAX_DRIFT_SHARE * rate, Math.max(0, estimate.rate)));
      }
    }
    estimate.hasSample = true;
    estimate.grantedAt = permit.grantedAt;
    estimate.remaining = remaining;
    estimate.grantedTotal = permit.grantedTotalAt[b];
  }

  /**
   * Raises the capacity to what the server has shown (a lower bound: remaining plus what the
   * reset time says is missing), never above an upper bound the same reading implies. Returns
   * whether the capacity changed.
   */
  private boolean learnCapacity(Bucket bucket, double lowerFromRemaining, RateLimitReading.BucketReading read,
      RateLimitReading reading, double tolerance, double attemptSeconds) {
    int b = bucket.ordinal();
    double perSecond = limit[b] * 1e9 / windowNanos;
    double lower = lowerFromRemaining;
    double upper = Double.POSITIVE_INFINITY;
    Optional<Double> toFull = read.secondsToFull(reading.serverDate());
    if (toFull.isPresent() && read.remaining().isPresent()) {
      // reset is rounded up and Date down, so each may be a second off. And reset describes the
      // bucket at admission while Date is stamped when the headers go out, after the whole
      // answer unless it streams: the attempt's time may lie between them.
      lower = Math.max(lower, read.remaining().getAsLong() - tolerance + perSecond * Math.max(0, toFull.get() - 2));
      upper = read.remaining().getAsLong() + tolerance + perSecond * (toFull.get() + attemptSeconds);
      capacityUpperBound[b] = upper;
    }
    if (config.burst() != null) {
      return false; // the user said what the burst is
    }
    return raiseCapacityLowerBound(b, lower);
  }

  /** Whether the server counts cache reads against this pool's ITPM: the data's word, or learned (CacheReadEvidence). */
  boolean countsCacheReads() {
    return cacheReads.counted();
  }

  /**
   * Takes {@code lower} as a lower bound of bucket {@code b}'s burst; the capacity becomes the
   * largest such bound (at least the assumed burst), never above the latest upper bound. Returns
   * whether the capacity changed.
   */
  private boolean raiseCapacityLowerBound(int b, double lower) {
    double perSecond = limit[b] * 1e9 / windowNanos;
    capacityLowerBound[b] = Math.min(limit[b], Math.max(capacityLowerBound[b], lower));
    double assumed = perSecond * config.assumedBurst().toNanos() / 1e9;
    double learned = Math.min(Math.max(assumed, capacityLowerBound[b]), capacityUpperBound[b]);
    learned = Math.min(limit[b], Math.max(1, learned));
    if (Math.abs(learned - capacity[b]) < 0.5) {
      return false;
    }
    capacity[b] = learned;
    store.setCapacity(BUCKETS[b], learned);
    store.setFloor(BUCKETS[b], floorFor(b));
    return true;
  }

  /** Sets a bucket's limit and the capacity that goes with what is known of the burst. */
  private void applyLimit(Bucket bucket, long newLimit, long now) {
    int b = bucket.ordinal();
    double perSecond = newLimit * 1e9 / windowNanos;
    double newCapacity;
    if (config.burst() != null) {
      newCapacity = perSecond * config.burst().toNanos() / 1e9;
    } else {
      capacityLowerBound[b] = Math.min(capacityLowerBound[b], newLimit);
      newCapacity = Math.max(perSecond * config.assumedBurst().toNanos() / 1e9, capacityLowerBound[b]);
    }
    limit[b] = newLimit;
    capacityUpperBound[b] = Double.POSITIVE_INFINITY;
    capacity[b] = Math.max(1, Math.min(newCapacity, newLimit));
    store.configure(bucket, newLimit, capacity[b]);
    store.setFloor(bucket, floorFor(b));
  }

  /**
   * A bucket too small to keep its floor under this demand (a burst of one request, say) can
   * only wait until it is full, and a request sent the moment it fills may reach the server a hair
   * early. Such a demand waits the jitter allowance's refill longer.
   */
  private long jitterWaitNanos(Bucket binding, double[] need) {
    if (binding == null || limit[binding.ordinal()] == Limits.UNKNOWN) {
      return 0;
    }
    int b = binding.ordinal();
    double floor = floorFor(b);
    return need[b] + floor > capacity[b] ? (long) Math.ceil(floor / ratePerNano(b)) : 0;
  }

  /** The jitter allowance of bucket {@code b}: its refill over the allowance, at most half the capacity. */
  private double floorFor(int b) {
    return Math.min(ratePerNano(b) * config.jitterAllowance().toNanos(), capacity[b] / 2);
  }

  private double ratePerNano(int b) {
    return (double) limit[b] / windowNanos;
  }

  private Limits currentLimits() {
    return new Limits(limit[REQ], limit[IN], limit[OUT]);
  }

  /** After limits were learned, waiters that can now never fit fail rather than wait forever. */
  private void failHopelessWaiters(List<Runnable> after) {
    for (Deque<Waiter> queue : List.of(interactive, batch)) {
      queue.removeIf(waiter -> {
        try {
          checkFits(waiter.demand, waiter.need);
          return false;
        } catch (DemandTooLargeException tooLarge) {
          withdraw(waiter);
          after.add(() -> waiter.future.completeExceptionally(tooLarge));
          return true;
        }
      });
    }
  }

  /**
   * A 429: every caller of the pool waits until {@code pause} has passed. {@code bucket} is the
   * one the server says ran dry, if known.
   */
  void pause(Duration pause, Bucket bucket, String serverMessage) {
    List<Runnable> after = new ArrayList<>();
    lock.lock();
    try {
      long now = time.nanoTime();
      store.pause(pause.toNanos());
      pauseBucket = bucket;
      emit(after, new PacerEvent.Paused(name, pause, bucket, serverMessage));
      drain(now, after);
    } finally {
      lock.unlock();
    }
    run(after);
  }

  // ---- views and shutdown -------------------------------------------------------------------

  PoolSnapshot snapshot() {
    lock.lock();
    try {
      PoolBuckets.State state = store.state();
      return new PoolSnapshot(name, currentLimits(), state.levels(), state.capacities(), interactive.size() + batch.size() + parked.size(),
          inFlight, concurrency.limit(), Duration.ofNanos(state.pausedForNanos()));
    } finally {
      lock.unlock();
    }
  }

  void close() {
    List<Runnable> after = new ArrayList<>();
    lock.lock();
    try {
      closed = true;
      cancelWake();
      for (java.util.Collection<Waiter> queue : List.of(interactive, batch, parked)) {
        for (Waiter waiter : queue) {
          withdraw(waiter);
          after.add(() -> waiter.future.completeExceptionally(
              new PacerClosedException("Pacer was closed while the request waited in pool '" + name + "'")));
        }
        queue.clear();
      }
    } finally {
      lock.unlock();
    }
    run(after);
  }

  private void emit(List<Runnable> after, PacerEvent event) {
    PacerListener listener = config.listener();
    if (listener != PacerListener.NONE) {
      after.add(() -> PacerListener.deliver(listener, event));
    }
  }

  /** Runs what a locked section left to do (complete futures, deliver events), off this stack. */
  private void run(List<Runnable> after) {
    if (after.isEmpty()) {
      return;
    }
    time.execute(() -> {
      for (Runnable action : after) {
        action.run();
      }
    });
  }

  private static final int OVERLOAD_STREAK = 5;
  private static final long OVERLOAD_PAUSE_NANOS = 250_000_000L;
  private static final long MAX_OVERLOAD_PAUSE_NANOS = 30_000_000_000L;
  private static final long DRIFT_MIN_SPAN_NANOS = 2_000_000_000L;
  private static final double DRIFT_GAIN = 0.2;
  private static final double MAX_DRIFT_SHARE = 0.5;

  /** One bucket's estimate of unseen consumption, and the reading it was last sampled from. */
  private static final class DriftEstimate {
    double rate;
    boolean hasSample;
    long grantedAt;
    double remaining;
    double grantedTotal;
  }

  /** A demand in the queue. */
  private static final class Waiter {
    final Demand demand;
    final long[] need;
    final int attempt;
    final long enqueuedAt;
    final CompletableFuture<Permit> future;
    final String ticket;
    Bucket binding;
    TimeSource.Scheduled timeout;

    Waiter(Demand demand, long[] need, int attempt, long enqueuedAt, CompletableFuture<Permit> future, String ticket) {
      this.ticket = ticket;
      this.demand = demand;
      this.need = need;
      this.attempt = attempt;
      this.enqueuedAt = enqueuedAt;
      this.future = future;
    }
  }

  /**
   * Output tokens to hold under the live rule: {@code max_tokens} until a few responses have
   * been seen, then the largest of the recent outputs plus a margin, never above max_tokens.
   */
  private static final class OutputTracker {
    private static final int SAMPLES = 32;
    private static final int TRUSTED_AFTER = 3;
    private final long[] recent = new long[SAMPLES];
    private int count;

    void record(long outputTokens) {
      recent[count % SAMPLES] = outputTokens;
      count++;
    }

    long hold(long maxTokens) {
      if (count < TRUSTED_AFTER) {
        return maxTokens;
      }
      long largest = 0;
      for (int i = 0; i < Math.min(count, SAMPLES); i++) {
        largest = Math.max(largest, recent[i]);
      }
      return Math.max(1, Math.min(maxTokens, (largest * 11 + 9) / 10)); // +10%, rounded up
    }
  }
}
