package dev.pacer.retry;

import dev.pacer.http.ApiError;
import dev.pacer.http.AttemptFailure.ConnectionFailed;
import dev.pacer.http.AttemptFailure.HttpError;
import dev.pacer.http.AttemptFailure.StreamBroken;
import dev.pacer.http.ResponseHead;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Failed attempts as tests need them, built in one line. */
final class Failures {

  private Failures() {}

  /** A response head; {@code headers} alternate names and values. */
  static ResponseHead head(int status, String... headers) {
    if (headers.length % 2 != 0) {
      throw new IllegalArgumentException("headers come in name, value pairs");
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      map.put(headers[i], headers[i + 1]);
    }
    return ResponseHead.of(status, map);
  }

  static HttpError http(int status, String... headers) {
    return new HttpError(head(status, headers), null);
  }

  static HttpError http(int status, ApiError error, String... headers) {
    return new HttpError(head(status, headers), error);
  }

  static ApiError error(String type, String message) {
    return new ApiError(type, message, null, null);
  }

  static ApiError error(String type, String message, String errorCode) {
    return new ApiError(type, message, errorCode, null);
  }

  static ConnectionFailed refused() {
    return new ConnectionFailed(new ConnectException("Connection refused"), false);
  }

  static ConnectionFailed reset() {
    return new ConnectionFailed(new IOException("Connection reset"), false);
  }

  static ConnectionFailed timedOut() {
    return new ConnectionFailed(new SocketTimeoutException("timeout"), true);
  }

  static StreamBroken stream(ApiError error, boolean deliveredContent) {
    return new StreamBroken(head(200, "request-id", "req_stream"), error, deliveredContent);
  }

  static HttpError overloaded(String... headers) {
    return http(529, error("overloaded_error", "Overloaded"), headers);
  }
}
