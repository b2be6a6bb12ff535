package dev.pacer.anthropic.internal;

import com.anthropic.core.http.Headers;
import com.anthropic.core.http.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * A response passed to the SDK as it arrives, its body watched on the way (an event stream for
 * its usage, batch results for their cost). Closing it closes the body, which reports the end.
 */
final class WatchedResponse implements HttpResponse {

  private final HttpResponse delegate;
  private final Headers headers;
  private final InputStream body;

  WatchedResponse(HttpResponse delegate, Headers headers, InputStream body) {
    this.delegate = delegate;
    this.headers = headers;
    this.body = body;
  }

  @Override
  public int statusCode() {
    return delegate.statusCode();
  }

  @Override
  public Headers headers() {
    return headers;
  }

  @Override
  public InputStream body() {
    return body;
  }

  @Override
  public void close() {
    try {
      body.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      delegate.close();
    }
  }

  @Override
  public String toString() {
    return "WatchedResponse[" + delegate.statusCode() + "]";
  }
}
