package dev.pacer.simulator.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The one ObjectMapper, and the error envelope. */
public final class Json {

  /** Strings as long as a body the API accepts (32 MB) can hold: Jackson's default stops at 20 million characters. */
  public static final ObjectMapper MAPPER = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
      .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder().maxStringLength(1 << 27).build())
      .build());

  private Json() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  public static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  /** {@code {"type":"error","error":{"type":…,"message":…,"details":null},"request_id":…}}. */
  public static ObjectNode errorEnvelope(String errorType, String message, String requestId) {
    ObjectNode root = object();
    root.put("type", "error");
    ObjectNode error = root.putObject("error");
    error.put("type", errorType);
    error.put("message", message);
    error.putNull("details");
    root.put("request_id", requestId);
    return root;
  }
}
