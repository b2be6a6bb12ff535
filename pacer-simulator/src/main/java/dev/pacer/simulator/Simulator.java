package dev.pacer.simulator;

import dev.pacer.simulator.internal.SimulatorServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A local Anthropic API that enforces rate limits the way server-model.md says, on 127.0.0.1.
 *
 * <pre>{@code
 * try (Simulator sim = Simulator.start(SimulatorConfig.builder().tier("tier1").build())) {
 *   AnthropicClient client = AnthropicOkHttpClient.builder().baseUrl(sim.baseUrl()).apiKey("any").build();
 *   ...
 *   assertThat(sim.stats().rateLimited()).isZero();
 * }
 * }</pre>
 */
public final class Simulator implements AutoCloseable {

  private static final int WARM_UP_REQUESTS = 20;

  private final SimulatorConfig config;
  private final SimulatorServer server;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Simulator(SimulatorConfig config, SimulatorServer server) {
    this.config = config;
    this.server = server;
  }

  /** Starts a simulator; it listens until {@link #close()}. */
  public static Simulator start(SimulatorConfig config) {
    return new Simulator(config, SimulatorServer.start(config));
  }

  /** Starts a simulator with {@link SimulatorConfig#defaults()}. */
  public static Simulator start() {
    return start(SimulatorConfig.defaults());
  }

  /** {@code http://127.0.0.1:PORT}, for the SDKs' {@code baseUrl} or {@code ANTHROPIC_BASE_URL}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  public int port() {
    return server.port();
  }

  public SimulatorConfig config() {
    return config;
  }

  /** What it saw so far. */
  public SimulatorStats stats() {
    return server.engine().statsSnapshot();
  }

  /**
   * Time since the simulator started, on its clock: the origin of {@link FaultWindow}s and
   * {@link LimitChange}s.
   */
  public java.time.Duration uptime() {
    return java.time.Duration.ofNanos(config.clock().nanoTime() - server.engine().startNanos());
  }

  /**
   * Sends itself a few requests that validation refuses (Messages bodies without
   * {@code max_tokens}: no bucket is touched), then forgets the stats. Call it right after
   * {@link #start} when the simulator shares a JVM with a client that has just started too: a
   * real server is warm, while this one's first requests take about 150 ms longer than later ones
   * to reach admission (its HTTP server, body reading and JSON parsing loaded and compiled), which
   * bunches a job's first requests at its full buckets.
   */
  public void warmUp() {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest refused = HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/messages"))
        .header("x-api-key", "warm-up").header("anthropic-version", "2023-06-01")
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"claude-haiku-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"warm up\"}]}"))
        .build();
    try {
      for (int i = 0; i < WARM_UP_REQUESTS; i++) {
        http.send(refused, HttpResponse.BodyHandlers.discarding());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("the simulator could not reach itself at " + baseUrl(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      http.close();
    }
    resetStats();
  }

  /** Forgets the stats so far (not the buckets, not the prompt cache). */
  public void resetStats() {
    server.engine().stats().reset();
  }

  /** Faults on demand. */
  public Faults faults() {
    return server.engine().faults();
  }

  /** The pool a model id belongs to (the data file's longest-prefix rule). */
  public String poolOf(String model) {
    return server.engine().catalog().poolOf(model);
  }

  /** The limits a pool has now. */
  public Limits limits(String pool) {
    return server.engine().limitsOf(pool);
  }

  /** The pools used so far and their limits. */
  public Map<String, Limits> poolsInUse() {
    return server.engine().poolsInUse();
  }

  /** Every pool gets these limits at once, levels clipped to the new capacities. */
  public void setLimits(Limits limits) {
    server.engine().setLimits(limits);
  }

  public void setLimits(long rpm, long itpm, long otpm) {
    setLimits(new Limits(rpm, itpm, otpm));
  }

  /** One pool gets these limits at once, levels clipped to the new capacities. */
  public void setLimits(String pool, Limits limits) {
    server.engine().setLimits(pool, limits);
  }

  public void setLimits(String pool, long rpm, long itpm, long otpm) {
    setLimits(pool, new Limits(rpm, itpm, otpm));
  }

  /** The count_tokens endpoint's requests per window, at once. */
  public void setCountTokensRpm(long rpm) {
    if (rpm < 1) throw new IllegalArgumentException("rpm must be at least 1: " + rpm);
    server.engine().setCountTokensRpm(rpm);
  }

  /** Stops the server; requests in flight are cut. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      server.stop();
    }
  }

  @Override
  public String toString() {
    return "Simulator[" + baseUrl() + ", " + config + "]";
  }
}
