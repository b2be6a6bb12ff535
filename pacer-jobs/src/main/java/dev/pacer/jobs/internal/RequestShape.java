package dev.pacer.jobs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.jobs.RequestDefaults;
import java.util.Iterator;
import java.util.Set;

/**
 * Turns a line's JSON into a Messages request body and checks it the way the API would, so that
 * a bad line is reported with its line number before anything is sent. Checks what the API's
 * rules fix (required fields, their types, roles, non-empty content); fields it does not know
 * are passed through for the server to judge.
 */
final class RequestShape {

  static final Set<String> REQUEST_FORM_KEYS = Set.of("custom_id", "params");
  static final Set<String> SHORT_FORM_KEYS = Set.of("custom_id", "prompt", "model", "max_tokens", "system");

  private RequestShape() {}

  /** The failure of one check: which field, what is wrong. */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /** The body for a short-form line: {@code {"prompt":…}} (with optional model, max_tokens, system) or a bare string. */
  static ObjectNode fromShortForm(JsonNode line, RequestDefaults defaults) throws Invalid {
    JsonNodeFactory json = JsonNodeFactory.instance;
    ObjectNode params = json.objectNode();
    JsonNode prompt = line.isTextual() ? line : line.get("prompt");
    if (prompt == null || !prompt.isTextual()) {
      throw new Invalid("\"prompt\" must be a string");
    }
    if (prompt.textValue().isBlank()) {
      throw new Invalid("the prompt is empty");
    }
    if (line.isObject()) {
      for (String key : new String[] {"model", "max_tokens", "system"}) {
        if (line.has(key)) {
          params.set(key, line.get(key));
        }
      }
    }
    fillDefaults(params, defaults);
    params.putArray("messages").addObject().put("role", "user").put("content", prompt.textValue());
    check(params, "");
    return params;
  }

  /** The body for a request-format line's {@code params}, completed by the defaults. */
  static ObjectNode fromParams(JsonNode params, RequestDefaults defaults) throws Invalid {
    if (params == null || !params.isObject()) {
      throw new Invalid("\"params\" must be a JSON object (the Messages API request body)");
    }
    return complete(((ObjectNode) params).deepCopy(), defaults, "params.");
  }

  private static ObjectNode complete(ObjectNode params, RequestDefaults defaults, String at) throws Invalid {
    fillDefaults(params, defaults);
    check(params, at);
    return params;
  }

  private static void fillDefaults(ObjectNode params, RequestDefaults defaults) {
    if (!params.has("model") && defaults.model().isPresent()) {
      params.put("model", defaults.model().get());
    }
    if (!params.has("max_tokens") && defaults.maxTokens().isPresent()) {
      params.put("max_tokens", defaults.maxTokens().getAsLong());
    }
    if (!params.has("system") && defaults.system().isPresent()) {
      params.put("system", defaults.system().get());
    }
  }

  private static void check(ObjectNode params, String at) throws Invalid {
    JsonNode model = params.get("model");
    if (model == null) {
      throw new Invalid("no model: give " + at + "model in the line, or --model");
    }
    if (!model.isTextual() || model.textValue().isBlank()) {
      throw new Invalid(at + "model must be a non-empty string");
    }
    JsonNode maxTokens = params.get("max_tokens");
    if (maxTokens == null) {
      throw new Invalid("no max_tokens: give " + at + "max_tokens in the line, or --max-tokens");
    }
    if (!maxTokens.isIntegralNumber() || !maxTokens.canConvertToLong() || maxTokens.longValue() < 1
        || maxTokens.longValue() > Integer.MAX_VALUE) {
      throw new Invalid(at + "max_tokens must be a whole number of at least 1, got " + maxTokens);
    }
    JsonNode stream = params.get("stream");
    if (stream != null) {
      if (stream.isBoolean() && !stream.booleanValue()) {
        params.remove("stream");
      } else {
        throw new Invalid(at + "stream is not allowed in a job: Pacer streams where max_tokens needs it");
      }
    }
    checkMessages(params.get("messages"), at);
    JsonNode system = params.get("system");
    if (system != null && !system.isTextual()) {
      checkBlocks(system, at + "system");
    }
    number(params, "temperature", at, 0, 1);
    number(params, "top_p", at, 0, 1);
    JsonNode topK = params.get("top_k");
    if (topK != null && (!topK.isIntegralNumber() || topK.longValue() < 0)) {
      throw new Invalid(at + "top_k must be a whole number of at least 0");
    }
    JsonNode stops = params.get("stop_sequences");
    if (stops != null) {
      if (!stops.isArray()) {
        throw new Invalid(at + "stop_sequences must be an array of strings");
      }
      for (JsonNode stop : stops) {
        if (!stop.isTextual()) {
          throw new Invalid(at + "stop_sequences must be an array of strings");
        }
      }
    }
    for (String field : new String[] {"metadata", "thinking", "tool_choice"}) {
      JsonNode node = params.get(field);
      if (node != null && !node.isObject()) {
        throw new Invalid(at + field + " must be an object");
      }
    }
    JsonNode tools = params.get("tools");
    if (tools != null && !tools.isArray()) {
      throw new Invalid(at + "tools must be an array");
    }
  }

  private static void checkMessages(JsonNode messages, String at) throws Invalid {
    if (messages == null) {
      throw new Invalid("no " + at + "messages");
    }
    if (!messages.isArray() || messages.isEmpty()) {
      throw new Invalid(at + "messages must be a non-empty array");
    }
    int index = 0;
    for (JsonNode message : messages) {
      String here = at + "messages[" + index + "]";
      if (!message.isObject()) {
        throw new Invalid(here + " must be an object with role and content");
      }
      JsonNode role = message.get("role");
      if (role == null || !role.isTextual() || !(role.textValue().equals("user") || role.textValue().equals("assistant"))) {
        throw new Invalid(here + ".role must be \"user\" or \"assistant\"");
      }
      JsonNode content = message.get("content");
      if (content == null) {
        throw new Invalid(here + " has no content");
      }
      if (content.isTextual()) {
        if (content.textValue().isEmpty() && index < messages.size() - 1) {
          throw new Invalid(here + ".content is empty");
        }
        if (content.textValue().isEmpty() && role.textValue().equals("user")) {
          throw new Invalid(here + ".content is empty");
        }
      } else {
        checkBlocks(content, here + ".content");
      }
      index++;
    }
  }

  private static void checkBlocks(JsonNode blocks, String here) throws Invalid {
    if (!blocks.isArray()) {
      throw new Invalid(here + " must be a string or an array of content blocks");
    }
    if (blocks.isEmpty()) {
      throw new Invalid(here + " is an empty array");
    }
    int index = 0;
    for (JsonNode block : blocks) {
      JsonNode type = block.get("type");
      if (!block.isObject() || type == null || !type.isTextual()) {
        throw new Invalid(here + "[" + index + "] must be an object with a \"type\"");
      }
      if (type.textValue().equals("text")) {
        JsonNode text = block.get("text");
        if (text == null || !text.isTextual()) {
          throw new Invalid(here + "[" + index + "].text must be a string");
        }
      }
      index++;
    }
  }

  private static void number(ObjectNode params, String field, String at, double min, double max) throws Invalid {
    JsonNode node = params.get(field);
    if (node == null) {
      return;
    }
    if (!node.isNumber() || node.doubleValue() < min || node.doubleValue() > max) {
      throw new Invalid(at + field + " must be a number from " + (int) min + " to " + (int) max + ", got " + node);
    }
  }

  /** The first key of {@code line} that its form does not allow, or null. */
  static String unexpectedKey(JsonNode line, Set<String> allowed) {
    Iterator<String> names = line.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        return name;
      }
    }
    return null;
  }
}
