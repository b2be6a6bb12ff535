package dev.pacer;

/**
 * Which queue a request waits in. {@code INTERACTIVE} goes before {@code BATCH}; a batch request
 * that has waited longer than the starvation guard goes first anyway.
 */
public enum Priority {
  INTERACTIVE,
  BATCH;

  public static Priority parse(String text) {
    return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "interactive", "high" -> INTERACTIVE;
      case "batch", "low" -> BATCH;
      default -> throw new IllegalArgumentException("unknown priority '" + text + "': expected interactive or batch");
    };
  }
}
