package dev.pacer.anthropic.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.Usage;
import dev.pacer.http.ApiError;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/**
 * Watches the bytes of a Messages event stream go by and keeps the usage they report:
 * {@code message_start} (input and cache tokens), {@code message_delta} (cumulative output),
 * {@code message_stop} (the end) and {@code error}. Only those events' data lines are kept, one
 * line at a time; content deltas are skipped without being stored. Not thread-safe: one reader.
 */
final class SseUsageScanner {

  private static final Set<String> WATCHED = Set.of("message_start", "message_delta", "message_stop", "error");
  private static final int PREFIX = 6; // enough to tell "event:" from "data: "
  private static final int MAX_LINE = 16 << 20;

  /** What the scanner tells its owner. */
  interface Listener {
    /** {@code message_start} arrived: the usage of the prompt (input and cache tokens) is known. */
    default void began(Usage usage) {}

    void stopped(Usage usage);

    void errored(Usage usageSoFar, ApiError error);
  }

  private final Listener listener;
  private byte[] line = new byte[256];
  private int length;
  private boolean skipping;
  private String event;
  private Usage usage = Usage.NONE;
  private boolean started;
  private boolean ended;

  SseUsageScanner(Listener listener) {
    this.listener = listener;
  }

  Usage usage() {
    return usage;
  }

  /** Whether {@code message_start} was seen. */
  boolean started() {
    return started;
  }

  /** Whether {@code message_stop} or {@code error} was seen. */
  boolean ended() {
    return ended;
  }

  void feed(byte[] bytes, int offset, int count) {
    for (int i = offset; i < offset + count; i++) {
      feed(bytes[i]);
    }
  }

  void feed(int b) {
    if (b == '\n') {
      endOfLine();
      return;
    }
    if (skipping) {
      return;
    }
    if (length == line.length) {
      if (line.length >= MAX_LINE) {
        skipping = true; // a line this long is no usage event
        return;
      }
      line = Arrays.copyOf(line, Math.min(MAX_LINE, line.length * 2));
    }
    line[length++] = (byte) b;
    if (length == PREFIX) {
      boolean data = startsWith("data:", length);
      boolean name = startsWith("event:", length);
      skipping = data ? event != null && !WATCHED.contains(event) : !name;
    }
  }

  private void endOfLine() {
    int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
    boolean skipped = skipping;
    length = 0;
    skipping = false;
    if (end == 0) {
      event = null; // a blank line ends the event
      return;
    }
    if (skipped) {
      return;
    }
    if (startsWith("event:", end)) {
      event = new String(line, 6, end - 6, StandardCharsets.UTF_8).trim();
    } else if (startsWith("data:", end)) {
      int from = end > 5 && line[5] == ' ' ? 6 : 5;
      Json.tree(line, from, end - from).ifPresent(this::onData);
    }
    if (line.length > 64 * 1024) {
      line = new byte[256]; // do not keep a large buffer for the rest of the stream
    }
  }

  private boolean startsWith(String prefix, int lineLength) {
    if (lineLength < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (line[i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private void onData(JsonNode data) {
    String type = event != null ? event : Json.text(data, "type");
    if (type == null || ended) {
      return;
    }
    switch (type) {
      case "message_start" -> {
        started = true;
        usage = Json.merge(usage, data.path("message").path("usage"));
        listener.began(usage);
      }
      case "message_delta" -> usage = Json.merge(usage, data.path("usage"));
      case "message_stop" -> {
        ended = true;
        listener.stopped(usage);
      }
      case "error" -> {
        ended = true;
        listener.errored(usage, Json.apiError(data, null));
      }
      default -> { }
    }
  }
}
