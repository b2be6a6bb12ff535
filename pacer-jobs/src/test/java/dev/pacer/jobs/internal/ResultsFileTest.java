package dev.pacer.jobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsFileTest {

  @TempDir Path dir;

  private static final String OK = "{\"custom_id\":\"a\",\"result\":{\"type\":\"succeeded\",\"message\":{}}}";
  private static final String ERR = "{\"custom_id\":\"b\",\"result\":{\"type\":\"errored\",\"error\":{\"type\":\"error\","
      + "\"error\":{\"type\":\"api_error\",\"message\":\"x\"}}}}";
  private static final String REJECTED = "{\"custom_id\":\"c\",\"result\":{\"type\":\"errored\",\"error\":{\"type\":\"error\","
      + "\"error\":{\"type\":\"invalid_request_error\",\"message\":\"line 3: x\",\"details\":{\"error_code\":\"pacer_input_rejected\"}}}}}";

  @Test
  void cutsATornLastLineAndReadsTheRest() throws Exception {
    Path file = dir.resolve("out.jsonl");
    Files.writeString(file, OK + "\n" + ERR + "\n" + "{\"custom_id\":\"d\",\"res", StandardCharsets.UTF_8);
    ResultsFile.Scan scan = ResultsFile.scanAndRepair(file);
    assertThat(scan.tornBytes()).isEqualTo("{\"custom_id\":\"d\",\"res".length());
    assertThat(scan.results()).containsOnlyKeys("a", "b");
    assertThat(scan.results().get("b")).isEqualTo(ResultsFile.Status.ERRORED);
    assertThat(Files.readString(file)).isEqualTo(OK + "\n" + ERR + "\n");
  }

  @Test
  void aFileWithNoCompleteLineBecomesEmpty() throws Exception {
    Path file = dir.resolve("out.jsonl");
    Files.writeString(file, "{\"custom_id\":");
    assertThat(ResultsFile.scanAndRepair(file).results()).isEmpty();
    assertThat(Files.size(file)).isZero();
  }

  @Test
  void aDryRunScanChangesNothing() throws Exception {
    Path file = dir.resolve("out.jsonl");
    String text = OK + "\n" + "{\"torn";
    Files.writeString(file, text);
    ResultsFile.Scan scan = ResultsFile.scanWithoutRepair(file);
    assertThat(scan.results()).containsOnlyKeys("a");
    assertThat(scan.tornBytes()).isEqualTo(6);
    assertThat(Files.readString(file)).isEqualTo(text);
  }

  @Test
  void tellsInputRejectionsFromApiErrors() throws Exception {
    Path file = dir.resolve("out.jsonl");
    Files.writeString(file, OK + "\n" + ERR + "\n" + REJECTED + "\n");
    assertThat(ResultsFile.scanAndRepair(file).results().get("c")).isEqualTo(ResultsFile.Status.REJECTED_INPUT);
  }

  @Test
  void compactionKeepsTheFirstLineOfEachKeptIdAndDropsUnreadableOnes() throws Exception {
    Path file = dir.resolve("out.jsonl");
    Files.writeString(file, OK + "\nnot json\n" + ERR + "\n" + OK.replace("succeeded\",\"message\":{}", "succeeded\",\"message\":{\"n\":2}")
        + "\n" + REJECTED + "\n");
    ResultsFile.Scan scan = ResultsFile.scanAndRepair(file);
    assertThat(scan.unreadableLines()).isEqualTo(1);
    assertThat(scan.repeatedLines()).isEqualTo(1);
    int dropped = ResultsFile.compact(file, (id, status) -> status == ResultsFile.Status.SUCCEEDED);
    assertThat(dropped).isEqualTo(4);
    assertThat(Files.readString(file)).isEqualTo(OK + "\n");
    assertThat(Files.exists(dir.resolve("out.jsonl.compacting"))).isFalse();
  }
}
