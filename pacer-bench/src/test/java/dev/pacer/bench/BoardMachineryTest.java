package dev.pacer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.bench.contenders.Contender;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The board's machinery on a tiny scenario: it runs, every contender gets a row, and the table,
 * JSON and chart are written. Figures are not checked here: benchmarks are not tests.
 */
class BoardMachineryTest {

  @Test
  void aTinyBoardRunsEveryContenderAndWritesItsReports(@TempDir Path out) throws Exception {
    Scenario tiny = Scenarios.all(Duration.ofSeconds(1), 0.1, 7).stream()
        .filter(s -> s.name().equals("never-fits")).findFirst().orElseThrow();
    List<Contender> contenders = Contender.all().stream()
        .filter(c -> List.of("backoff-loop", "bucket4j", "pacer").contains(c.name())).toList();
    ByteArrayOutputStream progress = new ByteArrayOutputStream();

    Board.Outcome outcome = new Board(List.of(tiny), contenders, 7, new PrintStream(progress, true,
        StandardCharsets.UTF_8), out.resolve("attempts")).withoutWarmUp().run();
    String md = Board.write(outcome, out, Map.of("command", "test"));

    List<RunResult> runs = outcome.runs().get("never-fits");
    assertThat(runs).extracting(RunResult::contender).containsExactly("backoff-loop", "bucket4j", "pacer");
    assertThat(runs).allSatisfy(run -> {
      assertThat(run.error()).isNull();
      assertThat(run.requests()).isEqualTo(tiny.job().size());
      assertThat(run.neverFit()).isNotNull();
      assertThat(run.lowerBoundSeconds()).isPositive();
    });
    assertThat(md).contains("| never-fits |", "| pacer |", "The request that can never fit");
    assertThat(Files.readString(out.resolve("scoreboard.md"))).isEqualTo(md);
    assertThat(Files.readString(out.resolve("scoreboard.json"))).contains("\"lowerBoundSeconds\"", "\"runs\"");
    assertThat(Files.readString(out.resolve("scoreboard.svg"))).startsWith("<svg").contains("<polyline");
    assertThat(out.resolve("attempts").resolve("never-fits.pacer.csv")).exists();
  }
}
