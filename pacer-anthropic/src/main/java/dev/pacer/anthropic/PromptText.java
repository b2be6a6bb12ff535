package dev.pacer.anthropic;

import dev.pacer.anthropic.internal.CacheBreakpoints;
import dev.pacer.anthropic.internal.RequestInfo;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The text of a Messages request that Pacer's input-token estimator measures: its prompt fields
 * (system, messages, tools) as JSON, large base64 payloads replaced by a fixed stand-in, the
 * request's settings (model, max_tokens, ...) left out. The SDK bridge measures every request so;
 * a job's dry run and its checks before sending use it too, so all of them estimate alike.
 */
public final class PromptText {

  private PromptText() {}

  /** The measured text of {@code body} (a Messages request as JSON); the body itself when it is not a JSON object. */
  public static String of(String body) {
    return RequestInfo.read(body.getBytes(StandardCharsets.UTF_8)).map(RequestInfo::estimateText).orElse(body);
  }

  /**
   * A prefix of the prompt that {@code body} marks {@code cache_control}: its key (equal for equal
   * prefixes of one model) and the measured text of the prompt after it, which is what the server
   * counts when the prefix is read from its cache.
   */
  public record CachePrefix(String key, String textAfter) {}

  /**
   * The prefixes {@code body} (a Messages request as JSON) marks {@code cache_control}, shortest
   * first, in the server's order (tools, system, messages); empty when it marks none.
   */
  public static List<CachePrefix> cachePrefixes(String body) {
    CacheBreakpoints breakpoints = CacheBreakpoints.of(body.getBytes(StandardCharsets.UTF_8));
    return breakpoints.all().stream()
        .map(each -> new CachePrefix(each.key(), breakpoints.textAfter(each)))
        .toList();
  }
}
