package dev.pacer.simulator.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.simulator.SimulatorConfig;
import dev.pacer.simulator.junit.SimulatorExtension;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The official TypeScript SDK ({@code @anthropic-ai/sdk} from npm, installed by this test into
 * {@code target/ts-sdk}) against the simulator: create (after a 429 it retries by itself), stream,
 * the raw event sequence, count_tokens, headers. Skipped only when {@code node} is not installed;
 * any failure of npm or node fails the test.
 */
class TypeScriptSdkTest {

  /** Pinned so that a new release cannot change the test under us; bump deliberately. */
  static final String SDK = "@anthropic-ai/sdk@1.14.0";

  @RegisterExtension
  static final SimulatorExtension SIM = SimulatorExtension.with(SimulatorConfig.builder().seed(3).build());

  @Test
  void theTypeScriptSdkCreatesStreamsAndCounts() throws Exception {
    Optional<Path> node = onPath("node");
    Assumptions.assumeTrue(node.isPresent(),
        "node is not installed: TypeScriptSdkTest skipped (CI installs nodejs; apt-get install nodejs npm)");
    Path npm = onPath("npm").orElseThrow(() -> new AssertionError("node is installed but npm is not"));

    Path dir = Path.of("target", "ts-sdk").toAbsolutePath();
    Files.createDirectories(dir);
    copyResource("package.json", dir);
    copyResource("check.mjs", dir);
    Path installed = dir.resolve("node_modules/@anthropic-ai/sdk/package.json");
    if (!Files.exists(installed) || !Files.readString(installed).contains("\"version\": \"" + SDK.substring(SDK.lastIndexOf('@') + 1) + "\"")) {
      run(dir, 300, Map.of(), npm.toString(), "install", "--no-audit", "--no-fund", "--no-save",
          "--loglevel=error", SDK);
    }

    SIM.faults().failNext(1, 429);
    String out = run(dir, 90, Map.of("SIM_BASE_URL", SIM.baseUrl()), node.get().toString(), "check.mjs");
    String last = out.strip().lines().reduce((a, b) -> b).orElse("");
    JsonNode result = new ObjectMapper().readTree(last);

    JsonNode created = result.path("created");
    assertThat(created.path("type").asText()).isEqualTo("message");
    assertThat(created.at("/content/0/text").asText()).isNotBlank();
    assertThat(created.at("/usage/output_tokens").asLong()).isPositive();

    JsonNode streamed = result.path("streamed");
    assertThat(streamed.at("/content/0/text").asText()).isEqualTo(created.at("/content/0/text").asText());
    assertThat(result.path("deltaText").asText()).isEqualTo(created.at("/content/0/text").asText());
    assertThat(streamed.at("/usage/output_tokens").asLong()).isEqualTo(created.at("/usage/output_tokens").asLong());
    assertThat(streamed.path("stop_reason").asText()).isEqualTo(created.path("stop_reason").asText());

    List<String> types = new ArrayList<>();
    result.path("types").forEach(t -> types.add(t.asText()));
    assertThat(types.get(0)).isEqualTo("message_start");
    assertThat(types.subList(types.size() - 3, types.size()))
        .containsExactly("content_block_stop", "message_delta", "message_stop");
    assertThat(types).contains("content_block_start", "content_block_delta");

    assertThat(result.at("/counted/input_tokens").asLong()).isEqualTo(created.at("/usage/input_tokens").asLong());
    assertThat(result.at("/headers/requestId").asText()).startsWith("req_");
    assertThat(result.at("/headers/requestsLimit").asText()).isEqualTo("1000");

    assertThat(SIM.stats().count(429)).as("the SDK retried the 429").isEqualTo(1);
    assertThat(SIM.stats().succeeded()).isEqualTo(3);
  }

  private static void copyResource(String name, Path dir) throws IOException {
    try (InputStream in = TypeScriptSdkTest.class.getResourceAsStream("/ts-sdk/" + name)) {
      Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static Optional<Path> onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String d : path.split(File.pathSeparator)) {
      Path p = Path.of(d, program);
      if (Files.isExecutable(p)) return Optional.of(p);
    }
    return Optional.empty();
  }

  /** Runs a command; its output if it exits 0 in time, else an AssertionError with that output. */
  private static String run(Path dir, int timeoutSeconds, Map<String, String> env, String... command)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile(dir, "run-", ".log");
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    Files.deleteIfExists(log);
    if (!done) {
      throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s:\n" + out);
    }
    if (p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + out);
    }
    return out;
  }
}
