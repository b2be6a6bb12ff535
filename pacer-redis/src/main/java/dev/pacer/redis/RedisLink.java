package dev.pacer.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The connections to one Redis: one for commands (Lettuce multiplexes every thread's calls on it)
 * and one for the pool channels. The script is loaded once and again after a NOSCRIPT (a
 * restarted Redis has forgotten it). While disconnected, commands fail at once rather than
 * queue: a take queued during an outage and run after it would spend capacity nobody uses.
 */
final class RedisLink implements AutoCloseable {

  static final String SCRIPT = loadScript();
  static final String SCRIPT_SHA = sha1(SCRIPT);

  private final RedisAddress address;
  private final ClientResources resources;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> commands;
  private final StatefulRedisPubSubConnection<String, String> channels;

  /**
   * Connects, loads the script and subscribes to nothing yet.
   *
   * @throws RedisUnavailableException if Redis cannot be reached now
   */
  RedisLink(RedisAddress address, RedisStoreConfig config, BiConsumer<String, String> onMessage) {
    this.address = address;
    this.resources = DefaultClientResources.builder()
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(2)
        .reconnectDelay(Delay.exponential(Duration.ofMillis(20), Duration.ofMillis(500), 2, TimeUnit.MILLISECONDS))
        .build();
    RedisURI uri = address.uri();
    // The handshake (HELLO, AUTH, SELECT) waits up to the connect timeout; every command after it
    // up to the command timeout (TimeoutOptions), after which Redis counts as unavailable.
    uri.setTimeout(config.connectTimeout());
    this.client = RedisClient.create(resources, uri);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(config.commandTimeout()))
        .socketOptions(SocketOptions.builder().connectTimeout(config.connectTimeout()).build())
        .build());
    StatefulRedisConnection<String, String> connected = null;
    StatefulRedisPubSubConnection<String, String> subscribed = null;
    try {
      connected = client.connect();
      connected.sync().scriptLoad(SCRIPT);
      subscribed = client.connectPubSub();
      subscribed.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          onMessage.accept(channel, message);
        }
      });
    } catch (RuntimeException e) {
      if (connected != null) {
        connected.closeAsync();
      }
      shutdownClient();
      throw new RedisUnavailableException("cannot connect to Redis at " + address + ": " + describe(e));
    }
    this.commands = connected;
    this.channels = subscribed;
  }

  /**
   * Runs the script: one EVALSHA, one round trip (two after Redis forgot the script).
   *
   * @throws RedisException if Redis cannot be reached or answers too slowly
   */
  <T> T eval(ScriptOutputType type, String[] keys, String[] args) {
    try {
      return commands.sync().evalsha(SCRIPT_SHA, type, keys, args);
    } catch (RedisNoScriptException e) {
      commands.sync().scriptLoad(SCRIPT);
      return commands.sync().evalsha(SCRIPT_SHA, type, keys, args);
    }
  }

  /** Listens on {@code channel}; Lettuce subscribes again after a reconnect. */
  void subscribe(String channel) {
    channels.async().subscribe(channel);
  }

  /** What went wrong, in one line, without the password. */
  String describe(Throwable e) {
    Throwable cause = e;
    StringBuilder text = new StringBuilder();
    while (cause != null && text.length() < 300) {
      if (!text.isEmpty()) {
        text.append(": ");
      }
      text.append(cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName());
      cause = cause.getCause() == cause ? null : cause.getCause();
    }
    return address.scrub(text.toString());
  }

  @Override
  public void close() {
    try {
      channels.close();
      commands.close();
    } catch (RuntimeException ignored) {
      // closing what is already broken
    }
    shutdownClient();
  }

  private void shutdownClient() {
    try {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    } catch (RuntimeException ignored) {
      // nothing left to do
    }
    resources.shutdown(0, 1, TimeUnit.SECONDS);
  }

  private static String loadScript() {
    try (InputStream in = RedisLink.class.getResourceAsStream("pool.lua")) {
      if (in == null) {
        throw new IllegalStateException("pacer-redis: pool.lua is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
