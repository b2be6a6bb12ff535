package dev.pacer.simulator.internal;

import java.util.List;

/**
 * The outcome of one admission decision, with the buckets' state it leaves (after the charge when
 * admitted, uncharged when not).
 *
 * @param limitedBy the bucket named in the 429 (null when admitted)
 * @param retryAfterSeconds the 429's {@code retry-after} (0 when admitted)
 * @param exceedsCapacity the need is larger than the bucket's capacity: it can never be admitted
 * @param needed what the named bucket was asked for
 */
public record Admission(
    boolean admitted,
    BucketKind limitedBy,
    long retryAfterSeconds,
    boolean exceedsCapacity,
    long needed,
    List<BucketState> buckets) {

  public static Admission admitted(List<BucketState> buckets) {
    return new Admission(true, null, 0, false, 0, buckets);
  }

  public BucketState bucket(BucketKind kind) {
    for (BucketState b : buckets) {
      if (b.kind() == kind) {
        return b;
      }
    }
    throw new IllegalArgumentException("no " + kind + " bucket here");
  }
}
