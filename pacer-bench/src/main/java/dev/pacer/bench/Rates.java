package dev.pacer.bench;

/**
 * A pool's three limits per window, as the board speaks of them: requests, input tokens, output
 * tokens. Converted to the simulator's and the governor's own types where each is needed.
 */
public record Rates(long requests, long inputTokens, long outputTokens) {

  public Rates {
    if (requests < 1 || inputTokens < 1 || outputTokens < 1) {
      throw new IllegalArgumentException("every limit must be at least 1 per window: " + this);
    }
  }

  public static Rates of(long requests, long inputTokens, long outputTokens) {
    return new Rates(requests, inputTokens, outputTokens);
  }

  /** Every limit times {@code factor}, rounded, at least 1. */
  public Rates scaled(double factor) {
    return new Rates(Math.max(1, Math.round(requests * factor)), Math.max(1, Math.round(inputTokens * factor)),
        Math.max(1, Math.round(outputTokens * factor)));
  }

  public long get(Bucket bucket) {
    return switch (bucket) {
      case REQUESTS -> requests;
      case INPUT_TOKENS -> inputTokens;
      case OUTPUT_TOKENS -> outputTokens;
    };
  }

  public dev.pacer.simulator.Limits forSimulator() {
    return dev.pacer.simulator.Limits.of(requests, inputTokens, outputTokens);
  }

  public dev.pacer.limits.Limits forPacer() {
    return dev.pacer.limits.Limits.of(requests, inputTokens, outputTokens);
  }

  @Override
  public String toString() {
    return String.format("%,d / %,d / %,d", requests, inputTokens, outputTokens);
  }

  /** The three buckets of a pool. */
  public enum Bucket {
    REQUESTS("requests"),
    INPUT_TOKENS("input tokens"),
    OUTPUT_TOKENS("output tokens");

    private final String label;

    Bucket(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }
}
