package dev.pacer.jobs.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * One run at a time per results file: an exclusive lock on {@code OUTPUT.lock}, held while the run
 * goes. Two runs writing one output would each send every request (paying twice) and write each
 * custom_id twice. The operating system drops the lock of a process that dies, so a {@code kill -9}
 * leaves no stale lock.
 *
 * <p>The file stays, emptied, when the run ends: deleting it would let a run that opened it just
 * before lock a file no longer there while a third locks a new one. And nothing else in the process
 * may open it, since on Linux closing any descriptor of a file drops the process's lock on it.
 */
public final class OutputLock implements AutoCloseable {

  private final FileChannel channel;
  private final FileLock lock;

  private OutputLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** The lock file of a results file. */
  public static Path fileOf(Path output) {
    return output.resolveSibling(output.getFileName() + ".lock");
  }

  /**
   * Takes the lock of {@code output}, or returns empty when another run holds it ({@link #holder}
   * reads who).
   */
  public static Optional<OutputLock> tryTake(Path output) throws IOException {
    Path file = fileOf(output);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException heldInThisProcess) {
        lock = null;
      }
      if (lock == null) {
        channel.close();
        return Optional.empty();
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      return Optional.of(new OutputLock(channel, lock));
    } catch (IOException e) {
      channel.close(); // and with it the lock, if taken
      throw e;
    }
  }

  /** Who holds the lock of {@code output}, as it wrote in the file ("pid N"). */
  public static String holder(Path output) {
    try {
      String text = Files.readString(fileOf(output), StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? "another process" : text;
    } catch (IOException e) {
      return "another process";
    }
  }

  /** Empties the file and lets go. */
  @Override
  public void close() throws IOException {
    try {
      channel.truncate(0);
      lock.release();
    } finally {
      channel.close();
    }
  }
}
