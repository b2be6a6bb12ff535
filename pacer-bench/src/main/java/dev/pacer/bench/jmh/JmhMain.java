package dev.pacer.bench.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pacer.bench.Units;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link AcquireSettleBenchmark} on 1 and then 2 threads with the GC profiler, and writes a
 * table of nanoseconds and bytes allocated per operation. Short by default (one fork, 2 × 1 s
 * warm-up, 3 × 1 s measured); {@code --full} for 2 forks of 5 × 2 s each.
 */
public final class JmhMain {

  /** Pacer's goal: under 1 µs per acquire+settle on one thread. */
  public static final double GOAL_NANOS = 1_000;

  private JmhMain() {}

  /** One benchmark on one thread count. */
  public record Row(String benchmark, int threads, double nanosPerOp, double nanosError, double bytesPerOp) {}

  public static List<Row> run(boolean full, Path out) throws RunnerException, IOException {
    List<Row> rows = new ArrayList<>();
    for (int threads : new int[] {1, 2}) {
      ChainedOptionsBuilder options = new OptionsBuilder()
          .include(AcquireSettleBenchmark.class.getName() + "\\.")
          .threads(threads)
          .forks(full ? 2 : 1)
          .warmupIterations(full ? 5 : 2)
          .warmupTime(TimeValue.seconds(full ? 2 : 1))
          .measurementIterations(full ? 5 : 3)
          .measurementTime(TimeValue.seconds(full ? 2 : 1))
          .addProfiler(GCProfiler.class)
          .shouldFailOnError(true);
      Collection<RunResult> results = new Runner(options.build()).run();
      for (RunResult result : results) {
        Result<?> primary = result.getPrimaryResult();
        Result<?> alloc = result.getSecondaryResults().get("gc.alloc.rate.norm");
        String method = result.getParams().getBenchmark();
        method = method.substring(method.lastIndexOf('.') + 1);
        rows.add(new Row(method, threads, primary.getScore(), primary.getScoreError(),
            alloc == null ? Double.NaN : alloc.getScore()));
      }
    }
    write(rows, full, out);
    return rows;
  }

  static String table(List<Row> rows) {
    StringBuilder md = new StringBuilder();
    md.append("| limiter | threads | ns per acquire+settle | ± (99.9%) | bytes allocated per op |\n");
    md.append("|---|---:|---:|---:|---:|\n");
    for (Row row : rows) {
      md.append("| ").append(label(row.benchmark())).append(" | ").append(row.threads()).append(" | ")
          .append(Units.fixed(row.nanosPerOp(), 1)).append(" | ")
          .append(Double.isNaN(row.nanosError()) ? "" : Units.fixed(row.nanosError(), 1)).append(" | ")
          .append(Double.isNaN(row.bytesPerOp()) ? "?" : Units.fixed(row.bytesPerOp(), 0)).append(" |\n");
    }
    return md.toString();
  }

  private static String label(String method) {
    return switch (method) {
      case "pacerGovernor" -> "Pacer Governor.tryAcquire + Permit.settle";
      case "guavaRateLimiter" -> "Guava RateLimiter.tryAcquire";
      case "resilience4jRateLimiter" -> "Resilience4j RateLimiter.acquirePermission";
      case "bucket4jBucket" -> "Bucket4j Bucket.tryConsume";
      default -> method;
    };
  }

  /** The goal's verdict: Pacer's one-thread cost under {@link #GOAL_NANOS}. */
  public static boolean meetsGoal(List<Row> rows) {
    return rows.stream().filter(r -> r.benchmark().equals("pacerGovernor") && r.threads() == 1)
        .allMatch(r -> r.nanosPerOp() < GOAL_NANOS);
  }

  private static void write(List<Row> rows, boolean full, Path out) throws IOException {
    Files.createDirectories(out);
    String md = "Governor overhead (JMH " + (full ? "full" : "short") + " run)\n\n" + table(rows);
    Files.writeString(out.resolve("jmh.md"), md);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("mode", full ? "full" : "short");
    json.put("goalNanos", GOAL_NANOS);
    json.put("rows", rows);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("jmh.json").toFile(), json);
    System.out.println();
    System.out.println(md);
    System.out.println(String.format(Locale.ROOT, "Pacer one-thread goal (< %.0f ns): %s", GOAL_NANOS,
        meetsGoal(rows) ? "met" : "MISSED"));
  }
}
