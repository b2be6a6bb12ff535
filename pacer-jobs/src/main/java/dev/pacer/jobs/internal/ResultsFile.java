package dev.pacer.jobs.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * A job's results file (Message Batches results format, one JSON object a line): reading what an
 * earlier run left, repairing a torn last line, dropping lines a rerun will replace, and the
 * helpers the writer needs. Every change to an existing file is atomic (a new file renamed over
 * the old), so a kill at any moment leaves either the old file or the new one.
 */
public final class ResultsFile {

  /** What a result line says of its custom_id. */
  public enum Status {
    SUCCEEDED,
    ERRORED,
    /** An errored result Pacer wrote for an input line it rejected: checked again on every run. */
    REJECTED_INPUT,
    CANCELED,
    EXPIRED
  }

  /**
   * What an earlier run left.
   *
   * @param results each custom_id's first result
   * @param tornBytes bytes of an unfinished last line that were cut off (0 if none)
   * @param unreadableLines complete lines that are not a result (they are dropped on compaction)
   * @param repeatedLines later lines for a custom_id that already had one (dropped on compaction)
   */
  public record Scan(Map<String, Status> results, long tornBytes, int unreadableLines, int repeatedLines) {
    public static Scan empty() {
      return new Scan(Map.of(), 0, 0, 0);
    }

    public boolean needsCompaction() {
      return unreadableLines > 0 || repeatedLines > 0;
    }
  }

  private ResultsFile() {}

  /**
   * Reads the results in {@code output}, first cutting off a torn last line (one without its line
   * break: the write that a kill interrupted). A missing file is an empty one.
   */
  public static Scan scanAndRepair(Path output) throws IOException {
    if (!Files.exists(output)) {
      return Scan.empty();
    }
    long torn = repairTornLine(output);
    return read(output, Files.size(output), torn);
  }

  /** Reads the results in {@code output} as {@link #scanAndRepair} would, changing nothing (for dry runs). */
  public static Scan scanWithoutRepair(Path output) throws IOException {
    if (!Files.exists(output)) {
      return Scan.empty();
    }
    long size = Files.size(output);
    long complete = completeLength(output);
    return read(output, complete, size - complete);
  }

  private static Scan read(Path output, long bytes, long torn) throws IOException {
    Map<String, Status> results = new HashMap<>();
    int unreadable = 0;
    int repeated = 0;
    try (BufferedReader reader = new BufferedReader(new java.io.InputStreamReader(
        new BoundedInputStream(Files.newInputStream(output), bytes), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        Parsed parsed = parse(line);
        if (parsed == null) {
          unreadable++;
        } else if (results.putIfAbsent(parsed.customId, parsed.status) != null) {
          repeated++;
        }
      }
    }
    return new Scan(results, torn, unreadable, repeated);
  }

  /** Cuts the file back to its last line break; returns the bytes cut. */
  static long repairTornLine(Path output) throws IOException {
    long length = Files.size(output);
    long keep = completeLength(output);
    if (keep < length) {
      try (RandomAccessFile file = new RandomAccessFile(output.toFile(), "rw")) {
        file.setLength(keep);
      }
    }
    return length - keep;
  }

  /** The length of the file up to and including its last line break. */
  public static long completeLength(Path output) throws IOException {
    try (RandomAccessFile file = new RandomAccessFile(output.toFile(), "r")) {
      long end = file.length();
      byte[] buffer = new byte[8192];
      while (end > 0) {
        int chunk = (int) Math.min(buffer.length, end);
        file.seek(end - chunk);
        file.readFully(buffer, 0, chunk);
        for (int i = chunk - 1; i >= 0; i--) {
          if (buffer[i] == '\n') {
            return end - chunk + i + 1;
          }
        }
        end -= chunk;
      }
      return 0;
    }
  }

  /** Reads at most {@code limit} bytes of a stream. */
  private static final class BoundedInputStream extends java.io.FilterInputStream {
    private long left;

    BoundedInputStream(java.io.InputStream in, long limit) {
      super(in);
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = super.read();
      if (b >= 0) {
        left--;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = super.read(buffer, offset, (int) Math.min(length, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }
  }

  /**
   * Rewrites {@code output} keeping only the first line of each custom_id that {@code keep}
   * accepts (and no unreadable line), atomically. Returns the lines dropped.
   */
  public static int compact(Path output, BiPredicate<String, Status> keep) throws IOException {
    if (!Files.exists(output)) {
      return 0;
    }
    Path temp = output.resolveSibling(output.getFileName() + ".compacting");
    int dropped = 0;
    Set<String> seen = new HashSet<>();
    try (BufferedReader reader = Files.newBufferedReader(output, StandardCharsets.UTF_8);
         BufferedWriter writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        Parsed parsed = parse(line);
        if (parsed == null || !seen.add(parsed.customId) || !keep.test(parsed.customId, parsed.status)) {
          dropped++;
          continue;
        }
        writer.write(line);
        writer.write('\n');
      }
    }
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    try {
      Files.move(temp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, output, StandardCopyOption.REPLACE_EXISTING);
    }
    return dropped;
  }

  /** Removes what an interrupted compaction left behind. */
  public static void removeLeftovers(Path output) throws IOException {
    Files.deleteIfExists(output.resolveSibling(output.getFileName() + ".compacting"));
  }

  private record Parsed(String customId, Status status) {}

  private static Parsed parse(String line) {
    JsonNode node;
    try {
      node = Json.parse(line);
    } catch (JsonProcessingException e) {
      return null;
    }
    JsonNode id = node.get("custom_id");
    JsonNode result = node.get("result");
    if (id == null || !id.isTextual() || result == null || !result.isObject()) {
      return null;
    }
    Status status = switch (result.path("type").asText("")) {
      case "succeeded" -> Status.SUCCEEDED;
      case "errored" -> "pacer_input_rejected".equals(result.path("error").path("error").path("details")
          .path("error_code").asText(null)) ? Status.REJECTED_INPUT : Status.ERRORED;
      case "canceled" -> Status.CANCELED;
      case "expired" -> Status.EXPIRED;
      default -> null;
    };
    return status == null ? null : new Parsed(id.textValue(), status);
  }
}
