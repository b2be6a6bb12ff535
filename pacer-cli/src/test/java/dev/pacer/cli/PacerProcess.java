package dev.pacer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code pacer run} in a JVM of its own, for the tests that kill it, and what it wrote. */
public final class PacerProcess {

  private PacerProcess() {}

  /**
   * Starts {@code java JVM_OPTIONS -cp (this classpath) dev.pacer.cli.PacerCommand run RUN_ARGS},
   * with a test API key and no ANTHROPIC_BASE_URL from the environment, its output and errors to
   * {@code log}.
   */
  public static Process start(List<String> jvmOptions, List<String> runArgs, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.pacer.cli.PacerCommand", "run"));
    command.addAll(runArgs);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("ANTHROPIC_API_KEY", "test-key");
    builder.environment().remove("ANTHROPIC_BASE_URL");
    return builder.start();
  }

  /** Writes {@code requests} short prompts, custom_ids {@code p0…}, to {@code dir/in.jsonl}. */
  public static Path questions(Path dir, int requests) throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < requests; i++) {
      text.append("{\"custom_id\":\"p").append(i).append("\",\"prompt\":\"Question number ").append(i).append("\"}\n");
    }
    Path file = dir.resolve("in.jsonl");
    Files.writeString(file, text);
    return file;
  }

  /** custom_id → result type, failing on a repeated custom_id or an unreadable line. */
  public static Map<String, String> results(Path output) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Map<String, String> types = new HashMap<>();
    for (String line : Files.readAllLines(output)) {
      JsonNode node = json.readTree(line);
      String id = node.get("custom_id").asText();
      String previous = types.put(id, node.at("/result/type").asText());
      assertThat(previous).as("custom_id %s has one line in %s", id, output.getFileName()).isNull();
    }
    return types;
  }
}
