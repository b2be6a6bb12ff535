package dev.pacer.jobs.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.jobs.ResultError;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends result lines to the output, each one whole, in one write, as it arrives: nothing is
 * buffered in the process, so a kill loses at most the line being written (which the next run's
 * repair cuts off). Thread-safe. Writes after {@link #close()} are dropped: an abandoned request
 * that completes late leaves no trace, and the next run sends it again.
 *
 * <p>A write that fails (a full disk, a quota) is cut back off the file, so no torn line stays in
 * the middle of it for a later write to run into, and is reported as a {@link WriteFailedException}.
 */
public final class ResultWriter implements Closeable {

  /** How a job opens its results file (tests open one on a disk that fills up). */
  @FunctionalInterface
  public interface Opener {
    ResultWriter open(Path output) throws IOException;
  }

  /** A result line that could not be written: the file holds nothing of it. */
  public static final class WriteFailedException extends IOException {
    WriteFailedException(Path output, IOException cause) {
      super("cannot write to " + output + ": " + cause.getMessage(), cause);
    }
  }

  private final Path output;
  private final FileChannel channel;
  private boolean closed;

  public ResultWriter(Path output) throws IOException {
    this(output, open(output));
  }

  /** A writer appending to {@code channel}, opened on {@code output} (named in errors). */
  public ResultWriter(Path output, FileChannel channel) {
    this.output = output;
    this.channel = channel;
  }

  private static FileChannel open(Path output) throws IOException {
    Path parent = output.toAbsolutePath().getParent();
    if (parent != null) {
      java.nio.file.Files.createDirectories(parent);
    }
    return FileChannel.open(output, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  /** {@code {"custom_id":…,"result":{"type":"succeeded","message":{…}}}} */
  public static ObjectNode succeeded(String customId, ObjectNode message) {
    ObjectNode line = JsonNodeFactory.instance.objectNode();
    line.put("custom_id", customId);
    ObjectNode result = line.putObject("result");
    result.put("type", "succeeded");
    result.set("message", message);
    return line;
  }

  /** {@code {"custom_id":…,"result":{"type":"errored","error":{"type":"error","error":{…},"request_id":…}}}} */
  public static ObjectNode errored(String customId, ResultError error) {
    ObjectNode line = JsonNodeFactory.instance.objectNode();
    line.put("custom_id", customId);
    ObjectNode result = line.putObject("result");
    result.put("type", "errored");
    result.set("error", error.toEnvelope());
    return line;
  }

  /**
   * Writes one result line; returns false if the writer was already closed.
   *
   * @throws WriteFailedException when the line could not be written whole (what was written of it
   *     is cut off again)
   */
  public synchronized boolean write(ObjectNode resultLine) throws IOException {
    if (closed) {
      return false;
    }
    ByteBuffer bytes = ByteBuffer.wrap((Json.line(resultLine) + "\n").getBytes(StandardCharsets.UTF_8));
    long sizeBefore = channel.size();
    try {
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
    } catch (IOException e) {
      try {
        channel.truncate(sizeBefore);
      } catch (IOException stillTorn) {
        e.addSuppressed(stillTorn); // the next run's repair cuts it off, if it is the last line
      }
      throw new WriteFailedException(output, e);
    }
    return true;
  }

  /** Makes what was written durable (for records a crash must not lose). */
  public synchronized void force() throws IOException {
    if (!closed) {
      channel.force(false);
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      channel.force(false);
    } finally {
      channel.close();
    }
  }
}
