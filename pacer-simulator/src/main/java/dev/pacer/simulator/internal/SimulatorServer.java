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

  public static SimulatorServer start(SimulatorConfig config) {
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
