package dev.pacer.simulator.internal;

import dev.pacer.simulator.Limits;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The buckets of one pool (requests, input, output), or of the count_tokens endpoint (requests
 * only), behind one lock so that an admission sees and charges all of them at once.
 */
public final class PoolBuckets {

  private final ReentrantLock lock = new ReentrantLock();
  private final Map<BucketKind, TokenBucket> buckets = new EnumMap<>(BucketKind.class);
  private final long windowNanos;
  private final long burstNanos;

  private PoolBuckets(Map<BucketKind, Long> limits, long windowNanos, long burstNanos, long nowNanos) {
    this.windowNanos = windowNanos;
    this.burstNanos = burstNanos;
    limits.forEach((kind, limit) ->
        buckets.put(kind, new TokenBucket(kind, limit, windowNanos, burstNanos, nowNanos)));
  }

  /** A Messages pool, every bucket full. {@code burstNanos ≤ 0} means a full window. */
  public static PoolBuckets forPool(Limits limits, long windowNanos, long burstNanos, long nowNanos) {
    return new PoolBuckets(asMap(limits), windowNanos, burstNanos, nowNanos);
  }

  /** The count_tokens endpoint: one requests bucket. */
  public static PoolBuckets requestsOnly(long rpm, long windowNanos, long burstNanos, long nowNanos) {
    Map<BucketKind, Long> limits = new EnumMap<>(BucketKind.class);
    limits.put(BucketKind.REQUESTS, rpm);
    return new PoolBuckets(limits, windowNanos, burstNanos, nowNanos);
  }

  private static Map<BucketKind, Long> asMap(Limits limits) {
    Map<BucketKind, Long> m = new EnumMap<>(BucketKind.class);
    m.put(BucketKind.REQUESTS, limits.rpm());
    m.put(BucketKind.INPUT_TOKENS, limits.itpm());
    m.put(BucketKind.OUTPUT_TOKENS, limits.otpm());
    return m;
  }

  /** Refills to now, decides, and takes the need when admitted. */
  public Admission tryAdmit(Need need, long nowNanos) {
    lock.lock();
    try {
      refillAll(nowNanos);
      Admission decision = AdmissionRule.decide(states(), need, windowNanos / 1e9);
      if (!decision.admitted()) {
        return decision;
      }
      buckets.forEach((kind, bucket) -> bucket.take(need.taken(kind)));
      return Admission.admitted(states());
    } finally {
      lock.unlock();
    }
  }

  /** Reserve rule at completion: {@code x_output ← min(C, x_output + m − o)}. */
  public void refundOutput(long tokens, long nowNanos) {
    if (tokens <= 0) return;
    lock.lock();
    try {
      TokenBucket output = buckets.get(BucketKind.OUTPUT_TOKENS);
      output.refill(nowNanos);
      output.giveBack(tokens);
    } finally {
      lock.unlock();
    }
  }

  /** Live rule, as output is generated: {@code x_output ← x_output − o} (debt allowed). */
  public void chargeOutput(long tokens, long nowNanos) {
    if (tokens <= 0) return;
    lock.lock();
    try {
      TokenBucket output = buckets.get(BucketKind.OUTPUT_TOKENS);
      output.refill(nowNanos);
      output.take(tokens);
    } finally {
      lock.unlock();
    }
  }

  /** The buckets refilled to now, charging nothing. */
  public List<BucketState> snapshot(long nowNanos) {
    lock.lock();
    try {
      refillAll(nowNanos);
      return states();
    } finally {
      lock.unlock();
    }
  }

  /** New limits at once; levels clipped to the new capacities (server-model.md, "Limits that change"). */
  public void changeLimits(Limits limits, long nowNanos) {
    changeLimits(asMap(limits), nowNanos);
  }

  /** New requests limit of a requests-only set (count_tokens). */
  public void changeRequestsLimit(long rpm, long nowNanos) {
    Map<BucketKind, Long> m = new EnumMap<>(BucketKind.class);
    m.put(BucketKind.REQUESTS, rpm);
    changeLimits(m, nowNanos);
  }

  private void changeLimits(Map<BucketKind, Long> limits, long nowNanos) {
    lock.lock();
    try {
      limits.forEach((kind, limit) -> {
        TokenBucket b = buckets.get(kind);
        if (b != null) {
          b.changeLimit(limit, windowNanos, burstNanos, nowNanos);
        }
      });
    } finally {
      lock.unlock();
    }
  }

  private void refillAll(long nowNanos) {
    for (TokenBucket b : buckets.values()) {
      b.refill(nowNanos);
    }
  }

  private List<BucketState> states() {
    List<BucketState> out = new ArrayList<>(buckets.size());
    for (TokenBucket b : buckets.values()) {
      out.add(b.state());
    }
    return out;
  }
}
