package dev.pacer.simulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * A canonical text of a JSON value (object keys sorted, {@code cache_control} left out) and
 * stable hashes of it: the same content hashes the same whatever its key order or cache marks.
 */
public final class Canonical {

  private Canonical() {}

  public static String text(JsonNode node) {
    StringBuilder sb = new StringBuilder();
    write(node, sb);
    return sb.toString();
  }

  private static void write(JsonNode node, StringBuilder sb) {
    if (node == null || node.isMissingNode()) {
      sb.append("null");
    } else if (node.isObject()) {
      List<String> names = new ArrayList<>();
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (!name.equals("cache_control")) {
          names.add(name);
        }
      }
      names.sort(null);
      sb.append('{');
      for (int i = 0; i < names.size(); i++) {
        if (i > 0) sb.append(',');
        quote(names.get(i), sb);
        sb.append(':');
        write(node.get(names.get(i)), sb);
      }
      sb.append('}');
    } else if (node.isArray()) {
      sb.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) sb.append(',');
        write(node.get(i), sb);
      }
      sb.append(']');
    } else if (node.isTextual()) {
      quote(node.textValue(), sb);
    } else {
      sb.append(node.toString());
    }
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /**
   * {@code text} as a JSON string, escaped exactly as Jackson writes it (quote and backslash, the
   * short escapes for control characters, &#92;u00XX for the others), without the cost of a Jackson
   * writer per value.
   */
  static void quote(String text, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) {
            sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /** The first 64 bits of SHA-256 of the canonical text. */
  public static long hash64(JsonNode node) {
    byte[] digest = sha256(text(node));
    long h = 0;
    for (int i = 0; i < 8; i++) {
      h = (h << 8) | (digest[i] & 0xff);
    }
    return h;
  }

  /** {@link #hash64} as 16 hex digits. */
  public static String hex(long hash) {
    return HexFormat.of().toHexDigits(hash);
  }

  /** Chains a prefix hash with one more piece of content (FNV-1a over the piece's canonical text). */
  public static long chain(long previous, JsonNode piece) {
    long h = previous ^ 0xcbf29ce484222325L;
    String t = text(piece);
    for (int i = 0; i < t.length(); i++) {
      h ^= t.charAt(i);
      h *= 0x100000001b3L;
    }
    return Mix.mix64(h);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
