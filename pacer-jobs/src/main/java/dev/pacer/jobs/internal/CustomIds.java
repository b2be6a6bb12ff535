package dev.pacer.jobs.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** The rules for custom_ids: the Message Batches pattern, and ids derived from a line's content. */
public final class CustomIds {

  /** What the Message Batches API accepts. */
  public static final Pattern VALID = Pattern.compile("^[a-zA-Z0-9_-]{1,64}$");

  /** Derived ids start with this, so they are easy to tell from the user's own. */
  public static final String DERIVED_PREFIX = "h-";

  private CustomIds() {}

  public static boolean isValid(String id) {
    return id != null && VALID.matcher(id).matches();
  }

  /** Why {@code id} is not a valid custom_id, in one phrase. */
  public static String whyInvalid(String id) {
    if (id.isEmpty()) {
      return "custom_id is empty";
    }
    if (id.length() > 64) {
      return "custom_id is " + id.length() + " characters long (at most 64)";
    }
    return "custom_id \"" + abbreviate(id) + "\" has characters other than a-z, A-Z, 0-9, _ and -";
  }

  /**
   * The id of a line that has none: {@code h-} and the first 80 bits of the SHA-256 of the line's
   * trimmed text, so the same line gets the same id in every run, wherever it sits in the file.
   */
  public static String derive(String lineText) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(lineText.strip().getBytes(StandardCharsets.UTF_8));
      return DERIVED_PREFIX + HexFormat.of().formatHex(digest, 0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 37) + "...";
  }
}
