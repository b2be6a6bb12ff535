package dev.pacer.jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small helpers for job files in tests. */
public final class Files2 {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Files2() {}

  public static Path write(Path file, String... lines) {
    try {
      Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code n} short-form prompts with ids p0…p(n-1). */
  public static Path prompts(Path file, int n) {
    String[] lines = new String[n];
    for (int i = 0; i < n; i++) {
      lines[i] = "{\"custom_id\":\"p" + i + "\",\"prompt\":\"Say " + i + "\"}";
    }
    return write(file, lines);
  }

  /** Every line of a results file, parsed. */
  public static List<JsonNode> results(Path output) {
    try {
      List<JsonNode> nodes = new ArrayList<>();
      for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          nodes.add(JSON.readTree(line));
        }
      }
      return nodes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** custom_id → result type ("succeeded", "errored"), failing on a repeated custom_id. */
  public static Map<String, String> resultTypes(Path output) {
    Map<String, String> types = new LinkedHashMap<>();
    for (JsonNode node : results(output)) {
      String id = node.get("custom_id").asText();
      if (types.put(id, node.path("result").path("type").asText()) != null) {
        throw new AssertionError("custom_id " + id + " has more than one line in " + output);
      }
    }
    return types;
  }
}
