package dev.pacer;

import dev.pacer.limits.Bucket;

/**
 * A demand that can never be admitted: it needs more of a bucket than the bucket's limit allows
 * in a whole window. Thrown before anything is sent.
 */
public final class DemandTooLargeException extends PacerException {

  private static final long serialVersionUID = 1L;

  private final String pool;
  private final Bucket bucket;
  private final long needed;
  private final long limit;

  public DemandTooLargeException(String pool, Bucket bucket, long needed, long limit, String hint) {
    this(pool, bucket, needed, limit, bucket.describe(), hint);
  }

  /**
   * @param per what the limit counts over: "input tokens per window", or "at once (the burst)"
   *     when the bucket's capacity, smaller than its limit, is what the demand exceeds
   */
  public DemandTooLargeException(String pool, Bucket bucket, long needed, long limit, String per, String hint) {
    super(String.format("request needs %,d %s but pool '%s' allows only %,d %s; it can never be sent.%s",
        needed, bucket.id().replace('_', ' '), pool, limit, per, hint.isEmpty() ? "" : " " + hint));
    this.pool = pool;
    this.bucket = bucket;
    this.needed = needed;
    this.limit = limit;
  }

  public String pool() {
    return pool;
  }

  public Bucket bucket() {
    return bucket;
  }

  public long needed() {
    return needed;
  }

  public long limit() {
    return limit;
  }
}
