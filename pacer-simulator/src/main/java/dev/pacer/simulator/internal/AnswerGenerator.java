package dev.pacer.simulator.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Answers as a deterministic function of the seed and the prompt's hash: a natural length between
 * a minimum and a maximum, capped at {@code max_tokens} (then {@code stop_reason} is
 * {@code max_tokens}, else {@code end_turn}); words from a fixed vocabulary of one-token words.
 */
public final class AnswerGenerator {

  private static final String[] VOCABULARY = {
    "the", "pace", "rate", "limit", "token", "calm", "firm", "river", "stone", "light",
    "wind", "clock", "cup", "water", "flows", "slow", "fast", "even", "tide", "moon",
    "sun", "field", "path", "road", "hill", "quiet", "note", "word", "line", "page",
    "book", "tree", "leaf", "seed", "root", "rain", "cloud", "sky", "star", "night",
    "day", "hour", "time", "wait", "turn", "step", "walk", "run", "rest", "keep",
    "hold", "give", "take", "send", "call", "reply", "yes", "ask", "tell", "know",
    "learn", "teach", "build", "plan", "and", "or", "but", "so", "then", "now",
    "here", "there", "with", "from", "into", "over", "under", "near", "far", "soon"
  };

  static {
    for (String w : VOCABULARY) {
      if (TokenCounter.count(w) != 1) {
        throw new AssertionError("not one token: " + w);
      }
    }
  }

  private final long seed;
  private final int minTokens;
  private final int maxTokens;

  public AnswerGenerator(long seed, int minTokens, int maxTokens) {
    this.seed = seed;
    this.minTokens = minTokens;
    this.maxTokens = maxTokens;
  }

  /** The answer's length before {@code max_tokens}: a function of seed and prompt only. */
  public long naturalLength(long promptHash) {
    long span = (long) maxTokens - minTokens + 1;
    return minTokens + Math.floorMod(Mix.mix64(promptHash ^ Mix.mix64(seed)), span);
  }

  public Answer answer(long promptHash, long maxTokensRequested) {
    long natural = naturalLength(promptHash);
    int length = (int) Math.min(natural, maxTokensRequested);
    SplittableRandom random = new SplittableRandom(Mix.mix64(promptHash + seed));
    List<String> words = new ArrayList<>(length);
    for (int i = 0; i < length; i++) {
      words.add(VOCABULARY[random.nextInt(VOCABULARY.length)]);
    }
    return new Answer(List.copyOf(words), natural > maxTokensRequested ? "max_tokens" : "end_turn");
  }
}
