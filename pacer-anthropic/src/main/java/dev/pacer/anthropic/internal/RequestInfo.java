package dev.pacer.anthropic.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Optional;
import java.util.Set;

/**
 * What Pacer reads from a Messages or count_tokens request body, in one streaming pass.
 *
 * @param model the {@code model}, or null when the body has none
 * @param maxTokens {@code max_tokens}, or 0 when absent
 * @param stream {@code stream}
 * @param estimateText the text the input-token estimator measures: the prompt's fields of the body
 *     ({@link #PROMPT_FIELDS}) as JSON, with large base64 payloads (images, PDFs) and images or
 *     PDFs by URL or file id replaced by a fixed stand-in, so they count as one image, not as
 *     their characters; a plain-text document counts as its text. The request's settings (model, max_tokens,
 *     metadata, ...) are left out: the server counts none of them, and measured they made a short
 *     prompt look cheap per character, so that a long one was estimated low
 * @param cacheWrites whether the body marks anything {@code cache_control} (cache writes cost more
 *     than plain input, which the worst-case cost must allow for)
 */
public record RequestInfo(String model, long maxTokens, boolean stream, String estimateText, boolean cacheWrites) {

  /** Base64 strings longer than this are payloads, not text. */
  static final int PAYLOAD_CHARS = 1024;

  /**
   * What a payload counts as: about 1,600 tokens, the cost of a typical image, at the
   * estimator's cautious starting ratio of 0.5 tokens an ASCII character.
   */
  static final String PAYLOAD_STAND_IN = " ".repeat(3200);

  /** The top-level fields the server counts as input: the prompt and the tools. */
  static final Set<String> PROMPT_FIELDS = Set.of("system", "messages", "tools", "tool_choice", "mcp_servers");

  /**
   * A body's strings may pass Jackson's default of 20 million characters (a PDF as base64, in a
   * request the API accepts up to 32 MB): read as "not JSON", such a request went unpaced.
   */
  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder().maxStringLength(1 << 27).build())
      .build();

  /** Reads {@code body}; empty when it is not a JSON object. */
  public static Optional<RequestInfo> read(byte[] body) {
    String model = null;
    long maxTokens = 0;
    boolean stream = false;
    boolean cacheWrites = false;
    StringWriter text = new StringWriter(Math.min(body.length, 1 << 20));
    try (JsonParser parser = JSON.createParser(body);
        JsonGenerator copy = JSON.createGenerator(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return Optional.empty();
      }
      copy.copyCurrentEvent(parser);
      int depth = 1;
      int sourceDepth = -1; // the depth inside an image's or document's "source" object, if in one
      String field = null;
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        if (depth == 1 && token == JsonToken.FIELD_NAME && !PROMPT_FIELDS.contains(parser.currentName())) {
          // A setting, not the prompt: read what Pacer needs of it, and leave it out of the text.
          String setting = parser.currentName();
          JsonToken value = parser.nextToken();
          if (value == null) {
            break;
          }
          if (value.isStructStart()) {
            parser.skipChildren();
            continue;
          }
          switch (setting) {
            case "model" -> model = value == JsonToken.VALUE_STRING ? parser.getText() : model;
            case "max_tokens" -> maxTokens = value == JsonToken.VALUE_NUMBER_INT ? Math.max(0, parser.getLongValue()) : maxTokens;
            case "stream" -> stream = value == JsonToken.VALUE_TRUE;
            default -> { }
          }
          continue;
        }
        switch (token) {
          case FIELD_NAME -> {
            field = parser.currentName();
            if (field.equals("cache_control")) {
              cacheWrites = true;
            }
            copy.copyCurrentEvent(parser);
            continue;
          }
          case START_OBJECT, START_ARRAY -> {
            depth++;
            if (token == JsonToken.START_OBJECT && "source".equals(field)) {
              sourceDepth = depth;
            }
          }
          case END_OBJECT, END_ARRAY -> {
            if (depth == sourceDepth) {
              sourceDepth = -1;
            }
            depth--;
          }
          default -> { }
        }
        if (token == JsonToken.VALUE_STRING && isPayload(field, depth == sourceDepth, parser)) {
          copy.writeString(PAYLOAD_STAND_IN);
        } else {
          copy.copyCurrentEvent(parser);
        }
        if (token.isScalarValue() || token.isStructEnd()) {
          field = null;
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.of(new RequestInfo(model, maxTokens, stream, text.toString(), cacheWrites));
  }

  /**
   * Whether a string value is a payload the server counts by what it holds, not as text: base64
   * data (a long string without a space; a plain-text document's {@code data} is text, and counts
   * as such), or in a {@code source}, an image or PDF by {@code url} or by {@code file_id}.
   */
  private static boolean isPayload(String field, boolean inSource, JsonParser parser) throws IOException {
    if (inSource && ("url".equals(field) || "file_id".equals(field))) {
      return true;
    }
    if (!"data".equals(field) || parser.getTextLength() <= PAYLOAD_CHARS) {
      return false;
    }
    char[] text = parser.getTextCharacters();
    int start = parser.getTextOffset();
    int end = start + parser.getTextLength();
    for (int i = start; i < end; i++) {
      char c = text[i];
      boolean base64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'
          || c == '=' || c == '-' || c == '_' || c == '\r' || c == '\n';
      if (!base64) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "RequestInfo[" + model + ", max_tokens " + maxTokens + (stream ? ", stream" : "") + ", "
        + estimateText.length() + " chars]";
  }
}
