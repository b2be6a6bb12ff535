package dev.pacer.simulator.bench;

import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The simulator's throughput with latency off: a benchmark to run by hand, not a test. It drives
 * {@code POST /v1/messages} over keep-alive HTTP/1.1 connections with a small raw-socket client (one
 * platform thread per connection, each sending its next request when the last answer is read), after
 * a warm-up, and prints requests per second. See docs/benchmarks.md, "Simulator throughput".
 *
 * <pre>
 *   java -cp … dev.pacer.simulator.bench.ThroughputBenchmark [--connections 32] [--seconds 20]
 *        [--warmup 10] [--url http://127.0.0.1:8080]    # drive a simulator running elsewhere
 *   java -cp … dev.pacer.simulator.bench.ThroughputBenchmark --serve 8080   # only serve (for wrk)
 * </pre>
 *
 * Without {@code --url} it starts its own simulator in this JVM, with limits far above what the run
 * can use, so every answer is a 200.
 */
public final class ThroughputBenchmark {

  static final String BODY = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello there, how fast can you answer?\"}]}";

  private ThroughputBenchmark() {}

  /** A simulator that never limits a benchmark: latency off, limits out of reach. */
  public static SimulatorConfig unlimited(int port) {
    return SimulatorConfig.builder().port(port)
        .rpm(1_000_000_000L).itpm(1_000_000_000_000L).otpm(1_000_000_000_000L).build();
  }

  public static void main(String[] args) throws Exception {
    int connections = 32;
    int seconds = 20;
    int warmup = 10;
    String url = null;
    Integer serve = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--connections" -> connections = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--url" -> url = args[++i];
        case "--serve" -> serve = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; use --connections N --seconds N --warmup N --url URL | --serve PORT");
      }
    }
    if (serve != null) {
      Simulator sim = Simulator.start(unlimited(serve));
      System.out.println(sim.baseUrl());
      System.out.println("serving with latency off and unreachable limits; Ctrl-C to stop");
      Thread.sleep(Long.MAX_VALUE);
      return;
    }
    Simulator own = url == null ? Simulator.start(unlimited(0)) : null;
    URI target = URI.create(url != null ? url : own.baseUrl());
    try {
      System.out.printf(Locale.ROOT, "target %s, %d connections, warm-up %d s, measured %d s, %d cores, %s%n",
          target, connections, warmup, seconds, Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.vm.name") + " " + Runtime.version());
      run(target, connections, Duration.ofSeconds(warmup));
      Result r = run(target, connections, Duration.ofSeconds(seconds));
      System.out.printf(Locale.ROOT, "%d requests in %.1f s: %.0f requests/s, %d non-200, %d errors%n",
          r.requests, r.seconds, r.requests / r.seconds, r.non200, r.errors);
    } finally {
      if (own != null) own.close();
    }
  }

  record Result(long requests, double seconds, long non200, long errors) {}

  static Result run(URI target, int connections, Duration length) throws InterruptedException {
    byte[] request = ("POST /v1/messages HTTP/1.1\r\nHost: " + target.getHost() + ":" + target.getPort()
        + "\r\nx-api-key: bench\r\nanthropic-version: 2023-06-01\r\ncontent-type: application/json\r\n"
        + "content-length: " + BODY.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + BODY)
        .getBytes(StandardCharsets.UTF_8);
    LongAdder done = new LongAdder();
    LongAdder non200 = new LongAdder();
    LongAdder errors = new LongAdder();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    for (int c = 0; c < connections; c++) {
      threads.add(Thread.ofPlatform().daemon().start(() -> {
        while (!stop.get()) {
          try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(target.getHost(), target.getPort()), 5_000);
            OutputStream out = s.getOutputStream();
            InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
            while (!stop.get()) {
              out.write(request);
              out.flush();
              if (readResponse(in) != 200) non200.increment();
              done.increment();
            }
          } catch (IOException e) {
            errors.increment();
          }
        }
      }));
    }
    Thread.sleep(length.toMillis());
    stop.set(true);
    long requests = done.sum();
    double seconds = (System.nanoTime() - start) / 1e9;
    for (Thread t : threads) {
      t.join(5_000);
    }
    return new Result(requests, seconds, non200.sum(), errors.sum());
  }

  /** Reads one response (status line, headers, a content-length body); returns its status. */
  private static int readResponse(InputStream in) throws IOException {
    String status = line(in);
    int code = Integer.parseInt(status.substring(9, 12));
    long length = 0;
    for (String h = line(in); !h.isEmpty(); h = line(in)) {
      if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
        length = Long.parseLong(h.substring(15).trim());
      }
    }
    while (length > 0) {
      long skipped = in.skip(length);
      if (skipped <= 0) {
        if (in.read() < 0) throw new IOException("connection closed mid-body");
        skipped = 1;
      }
      length -= skipped;
    }
    return code;
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder(64);
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) throw new IOException("connection closed");
      if (b != '\r') sb.append((char) b);
    }
    return sb.toString();
  }
}
