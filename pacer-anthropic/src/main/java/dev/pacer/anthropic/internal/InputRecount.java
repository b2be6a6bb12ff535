package dev.pacer.anthropic.internal;

import com.anthropic.core.http.HttpRequest;
import com.anthropic.core.http.HttpResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.Priority;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The server's own count of a Messages request's input, asked of {@code count_tokens} when Pacer
 * would refuse the request on its estimate alone. An estimate learned from short prompts can put a
 * long one far over the limit (a server that counts a fixed overhead on every request, as the API
 * does with its tool-use system prompt, makes short prompts look dear); only the server's count
 * may say a prompt can never be sent.
 */
final class InputRecount {

  /**
   * The Messages fields count_tokens takes: the prompt's (those the estimator measures), the model
   * and the thinking settings; the others (max_tokens, stream, ...) it refuses.
   */
  static final Set<String> COUNTED_FIELDS = Stream.concat(RequestInfo.PROMPT_FIELDS.stream(),
      Stream.of("model", "thinking")).collect(Collectors.toUnmodifiableSet());

  private InputRecount() {}

  /**
   * The count_tokens request for {@code messages} (whose body is {@code body}): the same address,
   * headers and query, the fields count_tokens takes; empty when the body is not a JSON object.
   */
  static Optional<HttpRequest> requestFor(HttpRequest messages, byte[] body, Priority priority) {
    Optional<JsonNode> root = Json.tree(body).filter(JsonNode::isObject);
    if (root.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode counted = Json.MAPPER.createObjectNode();
    for (String field : COUNTED_FIELDS) {
      if (root.get().has(field)) {
        counted.set(field, root.get().get(field));
      }
    }
    byte[] countBody;
    try {
      countBody = Json.MAPPER.writeValueAsBytes(counted);
    } catch (IOException e) {
      return Optional.empty();
    }
    List<String> path = new ArrayList<>(messages.pathSegments());
    path.add("count_tokens");
    return Optional.of(messages.toBuilder()
        .replaceAllPathSegments(path.toArray(String[]::new))
        .replaceHeaders(PacingContext.PRIORITY_HEADER, priority.name().toLowerCase(Locale.ROOT))
        .body(new BytesBody(countBody, "application/json"))
        .build());
  }

  /** The {@code input_tokens} of a count_tokens answer; empty for an error or a body without it. */
  static OptionalLong inputTokensOf(HttpResponse response) {
    try (response; InputStream body = response.body()) {
      if (response.statusCode() / 100 != 2) {
        return OptionalLong.empty();
      }
      JsonNode tokens = Json.tree(body.readAllBytes()).map(root -> root.path("input_tokens")).orElse(null);
      return tokens != null && tokens.canConvertToLong() && tokens.asLong() >= 0
          ? OptionalLong.of(tokens.asLong()) : OptionalLong.empty();
    } catch (IOException | RuntimeException unreadable) {
      return OptionalLong.empty();
    }
  }
}
