package dev.pacer.jobs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * A quick, slightly generous estimate of a request's input tokens, for dry runs, cost ceilings and
 * pacing before the server says the exact count: about 3.5 characters a token, plus a few tokens
 * of framing per message, and a flat 1,600 tokens for each image or document.
 */
public final class TokenEstimator {

  static final double CHARS_PER_TOKEN = 3.5;
  static final int TOKENS_PER_MESSAGE = 4;
  static final int REQUEST_OVERHEAD = 8;
  static final int TOKENS_PER_MEDIA = 1_600;

  private TokenEstimator() {}

  /** Estimated input tokens of a Messages request body. */
  public static long estimateInput(ObjectNode params) {
    long chars = 0;
    long media = 0;
    long messages = 0;
    for (String field : new String[] {"system", "tools", "tool_choice"}) {
      JsonNode node = params.get(field);
      if (node != null) {
        Count count = count(node);
        chars += count.chars;
        media += count.media;
      }
    }
    JsonNode list = params.get("messages");
    if (list != null && list.isArray()) {
      for (JsonNode message : list) {
        messages++;
        Count count = count(message.get("content"));
        chars += count.chars;
        media += count.media;
      }
    }
    return REQUEST_OVERHEAD + messages * TOKENS_PER_MESSAGE + media * TOKENS_PER_MEDIA
        + (long) Math.ceil(chars / CHARS_PER_TOKEN);
  }

  private record Count(long chars, long media) {}

  private static Count count(JsonNode node) {
    if (node == null || node.isNull()) {
      return new Count(0, 0);
    }
    if (node.isTextual()) {
      return new Count(node.textValue().length(), 0);
    }
    if (node.isNumber() || node.isBoolean()) {
      return new Count(node.asText().length(), 0);
    }
    long chars = 0;
    long media = 0;
    if (node.isObject()) {
      String type = node.path("type").asText("");
      if (type.equals("image") || type.equals("document")) {
        return new Count(0, 1);
      }
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (field.getKey().equals("type") || field.getKey().equals("cache_control")) {
          continue;
        }
        Count inner = count(field.getValue());
        chars += inner.chars + (field.getValue().isContainerNode() ? field.getKey().length() : 0);
        media += inner.media;
      }
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        Count inner = count(element);
        chars += inner.chars;
        media += inner.media;
      }
    }
    return new Count(chars, media);
  }
}
