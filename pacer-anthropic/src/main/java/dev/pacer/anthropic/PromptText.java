package dev.pacer.anthropic;

import dev.pacer.anthropic.internal.RequestInfo;
import java.nio.charset.StandardCharsets;

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
}
