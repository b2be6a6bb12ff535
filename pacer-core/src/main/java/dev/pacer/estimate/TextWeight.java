package dev.pacer.estimate;

import java.lang.ref.WeakReference;

/**
 * A text's length in units of what an ASCII character costs a tokenizer. Tokenizers pack English
 * into about four characters a token, but an ideograph, a kana, a Hangul syllable or an emoji
 * costs about a token alone, and a letter of another alphabet (Cyrillic, Greek, Arabic, Hebrew,
 * accented Latin) about half of one. Weighted 4 and 2, text in any script costs about the same
 * tokens per unit, so one learned ratio fits a pool whatever its prompts are written in. Counted
 * as plain characters, a Chinese prompt came to half the server's count before any answer (a
 * first burst drew 429s), and after one a single Chinese prompt made every English one count
 * four times over.
 */
final class TextWeight {

  private static final int REMEMBERED = 8;

  // The last texts measured: the governor estimates a waiting request again on every drain, and
  // calibrates with the same text at the end. Weak, so a large prompt is never kept alive here.
  private final Object lock = new Object();
  @SuppressWarnings("unchecked")
  private final WeakReference<CharSequence>[] texts = new WeakReference[REMEMBERED];
  private final long[] units = new long[REMEMBERED];
  private int next;

  /** The units of {@code text}, remembered for the last few texts (by identity). */
  long unitsOf(CharSequence text) {
    synchronized (lock) {
      for (int i = 0; i < REMEMBERED; i++) {
        if (texts[i] != null && texts[i].get() == text) {
          return units[i];
        }
      }
    }
    long measured = measure(text);
    synchronized (lock) {
      texts[next] = new WeakReference<>(text);
      units[next] = measured;
      next = (next + 1) % REMEMBERED;
    }
    return measured;
  }

  /** The units of {@code text}: 1 per ASCII character, otherwise {@link #weight(int)} per code point. */
  static long measure(CharSequence text) {
    long total = 0;
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      if (c < 0x80) {
        total++;
        i++;
        continue;
      }
      int cp = Character.codePointAt(text, i);
      i += Character.charCount(cp);
      total += weight(cp);
    }
    return total;
  }

  /** What one non-ASCII code point costs, in ASCII characters. */
  static int weight(int codePoint) {
    if (Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint)) {
      return 1;
    }
    return switch (Character.UnicodeScript.of(codePoint)) {
      case LATIN, CYRILLIC, GREEK, ARMENIAN, GEORGIAN, ARABIC, HEBREW, INHERITED -> 2;
      // Punctuation and symbols shared by all scripts: the common ones in the BMP, emoji beyond it.
      case COMMON -> Character.isSupplementaryCodePoint(codePoint) ? 4 : 2;
      default -> 4; // Han, kana, Hangul, Thai, the Indic scripts and the rest
    };
  }
}
