package dev.pacer.http;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The status line and headers of one HTTP response (one attempt), as Pacer needs them: header
 * names are case-insensitive; where a header repeats, the first value counts.
 */
public record ResponseHead(int status, Map<String, String> headers) {

  public ResponseHead {
    TreeMap<String, String> lower = new TreeMap<>();
    headers.forEach((name, value) -> {
      if (name != null && value != null) {
        lower.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
      }
    });
    headers = java.util.Collections.unmodifiableMap(lower);
  }

  public static ResponseHead of(int status, Map<String, String> headers) {
    return new ResponseHead(status, headers);
  }

  /** The header's value, whatever the case of {@code name}. */
  public Optional<String> header(String name) {
    return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
  }

  public boolean isSuccess() {
    return status >= 200 && status < 300;
  }

  /** The server's {@code request-id}, if it sent one. */
  public Optional<String> requestId() {
    return header("request-id");
  }
}
