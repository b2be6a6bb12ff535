package dev.pacer.jobs.batches;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchLogTest {

  @TempDir Path dir;

  @Test
  void aReopenedLogKnowsWhichBatchesAreInFlightCollectedOrUncertain() throws Exception {
    Path file = dir.resolve("out.jsonl.batches.jsonl");
    try (BatchLog log = BatchLog.open(file)) {
      BatchLog.Entry a = log.creating("a", Instant.parse("2026-07-01T10:00:00Z"), List.of("p1", "p2"));
      log.created(a, "msgbatch_a");
      BatchLog.Entry b = log.creating("b", Instant.parse("2026-07-01T10:00:01Z"), List.of("p3"));
      log.created(b, "msgbatch_b");
      log.collected(b, Map.of("succeeded", 1L));
      log.creating("c", Instant.parse("2026-07-01T10:00:02Z"), List.of("p4"));
      BatchLog.Entry d = log.creating("d", Instant.parse("2026-07-01T10:00:03Z"), List.of("p5"));
      log.notCreated(d, "refused");
    }
    // A crash cut the last line short.
    Files.writeString(file, "{\"event\":\"created\",\"key\":\"c\",\"batch", StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);

    try (BatchLog log = BatchLog.open(file)) {
      assertThat(log.tornBytes()).isPositive();
      assertThat(log.inFlight()).singleElement().satisfies(e -> {
        assertThat(e.batchId()).contains("msgbatch_a");
        assertThat(e.customIds()).containsExactly("p1", "p2");
      });
      assertThat(log.uncertain()).singleElement().satisfies(e -> assertThat(e.key()).isEqualTo("c"));
      assertThat(log.knows("msgbatch_b")).isTrue();
      assertThat(log.knows("msgbatch_z")).isFalse();
    }
    assertThat(Files.readString(file)).endsWith("\n");
    assertThat(BatchLog.peek(file)).hasSize(4);
  }
}
