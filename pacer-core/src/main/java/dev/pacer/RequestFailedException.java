package dev.pacer;

import dev.pacer.http.AttemptFailure;
import dev.pacer.retry.RetryDecision;
import java.util.Optional;

/**
 * A request that ended without success: its last failure was not retryable, or retrying ran out
 * of attempts, time or patience. The message says what failed, which limit, what the server said
 * and how many attempts were made.
 */
public final class RequestFailedException extends PacerException {

  private static final long serialVersionUID = 1L;

  private final String pool;
  private final int attempts;
  private final transient AttemptFailure lastFailure;
  private final transient RetryDecision decision;
  private final transient Object lastResponse;

  public RequestFailedException(String pool, int attempts, AttemptFailure lastFailure, RetryDecision decision,
      Object lastResponse) {
    super("request to pool '" + pool + "' failed after " + attempts + (attempts == 1 ? " attempt: " : " attempts: ")
        + decision.reason());
    this.pool = pool;
    this.attempts = attempts;
    this.lastFailure = lastFailure;
    this.decision = decision;
    this.lastResponse = lastResponse;
  }

  public String pool() {
    return pool;
  }

  public int attempts() {
    return attempts;
  }

  public AttemptFailure lastFailure() {
    return lastFailure;
  }

  /** The retry policy's last word: the verdict, the classification and the reason. */
  public RetryDecision decision() {
    return decision;
  }

  /** What the last attempt left for the caller (see {@link AttemptFailedException#lastResponse()}). */
  public Optional<Object> lastResponse() {
    return Optional.ofNullable(lastResponse);
  }
}
