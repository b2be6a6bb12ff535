package dev.pacer;

import dev.pacer.http.AttemptFailure;
import java.util.Objects;

/**
 * Thrown by an {@link Attempt} to say how it failed, so that {@link Pacer} can classify the
 * failure and retry. {@code lastResponse} is anything the caller wants back should this be the
 * last attempt (the bridge to the SDK keeps the raw response there, to hand it to the SDK).
 */
public final class AttemptFailedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient AttemptFailure failure;
  private final transient Object lastResponse;

  public AttemptFailedException(AttemptFailure failure, Object lastResponse) {
    super(describe(failure), failure instanceof AttemptFailure.ConnectionFailed failed ? failed.cause() : null, false, false);
    this.failure = Objects.requireNonNull(failure, "failure");
    this.lastResponse = lastResponse;
  }

  public AttemptFailedException(AttemptFailure failure) {
    this(failure, null);
  }

  public AttemptFailure failure() {
    return failure;
  }

  public Object lastResponse() {
    return lastResponse;
  }

  private static String describe(AttemptFailure failure) {
    return switch (failure) {
      case AttemptFailure.HttpError error -> "HTTP " + error.status() + (error.error() == null ? "" : " " + error.error());
      case AttemptFailure.StreamBroken broken -> "stream broke" + (broken.error() == null ? "" : ": " + broken.error());
      case AttemptFailure.ConnectionFailed failed -> (failed.timeout() ? "timed out: " : "connection failed: ")
          + failed.cause().getMessage();
    };
  }
}
