package dev.pacer.testing;

import dev.pacer.http.ResponseHead;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server's rules (shared/server-model.md) for one pool, written again for the governor's
 * tests: three buckets refilled continuously, admission all-or-nothing, 429 naming the bucket
 * with the longest wait, headers as the server sends them. Time is whatever the test says.
 */
public final class ServerModel {

  public enum Rule { RESERVE, LIVE }

  /** The outcome of one admission: the response head and, for a 429, the bucket and wait. */
  public record Admission(boolean admitted, ResponseHead head, String bucket, long retryAfterSeconds) {}

  private static final double EPSILON = 1e-6;
  private static final String[] NAMES = {"requests", "input-tokens", "output-tokens"};
  private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

  private final long windowNanos;
  private final Rule rule;
  private final double burstFraction;
  private final long[] limit = new long[3];
  private final double[] capacity = new double[3];
  private final double[] level = new double[3];
  private final long startNanos;
  private long updatedAt;
  private long admitted;
  private long rejected;

  /**
   * @param burstFraction capacity as a fraction of the limit (1 = a whole window of burst)
   */
  public ServerModel(long rpm, long itpm, long otpm, long windowNanos, double burstFraction, Rule rule, long startNanos) {
    this.windowNanos = windowNanos;
    this.rule = rule;
    this.burstFraction = burstFraction;
    this.startNanos = startNanos;
    this.updatedAt = startNanos;
    setLimits(rpm, itpm, otpm, startNanos);
    for (int b = 0; b < 3; b++) {
      level[b] = capacity[b];
    }
  }

  /** New limits take effect at once; levels are clipped to the new capacities. */
  public void setLimits(long rpm, long itpm, long otpm, long now) {
    refill(now);
    limit[0] = rpm;
    limit[1] = itpm;
    limit[2] = otpm;
    for (int b = 0; b < 3; b++) {
      capacity[b] = Math.max(1, limit[b] * burstFraction);
      level[b] = Math.min(level[b], capacity[b]);
    }
  }

  /** Charges {@code tokens} to the bucket outside any request (another client's use). */
  public void consume(int bucket, double tokens, long now) {
    refill(now);
    level[bucket] -= tokens;
  }

  public Admission admit(long inputTokens, long maxTokens, long now) {
    refill(now);
    double[] need = {1, inputTokens, rule == Rule.RESERVE ? maxTokens : 0};
    boolean fits = true;
    double longest = -1;
    int named = -1;
    boolean hopeless = false;
    for (int b = 0; b < 3; b++) {
      if (need[b] > capacity[b]) {
        hopeless = true;
      }
      // Compared with a millionth of a token of slack: this model and the governor refill by
      // different sums of doubles, and their rounding must not pass for a 429.
      boolean ok = rule == Rule.LIVE && b == 2 ? level[b] >= 1 - EPSILON : level[b] >= need[b] - EPSILON;
      if (!ok) {
        fits = false;
        double missing = (rule == Rule.LIVE && b == 2 ? 1 : need[b]) - level[b];
        double wait = missing / rate(b);
        if (wait > longest) {
          longest = wait;
          named = b;
        }
      }
    }
    if (hopeless) {
      rejected++;
      long seconds = (long) Math.ceil(windowNanos / 1e9);
      return new Admission(false, head(429, now, seconds), "exceeds", seconds);
    }
    if (!fits) {
      rejected++;
      long seconds = Math.max(1, (long) Math.ceil(longest / 1e9));
      return new Admission(false, head(429, now, seconds), NAMES[named], seconds);
    }
    for (int b = 0; b < 3; b++) {
      level[b] -= need[b];
    }
    admitted++;
    return new Admission(true, head(200, now, -1), null, 0);
  }

  /** The response is complete with {@code outputTokens} generated. */
  public void complete(long maxTokens, long outputTokens, long now) {
    refill(now);
    if (rule == Rule.RESERVE) {
      level[2] = Math.min(capacity[2], level[2] + maxTokens - outputTokens);
    } else {
      level[2] -= outputTokens;
    }
  }

  public Rule rule() {
    return rule;
  }

  public long admitted() {
    return admitted;
  }

  public long rejected() {
    return rejected;
  }

  public double level(int bucket, long now) {
    refill(now);
    return level[bucket];
  }

  private double rate(int b) {
    return (double) limit[b] / windowNanos;
  }

  private void refill(long now) {
    long elapsed = now - updatedAt;
    if (elapsed > 0) {
      for (int b = 0; b < 3; b++) {
        level[b] = Math.min(capacity[b], level[b] + elapsed * rate(b));
      }
      updatedAt = now;
    }
  }

  /**
   * The same head with its {@code Date} stamped at {@code now}: a server sends the headers of an
   * answer that does not stream only when the answer is done, while the rate-limit headers
   * describe the buckets at admission.
   */
  public ResponseHead datedAt(ResponseHead head, long now) {
    Map<String, String> headers = new LinkedHashMap<>(head.headers());
    Instant wall = EPOCH.plusNanos(now - startNanos);
    headers.put("date", DateTimeFormatter.RFC_1123_DATE_TIME.format(wall.atOffset(ZoneOffset.UTC)));
    return ResponseHead.of(head.status(), headers);
  }

  private ResponseHead head(int status, long now, long retryAfterSeconds) {
    Map<String, String> headers = new LinkedHashMap<>();
    Instant wall = EPOCH.plusNanos(now - startNanos);
    for (int b = 0; b < 3; b++) {
      long remaining = Math.max(0, (long) Math.floor(level[b]));
      if (b > 0) {
        remaining = Math.round(remaining / 1000.0) * 1000;
      }
      double secondsToFull = (capacity[b] - level[b]) / rate(b) / 1e9;
      Instant reset = Instant.ofEpochSecond((long) Math.ceil((wall.toEpochMilli() / 1000.0) + secondsToFull));
      headers.put("anthropic-ratelimit-" + NAMES[b] + "-limit", Long.toString(limit[b]));
      headers.put("anthropic-ratelimit-" + NAMES[b] + "-remaining", Long.toString(remaining));
      headers.put("anthropic-ratelimit-" + NAMES[b] + "-reset", DateTimeFormatter.ISO_INSTANT.format(reset));
    }
    headers.put("date", DateTimeFormatter.RFC_1123_DATE_TIME.format(wall.atOffset(ZoneOffset.UTC)));
    headers.put("request-id", "req_model_" + (admitted + rejected));
    if (status == 429) {
      headers.put("retry-after", Long.toString(retryAfterSeconds));
      headers.put("x-should-retry", "true");
    }
    return ResponseHead.of(status, headers);
  }
}
