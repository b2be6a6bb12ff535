package dev.pacer.http;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * How one attempt failed: the server answered with an error status, a stream broke after its
 * 200, or no answer came (connection refused, reset, timed out). Classified by the retry policy.
 */
public sealed interface AttemptFailure {

  /** The response head where there was one (HTTP errors; streams carry their 200's head). */
  Optional<ResponseHead> head();

  /** A non-2xx response. {@code error} is what its body said, where it could be read. */
  record HttpError(ResponseHead response, ApiError error) implements AttemptFailure {
    public HttpError {
      Objects.requireNonNull(response, "response");
    }

    public int status() {
      return response.status();
    }

    @Override
    public Optional<ResponseHead> head() {
      return Optional.of(response);
    }
  }

  /**
   * A stream that failed after its 200 ({@code event: error} or a cut connection).
   * {@code deliveredContent} tells whether any content reached the caller before it broke:
   * such a stream cannot be retried transparently.
   */
  record StreamBroken(ResponseHead response, ApiError error, boolean deliveredContent)
      implements AttemptFailure {
    @Override
    public Optional<ResponseHead> head() {
      return Optional.ofNullable(response);
    }
  }

  /** No response: refused, reset or timed out connections. {@code timeout} marks time-outs. */
  record ConnectionFailed(IOException cause, boolean timeout) implements AttemptFailure {
    @Override
    public Optional<ResponseHead> head() {
      return Optional.empty();
    }
  }
}
