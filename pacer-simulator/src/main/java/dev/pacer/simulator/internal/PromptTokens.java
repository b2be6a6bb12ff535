package dev.pacer.simulator.internal;

import java.util.List;

/**
 * A prompt's token count by {@link TokenCounter} and overheads, split into segments for caching.
 *
 * @param promptHash a stable hash of the request's system and messages
 */
public record PromptTokens(long totalTokens, List<PromptSegment> segments, long promptHash) {

  public String promptHashHex() {
    return Canonical.hex(promptHash);
  }
}
