package dev.pacer.anthropic.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.Usage;
import dev.pacer.http.ApiError;
import dev.pacer.http.ResponseHead;
import java.io.IOException;
import java.util.Optional;

/** Reads the parts of the API's JSON that Pacer needs: usage, error envelopes, ids. */
public final class Json {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /** The tree of {@code bytes}, or empty when they are not JSON. */
  static Optional<JsonNode> tree(byte[] bytes, int offset, int length) {
    try {
      return Optional.ofNullable(MAPPER.readTree(bytes, offset, length));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  static Optional<JsonNode> tree(byte[] bytes) {
    return tree(bytes, 0, bytes.length);
  }

  /** The {@code usage} of a Messages response body; {@link Usage#NONE} when it has none. */
  static Usage usageOfMessage(byte[] body) {
    return tree(body).map(root -> usage(root.path("usage"))).orElse(Usage.NONE);
  }

  /** A {@code usage} object as a {@link Usage}; missing counts are 0. */
  public static Usage usage(JsonNode usage) {
    return merge(Usage.NONE, usage);
  }

  /**
   * {@code base} with the counts {@code usage} carries laid over it: a stream's
   * {@code message_delta} repeats only some counts, cumulatively.
   */
  static Usage merge(Usage base, JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return base;
    }
    long input = count(usage, "input_tokens", base.inputTokens());
    long cacheRead = count(usage, "cache_read_input_tokens", base.cacheReadInputTokens());
    long output = count(usage, "output_tokens", base.outputTokens());
    JsonNode split = usage.path("cache_creation");
    long oneHour = split.isObject() ? count(split, "ephemeral_1h_input_tokens", 0) : base.cacheCreation1hInputTokens();
    long fiveMinutes = split.isObject() ? count(split, "ephemeral_5m_input_tokens", 0) : 0;
    long cacheCreation = usage.hasNonNull("cache_creation_input_tokens")
        ? count(usage, "cache_creation_input_tokens", 0)
        : split.isObject() ? oneHour + fiveMinutes : base.cacheCreationInputTokens();
    return new Usage(input, Math.max(cacheCreation, oneHour), oneHour, cacheRead, output);
  }

  private static long count(JsonNode node, String field, long otherwise) {
    JsonNode value = node.get(field);
    return value != null && value.canConvertToLong() ? Math.max(0, value.asLong()) : otherwise;
  }

  /** The error envelope of an error response, as far as it can be read; never null. */
  static ApiError apiError(byte[] body, ResponseHead head) {
    String headerId = head.requestId().orElse(null);
    return tree(body).map(root -> apiError(root, headerId)).orElse(new ApiError(null, null, null, headerId));
  }

  /** {@code {"type":"error","error":{"type","message","details":{"error_code"}},"request_id"}}. */
  static ApiError apiError(JsonNode root, String requestIdOtherwise) {
    JsonNode error = root.path("error");
    String type = text(error, "type");
    String message = text(error, "message");
    String code = text(error.path("details"), "error_code");
    String requestId = text(root, "request_id");
    return new ApiError(type, message, code, requestId != null ? requestId : requestIdOtherwise);
  }

  /** The top-level {@code id} of a JSON object body (a created batch's id). */
  static Optional<String> id(byte[] body) {
    return tree(body).map(root -> text(root, "id"));
  }

  static String text(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    return value != null && value.isTextual() ? value.asText() : null;
  }
}
