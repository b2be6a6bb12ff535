package dev.pacer.simulator.internal;

import com.sun.net.httpserver.HttpServer;
import dev.pacer.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The JDK's HTTP server on 127.0.0.1, one virtual thread per exchange, routing to the endpoints. */
public final class SimulatorServer {

  private final SimulatorEngine engine;
  private final HttpServer server;
  private final ExecutorService executor;

  private SimulatorServer(SimulatorEngine engine, HttpServer server, ExecutorService executor) {
    this.engine = engine;
    this.server = server;
    this.executor = executor;
  }

  /**
   * The JDK's server closes a finished exchange's connection when 200 others already sit idle
   * (its {@code sun.net.httpserver.maxIdleConnections}); a client with more in flight then sends
   * its next request on a connection the server has closed and gets "unexpected end of stream",
   * which the API's own front end would not cause. The setting is read once, when the JDK's server
   * first loads in a JVM, so it is set here unless the user chose a value.
   */
  static final String MAX_IDLE_CONNECTIONS = "sun.net.httpserver.maxIdleConnections";

  static final int IDLE_CONNECTIONS_KEPT = 10_000;

  public static SimulatorServer start(SimulatorConfig config) {
    if (System.getProperty(MAX_IDLE_CONNECTIONS) == null) {
      System.setProperty(MAX_IDLE_CONNECTIONS, Integer.toString(IDLE_CONNECTIONS_KEPT));
    }
    SimulatorEngine engine = new SimulatorEngine(config);
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port()), 1024);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + config.port() + ": " + e.getMessage(), e);
    }
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(executor);
    server.createContext("/", new Router(engine));
    server.start();
    return new SimulatorServer(engine, server, executor);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public SimulatorEngine engine() {
    return engine;
  }

  /** Stops listening and ends every exchange still running. */
  public void stop() {
    server.stop(0);
    executor.shutdownNow();
  }
}
