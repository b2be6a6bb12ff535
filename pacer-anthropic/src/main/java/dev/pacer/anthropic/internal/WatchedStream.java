package dev.pacer.anthropic.internal;

import dev.pacer.Usage;
import dev.pacer.http.ApiError;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A stream's body as the SDK reads it, watched on the way: the usage events are noted, and the
 * stream's end (its {@code message_stop}, an {@code error} event, a broken connection, the end of
 * the bytes, or the reader closing it) is reported once to a {@link StreamEnd}.
 */
final class WatchedStream extends FilterInputStream implements SseUsageScanner.Listener {

  private final SseUsageScanner scanner = new SseUsageScanner(this);
  private final StreamEnd end;
  private final AtomicBoolean reported = new AtomicBoolean();

  WatchedStream(InputStream in, StreamEnd end) {
    super(in);
    this.end = end;
  }

  @Override
  public int read() throws IOException {
    int b;
    try {
      b = super.read();
    } catch (IOException e) {
      broke(null);
      throw e;
    }
    if (b < 0) {
      endOfBytes();
    } else {
      scanner.feed(b);
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int count;
    try {
      count = super.read(buffer, offset, length);
    } catch (IOException e) {
      broke(null);
      throw e;
    }
    if (count < 0) {
      endOfBytes();
    } else {
      scanner.feed(buffer, offset, count);
    }
    return count;
  }

  @Override
  public long skip(long n) throws IOException {
    // Skipped bytes are read, so that usage events among them are still seen.
    byte[] buffer = new byte[(int) Math.min(8192, Math.max(1, n))];
    long skipped = 0;
    while (skipped < n) {
      int count = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
      if (count < 0) {
        break;
      }
      skipped += count;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } finally {
      if (reported.compareAndSet(false, true)) {
        end.closedEarly(scanner.usage(), scanner.started());
      }
    }
  }

  @Override
  public void began(Usage usage) {
    if (!reported.get()) {
      end.began(usage);
    }
  }

  @Override
  public void stopped(Usage usage) {
    if (reported.compareAndSet(false, true)) {
      end.completed(usage);
    }
  }

  @Override
  public void errored(Usage usageSoFar, ApiError error) {
    broke(error);
  }

  private void endOfBytes() {
    if (!scanner.ended()) {
      broke(null); // the bytes ended without message_stop: the stream was cut
    }
  }

  private void broke(ApiError error) {
    if (reported.compareAndSet(false, true)) {
      end.failed(scanner.usage(), scanner.started(), error);
    }
  }
}
