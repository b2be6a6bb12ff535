package dev.pacer.anthropic.internal;

import com.anthropic.core.http.HttpRequestBody;
import java.io.IOException;
import java.io.OutputStream;

/** A request body held in memory, so that every attempt sends the same bytes. */
final class BytesBody implements HttpRequestBody {

  private final byte[] bytes;
  private final String contentType;

  BytesBody(byte[] bytes, String contentType) {
    this.bytes = bytes;
    this.contentType = contentType;
  }

  byte[] bytes() {
    return bytes;
  }

  @Override
  public void writeTo(OutputStream outputStream) {
    try {
      outputStream.write(bytes);
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
