package dev.pacer;

import dev.pacer.http.ResponseHead;
import dev.pacer.limits.Bucket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The right to send one attempt: its pool's buckets hold the tokens reserved for it and a
 * concurrency slot is taken. Report the response with {@link #onResponse} as soon as its head
 * arrives, then end the permit exactly once: {@link #settle} with the actual usage, or
 * {@link #release} when it did not succeed. {@link #close} releases a permit nobody ended
 * (as unsent), so try-with-resources never leaks one.
 */
public final class Permit implements AutoCloseable {

  /** Why a permit ends without a success; decides what goes back to the buckets. */
  public enum Release {
    /** Never sent (cancelled, interrupted): everything goes back. */
    NOT_SENT,
    /** The server answered 429: it charged nothing; everything goes back. */
    RATE_LIMITED,
    /** The server answered 529: it charged nothing; everything goes back; concurrency shrinks. */
    OVERLOADED,
    /** No answer in time: the server may have admitted it and charged it all; nothing goes back; concurrency shrinks. */
    TIMED_OUT,
    /** Any other failure after sending: the server may have charged it all; nothing goes back. */
    FAILED
  }

  final PoolState pool;
  final Demand demand;
  final long[] reserved;
  final double[] levelAfter;
  final double[] correctionAt;
  final double[] grantedTotalAt;
  final long grantedAt;
  final long waitedNanos;
  final Bucket binding;
  final int attempt;
  private final AtomicBoolean open = new AtomicBoolean(true);
  /** A raise of the input level the server's headers suggested, decided at settle (guarded by the pool's lock). */
  double pendingInputRaise;
  /** The pool's total of input raises applied when this permit's reading was taken (see pendingInputRaise). */
  double inputRaisedAtReading;
  /** The pool's count of input lowerings when this permit's reading was taken (see pendingInputRaise). */
  long inputLoweringsAtReading;
  /**
   * The input bucket's level right after this attempt's admission as the server reported it (its
   * low end), or NaN: with the actual input count, known at settle, a lower bound of the burst.
   */
  double inputLevelReported = Double.NaN;
  /** How far this attempt's reading lowered the input forecast, beyond its rounding, while reads were under way. */
  double inputLowered;
  /** Whether the pool counted cache reads against ITPM when this was granted (see PoolState.settle). */
  boolean readsCounted;
  /** Whether the transport reported the request gone (its body written), and when (guarded by the pool's lock). */
  boolean left;
  long leftAt;
  /**
   * Set when the response head came with a success: a stream is then under way, and may end at
   * the server (its unused output refunded) before its last event reaches this client (guarded by
   * the pool's lock).
   */
  boolean answering;
  /** Set once the estimator has learned from this attempt's prompt count (guarded by the pool's lock). */
  boolean promptCounted;
  /** Set when a refusal proved the demand can never be admitted (guarded by the pool's lock). */
  volatile DemandTooLargeException hopeless;
  /**
   * Set when the server refused this attempt and asked for a whole window's wait: what the pool's
   * grants had taken then, per bucket, those refused left out (see PoolState.takenByGrants); else null
   * (guarded by the pool's lock).
   */
  volatile double[] takenAtWholeWindowRefusal;
  /** The same request's attempt before this one, when that one was refused for a whole window; else null. */
  volatile Permit refusedBefore;
  /** What the other permits in flight held when this one was granted, per bucket. */
  final double[] heldByOthers = new double[3];
  /** The pool's running total of output given back when this was granted (see PoolState.unexplained). */
  double outputGivenBackAtGrant;
  /** Output held by the permits granted just before this one (see PoolState.unexplained). */
  double outputHeldByRecentGrants;
  /**
   * Until its send-order span ends, the pool's running total of admission charges at this grant;
   * then ({@code grantedSoonAfterFinal}) what the grants within that span came to (see GrantsSoonAfter).
   */
  double[] grantedSoonAfter;
  boolean grantedSoonAfterFinal;
  /**
   * What this attempt took at admission, while its request is on its way and will say when it left
   * (see RefillLostInTransit); else null (guarded by the pool's lock).
   */
  double[] onItsWay;
  /** The attempts granted with this one, while the pool learns the output rule; else null. */
  OutputRuleEvidence.Cohort cohort;
  /** The pool's settled output total when this was granted, while the pool learns the output rule. */
  long settledOutputAtGrant;

  Permit(PoolState pool, Demand demand, long[] reserved, double[] levelAfter, double[] correctionAt,
      double[] grantedTotalAt, long grantedAt, long waitedNanos, Bucket binding, int attempt) {
    this.pool = pool;
    this.demand = demand;
    this.reserved = reserved;
    this.levelAfter = levelAfter;
    this.correctionAt = correctionAt;
    this.grantedTotalAt = grantedTotalAt;
    this.grantedAt = grantedAt;
    this.waitedNanos = waitedNanos;
    this.binding = binding;
    this.attempt = attempt;
  }

  public String pool() {
    return pool.name;
  }

  public Demand demand() {
    return demand;
  }

  /** Input tokens reserved (the estimate, until settled). */
  public long inputTokensReserved() {
    return reserved[Bucket.INPUT_TOKENS.ordinal()];
  }

  /** Output tokens held: {@code max_tokens} under the reserve rule, an estimate under the live rule. */
  public long outputTokensHeld() {
    return reserved[Bucket.OUTPUT_TOKENS.ordinal()];
  }

  /** How long the demand waited in the queue. */
  public Duration waited() {
    return Duration.ofNanos(waitedNanos);
  }

  /** The bucket the demand waited for longest, if it waited for one. */
  public Optional<Bucket> bindingBucket() {
    return Optional.ofNullable(binding);
  }

  /** 1 for a first attempt, 2 for the first retry, .... */
  public int attempt() {
    return attempt;
  }

  public boolean isOpen() {
    return open.get();
  }

  /**
   * Says the request has left: its last byte was written to the connection. Call it once, from the
   * transport, for a demand that {@link Demand#sendReported() said it would}; otherwise it does
   * nothing. Until then the governor assumes the server's bucket, if full, gains no refill from the
   * grant on: a cold client's first requests leave hundreds of milliseconds after their permits.
   */
  public void sent() {
    pool.sent(this);
  }

  /**
   * Feeds the response's rate-limit headers to the governor: limits learned, levels corrected.
   * Call once, as soon as the head arrives (for a stream, before its events).
   */
  public void onResponse(ResponseHead head) {
    pool.observe(this, head);
  }

  /**
   * Tells the server's count of the prompt before the answer ends (a stream's
   * {@code message_start} usage: input and cache tokens), so that the estimator learns from it at
   * once rather than when the stream ends. Optional; {@link #settle} does it otherwise.
   */
  public void promptCounted(Usage usage) {
    if (open.get()) {
      pool.promptCounted(this, usage);
    }
  }

  /** Ends the permit with the actual usage of a successful response. Later calls do nothing. */
  public void settle(Usage usage) {
    if (open.compareAndSet(true, false)) {
      pool.settle(this, usage);
    }
  }

  /** Ends the permit without a success. Later calls do nothing. */
  public void release(Release why) {
    if (open.compareAndSet(true, false)) {
      pool.release(this, why);
    }
  }

  /** Releases the permit as {@link Release#NOT_SENT} unless it was already ended. */
  @Override
  public void close() {
    release(Release.NOT_SENT);
  }

  @Override
  public String toString() {
    return "Permit[" + pool.name + ", attempt " + attempt + ", input " + inputTokensReserved() + ", output held "
        + outputTokensHeld() + (open.get() ? ", open" : ", ended") + "]";
  }
}
