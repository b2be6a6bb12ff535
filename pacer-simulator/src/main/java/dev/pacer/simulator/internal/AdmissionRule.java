package dev.pacer.simulator.internal;

import java.util.List;

/**
 * Admission of an attempt as server-model.md states it, as a pure function of the buckets' levels
 * (already refilled to now) and the attempt's need.
 */
public final class AdmissionRule {

  private AdmissionRule() {}

  /**
   * Admit when every bucket has {@code x_b ≥ need_b}. A need above a bucket's capacity is refused
   * with {@code retry-after = ceil(W)}; otherwise a refusal names the bucket with the longest wait
   * {@code (need_b − x_b) / r_b} and asks for {@code max(1, ceil(wait))} seconds.
   */
  public static Admission decide(List<BucketState> buckets, Need need, double windowSeconds) {
    for (BucketState b : buckets) {
      long required = need.required(b.kind());
      if (required > b.capacity() + b.epsilon()) {
        return new Admission(false, b.kind(), (long) Math.ceil(windowSeconds - 1e-9), true, required, buckets);
      }
    }
    BucketState longest = null;
    double longestWait = 0;
    for (BucketState b : buckets) {
      long required = need.required(b.kind());
      if (b.level() + b.epsilon() < required) {
        double wait = b.secondsUntil(required);
        if (longest == null || wait > longestWait) {
          longest = b;
          longestWait = wait;
        }
      }
    }
    if (longest == null) {
      return Admission.admitted(buckets);
    }
    long retryAfter = Math.max(1, (long) Math.ceil(longestWait - 1e-9));
    return new Admission(false, longest.kind(), retryAfter, false, need.required(longest.kind()), buckets);
  }
}
