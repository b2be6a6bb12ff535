package dev.pacer.simulator.internal;

import java.util.Map;

/** An answer with an error envelope: {@code {"type":"error","error":{"type":…,"message":…}}}. */
public final class ApiException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String errorType;
  private final transient Map<String, String> headers;

  public ApiException(int status, String errorType, String message) {
    this(status, errorType, message, Map.of());
  }

  public ApiException(int status, String errorType, String message, Map<String, String> headers) {
    super(message, null, false, false);
    this.status = status;
    this.errorType = errorType;
    this.headers = Map.copyOf(headers);
  }

  public static ApiException invalidRequest(String message) {
    return new ApiException(400, "invalid_request_error", message);
  }

  public int status() {
    return status;
  }

  public String errorType() {
    return errorType;
  }

  /** Extra response headers (retry-after, rate-limit headers). */
  public Map<String, String> headers() {
    return headers;
  }

  /** The error type the API uses for an HTTP status. */
  public static String typeForStatus(int status) {
    return switch (status) {
      case 400 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 402 -> "billing_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 409 -> "conflict_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 504, 408 -> "timeout_error";
      case 529 -> "overloaded_error";
      default -> "api_error";
    };
  }

  /** The message the API gives with such an error when nothing more specific is known. */
  public static String messageForStatus(int status) {
    return switch (status) {
      case 400 -> "Invalid request.";
      case 401 -> "invalid x-api-key";
      case 402 -> "Your credit balance is too low to access the Anthropic API.";
      case 403 -> "Your API key does not have permission to use the specified resource.";
      case 404 -> "The requested resource could not be found.";
      case 408, 504 -> "Request timed out.";
      case 409 -> "Conflict.";
      case 413 -> "Request exceeds the maximum allowed number of bytes.";
      case 429 -> "Number of requests has exceeded your rate limit.";
      case 502 -> "Bad gateway.";
      case 503 -> "Service unavailable.";
      case 529 -> "Overloaded";
      default -> "Internal server error";
    };
  }
}
