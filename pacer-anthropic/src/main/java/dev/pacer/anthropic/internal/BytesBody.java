package dev.pacer.anthropic.internal;

import com.anthropic.core.http.HttpRequestBody;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A request body held in memory, so that every attempt sends the same bytes; optionally saying when
 * they have been written (the transport writes a body once its connection is open, so that is when
 * the request left).
 */
final class BytesBody implements HttpRequestBody {

  private final byte[] bytes;
  private final String contentType;
  private final Runnable written;

  BytesBody(byte[] bytes, String contentType) {
    this(bytes, contentType, () -> { });
  }

  private BytesBody(byte[] bytes, String contentType, Runnable written) {
    this.bytes = bytes;
    this.contentType = contentType;
    this.written = written;
  }

  byte[] bytes() {
    return bytes;
  }

  /** The same bytes, running {@code written} each time they have been written out. */
  BytesBody reportingTo(Runnable written) {
    return new BytesBody(bytes, contentType, written);
  }

  @Override
  public void writeTo(OutputStream outputStream) {
    try {
      outputStream.write(bytes);
      written.run();
    } catch (IOException e) {
      throw Sneaky.<RuntimeException>rethrow(e); // the SDK's transports expect the IOException itself
    }
  }

  @Override
  public String contentType() {
    return contentType;
  }

  @Override
  public long contentLength() {
    return bytes.length;
  }

  @Override
  public boolean repeatable() {
    return true;
  }

  @Override
  public void close() {
    // nothing to release: the bytes stay for the next attempt
  }

  @Override
  public String toString() {
    return "BytesBody[" + bytes.length + " bytes, " + contentType + "]";
  }
}
