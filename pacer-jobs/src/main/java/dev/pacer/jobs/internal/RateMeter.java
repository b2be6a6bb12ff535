package dev.pacer.jobs.internal;

import java.util.ArrayDeque;

/**
 * Requests and tokens over the last window (e.g. per minute), from completions as they happen.
 * Before a full window has passed it extrapolates from the time so far. Thread-safe.
 */
public final class RateMeter {

  private record Sample(long atNanos, long input, long output) {}

  private final long windowNanos;
  private final long startNanos;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();
  private long requests;
  private long input;
  private long output;

  public RateMeter(long windowNanos, long startNanos) {
    this.windowNanos = windowNanos;
    this.startNanos = startNanos;
  }

  public synchronized void record(long nowNanos, long inputTokens, long outputTokens) {
    samples.addLast(new Sample(nowNanos, inputTokens, outputTokens));
    requests++;
    input += inputTokens;
    output += outputTokens;
    expire(nowNanos);
  }

  /** Requests, input tokens and output tokens per window, at {@code nowNanos}. */
  public synchronized double[] perWindow(long nowNanos) {
    expire(nowNanos);
    long span = Math.min(windowNanos, nowNanos - startNanos);
    if (span <= 0) {
      return new double[3];
    }
    double scale = windowNanos / (double) Math.max(span, windowNanos / 60);
    return new double[] {requests * scale, input * scale, output * scale};
  }

  private void expire(long nowNanos) {
    while (!samples.isEmpty() && nowNanos - samples.peekFirst().atNanos > windowNanos) {
      Sample old = samples.removeFirst();
      requests--;
      input -= old.input;
      output -= old.output;
    }
  }
}
