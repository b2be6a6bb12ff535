package dev.pacer.simulator;

/**
 * How the output-token bucket is charged (server-model.md, "Admission of an attempt").
 */
public enum OutputRule {
  /** The 2025 reading: hold {@code max_tokens} at admission, refund the unused part at completion. */
  RESERVE,
  /** The 2026 reading: charge only output actually generated, as it is generated; admit only while the bucket is not in debt. */
  LIVE;

  /** Parses {@code reserve} or {@code live}, in any case. */
  public static OutputRule parse(String text) {
    for (OutputRule rule : values()) {
      if (rule.name().equalsIgnoreCase(text.trim())) {
        return rule;
      }
    }
    throw new IllegalArgumentException("output rule must be 'reserve' or 'live', not '" + text + "'");
  }
}
