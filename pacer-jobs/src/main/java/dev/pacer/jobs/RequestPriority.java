package dev.pacer.jobs;

import java.util.Locale;

/** Which of the pacing layer's queues a job's requests wait in. */
public enum RequestPriority {
  /** Goes before batch work sharing the same limits. */
  INTERACTIVE,
  /** Yields to interactive work (the default for jobs). */
  BATCH;

  public static RequestPriority parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "interactive", "high" -> INTERACTIVE;
      case "batch", "low" -> BATCH;
      default -> throw new IllegalArgumentException("unknown priority '" + text + "': expected interactive or batch");
    };
  }
}
