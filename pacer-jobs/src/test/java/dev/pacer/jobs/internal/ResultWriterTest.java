package dev.pacer.jobs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.jobs.testing.FillingDisk;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultWriterTest {

  @TempDir Path dir;

  private static ObjectNode message(String text) {
    ObjectNode message = JsonNodeFactory.instance.objectNode();
    message.put("text", text);
    return message;
  }

  @Test
  void aWriteTheDiskCannotHoldLeavesNothingOfItsLine() throws Exception {
    Path output = dir.resolve("out.jsonl");
    String first = Json.line(ResultWriter.succeeded("a", message("x".repeat(100)))) + "\n";
    try (ResultWriter writer = FillingDisk.withRoom(first.length() + 80).open(output)) {
      assertThat(writer.write(ResultWriter.succeeded("a", message("x".repeat(100))))).isTrue();
      assertThatThrownBy(() -> writer.write(ResultWriter.succeeded("b", message("y".repeat(100)))))
          .isInstanceOf(ResultWriter.WriteFailedException.class)
          .hasMessage("cannot write to " + output + ": No space left on device");
      assertThat(Files.readString(output, StandardCharsets.UTF_8)).isEqualTo(first); // 80 bytes were written, then cut off
      assertThat(writer.write(ResultWriter.succeeded("c", message("z")))).isTrue(); // room for a short one
    }
    assertThat(Files.readAllLines(output)).hasSize(2).allSatisfy(line -> assertThat(line).endsWith("}"));
  }
}
