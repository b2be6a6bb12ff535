package dev.pacer.anthropic.internal;

import com.anthropic.core.http.Headers;
import com.anthropic.core.http.HttpResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * A response read whole into memory: error responses (kept to hand back to the SDK should Pacer
 * give up) and plain successes (read for their usage).
 */
final class BufferedResponse implements HttpResponse {

  private final int status;
  private final Headers headers;
  private final byte[] body;

  BufferedResponse(int status, Headers headers, byte[] body) {
    this.status = status;
    this.headers = headers;
    this.body = body;
  }

  /** Reads {@code response} whole and closes it. */
  static BufferedResponse read(HttpResponse response, Map<String, String> extraHeaders) throws IOException {
    int status = response.statusCode();
    Headers headers = Responses.with(response.headers(), extraHeaders);
    return new BufferedResponse(status, headers, Responses.readBody(response));
  }

  /** This response with {@code extra} headers set. */
  BufferedResponse withHeaders(Map<String, String> extra) {
    return new BufferedResponse(status, Responses.with(headers, extra), body);
  }

  byte[] bytes() {
    return body;
  }

  @Override
  public int statusCode() {
    return status;
  }

  @Override
  public Headers headers() {
    return headers;
  }

  @Override
  public InputStream body() {
    return new ByteArrayInputStream(body);
  }

  @Override
  public void close() {
    // held in memory; nothing to release
  }

  @Override
  public String toString() {
    return "BufferedResponse[" + status + ", " + body.length + " bytes]";
  }
}
