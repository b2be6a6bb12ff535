package dev.pacer.simulator.internal;

/** The three buckets of a pool, with the names they go by in stats, headers and messages. */
public enum BucketKind {
  REQUESTS("requests", "requests", "requests"),
  INPUT_TOKENS("input_tokens", "input-tokens", "input tokens"),
  OUTPUT_TOKENS("output_tokens", "output-tokens", "output tokens");

  private final String statName;
  private final String headerName;
  private final String unit;

  BucketKind(String statName, String headerName, String unit) {
    this.statName = statName;
    this.headerName = headerName;
    this.unit = unit;
  }

  /** {@code requests}, {@code input_tokens}, {@code output_tokens}: the names in stats. */
  public String statName() {
    return statName;
  }

  /** The part of {@code anthropic-ratelimit-<name>-limit}. */
  public String headerName() {
    return headerName;
  }

  /** The unit in a 429's message: "requests", "input tokens", "output tokens". */
  public String unit() {
    return unit;
  }

  public boolean isTokens() {
    return this != REQUESTS;
  }
}
