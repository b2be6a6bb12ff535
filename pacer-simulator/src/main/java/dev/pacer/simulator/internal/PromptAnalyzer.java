package dev.pacer.simulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts a request's input tokens: {@link TokenCounter} over its text, plus fixed overheads.
 *
 * <ul>
 *   <li>every request: {@value #REQUEST_OVERHEAD} (plus the hidden prompt, if configured); a system prompt: {@value #SYSTEM_OVERHEAD};
 *       every message: {@value #MESSAGE_OVERHEAD}; every tool definition: {@value #TOOL_OVERHEAD}
 *       plus the tokens of its JSON;
 *   <li>text: its text; image: {@value #IMAGE_TOKENS}; document: its text plus 8 when the source is
 *       text, else {@value #DOCUMENT_TOKENS}; tool_use: 6 plus its name and input JSON; tool_result:
 *       6 plus its content; thinking: its text; anything else: the tokens of its JSON.
 * </ul>
 *
 * Prompt order for caching is tools, then system, then messages.
 */
public final class PromptAnalyzer {

  static final long REQUEST_OVERHEAD = 3;
  static final long SYSTEM_OVERHEAD = 2;
  static final long MESSAGE_OVERHEAD = 4;
  static final long TOOL_OVERHEAD = 8;
  static final long IMAGE_TOKENS = 1200;
  static final long DOCUMENT_TOKENS = 1500;

  private PromptAnalyzer() {}

  public static PromptTokens analyze(MessagesRequest request) {
    return analyze(request, 0);
  }

  /** As {@link #analyze(MessagesRequest)}, counting {@code hiddenTokens} more on the request (see SimulatorConfig). */
  public static PromptTokens analyze(MessagesRequest request, long hiddenTokens) {
    Builder b = new Builder(Canonical.chain(0, TextNode.valueOf(request.model())));
    b.pending = REQUEST_OVERHEAD + hiddenTokens;
    if (request.tools() != null) {
      for (JsonNode tool : request.tools()) {
        b.add(tool, TOOL_OVERHEAD + TokenCounter.count(Canonical.text(tool)));
      }
    }
    JsonNode system = request.system();
    if (system != null) {
      b.pending += SYSTEM_OVERHEAD;
      if (system.isTextual()) {
        b.add(system, TokenCounter.count(system.asText()));
      } else {
        for (JsonNode block : system) {
          b.add(block, blockTokens(block));
        }
      }
    }
    for (JsonNode message : request.messages()) {
      b.pending += MESSAGE_OVERHEAD;
      JsonNode content = message.get("content");
      if (content.isTextual()) {
        b.add(message, TokenCounter.count(content.asText()));
      } else {
        for (JsonNode block : content) {
          b.add(block, blockTokens(block));
        }
      }
    }
    b.flushPending();
    ObjectNode prompt = Json.object();
    prompt.set("system", system);
    prompt.set("messages", request.messages());
    return new PromptTokens(b.total, List.copyOf(b.segments), Canonical.hash64(prompt));
  }

  /** The tokens of one content block. */
  static long blockTokens(JsonNode block) {
    String type = block.path("type").asText();
    return switch (type) {
      case "text" -> TokenCounter.count(block.path("text").asText());
      case "image" -> IMAGE_TOKENS;
      case "document" -> {
        JsonNode source = block.path("source");
        yield "text".equals(source.path("type").asText())
            ? 8 + TokenCounter.count(source.path("data").asText())
            : DOCUMENT_TOKENS;
      }
      case "tool_use", "server_tool_use" ->
          6 + TokenCounter.count(block.path("name").asText())
              + TokenCounter.count(Canonical.text(block.path("input")));
      case "tool_result" -> 6 + contentTokens(block.get("content"));
      case "thinking" -> TokenCounter.count(block.path("thinking").asText());
      default -> TokenCounter.count(Canonical.text(block));
    };
  }

  private static long contentTokens(JsonNode content) {
    if (content == null || content.isNull()) return 0;
    if (content.isTextual()) return TokenCounter.count(content.asText());
    long sum = 0;
    if (content.isArray()) {
      for (JsonNode block : content) {
        sum += block.isObject() ? blockTokens(block) : TokenCounter.count(block.asText());
      }
    }
    return sum;
  }

  private static final class Builder {
    long hash;
    long total;
    long pending;
    final List<PromptSegment> segments = new ArrayList<>();

    Builder(long seed) {
      this.hash = seed;
    }

    void add(JsonNode piece, long tokens) {
      hash = Canonical.chain(hash, piece);
      long t = pending + tokens;
      pending = 0;
      total += t;
      segments.add(new PromptSegment(t, hash, cacheTtl(piece)));
    }

    void flushPending() {
      if (pending > 0) {
        total += pending;
        segments.add(new PromptSegment(pending, hash, null));
        pending = 0;
      }
    }

    private static String cacheTtl(JsonNode piece) {
      JsonNode cc = piece.get("cache_control");
      if (cc == null || !cc.isObject()) return null;
      return "1h".equals(cc.path("ttl").asText()) ? "1h" : "5m";
    }
  }
}
