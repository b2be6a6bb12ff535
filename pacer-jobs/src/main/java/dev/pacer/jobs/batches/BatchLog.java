package dev.pacer.jobs.batches;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.jobs.internal.Json;
import dev.pacer.jobs.internal.ResultWriter;
import dev.pacer.jobs.internal.ResultsFile;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The batch state file beside a job's output ({@code OUTPUT.batches.jsonl}): an append-only log
 * of the job's Message Batches, one event a line, each line written whole and flushed, so that a
 * crash, a {@code kill -9} or a reboot loses at most the line being written (cut off on the next
 * open). Events:
 *
 * <ul>
 *   <li>{@code creating}: about to create a batch ({@code key}, {@code at}, its {@code custom_ids});
 *   <li>{@code created}: the server made it ({@code key}, {@code batch_id});
 *   <li>{@code not_created}: the create failed, or a rerun found no batch for a cut-off create;
 *   <li>{@code collected}: its results are all in the output ({@code batch_id}, the counts);
 *   <li>{@code lost}: the server no longer knows it ({@code batch_id}, why).
 * </ul>
 *
 * <p>A batch is in flight from {@code created} until {@code collected} or {@code lost}: a rerun
 * waits for it instead of sending its requests again. A {@code creating} with no outcome is a
 * create the crash cut off: the server may or may not have the batch ({@link BatchJob} looks).
 */
public final class BatchLog implements Closeable {

  /** One batch the log knows, by the key its {@code creating} line gave it. */
  public static final class Entry {
    final String key;
    final Instant at;
    final List<String> customIds;
    String batchId;
    boolean notCreated;
    boolean collected;
    boolean lost;

    Entry(String key, Instant at, List<String> customIds) {
      this.key = key;
      this.at = at;
      this.customIds = customIds;
    }

    public String key() {
      return key;
    }

    public Instant at() {
      return at;
    }

    public List<String> customIds() {
      return customIds;
    }

    public Optional<String> batchId() {
      return Optional.ofNullable(batchId);
    }

    /** Created and neither collected nor lost. */
    public boolean inFlight() {
      return batchId != null && !collected && !lost;
    }

    /** A create that a crash cut off: no outcome recorded. */
    public boolean uncertain() {
      return batchId == null && !notCreated;
    }
  }

  private final Path file;
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final long tornBytes;
  private final int unreadableLines;
  private ResultWriter writer;

  private BatchLog(Path file, long tornBytes, int unreadableLines) {
    this.file = file;
    this.tornBytes = tornBytes;
    this.unreadableLines = unreadableLines;
  }

  /** Reads the log (a missing file is an empty log), first cutting off a torn last line. */
  public static BatchLog open(Path file) throws IOException {
    long torn = 0;
    if (Files.exists(file)) {
      long length = Files.size(file);
      long keep = ResultsFile.completeLength(file);
      if (keep < length) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
          raf.setLength(keep);
        }
        torn = length - keep;
      }
    }
    int unreadable = 0;
    Map<String, Entry> read = new LinkedHashMap<>();
    if (Files.exists(file)) {
      try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String line;
        while ((line = reader.readLine()) != null) {
          if (!line.isBlank() && !apply(read, line)) {
            unreadable++;
          }
        }
      }
    }
    BatchLog log = new BatchLog(file, torn, unreadable);
    log.entries.putAll(read);
    return log;
  }

  /** Reads the log without changing the file (for a dry run or a run through the Messages API). */
  public static List<Entry> peek(Path file) throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    Map<String, Entry> read = new LinkedHashMap<>();
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (!line.isBlank()) {
          apply(read, line);
        }
      }
    }
    return List.copyOf(read.values());
  }

  private static boolean apply(Map<String, Entry> entries, String line) {
    JsonNode node;
    try {
      node = Json.parse(line);
    } catch (JsonProcessingException e) {
      return false;
    }
    String event = node.path("event").asText("");
    String key = node.path("key").asText(null);
    String batchId = node.path("batch_id").asText(null);
    switch (event) {
      case "creating" -> {
        if (key == null) {
          return false;
        }
        List<String> ids = new ArrayList<>();
        node.path("custom_ids").forEach(id -> ids.add(id.asText()));
        Instant at;
        try {
          at = Instant.parse(node.path("at").asText());
        } catch (RuntimeException e) {
          at = Instant.EPOCH;
        }
        entries.put(key, new Entry(key, at, List.copyOf(ids)));
      }
      case "created" -> {
        Entry entry = key == null ? null : entries.get(key);
        if (entry == null || batchId == null) {
          return false;
        }
        entry.batchId = batchId;
      }
      case "not_created" -> {
        Entry entry = key == null ? null : entries.get(key);
        if (entry == null) {
          return false;
        }
        entry.notCreated = true;
      }
      case "collected", "lost" -> {
        Entry entry = byBatchId(entries, batchId);
        if (entry == null) {
          return false;
        }
        if (event.equals("collected")) {
          entry.collected = true;
        } else {
          entry.lost = true;
        }
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  private static Entry byBatchId(Map<String, Entry> entries, String batchId) {
    if (batchId == null) {
      return null;
    }
    for (Entry entry : entries.values()) {
      if (batchId.equals(entry.batchId)) {
        return entry;
      }
    }
    return null;
  }

  /** Bytes of an unfinished last line cut off at open (0 if none). */
  public long tornBytes() {
    return tornBytes;
  }

  /** Complete lines that are no event this class knows (ignored). */
  public int unreadableLines() {
    return unreadableLines;
  }

  public List<Entry> entries() {
    return List.copyOf(entries.values());
  }

  /** Batches created and not yet collected or lost. */
  public List<Entry> inFlight() {
    return entries.values().stream().filter(Entry::inFlight).toList();
  }

  /** Creates a crash cut off before their outcome was written. */
  public List<Entry> uncertain() {
    return entries.values().stream().filter(Entry::uncertain).toList();
  }

  /** Whether {@code batchId} is one of this job's batches. */
  public boolean knows(String batchId) {
    return byBatchId(entries, batchId) != null;
  }

  public Entry creating(String key, Instant at, List<String> customIds) throws IOException {
    ObjectNode line = event("creating");
    line.put("key", key);
    line.put("at", at.toString());
    line.put("requests", customIds.size());
    customIds.forEach(line.putArray("custom_ids")::add);
    Entry entry = new Entry(key, at, List.copyOf(customIds));
    append(line);
    entries.put(key, entry);
    return entry;
  }

  public void created(Entry entry, String batchId) throws IOException {
    ObjectNode line = event("created");
    line.put("key", entry.key);
    line.put("batch_id", batchId);
    append(line);
    entry.batchId = batchId;
  }

  public void notCreated(Entry entry, String why) throws IOException {
    ObjectNode line = event("not_created");
    line.put("key", entry.key);
    line.put("why", why);
    append(line);
    entry.notCreated = true;
  }

  public void collected(Entry entry, Map<String, Long> counts) throws IOException {
    ObjectNode line = event("collected");
    line.put("batch_id", entry.batchId);
    counts.forEach(line::put);
    append(line);
    entry.collected = true;
  }

  public void lost(Entry entry, String why) throws IOException {
    ObjectNode line = event("lost");
    line.put("batch_id", entry.batchId);
    line.put("why", why);
    append(line);
    entry.lost = true;
  }

  private static ObjectNode event(String name) {
    ObjectNode line = JsonNodeFactory.instance.objectNode();
    line.put("event", name);
    return line;
  }

  private void append(ObjectNode line) throws IOException {
    if (writer == null) {
      writer = new ResultWriter(file);
    }
    writer.write(line);
    writer.force();
  }

  @Override
  public void close() throws IOException {
    if (writer != null) {
      writer.close();
    }
  }
}
