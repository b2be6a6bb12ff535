package dev.pacer.simulator.internal;

/**
 * One piece of a prompt in order (a tool, a system block, a message's block), its tokens, the hash
 * of the whole prompt up to and including it, and its cache mark.
 *
 * @param cacheTtl {@code 5m} or {@code 1h} when the piece carries {@code cache_control}, else null
 */
public record PromptSegment(long tokens, long prefixHash, String cacheTtl) {

  public boolean isBreakpoint() {
    return cacheTtl != null;
  }
}
