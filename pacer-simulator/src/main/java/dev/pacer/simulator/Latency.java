package dev.pacer.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * How long an answer takes: a time to first token, then output tokens at a steady rate.
 * A stream emits its deltas paced by it; a plain response is sent when the last token would be.
 *
 * @param firstToken time from admission to the first output token
 * @param tokensPerSecond output tokens generated per second after the first; infinite when off
 */
public record Latency(Duration firstToken, double tokensPerSecond) {

  private static final Latency OFF = new Latency(Duration.ZERO, Double.POSITIVE_INFINITY);

  public Latency {
    Objects.requireNonNull(firstToken, "firstToken");
    if (firstToken.isNegative()) {
      throw new IllegalArgumentException("firstToken must not be negative: " + firstToken);
    }
    if (!(tokensPerSecond > 0)) {
      throw new IllegalArgumentException("tokensPerSecond must be positive: " + tokensPerSecond);
    }
  }

  /** No latency: answers as fast as the machine allows. */
  public static Latency off() {
    return OFF;
  }

  /** Time to first token, then {@code tokensPerSecond} output tokens per second. */
  public static Latency of(Duration firstToken, double tokensPerSecond) {
    return new Latency(firstToken, tokensPerSecond);
  }

  /** Parses {@code off} or {@code <duration>+<rate>tok/s}, e.g. {@code 200ms+400tok/s}. */
  public static Latency parse(String text) {
    String t = text.trim();
    if (t.equalsIgnoreCase("off") || t.equalsIgnoreCase("none") || t.equals("0")) {
      return off();
    }
    int plus = t.indexOf('+');
    String rate = plus < 0 ? "" : t.substring(plus + 1).trim();
    if (plus < 0 || !rate.toLowerCase(java.util.Locale.ROOT).endsWith("tok/s")) {
      throw new IllegalArgumentException(
          "cannot read latency '" + text + "': write it like 200ms+400tok/s, or off");
    }
    double tokensPerSecond = Double.parseDouble(rate.substring(0, rate.length() - "tok/s".length()).trim());
    return of(Durations.parse(t.substring(0, plus)), tokensPerSecond);
  }

  /**
   * This latency with time scaled by {@code factor}: {@code 0.1} makes answers ten times faster,
   * to go with a window compressed tenfold (60 s to 6 s).
   */
  public Latency scaledBy(double factor) {
    if (!(factor > 0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("factor must be positive and finite: " + factor);
    }
    if (isOff()) return this;
    return new Latency(Duration.ofNanos(Math.round(firstToken.toNanos() * factor)), tokensPerSecond / factor);
  }

  /** True when answers are not delayed at all. */
  public boolean isOff() {
    return firstToken.isZero() && Double.isInfinite(tokensPerSecond);
  }

  /** Nanoseconds from admission until output token number {@code tokens} (1-based) has been generated. */
  public long nanosUntilToken(long tokens) {
    if (isOff() || tokens <= 0) {
      return 0;
    }
    double afterFirst = (tokens - 1) / tokensPerSecond * 1e9;
    return firstToken.toNanos() + Math.round(afterFirst);
  }

  @Override
  public String toString() {
    if (isOff()) return "off";
    String rate = tokensPerSecond == Math.rint(tokensPerSecond)
        ? Long.toString((long) tokensPerSecond) : Double.toString(tokensPerSecond);
    return Durations.format(firstToken) + "+" + rate + "tok/s";
  }
}
