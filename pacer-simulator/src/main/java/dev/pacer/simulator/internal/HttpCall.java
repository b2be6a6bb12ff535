package dev.pacer.simulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/** One HTTP exchange: its request id, the body read within a size limit, and the ways to answer. */
final class HttpCall {

  private final HttpExchange exchange;
  private final String requestId;
  private boolean answered;

  HttpCall(HttpExchange exchange, String requestId) {
    this.exchange = exchange;
    this.requestId = requestId;
  }

  String requestId() {
    return requestId;
  }

  String method() {
    return exchange.getRequestMethod();
  }

  String path() {
    return exchange.getRequestURI().getPath();
  }

  String query() {
    return exchange.getRequestURI().getQuery();
  }

  String header(String name) {
    return exchange.getRequestHeaders().getFirst(name);
  }

  boolean answered() {
    return answered;
  }

  /** A key in {@code x-api-key} or {@code Authorization: Bearer}; else 401 authentication_error. */
  void requireApiKey() {
    String key = header("x-api-key");
    if (key != null && !key.isBlank()) return;
    String auth = header("authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && !auth.substring(7).isBlank()) return;
    throw new ApiException(401, "authentication_error", "x-api-key header is required");
  }

  /** The whole body, or 413 request_too_large when it is longer than {@code maxBytes} (the rest is read and dropped). */
  byte[] readBody(long maxBytes) throws IOException {
    String declared = header("content-length");
    InputStream in = exchange.getRequestBody();
    if (declared != null) {
      long length = -1;
      try {
        length = Long.parseLong(declared.trim());
      } catch (NumberFormatException ignored) {
        // the server itself rejects a malformed length; read what comes
      }
      if (length > maxBytes) {
        in.transferTo(OutputStream.nullOutputStream());
        throw tooLarge(maxBytes);
      }
      if (length >= 0) {
        return in.readNBytes((int) length); // the common case: one array of the right size
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[16 * 1024];
    long total = 0;
    int n;
    while ((n = in.read(buf)) > 0) {
      total += n;
      if (total > maxBytes) {
        in.transferTo(OutputStream.nullOutputStream());
        throw tooLarge(maxBytes);
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  /** Reads and drops whatever body the request has, so that the connection can serve the next one. */
  void drainBody() throws IOException {
    exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
  }

  private static ApiException tooLarge(long maxBytes) {
    return new ApiException(413, "request_too_large",
        "Request exceeds the maximum allowed number of bytes (" + maxBytes + ").");
  }

  /** Answers with a JSON body. */
  void sendJson(int status, Map<String, String> headers, JsonNode body) throws IOException {
    byte[] bytes = Json.bytes(body);
    startFixed(status, headers, "application/json", bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /**
   * Starts a JSON answer of the full length, sends half of it, and drops the connection (throws
   * {@link ConnectionDropped}).
   */
  void sendJsonCut(int status, Map<String, String> headers, JsonNode body) throws IOException {
    byte[] bytes = Json.bytes(body);
    startFixed(status, headers, "application/json", bytes.length);
    OutputStream out = exchange.getResponseBody();
    out.write(bytes, 0, bytes.length / 2);
    out.flush();
    throw new ConnectionDropped();
  }

  private void startFixed(int status, Map<String, String> headers, String contentType, long length)
      throws IOException {
    com.sun.net.httpserver.Headers h = exchange.getResponseHeaders();
    headers.forEach(h::set);
    h.set("content-type", contentType);
    h.set("request-id", requestId);
    answered = true;
    exchange.sendResponseHeaders(status, length);
  }

  /** Starts a 200 body of unknown length (chunked) with {@code contentType}; the caller writes and closes it. */
  OutputStream startChunked(Map<String, String> headers, String contentType) throws IOException {
    com.sun.net.httpserver.Headers h = exchange.getResponseHeaders();
    headers.forEach(h::set);
    h.set("content-type", contentType);
    h.set("request-id", requestId);
    answered = true;
    exchange.sendResponseHeaders(200, 0);
    return exchange.getResponseBody();
  }

  /** {@code http://host:port} as the client addressed this server (its Host header), for URLs in answers. */
  String origin() {
    String host = header("host");
    if (host == null || host.isBlank()) {
      host = "127.0.0.1:" + exchange.getLocalAddress().getPort();
    }
    return "http://" + host;
  }

  /** Answers with the error's envelope and headers. */
  void sendError(ApiException e) throws IOException {
    sendError(e, Map.of());
  }

  void sendError(ApiException e, Map<String, String> moreHeaders) throws IOException {
    java.util.LinkedHashMap<String, String> headers = new java.util.LinkedHashMap<>(moreHeaders);
    headers.putAll(e.headers());
    sendJson(e.status(), headers, Json.errorEnvelope(e.errorType(), e.getMessage(), requestId));
  }

  /** Starts a 200 event stream with {@code headers}; the caller writes events and closes it. */
  OutputStream startEventStream(Map<String, String> headers) throws IOException {
    exchange.getResponseHeaders().set("cache-control", "no-cache");
    return startChunked(headers, "text/event-stream; charset=utf-8");
  }
}
