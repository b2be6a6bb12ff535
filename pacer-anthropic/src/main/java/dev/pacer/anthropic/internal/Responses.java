package dev.pacer.anthropic.internal;

import com.anthropic.core.http.Headers;
import com.anthropic.core.http.HttpResponse;
import dev.pacer.http.ResponseHead;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Response heads and headers, between the SDK's types and Pacer's. */
final class Responses {

  private Responses() {}

  /** The status and headers of {@code response} as Pacer reads them (first value of each). */
  static ResponseHead head(HttpResponse response) {
    Headers headers = response.headers();
    Map<String, String> first = new LinkedHashMap<>();
    for (String name : headers.names()) {
      List<String> values = headers.values(name);
      if (!values.isEmpty()) {
        first.putIfAbsent(name, values.get(0));
      }
    }
    return ResponseHead.of(response.statusCode(), first);
  }

  /** {@code headers} with {@code extra} set (replacing any value of the same name). */
  static Headers with(Headers headers, Map<String, String> extra) {
    if (extra.isEmpty()) {
      return headers;
    }
    Headers.Builder builder = headers.toBuilder();
    extra.forEach((name, value) -> builder.remove(name).put(name, value));
    return builder.build();
  }

  /** Reads the whole body of {@code response} and closes it. */
  static byte[] readBody(HttpResponse response) throws IOException {
    try (response; InputStream body = response.body()) {
      return body.readAllBytes();
    }
  }

  static void closeQuietly(AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception ignored) {
      // closing what nobody will read; nothing useful to report
    }
  }

  static boolean isSuccess(int status) {
    return status >= 200 && status < 300;
  }

  /** A header value with line breaks and other control characters removed. */
  static String headerSafe(String value, int maxLength) {
    StringBuilder safe = new StringBuilder(Math.min(value.length(), maxLength));
    for (int i = 0; i < value.length() && safe.length() < maxLength; i++) {
      char c = value.charAt(i);
      safe.append(c < 0x20 || c == 0x7f || c > 0x7e ? ' ' : c);
    }
    return safe.toString();
  }
}
