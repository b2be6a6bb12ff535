package dev.pacer.simulator.internal;

/**
 * The simulator's tokenizer: a fixed rule, deliberately not {@code chars / 4}, so that a client
 * must calibrate its estimates as it must with the real tokenizer.
 *
 * <ul>
 *   <li>a run of letters of length n: 1 token for n ≤ 5, 2 for n ≤ 9, then one more per 6 letters;
 *   <li>a run of digits: one token per 3 digits (rounded up);
 *   <li>an ideograph (CJK and the like): 1 token each;
 *   <li>any other visible character (punctuation, symbols): 1 token each;
 *   <li>whitespace: free.
 * </ul>
 */
public final class TokenCounter {

  private TokenCounter() {}

  /** Tokens in {@code text} by the rule above. */
  public static long count(CharSequence text) {
    long tokens = 0;
    int letters = 0;
    int digits = 0;
    int i = 0;
    int n = text.length();
    while (i < n) {
      int cp = Character.codePointAt(text, i);
      i += Character.charCount(cp);
      if (Character.isLetter(cp) && !Character.isIdeographic(cp)) {
        if (digits > 0) { tokens += digitTokens(digits); digits = 0; }
        letters++;
        continue;
      }
      if (Character.isDigit(cp)) {
        if (letters > 0) { tokens += wordTokens(letters); letters = 0; }
        digits++;
        continue;
      }
      if (letters > 0) { tokens += wordTokens(letters); letters = 0; }
      if (digits > 0) { tokens += digitTokens(digits); digits = 0; }
      if (!Character.isWhitespace(cp) && !Character.isISOControl(cp)) {
        tokens++;
      }
    }
    if (letters > 0) tokens += wordTokens(letters);
    if (digits > 0) tokens += digitTokens(digits);
    return tokens;
  }

  /** The weight of a word of {@code length} letters. */
  static long wordTokens(int length) {
    if (length <= 5) return 1;
    if (length <= 9) return 2;
    return 3 + (length - 10) / 6;
  }

  static long digitTokens(int length) {
    return (length + 2) / 3;
  }
}
