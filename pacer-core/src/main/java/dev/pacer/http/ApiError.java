package dev.pacer.http;

import java.util.Optional;

/**
 * What an error envelope said: {@code {"type":"error","error":{"type":…,"message":…,
 * "details":{"error_code":…}},"request_id":…}}. Any part may be missing.
 *
 * @param type the error type, e.g. {@code rate_limit_error}, {@code overloaded_error}
 * @param message the server's message
 * @param errorCode {@code error.details.error_code}, e.g. {@code enforced_spend_limit_reached}
 * @param requestId the request id from the body or the {@code request-id} header
 */
public record ApiError(String type, String message, String errorCode, String requestId) {

  public Optional<String> typeIfKnown() {
    return Optional.ofNullable(type);
  }

  public Optional<String> messageIfKnown() {
    return Optional.ofNullable(message);
  }

  public Optional<String> errorCodeIfKnown() {
    return Optional.ofNullable(errorCode);
  }

  public Optional<String> requestIdIfKnown() {
    return Optional.ofNullable(requestId);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder();
    text.append(type == null ? "error" : type);
    if (message != null) {
      text.append(": ").append(message);
    }
    if (errorCode != null) {
      text.append(" [").append(errorCode).append(']');
    }
    if (requestId != null) {
      text.append(" (request-id ").append(requestId).append(')');
    }
    return text.toString();
  }
}
