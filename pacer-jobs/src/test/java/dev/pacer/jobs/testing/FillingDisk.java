package dev.pacer.jobs.testing;

import dev.pacer.jobs.internal.ResultWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A results file on a disk that holds only so many bytes: a write that would pass that writes
 * what fits and then fails, "No space left on device", as a full file system does. Everything else
 * goes to the real file.
 */
public final class FillingDisk extends FileChannel {

  private final FileChannel file;
  private final long room;

  private FillingDisk(FileChannel file, long room) {
    this.file = file;
    this.room = room;
  }

  /** Opens results files on a disk whose free room is {@code room} bytes (beyond what each holds already). */
  public static ResultWriter.Opener withRoom(long room) {
    return output -> {
      FileChannel file = FileChannel.open(output, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
      return new ResultWriter(output, new FillingDisk(file, file.size() + room));
    };
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    long free = room - file.size();
    if (free <= 0) {
      throw new IOException("No space left on device");
    }
    if (src.remaining() <= free) {
      return file.write(src);
    }
    ByteBuffer part = src.slice().limit((int) free);
    int written = file.write(part);
    src.position(src.position() + written);
    return written;
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    long total = 0;
    for (int i = offset; i < offset + length; i++) {
      total += write(srcs[i]);
    }
    return total;
  }

  @Override
  public int write(ByteBuffer src, long position) {
    throw new UnsupportedOperationException("results are appended");
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return file.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    return file.read(dsts, offset, length);
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return file.read(dst, position);
  }

  @Override
  public long position() throws IOException {
    return file.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    file.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return file.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    file.truncate(size);
    return this;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    file.force(metaData);
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    return file.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) {
    throw new UnsupportedOperationException("results are appended");
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    return file.map(mode, position, size);
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return file.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return file.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    file.close();
  }
}
