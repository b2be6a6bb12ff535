package dev.pacer.simulator.internal;

import java.util.List;

/**
 * The answer to a prompt: its words (each one output token by {@link TokenCounter}), and why it
 * stopped.
 */
public record Answer(List<String> words, String stopReason) {

  public long outputTokens() {
    return words.size();
  }

  /** The full text: the words joined by single spaces. */
  public String text() {
    return String.join(" ", words);
  }

  /** The text of words {@code from} (inclusive) to {@code to} (exclusive), as a delta following the earlier ones. */
  public String delta(int from, int to) {
    String joined = String.join(" ", words.subList(from, to));
    return from == 0 ? joined : " " + joined;
  }
}
