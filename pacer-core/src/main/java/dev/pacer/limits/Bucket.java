package dev.pacer.limits;

import java.util.Locale;

/** The three rate-limit buckets of a pool, with the names the server uses for them. */
public enum Bucket {
  REQUESTS("requests", "requests"),
  INPUT_TOKENS("input_tokens", "input-tokens"),
  OUTPUT_TOKENS("output_tokens", "output-tokens");

  private final String id;
  private final String headerPart;

  Bucket(String id, String headerPart) {
    this.id = id;
    this.headerPart = headerPart;
  }

  /** {@code requests}, {@code input_tokens} or {@code output_tokens}. */
  public String id() {
    return id;
  }

  /** The part of {@code anthropic-ratelimit-<part>-limit|remaining|reset} for this bucket. */
  public String headerPart() {
    return headerPart;
  }

  /** How people name the limit: "requests per minute", "input tokens per minute", .... */
  public String describe() {
    return id.replace('_', ' ') + " per window";
  }

  public static Bucket fromId(String id) {
    String wanted = id.toLowerCase(Locale.ROOT).replace('-', '_');
    for (Bucket bucket : values()) {
      if (bucket.id.equals(wanted)) {
        return bucket;
      }
    }
    throw new IllegalArgumentException("unknown bucket '" + id + "': expected requests, input_tokens or output_tokens");
  }
}
