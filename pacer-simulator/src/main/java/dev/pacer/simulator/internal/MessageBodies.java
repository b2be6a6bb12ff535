package dev.pacer.simulator.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The JSON of Messages answers and stream events, in the API's shapes. */
final class MessageBodies {

  private MessageBodies() {}

  static ObjectNode usage(TokenSplit split, long outputTokens) {
    return usage(split, outputTokens, "standard");
  }

  /** Usage with {@code service_tier} {@code standard} (Messages) or {@code batch} (a batch result). */
  static ObjectNode usage(TokenSplit split, long outputTokens, String serviceTier) {
    ObjectNode u = Json.object();
    u.put("input_tokens", split.inputTokens());
    u.put("cache_creation_input_tokens", split.cacheCreation());
    u.put("cache_read_input_tokens", split.cacheRead());
    ObjectNode cc = u.putObject("cache_creation");
    cc.put("ephemeral_5m_input_tokens", split.cacheCreation5m());
    cc.put("ephemeral_1h_input_tokens", split.cacheCreation1h());
    u.put("output_tokens", outputTokens);
    u.putNull("server_tool_use");
    u.put("service_tier", serviceTier);
    return u;
  }

  static ObjectNode message(String id, String model, String text, String stopReason, ObjectNode usage) {
    ObjectNode m = Json.object();
    m.put("id", id);
    m.put("type", "message");
    m.put("role", "assistant");
    m.put("model", model);
    if (text == null) {
      m.putArray("content");
      m.putNull("stop_reason");
    } else {
      ObjectNode block = m.putArray("content").addObject();
      block.put("type", "text");
      block.put("text", text);
      m.put("stop_reason", stopReason);
    }
    m.putNull("stop_sequence");
    m.set("usage", usage);
    return m;
  }

  static ObjectNode messageStart(ObjectNode message) {
    ObjectNode e = Json.object();
    e.put("type", "message_start");
    e.set("message", message);
    return e;
  }

  static ObjectNode contentBlockStart(int index) {
    ObjectNode e = Json.object();
    e.put("type", "content_block_start");
    e.put("index", index);
    ObjectNode block = e.putObject("content_block");
    block.put("type", "text");
    block.put("text", "");
    return e;
  }

  static ObjectNode ping() {
    ObjectNode e = Json.object();
    e.put("type", "ping");
    return e;
  }

  static ObjectNode textDelta(int index, String text) {
    ObjectNode e = Json.object();
    e.put("type", "content_block_delta");
    e.put("index", index);
    ObjectNode d = e.putObject("delta");
    d.put("type", "text_delta");
    d.put("text", text);
    return e;
  }

  static ObjectNode contentBlockStop(int index) {
    ObjectNode e = Json.object();
    e.put("type", "content_block_stop");
    e.put("index", index);
    return e;
  }

  static ObjectNode messageDelta(String stopReason, TokenSplit split, long outputTokens) {
    ObjectNode e = Json.object();
    e.put("type", "message_delta");
    ObjectNode d = e.putObject("delta");
    d.put("stop_reason", stopReason);
    d.putNull("stop_sequence");
    ObjectNode u = e.putObject("usage");
    u.put("input_tokens", split.inputTokens());
    u.put("cache_creation_input_tokens", split.cacheCreation());
    u.put("cache_read_input_tokens", split.cacheRead());
    u.put("output_tokens", outputTokens);
    return e;
  }

  /** The data of a stream's {@code event: error}: {@code {"type":"error","error":{"type":…,"message":…}}}. */
  static ObjectNode streamError(String errorType, String message) {
    ObjectNode e = Json.object();
    e.put("type", "error");
    ObjectNode error = e.putObject("error");
    error.put("type", errorType);
    error.put("message", message);
    return e;
  }

  static ObjectNode messageStop() {
    ObjectNode e = Json.object();
    e.put("type", "message_stop");
    return e;
  }
}
