package dev.pacer;

import java.time.Duration;

/** A request's timeout ran out while it waited for capacity or between attempts. */
public final class PacerTimeoutException extends PacerException {

  private static final long serialVersionUID = 1L;

  private final Duration timeout;
  private final int attempts;

  public PacerTimeoutException(String message, Duration timeout, int attempts) {
    super(message);
    this.timeout = timeout;
    this.attempts = attempts;
  }

  public Duration timeout() {
    return timeout;
  }

  /** Attempts sent before the time ran out (0 if it never left the queue). */
  public int attempts() {
    return attempts;
  }
}
