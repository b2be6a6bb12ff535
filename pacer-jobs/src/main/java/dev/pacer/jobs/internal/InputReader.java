package dev.pacer.jobs.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.jobs.InputProblem;
import dev.pacer.jobs.InputProblem.Kind;
import dev.pacer.jobs.RequestDefaults;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Reads a job's input one line at a time (never the whole file), parses and checks each line, and
 * finds repeated custom_ids. Blank lines are skipped. Keeps the SHA-256 and size of what it has
 * read, so that a full pass also fingerprints the file.
 */
public final class InputReader implements Closeable {

  /** The Messages API refuses requests over 32 MB; a longer line cannot be one. */
  static final int MAX_LINE_BYTES = 32 * 1024 * 1024;

  private final InputStream in;
  private final RequestDefaults defaults;
  private final MessageDigest digest;
  private final Map<String, Integer> firstLineOfId = new HashMap<>();
  private final ByteArrayOutputStream lineBuffer = new ByteArrayOutputStream(1024);
  private long bytesRead;
  private int lineNumber;
  private boolean lastLineHadNewline = true;

  public InputReader(Path file, RequestDefaults defaults) throws IOException {
    this.in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    this.defaults = defaults;
    try {
      this.digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The next non-blank line, parsed; null at the end of the file. */
  public InputLine next() throws IOException {
    while (true) {
      RawLine raw = readLine();
      if (raw == null) {
        return null;
      }
      if (raw.tooLong) {
        return new InputLine.Rejected(new InputProblem(raw.number, null, Kind.TOO_LONG,
            "the line is longer than 32 MB, more than the Messages API accepts in one request", 0));
      }
      String text;
      try {
        text = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(raw.bytes))
            .toString();
      } catch (CharacterCodingException e) {
        return new InputLine.Rejected(new InputProblem(raw.number, null, Kind.NOT_UTF8,
            "the line is not valid UTF-8", 0));
      }
      if (text.isBlank()) {
        continue;
      }
      return classify(raw.number, text);
    }
  }

  private InputLine classify(int line, String text) {
    JsonNode node;
    try {
      node = Json.parse(text);
    } catch (JsonProcessingException e) {
      return new InputLine.Rejected(new InputProblem(line, null, Kind.MALFORMED_JSON,
          "malformed JSON: " + e.getOriginalMessage(), 0));
    }
    String customId;
    boolean derived = false;
    JsonNode idNode = node.isObject() ? node.get("custom_id") : null;
    if (idNode == null || idNode.isNull()) {
      customId = CustomIds.derive(text);
      derived = true;
    } else if (!idNode.isTextual()) {
      return new InputLine.Rejected(new InputProblem(line, null, Kind.BAD_CUSTOM_ID,
          "custom_id must be a string, got " + idNode.getNodeType().toString().toLowerCase(java.util.Locale.ROOT), 0));
    } else if (!CustomIds.isValid(idNode.textValue())) {
      return new InputLine.Rejected(new InputProblem(line, null, Kind.BAD_CUSTOM_ID,
          CustomIds.whyInvalid(idNode.textValue()) + "; custom_ids must match ^[a-zA-Z0-9_-]{1,64}$", 0));
    } else {
      customId = idNode.textValue();
    }

    Integer first = firstLineOfId.putIfAbsent(customId, line);
    if (first != null) {
      String what = derived ? "the same content as" : "custom_id \"" + customId + "\", like";
      return new InputLine.Rejected(new InputProblem(line, customId, Kind.DUPLICATE,
          "line " + line + " has " + what + " line " + first + "; only line " + first + " runs", first));
    }

    ObjectNode params;
    try {
      params = shape(node);
    } catch (RequestShape.Invalid e) {
      return new InputLine.Rejected(new InputProblem(line, customId, Kind.INVALID_REQUEST, e.getMessage(), 0));
    }
    return new InputLine.Request(line, customId, derived, params, params.get("model").textValue(),
        params.get("max_tokens").longValue());
  }

  private ObjectNode shape(JsonNode node) throws RequestShape.Invalid {
    if (node.isTextual()) {
      return RequestShape.fromShortForm(node, defaults);
    }
    if (!node.isObject()) {
      throw new RequestShape.Invalid("expected {\"custom_id\":…,\"params\":{…}}, {\"custom_id\":…,\"prompt\":\"…\"}"
          + " or a JSON string, got " + node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
    }
    boolean hasParams = node.has("params");
    boolean hasPrompt = node.has("prompt");
    if (hasParams && hasPrompt) {
      throw new RequestShape.Invalid("a line has either \"params\" (the request format) or \"prompt\" (the short form), not both");
    }
    if (hasParams) {
      String extra = RequestShape.unexpectedKey(node, RequestShape.REQUEST_FORM_KEYS);
      if (extra != null) {
        throw new RequestShape.Invalid("unexpected field \"" + extra + "\" beside params (did it belong inside params?)");
      }
      return RequestShape.fromParams(node.get("params"), defaults);
    }
    if (hasPrompt) {
      String extra = RequestShape.unexpectedKey(node, RequestShape.SHORT_FORM_KEYS);
      if (extra != null) {
        throw new RequestShape.Invalid("unexpected field \"" + extra
            + "\" in a short-form line (allowed: custom_id, prompt, model, max_tokens, system)");
      }
      return RequestShape.fromShortForm(node, defaults);
    }
    throw new RequestShape.Invalid("no \"params\" and no \"prompt\": expected {\"custom_id\":…,\"params\":{…}},"
        + " {\"custom_id\":…,\"prompt\":\"…\"} or a JSON string");
  }

  private record RawLine(int number, byte[] bytes, boolean tooLong) {}

  private RawLine readLine() throws IOException {
    lineBuffer.reset();
    boolean tooLong = false;
    boolean any = false;
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (!any) {
          return null;
        }
        lastLineHadNewline = false;
        break;
      }
      any = true;
      bytesRead++;
      digest.update((byte) b);
      if (b == '\n') {
        lastLineHadNewline = true;
        break;
      }
      if (lineBuffer.size() < MAX_LINE_BYTES) {
        lineBuffer.write(b);
      } else {
        tooLong = true;
      }
    }
    lineNumber++;
    byte[] bytes = lineBuffer.toByteArray();
    int length = bytes.length;
    if (length > 0 && bytes[length - 1] == '\r') {
      length--;
    }
    if (length == 0 || (length == 3 && lineNumber == 1 && (bytes[0] & 0xff) == 0xEF)) {
      // Empty, or just a UTF-8 byte-order mark.
      return new RawLine(lineNumber, new byte[0], tooLong);
    }
    int start = lineNumber == 1 && length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB
        && (bytes[2] & 0xff) == 0xBF ? 3 : 0;
    return new RawLine(lineNumber, java.util.Arrays.copyOfRange(bytes, start, length), tooLong);
  }

  /** Lines read so far (blank ones included). */
  public int lineCount() {
    return lineNumber;
  }

  /** Bytes read so far. */
  public long bytesRead() {
    return bytesRead;
  }

  /** Whether the file's last line ended with a line break (meaningful at the end). */
  public boolean endsWithNewline() {
    return lastLineHadNewline;
  }

  /** The SHA-256 of the bytes read so far, in hex. */
  public String sha256() {
    try {
      return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
