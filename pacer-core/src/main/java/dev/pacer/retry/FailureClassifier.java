package dev.pacer.retry;

import dev.pacer.http.ApiError;
import dev.pacer.http.AttemptFailure;
import dev.pacer.http.AttemptFailure.ConnectionFailed;
import dev.pacer.http.AttemptFailure.HttpError;
import dev.pacer.http.AttemptFailure.StreamBroken;
import dev.pacer.http.ResponseHead;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one failed attempt: its kind, whether to retry it, and for a 429 which bucket ran dry.
 * Pure: the answer depends on the failure alone. The rules are in docs/retries.md.
 */
final class FailureClassifier {

  /** How a spend-cap 429's message begins. */
  static final String SPEND_CAP_MESSAGE_PREFIX = "You have reached your API usage limits";

  /** The {@code error.details.error_code} of a spend-cap 429. */
  static final String SPEND_CAP_ERROR_CODE = "enforced_spend_limit_reached";

  /** "… of 50,000 input tokens per minute …", "… requests per minute …". */
  private static final Pattern BUCKET_IN_MESSAGE =
      Pattern.compile("\\b(input tokens|output tokens|requests) per (?:second|minute|hour|day)\\b",
          Pattern.CASE_INSENSITIVE);

  private FailureClassifier() {}

  static FailureClassification classify(AttemptFailure failure) {
    return switch (failure) {
      case HttpError error -> classifyHttp(error);
      case StreamBroken stream -> classifyStream(stream);
      case ConnectionFailed connection -> classifyConnection(connection);
    };
  }

  private static FailureClassification classifyHttp(HttpError failure) {
    ResponseHead head = failure.response();
    ApiError error = failure.error();
    int status = head.status();
    FailureKind kind = kindOfStatus(status, error);
    if (kind == FailureKind.RATE_LIMITED && isSpendCap(error, head)) {
      kind = FailureKind.SPEND_CAP;
    }
    boolean retryable = retryableByDefault(kind);
    Optional<String> bucket = kind == FailureKind.RATE_LIMITED
        ? bucketFromMessage(error).or(() -> bucketFromHeaders(head))
        : Optional.empty();

    StringBuilder reason = new StringBuilder().append(status).append(' ').append(describe(error, head));
    bucket.ifPresent(name -> reason.append("; the ").append(name).append(" bucket ran dry"));
    if (kind == FailureKind.SPEND_CAP) {
      reason.append("; the organization's spend cap is reached");
    }
    Optional<Boolean> override = shouldRetryHeader(head);
    if (override.isPresent() && override.get() != retryable) {
      retryable = override.get();
      reason.append(retryable
          ? "; retryable because the server sent x-should-retry: true"
          : "; not retryable because the server sent x-should-retry: false");
    }
    return new FailureClassification(retryable, kind, bucket, reason.toString());
  }

  private static FailureClassification classifyStream(StreamBroken failure) {
    ApiError error = failure.error();
    FailureKind kind = error == null ? FailureKind.STREAM_BROKEN : kindOfErrorType(error.type());
    if (kind == FailureKind.RATE_LIMITED && isSpendCap(error, failure.response())) {
      kind = FailureKind.SPEND_CAP;
    }
    Optional<String> bucket = kind == FailureKind.RATE_LIMITED
        ? bucketFromMessage(error)
        : Optional.empty();
    String what = error == null
        ? "no error event, the connection was cut" + failure.head().flatMap(ResponseHead::requestId)
            .map(id -> " (request-id " + id + ")").orElse("")
        : describe(error, failure.response());
    if (failure.deliveredContent()) {
      return new FailureClassification(false, kind, bucket,
          "stream broke after delivering content, so it cannot be retried transparently: " + what);
    }
    return new FailureClassification(retryableByDefault(kind), kind, bucket,
        "stream broke before delivering content: " + what);
  }

  private static FailureClassification classifyConnection(ConnectionFailed failure) {
    String cause = failure.cause() == null ? "no detail" : failure.cause().toString();
    return failure.timeout()
        ? new FailureClassification(true, FailureKind.TIMEOUT, Optional.empty(), "timed out: " + cause)
        : new FailureClassification(true, FailureKind.CONNECTION, Optional.empty(),
            "connection failed: " + cause);
  }

  private static FailureKind kindOfStatus(int status, ApiError error) {
    if (error != null && "overloaded_error".equals(error.type()) && status >= 500) {
      return FailureKind.OVERLOADED;
    }
    return switch (status) {
      case 408, 504 -> FailureKind.TIMEOUT;
      case 409 -> FailureKind.CONFLICT;
      case 429 -> FailureKind.RATE_LIMITED;
      case 529 -> FailureKind.OVERLOADED;
      default -> {
        if (status >= 500 && status < 600) {
          yield FailureKind.SERVER_ERROR;
        }
        if (status >= 400 && status < 500) {
          yield FailureKind.CLIENT_ERROR;
        }
        yield FailureKind.UNEXPECTED_STATUS;
      }
    };
  }

  /** The kind an error type names, for errors that come without a status (inside a stream). */
  private static FailureKind kindOfErrorType(String type) {
    if (type == null) {
      return FailureKind.STREAM_BROKEN;
    }
    return switch (type) {
      case "overloaded_error" -> FailureKind.OVERLOADED;
      case "rate_limit_error" -> FailureKind.RATE_LIMITED;
      case "api_error" -> FailureKind.SERVER_ERROR;
      case "timeout_error" -> FailureKind.TIMEOUT;
      case "conflict_error" -> FailureKind.CONFLICT;
      case "invalid_request_error", "authentication_error", "billing_error", "permission_error",
          "not_found_error", "request_too_large" -> FailureKind.CLIENT_ERROR;
      default -> FailureKind.STREAM_BROKEN;
    };
  }

  private static boolean retryableByDefault(FailureKind kind) {
    return switch (kind) {
      case RATE_LIMITED, OVERLOADED, SERVER_ERROR, TIMEOUT, CONFLICT, CONNECTION, STREAM_BROKEN -> true;
      case SPEND_CAP, CLIENT_ERROR, UNEXPECTED_STATUS -> false;
    };
  }

  /**
   * A spend-cap 429 shows itself by its error code, or by its message when the server gave no
   * delay (a rate-limit 429 always comes with {@code retry-after}).
   */
  static boolean isSpendCap(ApiError error, ResponseHead head) {
    if (error == null) {
      return false;
    }
    if (error.errorCode() != null && SPEND_CAP_ERROR_CODE.equalsIgnoreCase(error.errorCode().strip())) {
      return true;
    }
    boolean serverGaveDelay = head != null
        && (head.header("retry-after").isPresent() || head.header("retry-after-ms").isPresent());
    return !serverGaveDelay && error.message() != null
        && error.message().strip().regionMatches(true, 0, SPEND_CAP_MESSAGE_PREFIX, 0,
            SPEND_CAP_MESSAGE_PREFIX.length());
  }

  static Optional<String> bucketFromMessage(ApiError error) {
    if (error == null || error.message() == null) {
      return Optional.empty();
    }
    Matcher matcher = BUCKET_IN_MESSAGE.matcher(error.message());
    if (!matcher.find()) {
      return Optional.empty();
    }
    return Optional.of(switch (matcher.group(1).toLowerCase(Locale.ROOT)) {
      case "input tokens" -> FailureClassification.INPUT_TOKENS;
      case "output tokens" -> FailureClassification.OUTPUT_TOKENS;
      default -> FailureClassification.REQUESTS;
    });
  }

  /** The first of requests, input tokens, output tokens whose {@code …-remaining} header is 0. */
  static Optional<String> bucketFromHeaders(ResponseHead head) {
    if (isExhausted(head, "anthropic-ratelimit-requests-remaining")) {
      return Optional.of(FailureClassification.REQUESTS);
    }
    if (isExhausted(head, "anthropic-ratelimit-input-tokens-remaining")) {
      return Optional.of(FailureClassification.INPUT_TOKENS);
    }
    if (isExhausted(head, "anthropic-ratelimit-output-tokens-remaining")) {
      return Optional.of(FailureClassification.OUTPUT_TOKENS);
    }
    return Optional.empty();
  }

  private static boolean isExhausted(ResponseHead head, String header) {
    return head.header(header).map(value -> {
      try {
        return Long.parseLong(value.strip()) <= 0;
      } catch (NumberFormatException notANumber) {
        return false;
      }
    }).orElse(false);
  }

  /** {@code x-should-retry: true|false}; any other value counts as absent. */
  static Optional<Boolean> shouldRetryHeader(ResponseHead head) {
    return head.header("x-should-retry").map(value -> value.strip().toLowerCase(Locale.ROOT))
        .flatMap(value -> switch (value) {
          case "true" -> Optional.of(Boolean.TRUE);
          case "false" -> Optional.of(Boolean.FALSE);
          default -> Optional.empty();
        });
  }

  /** The server's error type, message, code and request id, as far as known. */
  private static String describe(ApiError error, ResponseHead head) {
    Optional<String> headerRequestId = head == null ? Optional.empty() : head.requestId();
    if (error == null) {
      return "with no readable error body"
          + headerRequestId.map(id -> " (request-id " + id + ")").orElse("");
    }
    ApiError withRequestId = error.requestId() == null && headerRequestId.isPresent()
        ? new ApiError(error.type(), error.message(), error.errorCode(), headerRequestId.get())
        : error;
    return withRequestId.toString();
  }
}
