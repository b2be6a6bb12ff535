package dev.pacer.limits;

/**
 * A model's prices in USD per million tokens.
 *
 * @param input uncached input
 * @param cacheWrite5m input written to the 5-minute cache
 * @param cacheWrite1h input written to the 1-hour cache
 * @param cacheRead input read from the cache
 * @param output output
 */
public record Prices(double input, double cacheWrite5m, double cacheWrite1h, double cacheRead, double output) {

  public Prices {
    for (double price : new double[] {input, cacheWrite5m, cacheWrite1h, cacheRead, output}) {
      if (!(price >= 0) || Double.isInfinite(price)) {
        throw new IllegalArgumentException("prices must be finite and not negative: " + price);
      }
    }
  }

  /** Parses {@code "5 / 6.25 / 10 / 0.50 / 25"} as in the data file. */
  public static Prices parse(String text) {
    String[] parts = text.split("/");
    if (parts.length != 5) {
      throw new IllegalArgumentException(
          "prices must read 'input / cache write 5m / cache write 1h / cache read / output', got '" + text + "'");
    }
    double[] values = new double[5];
    for (int i = 0; i < 5; i++) {
      values[i] = Double.parseDouble(parts[i].trim());
    }
    return new Prices(values[0], values[1], values[2], values[3], values[4]);
  }

  /** These prices times {@code factor} (Message Batches cost half). */
  public Prices times(double factor) {
    return new Prices(input * factor, cacheWrite5m * factor, cacheWrite1h * factor, cacheRead * factor, output * factor);
  }

  /**
   * The cost in USD of one response's usage. Cache writes not split by duration count as
   * 5-minute writes.
   */
  public double costUsd(long inputTokens, long cacheWrite5mTokens, long cacheWrite1hTokens,
      long cacheReadTokens, long outputTokens) {
    double micros = inputTokens * input + cacheWrite5mTokens * cacheWrite5m + cacheWrite1hTokens * cacheWrite1h
        + cacheReadTokens * cacheRead + outputTokens * output;
    return micros / 1_000_000.0;
  }
}
