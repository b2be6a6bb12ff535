package dev.pacer.simulator.internal;

import java.util.Locale;

/** The text of a rate-limit 429, worded like the API's, naming the limit. */
public final class RateLimitMessages {

  /** The organization id the simulator reports. */
  public static final String ORGANIZATION_ID = "5a1e0000-0000-4000-8000-00000000c0de";

  private static final String TAIL =
      " For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response "
          + "headers for current usage. Please reduce the prompt length or the maximum tokens requested, "
          + "or try again later. You may also contact sales at https://www.anthropic.com/contact-sales "
          + "to discuss your options for a rate limit increase.";

  private RateLimitMessages() {}

  /** "This request would exceed the rate limit for your organization (…) of 50,000 input tokens per minute. …" */
  public static String wouldExceed(BucketKind kind, long limit) {
    return "This request would exceed the rate limit for your organization (" + ORGANIZATION_ID + ") of "
        + grouped(limit) + " " + kind.unit() + " per minute." + TAIL;
  }

  /** A need the bucket can never hold: the request itself exceeds the limit. */
  public static String exceedsLimit(BucketKind kind, long limit, long needed, double capacity) {
    String what = needed > limit
        ? "it needs " + grouped(needed) + " " + kind.unit()
        : "it needs " + grouped(needed) + " " + kind.unit() + ", more than the burst capacity of "
            + grouped((long) Math.floor(capacity));
    return "This request exceeds the rate limit for your organization (" + ORGANIZATION_ID + ") of "
        + grouped(limit) + " " + kind.unit() + " per minute: " + what
        + ", so it can never be admitted. Please reduce the prompt length or the maximum tokens requested.";
  }

  /** The acceleration limit: traffic rising too fast, whatever the per-minute limits. */
  public static String acceleration(dev.pacer.simulator.AccelerationLimit limit) {
    return "This request would exceed the acceleration limit for your organization (" + ORGANIZATION_ID
        + "): its traffic is ramping up too sharply (a window may carry at most " + limit
        + " the requests of the window before it). Please ramp up your traffic gradually and keep your "
        + "usage consistent. For details, refer to: https://docs.claude.com/en/api/rate-limits.";
  }

  /** Too many batch requests waiting to be processed. */
  public static String batchQueue(long limit) {
    return "This batch would exceed the limit of " + grouped(limit) + " batch requests waiting in the "
        + "processing queue for your organization (" + ORGANIZATION_ID + "). Please wait for batches in "
        + "progress to end, or send a smaller batch." + " For details, refer to: https://docs.claude.com/en/api/rate-limits.";
  }

  static String grouped(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }
}
