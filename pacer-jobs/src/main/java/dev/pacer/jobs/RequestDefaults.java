package dev.pacer.jobs;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * What completes a line that leaves something out ({@code --model}, {@code --max-tokens},
 * {@code --system}): a short-form line gets all three, a request-format line gets whichever of
 * {@code model}, {@code max_tokens} and {@code system} its params lack. A line's own value wins.
 */
public record RequestDefaults(Optional<String> model, OptionalLong maxTokens, Optional<String> system) {

  public RequestDefaults {
    maxTokens.ifPresent(value -> {
      if (value < 1) {
        throw new IllegalArgumentException("max tokens must be at least 1, got " + value);
      }
    });
    model = model.filter(m -> !m.isBlank());
  }

  public static RequestDefaults none() {
    return new RequestDefaults(Optional.empty(), OptionalLong.empty(), Optional.empty());
  }

  public static RequestDefaults of(String model, Long maxTokens, String system) {
    return new RequestDefaults(Optional.ofNullable(model),
        maxTokens == null ? OptionalLong.empty() : OptionalLong.of(maxTokens), Optional.ofNullable(system));
  }
}
