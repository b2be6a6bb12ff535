package dev.pacer.simulator.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.util.Set;

/**
 * Reads and checks a request body the way the API does, answering malformed input with a 400
 * {@code invalid_request_error} whose message names the field (in the API's {@code a.0.b} style).
 */
public final class RequestValidator {

  private static final Set<String> BLOCK_TYPES = Set.of(
      "text", "image", "document", "search_result", "tool_use", "tool_result",
      "thinking", "redacted_thinking", "server_tool_use", "web_search_tool_result");
  private static final String EXPECTED_TAGS =
      "'text', 'image', 'document', 'search_result', 'tool_use', 'tool_result', 'thinking', "
          + "'redacted_thinking', 'server_tool_use', 'web_search_tool_result'";

  private RequestValidator() {}

  /** A {@code POST /v1/messages} body. */
  public static MessagesRequest messages(byte[] body) {
    return parse(body, true);
  }

  /** The {@code params} of a batch request, checked as a {@code POST /v1/messages} body. */
  public static MessagesRequest messages(JsonNode params) {
    return parse(params, true);
  }

  /** A {@code POST /v1/messages/count_tokens} body: the same, without {@code max_tokens}. */
  public static MessagesRequest countTokens(byte[] body) {
    return parse(body, false);
  }

  private static MessagesRequest parse(byte[] body, boolean needsMaxTokens) {
    return parse(readJson(body), needsMaxTokens);
  }

  /** Reads a body as JSON, or a 400 saying why it cannot. */
  static JsonNode readJson(byte[] body) {
    if (body.length == 0) {
      throw ApiException.invalidRequest("The request body is empty: send a JSON object.");
    }
    try {
      JsonNode root = Json.MAPPER.readTree(body);
      if (root == null || root.isMissingNode()) {
        throw ApiException.invalidRequest("The request body is empty: send a JSON object.");
      }
      return root;
    } catch (JacksonException e) {
      throw ApiException.invalidRequest(
          "There was an error parsing the body of your request: it is not valid JSON ("
              + e.getOriginalMessage() + ").");
    } catch (IOException e) {
      throw ApiException.invalidRequest("There was an error reading the body of your request.");
    }
  }

  private static MessagesRequest parse(JsonNode root, boolean needsMaxTokens) {
    if (!root.isObject()) {
      throw ApiException.invalidRequest("The request body must be a JSON object.");
    }
    String model = requiredString(root, "model");
    long maxTokens = 0;
    if (needsMaxTokens) {
      JsonNode mt = required(root, "max_tokens");
      if (!mt.isIntegralNumber()) {
        throw ApiException.invalidRequest("max_tokens: Input should be a valid integer");
      }
      maxTokens = mt.asLong();
      if (maxTokens < 1) {
        throw ApiException.invalidRequest("max_tokens: Input should be greater than or equal to 1");
      }
    }
    ArrayNode messages = messagesOf(root);
    JsonNode system = systemOf(root);
    ArrayNode tools = toolsOf(root);
    boolean stream = false;
    JsonNode s = root.get("stream");
    if (s != null && !s.isNull()) {
      if (!s.isBoolean()) {
        throw ApiException.invalidRequest("stream: Input should be a valid boolean");
      }
      stream = s.booleanValue();
    }
    checkNumber(root, "temperature", 0, 1);
    checkNumber(root, "top_p", 0, 1);
    JsonNode stops = root.get("stop_sequences");
    if (stops != null && !stops.isNull() && !stops.isArray()) {
      throw ApiException.invalidRequest("stop_sequences: Input should be a valid list");
    }
    return new MessagesRequest(model, maxTokens, stream, system, messages, tools);
  }

  private static JsonNode required(JsonNode parent, String field) {
    JsonNode v = parent.get(field);
    if (v == null || v.isNull()) {
      throw ApiException.invalidRequest(field + ": Field required");
    }
    return v;
  }

  private static String requiredString(JsonNode root, String field) {
    JsonNode v = required(root, field);
    if (!v.isTextual()) {
      throw ApiException.invalidRequest(field + ": Input should be a valid string");
    }
    if (v.asText().isBlank()) {
      throw ApiException.invalidRequest(field + ": String should have at least 1 character");
    }
    return v.asText();
  }

  private static void checkNumber(JsonNode root, String field, double min, double max) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) return;
    if (!v.isNumber()) {
      throw ApiException.invalidRequest(field + ": Input should be a valid number");
    }
    if (v.asDouble() < min) {
      throw ApiException.invalidRequest(field + ": Input should be greater than or equal to " + fmt(min));
    }
    if (v.asDouble() > max) {
      throw ApiException.invalidRequest(field + ": Input should be less than or equal to " + fmt(max));
    }
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static ArrayNode messagesOf(JsonNode root) {
    JsonNode m = required(root, "messages");
    if (!m.isArray()) {
      throw ApiException.invalidRequest("messages: Input should be a valid list");
    }
    if (m.isEmpty()) {
      throw ApiException.invalidRequest("messages: at least one message is required");
    }
    for (int i = 0; i < m.size(); i++) {
      checkMessage(m.get(i), i, i == m.size() - 1);
    }
    return (ArrayNode) m;
  }

  private static void checkMessage(JsonNode msg, int i, boolean last) {
    String at = "messages." + i;
    if (!msg.isObject()) {
      throw ApiException.invalidRequest(at + ": Input should be a valid dictionary or object");
    }
    JsonNode role = msg.get("role");
    if (role == null || role.isNull()) {
      throw ApiException.invalidRequest(at + ".role: Field required");
    }
    if (!role.isTextual() || !(role.asText().equals("user") || role.asText().equals("assistant"))) {
      throw ApiException.invalidRequest(at + ".role: Input should be 'user' or 'assistant'");
    }
    JsonNode content = msg.get("content");
    if (content == null || content.isNull()) {
      throw ApiException.invalidRequest(at + ".content: Field required");
    }
    boolean finalAssistant = last && role.asText().equals("assistant");
    if (content.isTextual()) {
      if (content.asText().isEmpty() && !finalAssistant) {
        throw ApiException.invalidRequest(
            at + ": all messages must have non-empty content except for the optional final assistant message");
      }
      return;
    }
    if (!content.isArray()) {
      throw ApiException.invalidRequest(at + ".content: Input should be a valid string or a valid list");
    }
    if (content.isEmpty() && !finalAssistant) {
      throw ApiException.invalidRequest(
          at + ": all messages must have non-empty content except for the optional final assistant message");
    }
    for (int j = 0; j < content.size(); j++) {
      checkBlock(content.get(j), at + ".content." + j);
    }
  }

  /** One content block: an object with a known {@code type} and that type's required fields. */
  static void checkBlock(JsonNode block, String at) {
    if (!block.isObject()) {
      throw ApiException.invalidRequest(at + ": Input should be a valid dictionary or object");
    }
    JsonNode type = block.get("type");
    if (type == null || !type.isTextual()) {
      throw ApiException.invalidRequest(
          at + ": Unable to extract tag using discriminator 'type'");
    }
    String t = type.asText();
    if (!BLOCK_TYPES.contains(t)) {
      throw ApiException.invalidRequest(at + ".type: Input tag '" + t
          + "' found using 'type' does not match any of the expected tags: " + EXPECTED_TAGS);
    }
    switch (t) {
      case "text" -> {
        JsonNode text = block.get("text");
        if (text == null || text.isNull()) {
          throw ApiException.invalidRequest(at + ".text.text: Field required");
        }
        if (!text.isTextual()) {
          throw ApiException.invalidRequest(at + ".text.text: Input should be a valid string");
        }
        if (text.asText().isEmpty()) {
          throw ApiException.invalidRequest(at + ".text.text: text content blocks must be non-empty");
        }
      }
      case "image", "document" -> {
        JsonNode source = block.get("source");
        if (source == null || !source.isObject()) {
          throw ApiException.invalidRequest(at + "." + t + ".source: Field required");
        }
      }
      case "tool_use", "server_tool_use" -> {
        for (String f : new String[] {"id", "name"}) {
          JsonNode v = block.get(f);
          if (v == null || !v.isTextual()) {
            throw ApiException.invalidRequest(at + "." + t + "." + f + ": Field required");
          }
        }
        JsonNode input = block.get("input");
        if (input == null || !input.isObject()) {
          throw ApiException.invalidRequest(at + "." + t + ".input: Input should be a valid dictionary");
        }
      }
      case "tool_result" -> {
        JsonNode id = block.get("tool_use_id");
        if (id == null || !id.isTextual()) {
          throw ApiException.invalidRequest(at + ".tool_result.tool_use_id: Field required");
        }
      }
      case "thinking" -> {
        JsonNode thinking = block.get("thinking");
        if (thinking == null || !thinking.isTextual()) {
          throw ApiException.invalidRequest(at + ".thinking.thinking: Field required");
        }
      }
      default -> { }
    }
    checkCacheControl(block, at);
  }

  static void checkCacheControl(JsonNode block, String at) {
    JsonNode cc = block.get("cache_control");
    if (cc == null || cc.isNull()) return;
    if (!cc.isObject() || !"ephemeral".equals(cc.path("type").asText())) {
      throw ApiException.invalidRequest(at + ".cache_control.type: Input should be 'ephemeral'");
    }
    JsonNode ttl = cc.get("ttl");
    if (ttl != null && !ttl.isNull() && !(ttl.asText().equals("5m") || ttl.asText().equals("1h"))) {
      throw ApiException.invalidRequest(at + ".cache_control.ttl: Input should be '5m' or '1h'");
    }
  }

  private static JsonNode systemOf(JsonNode root) {
    JsonNode system = root.get("system");
    if (system == null || system.isNull()) return null;
    if (system.isTextual()) return system;
    if (!system.isArray()) {
      throw ApiException.invalidRequest("system: Input should be a valid string or a valid list");
    }
    for (int j = 0; j < system.size(); j++) {
      JsonNode block = system.get(j);
      if (!block.isObject() || !"text".equals(block.path("type").asText())) {
        throw ApiException.invalidRequest("system." + j + ".type: Input should be 'text'");
      }
      checkBlock(block, "system." + j);
    }
    return system;
  }

  private static ArrayNode toolsOf(JsonNode root) {
    JsonNode tools = root.get("tools");
    if (tools == null || tools.isNull()) return null;
    if (!tools.isArray()) {
      throw ApiException.invalidRequest("tools: Input should be a valid list");
    }
    for (int j = 0; j < tools.size(); j++) {
      JsonNode tool = tools.get(j);
      if (!tool.isObject()) {
        throw ApiException.invalidRequest("tools." + j + ": Input should be a valid dictionary or object");
      }
      JsonNode name = tool.get("name");
      if (name == null || !name.isTextual() || name.asText().isEmpty()) {
        throw ApiException.invalidRequest("tools." + j + ".name: Field required");
      }
      checkCacheControl(tool, "tools." + j);
    }
    return (ArrayNode) tools;
  }
}
