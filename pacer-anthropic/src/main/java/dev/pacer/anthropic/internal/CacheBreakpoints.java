package dev.pacer.anthropic.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The prompt-cache breakpoints of one Messages request: the blocks it marks {@code cache_control},
 * in the order the server lays a prompt out (tools, then system, then messages), each with a key
 * of the prompt up to and including it, and its lifetime. Two requests whose prompts agree up to a
 * breakpoint have the same key there; the key also covers the model, {@code tool_choice} and
 * {@code thinking} (changing them can spoil a cache), and ignores key order and the marks
 * themselves.
 */
public final class CacheBreakpoints {

  /** A cached prefix's lifetime when its mark says none (the API's default, {@code "5m"}). */
  static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

  /** One marked block: the key of the prompt up to it, its lifetime, and how many blocks that prefix holds. */
  public record Breakpoint(String key, Duration ttl, int blocks) {}

  static final CacheBreakpoints NONE = new CacheBreakpoints(new byte[0], List.of(), List.of());

  /** The body, read again only for {@link #textAfter}: a parsed tree held by every waiting request weighs several times more. */
  private final byte[] body;
  private final List<Position> blocks;
  private final List<Breakpoint> breakpoints;

  private CacheBreakpoints(byte[] body, List<Position> blocks, List<Breakpoint> breakpoints) {
    this.body = body;
    this.blocks = blocks;
    this.breakpoints = breakpoints;
  }

  /**
   * The breakpoints of a Messages request body; {@link #NONE} when it marks nothing or is not JSON
   * (or not shaped as a Messages request: the server will say what is wrong with it).
   */
  public static CacheBreakpoints of(byte[] body) {
    try {
      return read(body);
    } catch (RuntimeException malformed) {
      return NONE; // caching only saves: a body it cannot follow is sent as it is, estimated whole
    }
  }

  private static CacheBreakpoints read(byte[] body) {
    Optional<JsonNode> tree = Json.tree(body);
    if (tree.isEmpty() || !tree.get().isObject()) {
      return NONE;
    }
    JsonNode root = tree.get();
    List<Position> blocks = new ArrayList<>();
    List<Breakpoint> breakpoints = new ArrayList<>();
    MessageDigest digest = sha256();
    update(digest, "model", root.path("model"));
    update(digest, "tool_choice", root.path("tool_choice"));
    update(digest, "thinking", root.path("thinking"));
    JsonNode tools = root.path("tools");
    for (int i = 0; tools.isArray() && i < tools.size(); i++) {
      add(new Position(Part.TOOL, i, -1), "tool", tools.get(i), digest, blocks, breakpoints);
    }
    JsonNode system = root.path("system");
    if (system.isArray()) {
      for (int i = 0; i < system.size(); i++) {
        add(new Position(Part.SYSTEM, i, -1), "system", system.get(i), digest, blocks, breakpoints);
      }
    } else if (!system.isMissingNode() && !system.isNull()) {
      add(new Position(Part.SYSTEM, -1, -1), "system", system, digest, blocks, breakpoints);
    }
    JsonNode messages = root.path("messages");
    for (int m = 0; messages.isArray() && m < messages.size(); m++) {
      JsonNode message = messages.get(m);
      update(digest, "role", message.path("role"));
      JsonNode content = message.path("content");
      if (content.isArray()) {
        for (int j = 0; j < content.size(); j++) {
          add(new Position(Part.MESSAGE, m, j), "block", content.get(j), digest, blocks, breakpoints);
        }
      } else {
        add(new Position(Part.MESSAGE, m, -1), "content", content, digest, blocks, breakpoints);
      }
    }
    return breakpoints.isEmpty() ? NONE : new CacheBreakpoints(body, List.copyOf(blocks), List.copyOf(breakpoints));
  }

  public List<Breakpoint> all() {
    return breakpoints;
  }

  boolean isEmpty() {
    return breakpoints.isEmpty();
  }

  /**
   * The text the input-token estimator measures for this request when the prompt up to
   * {@code breakpoint} is read from the cache: the prompt's fields without the blocks of that
   * prefix, measured as {@link RequestInfo} measures a whole prompt.
   */
  public String textAfter(Breakpoint breakpoint) {
    try {
      return cut(breakpoint);
    } catch (RuntimeException unexpected) {
      // Never expected (of() has seen the shape); should it happen, the whole prompt is measured.
      return RequestInfo.read(body).map(RequestInfo::estimateText).orElse("");
    }
  }

  private String cut(Breakpoint breakpoint) {
    JsonNode root = Json.tree(body).orElseThrow(); // it parsed in of(), so it parses now
    ObjectNode rest = Json.MAPPER.createObjectNode();
    for (String field : RequestInfo.PROMPT_FIELDS) {
      if (root.has(field)) {
        rest.set(field, root.get(field));
      }
    }
    // Remove from the last covered block back, so that earlier indexes stay valid.
    for (int b = breakpoint.blocks() - 1; b >= 0; b--) {
      Position at = blocks.get(b);
      switch (at.part()) {
        case TOOL -> ((ArrayNode) rest.get("tools")).remove(at.index());
        case SYSTEM -> {
          if (at.index() < 0) {
            rest.remove("system");
          } else {
            ((ArrayNode) rest.get("system")).remove(at.index());
          }
        }
        case MESSAGE -> {
          ArrayNode messages = (ArrayNode) rest.get("messages");
          if (at.block() < 0) {
            messages.remove(at.index());
          } else {
            ArrayNode content = (ArrayNode) messages.get(at.index()).get("content");
            content.remove(at.block());
            if (content.isEmpty()) {
              messages.remove(at.index());
            }
          }
        }
      }
    }
    byte[] bytes = rest.toString().getBytes(StandardCharsets.UTF_8);
    return RequestInfo.read(bytes).map(RequestInfo::estimateText).orElse("");
  }

  private static void add(Position at, String kind, JsonNode block, MessageDigest digest, List<Position> blocks,
      List<Breakpoint> breakpoints) {
    update(digest, kind, block);
    blocks.add(at);
    JsonNode mark = block.path("cache_control");
    if (mark.isObject()) {
      breakpoints.add(new Breakpoint(key(digest), ttl(mark.path("ttl")), blocks.size()));
    }
  }

  private static Duration ttl(JsonNode ttl) {
    return "1h".equals(ttl.asText()) ? Duration.ofHours(1) : DEFAULT_TTL;
  }

  private static String key(MessageDigest digest) {
    try {
      return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("SHA-256 digests are cloneable", e);
    }
  }

  private static void update(MessageDigest digest, String kind, JsonNode node) {
    StringBuilder text = new StringBuilder(kind).append('\u0000');
    canonical(node, text);
    digest.update(text.append('\u0000').toString().getBytes(StandardCharsets.UTF_8));
  }

  /** {@code node} as JSON with sorted keys and without {@code cache_control}, so that equal prompts key alike. */
  private static void canonical(JsonNode node, StringBuilder out) {
    if (node.isObject()) {
      Map<String, JsonNode> sorted = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (!field.getKey().equals("cache_control")) {
          sorted.put(field.getKey(), field.getValue());
        }
      }
      out.append('{');
      sorted.forEach((name, value) -> {
        out.append(Json.MAPPER.getNodeFactory().textNode(name)).append(':');
        canonical(value, out);
        out.append(',');
      });
      out.append('}');
    } else if (node.isArray()) {
      out.append('[');
      for (JsonNode each : node) {
        canonical(each, out);
        out.append(',');
      }
      out.append(']');
    } else {
      out.append(node); // a scalar's JSON; a missing node writes nothing
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private enum Part { TOOL, SYSTEM, MESSAGE }

  /** Where a block sits: a tool, a system block (index -1: the system string), or a message's block (-1: its string content). */
  private record Position(Part part, int index, int block) {}
}
