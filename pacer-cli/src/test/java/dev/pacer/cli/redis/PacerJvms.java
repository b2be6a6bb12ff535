package dev.pacer.cli.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.cli.PacerProcess;
import dev.pacer.simulator.Latency;
import dev.pacer.simulator.RequestRecord;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * {@code pacer run} processes for the multi-JVM tests: each its own JVM (java from java.home,
 * this JVM's class path, main class {@code dev.pacer.cli.PacerCommand}), its own part of one job,
 * its own log. {@link #close()} kills every process still alive (SIGKILL), so nothing outlives a
 * test.
 */
final class PacerJvms implements AutoCloseable {

  /** The simulator's limit and window, and the same told to every {@code pacer run}. */
  static final int RPM = 60;
  static final String WINDOW = "6s";
  /** Tokens are never what binds: only the requests bucket does. */
  static final long TOKENS = 10_000_000;
  /** The line {@code pacer run} prints once its store is connected to Redis. */
  static final String SHARING = "pacer: sharing limits through";

  private final Path dir;
  private final Map<String, Process> processes = new LinkedHashMap<>();

  PacerJvms(Path dir) {
    this.dir = dir;
  }

  /** RPM requests per 6 s window (burst the whole window), answers after 300 ms + 2,000 tokens/s. */
  static Simulator simulator(int rpm, Latency latency) {
    return Simulator.start(config(rpm, latency).build());
  }

  private static SimulatorConfig.Builder config(int rpm, Latency latency) {
    return SimulatorConfig.builder().rpm(rpm).itpm(TOKENS).otpm(TOKENS)
        .window(Duration.ofSeconds(6)).latency(latency).outputTokens(20, 60).seed(11);
  }

  static Latency quickAnswers() {
    return Latency.of(Duration.ofMillis(300), 2_000);
  }

  /**
   * Writes {@code parts} input files of one job of {@code requests} short prompts, custom_ids
   * {@code q0…}, request i in part i mod parts; answers the files, part by part.
   */
  List<Path> job(String name, int requests, int parts) {
    List<StringBuilder> texts = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      texts.add(new StringBuilder());
    }
    for (int i = 0; i < requests; i++) {
      texts.get(i % parts).append("{\"custom_id\":\"q").append(i).append("\",\"prompt\":\"Say hello number ")
          .append(i).append("\",\"model\":\"claude-haiku-4-5\",\"max_tokens\":64}\n");
    }
    List<Path> files = new ArrayList<>();
    try {
      for (int p = 0; p < parts; p++) {
        Path file = dir.resolve(name + "-part-" + p + ".jsonl");
        Files.writeString(file, texts.get(p));
        files.add(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** The custom_ids of one input file, in order. */
  static List<String> customIds(Path input) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<String> ids = new ArrayList<>();
    for (String line : Files.readAllLines(input)) {
      ids.add(json.readTree(line).get("custom_id").asText());
    }
    return ids;
  }

  /** Where {@code pacer run INPUT} writes its results. */
  static Path output(Path input) {
    return input.resolveSibling(input.getFileName().toString().replace(".jsonl", ".results.jsonl"));
  }

  /**
   * Starts {@code pacer run INPUT --base-url BASE --redis REDIS --rpm RPM ... --window 6s} in a
   * JVM of its own.
   */
  Process start(Path input, String baseUrl, String redisUrl, int rpm) {
    try {
      Process process = PacerProcess.start(
          // Four JVMs and the simulator on two cores: start quickly, stay small.
          List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m"),
          List.of(input.toString(), "--base-url", baseUrl, "--redis", redisUrl,
              "--rpm", Integer.toString(rpm), "--itpm", Long.toString(TOKENS), "--otpm", Long.toString(TOKENS),
              "--window", WINDOW, "--progress", "none", "-o", output(input).toString()),
          log(input));
      processes.put(input.getFileName().toString(), process);
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path log(Path input) {
    return input.resolveSibling(input.getFileName().toString().replace(".jsonl", ".log"));
  }

  static String logOf(Path input) {
    try {
      return Files.exists(log(input)) ? Files.readString(log(input)) : "(no log)";
    } catch (IOException e) {
      return "(unreadable log: " + e + ")";
    }
  }

  /** Waits for {@code process} (generously) and checks it exited 0, showing its log if not. */
  static void awaitSuccess(Process process, Path input) throws InterruptedException {
    boolean ended = process.waitFor(150, TimeUnit.SECONDS);
    assertThat(ended).as("pacer run %s ended; its log:%n%s", input.getFileName(), logOf(input)).isTrue();
    assertThat(process.exitValue()).as("pacer run %s's exit status; its log:%n%s", input.getFileName(), logOf(input))
        .isZero();
  }

  /** Result lines written so far, across {@code inputs}. */
  static long resultLines(List<Path> inputs) {
    long lines = 0;
    try {
      for (Path input : inputs) {
        Path output = output(input);
        if (Files.exists(output)) {
          lines += Files.readAllLines(output).stream().filter(l -> l.endsWith("}")).count();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lines;
  }

  /** Checks that every custom_id of every part has exactly one line, a success, in its part's output. */
  static void assertEveryRequestSucceededOnce(List<Path> inputs) throws IOException {
    for (Path input : inputs) {
      Map<String, String> types = PacerProcess.results(output(input));
      assertThat(new TreeSet<>(types.keySet())).as("custom_ids answered in %s", output(input).getFileName())
          .isEqualTo(new TreeSet<>(customIds(input)));
      assertThat(types.values()).as("result types in %s", output(input).getFileName()).containsOnly("succeeded");
    }
  }

  /** How many times the simulator answered each prompt with a 200. */
  static Map<String, Integer> answersPerPrompt(Simulator sim) {
    Map<String, Integer> counts = new HashMap<>();
    for (RequestRecord record : sim.stats().records()) {
      if (record.status() == 200) {
        counts.merge(record.promptHash(), 1, Integer::sum);
      }
    }
    return counts;
  }

  /**
   * E for the simulator's 200s, as pacer-redis/scripts/four-jvms.sh computes it: the least
   * possible time (N − burst) / rate plus one latency (burst in requests), over the first admission to the last plus
   * one latency. A figure to print, never to assert.
   */
  static String efficiency(Simulator sim, int requests, int burst, int rpm, double windowSeconds,
      double latencySeconds) {
    List<Instant> times = sim.stats().records().stream().filter(r -> r.status() == 200).map(RequestRecord::time)
        .sorted().toList();
    if (times.isEmpty()) {
      return "no answers";
    }
    double span = Duration.between(times.getFirst(), times.getLast()).toNanos() / 1e9 + latencySeconds;
    double lowerBound = Math.max(0, (requests - burst) / (rpm / windowSeconds)) + latencySeconds;
    return String.format("T_lb %.1f s, at the server %.1f s, E = %.3f", lowerBound, span, lowerBound / span);
  }

  /** Where the time went, from {@code started} (the JVMs spawned): first and last answer at the server, now. */
  static String timeline(Simulator sim, Instant started) {
    List<Instant> times = sim.stats().records().stream().filter(r -> r.status() == 200).map(RequestRecord::time)
        .sorted().toList();
    if (times.isEmpty()) {
      return "no answers";
    }
    return String.format("first request at the server %.1f s after the JVMs were spawned, last %.1f s, all exited %.1f s",
        seconds(started, times.getFirst()), seconds(started, times.getLast()), seconds(started, Instant.now()));
  }

  /** Each 429 the simulator answered: when (seconds from {@code from}) and which bucket it named. */
  static String rateLimitedTimeline(Simulator sim, Instant from) {
    return sim.stats().records().stream().filter(r -> r.status() == 429)
        .map(r -> String.format("%.2fs:%s", seconds(from, r.time()), r.limitedBy())).toList().toString();
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1e3;
  }

  /**
   * One Redis command on a connection of its own (RESP over a socket: cheap enough to poll).
   * Answers a Long for an integer reply, a String for a bulk or simple string, a List for an array.
   */
  static Object redis(int port, String... command) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      StringBuilder resp = new StringBuilder("*").append(command.length).append("\r\n");
      for (String part : command) {
        resp.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part).append("\r\n");
      }
      OutputStream out = socket.getOutputStream();
      out.write(resp.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      return reply(new DataInputStream(new BufferedInputStream(socket.getInputStream())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static long redisCount(int port, String... command) {
    return (Long) redis(port, command);
  }

  @SuppressWarnings("unchecked")
  static List<String> redisList(int port, String... command) {
    return (List<String>) redis(port, command);
  }

  private static Object reply(DataInputStream in) throws IOException {
    char type = (char) in.readByte();
    String line = readLine(in);
    return switch (type) {
      case ':' -> Long.parseLong(line);
      case '+' -> line;
      case '-' -> throw new IllegalStateException("Redis answered " + line);
      case '$' -> {
        int length = Integer.parseInt(line);
        if (length < 0) {
          yield null;
        }
        byte[] bytes = new byte[length + 2];
        in.readFully(bytes);
        yield new String(bytes, 0, length, StandardCharsets.UTF_8);
      }
      case '*' -> {
        List<Object> items = new ArrayList<>();
        for (int i = Integer.parseInt(line); i > 0; i--) {
          items.add(reply(in));
        }
        yield items;
      }
      default -> throw new IllegalStateException("unexpected Redis reply type " + type);
    };
  }

  private static String readLine(DataInputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\r'; c = in.read()) {
      if (c < 0) {
        throw new IOException("Redis closed the connection");
      }
      line.append((char) c);
    }
    in.read(); // \n
    return line.toString();
  }

  /** Sends {@code signal} (STOP, CONT, …) to {@code process} with kill(1). */
  static void signal(Process process, String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).as("kill -%s %d", signal, process.pid()).isZero();
  }

  /** Kills every process still alive (SIGKILL) and waits for it. */
  @Override
  public void close() throws InterruptedException {
    for (Process process : processes.values()) {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
    }
    for (Process process : processes.values()) {
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
