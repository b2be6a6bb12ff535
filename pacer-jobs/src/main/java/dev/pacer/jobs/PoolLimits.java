package dev.pacer.jobs;

/**
 * One rate-limit pool's limits per window (a minute unless configured otherwise).
 *
 * @param requests requests per window (RPM)
 * @param inputTokens input tokens per window (ITPM)
 * @param outputTokens output tokens per window (OTPM)
 */
public record PoolLimits(long requests, long inputTokens, long outputTokens) {

  public PoolLimits {
    if (requests <= 0 || inputTokens <= 0 || outputTokens <= 0) {
      throw new IllegalArgumentException("limits must be positive: " + requests + " / " + inputTokens + " / " + outputTokens);
    }
  }

  /** Parses {@code "RPM / ITPM / OTPM"}, e.g. {@code "5000 / 5000000 / 1000000"} (underscores and commas allowed). */
  public static PoolLimits parse(String text) {
    String[] parts = text.split("/");
    if (parts.length != 3) {
      throw new IllegalArgumentException("expected 'RPM / ITPM / OTPM', got '" + text.trim() + "'");
    }
    return new PoolLimits(number(parts[0]), number(parts[1]), number(parts[2]));
  }

  private static long number(String part) {
    String digits = part.trim().replace("_", "").replace(",", "");
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a whole number: '" + part.trim() + "'");
    }
  }

  @Override
  public String toString() {
    return requests + " / " + inputTokens + " / " + outputTokens;
  }
}
