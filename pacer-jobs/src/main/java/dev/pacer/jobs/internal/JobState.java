package dev.pacer.jobs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.jobs.RequestDefaults;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The small state file kept beside a job's output: which input (size, SHA-256) and which
 * request-shaping options (--model, --max-tokens, --system) produced the results in it, so that a
 * rerun can tell a plain resume from one over a changed file or changed options.
 *
 * @param inputSize the input's size in bytes
 * @param inputSha256 the input's SHA-256, hex
 * @param inputLines the input's lines
 * @param model {@code --model}, or null
 * @param maxTokens {@code --max-tokens}, or null
 * @param systemSha256 the SHA-256 of {@code --system}, or null
 */
public record JobState(long inputSize, String inputSha256, int inputLines, String model, Long maxTokens,
    String systemSha256) {

  static final int VERSION = 1;

  public static JobState of(long inputSize, String inputSha256, int inputLines, RequestDefaults defaults) {
    return new JobState(inputSize, inputSha256, inputLines, defaults.model().orElse(null),
        defaults.maxTokens().isPresent() ? defaults.maxTokens().getAsLong() : null,
        defaults.system().map(JobState::sha256).orElse(null));
  }

  public static Optional<JobState> read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      return Optional.empty();
    }
    if (node == null || node.path("version").asInt() != VERSION) {
      return Optional.empty();
    }
    JsonNode input = node.path("input");
    JsonNode options = node.path("request_options");
    return Optional.of(new JobState(input.path("size").asLong(), input.path("sha256").asText(""),
        input.path("lines").asInt(), text(options, "model"),
        options.hasNonNull("max_tokens") ? options.get("max_tokens").asLong() : null, text(options, "system_sha256")));
  }

  private static String text(JsonNode node, String field) {
    return node.hasNonNull(field) ? node.get(field).asText() : null;
  }

  /** Writes the state atomically (a new file renamed over the old). */
  public void write(Path file, Path input) throws IOException {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("version", VERSION);
    node.put("note", "Written by pacer run: what produced the results beside it. Delete it to stop change checks.");
    ObjectNode in = node.putObject("input");
    in.put("path", input.toAbsolutePath().normalize().toString());
    in.put("size", inputSize);
    in.put("sha256", inputSha256);
    in.put("lines", inputLines);
    ObjectNode options = node.putObject("request_options");
    options.put("model", model);
    if (maxTokens == null) {
      options.putNull("max_tokens");
    } else {
      options.put("max_tokens", maxTokens);
    }
    options.put("system_sha256", systemSha256);
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n",
        StandardCharsets.UTF_8);
    try {
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * How the job changed since {@code this} state was written.
   *
   * @param appended the input only grew: its old bytes are unchanged
   * @param inputChanged the input changed otherwise
   * @param optionChanges request-shaping options that changed, one phrase each
   */
  public record Changes(boolean appended, boolean inputChanged, List<String> optionChanges) {
    public boolean refusable() {
      return inputChanged || !optionChanges.isEmpty();
    }
  }

  /** Compares {@code this} (from the last run) with {@code now}, reading {@code input}'s prefix if it grew. */
  public Changes compareWith(JobState now, Path input) throws IOException {
    boolean appended = false;
    boolean changed = false;
    if (now.inputSize != inputSize || !now.inputSha256.equals(inputSha256)) {
      if (now.inputSize > inputSize && inputSha256.equals(prefixSha256(input, inputSize))) {
        appended = true;
      } else {
        changed = true;
      }
    }
    List<String> options = new ArrayList<>();
    if (!Objects.equals(model, now.model)) {
      options.add("--model was " + show(model) + ", now " + show(now.model));
    }
    if (!Objects.equals(maxTokens, now.maxTokens)) {
      options.add("--max-tokens was " + show(maxTokens) + ", now " + show(now.maxTokens));
    }
    if (!Objects.equals(systemSha256, now.systemSha256)) {
      options.add(systemSha256 == null ? "--system was not given, now it is"
          : now.systemSha256 == null ? "--system was given, now it is not" : "--system has a different text");
    }
    return new Changes(appended, changed, List.copyOf(options));
  }

  private static String show(Object value) {
    return value == null ? "not given" : String.valueOf(value);
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String prefixSha256(Path file, long bytes) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      long left = bytes;
      while (left > 0) {
        int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (read < 0) {
          return "";
        }
        digest.update(buffer, 0, read);
        left -= read;
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
