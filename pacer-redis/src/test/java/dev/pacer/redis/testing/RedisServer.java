package dev.pacer.redis.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for tests: started on a free loopback port with no persistence
 * ({@code --save "" --appendonly no}) in a temporary directory, stopped by its process id. It can
 * be killed (SIGKILL: all state lost) and started again on the same port.
 */
public final class RedisServer implements AutoCloseable {

  private final int port;
  private final String password;
  private final Path dir;
  private final List<String> extraArgs;
  private Process process;

  private RedisServer(int port, String password, Path dir, List<String> extraArgs) {
    this.port = port;
    this.password = password;
    this.dir = dir;
    this.extraArgs = extraArgs;
  }

  /** Starts a server without a password. */
  public static RedisServer start() {
    return start(null);
  }

  /** Starts a server that requires {@code password} (null: none). */
  public static RedisServer start(String password) {
    return start(password, List.of());
  }

  /** Starts a server with more {@code redis-server} arguments, e.g. {@code --enable-debug-command yes}. */
  public static RedisServer start(String password, List<String> extraArgs) {
    try {
      RedisServer server = new RedisServer(freePort(), password, Files.createTempDirectory("pacer-redis-test"),
          List.copyOf(extraArgs));
      server.launch();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  /** {@code redis://[:password@]127.0.0.1:port/0}. */
  public String url() {
    return "redis://" + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port + "/0";
  }

  public long pid() {
    return process.pid();
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** SIGKILL: the server dies at once and, without persistence, forgets everything. */
  public void kill() {
    if (process != null) {
      process.destroyForcibly();
      waitFor();
    }
  }

  /** Starts the server again on the same port, empty. */
  public void restart() {
    if (isRunning()) {
      kill();
    }
    launch();
  }

  /** SIGTERM by process id, then SIGKILL if it lingers. */
  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          waitFor();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // a temp dir left behind
    }
  }

  private void waitFor() {
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void launch() {
    List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
        "--loglevel", "warning"));
    if (password != null) {
      command.addAll(List.of("--requirepass", password));
    }
    command.addAll(extraArgs);
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("redis.log").toFile()).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis-server (is it installed? .ci/run installs it): " + e, e);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() - deadline < 0) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited at start: " + log());
      }
      if (answersPing()) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("redis-server did not answer on port " + port + " within 10 s: " + log());
  }

  /**
   * Sends one command on a connection of its own, without waiting for the answer (e.g.
   * {@code DEBUG SLEEP 2}, which holds the whole server).
   */
  public void sendWithoutWaiting(String... command) {
    StringBuilder resp = new StringBuilder("*").append(command.length).append("\r\n");
    for (String part : command) {
      resp.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part).append("\r\n");
    }
    Thread.ofVirtual().start(() -> {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        OutputStream out = socket.getOutputStream();
        if (password != null) {
          out.write(("AUTH " + password + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        out.write(resp.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        socket.getInputStream().read(new byte[256]);
        socket.setSoTimeout(30_000);
        socket.getInputStream().read(new byte[256]);
      } catch (IOException ignored) {
        // the server went away: nothing to wait for
      }
    });
  }

  private boolean answersPing() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      socket.setSoTimeout(500);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[64];
      int read = in.read(reply);
      // +PONG, or -NOAUTH when a password is required: either way it is serving.
      return read > 0 && (reply[0] == '+' || reply[0] == '-');
    } catch (IOException notYet) {
      return false;
    }
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("redis.log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
