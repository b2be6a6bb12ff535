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
 */
public final class ResultWriter implements Closeable {

  private final FileChannel channel;
  private boolean closed;

  public ResultWriter(Path output) throws IOException {
    Path parent = output.toAbsolutePath().getParent();
    if (parent != null) {
      java.nio.file.Files.createDirectories(parent);
    }
    this.channel = FileChannel.open(output, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
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

  /** Writes one result line; returns false if the writer was already closed. */
  public synchronized boolean write(ObjectNode resultLine) throws IOException {
    if (closed) {
      return false;
    }
    ByteBuffer bytes = ByteBuffer.wrap((Json.line(resultLine) + "\n").getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      channel.write(bytes);
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
