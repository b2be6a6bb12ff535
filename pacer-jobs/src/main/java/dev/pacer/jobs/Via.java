package dev.pacer.jobs;

import java.util.Locale;

/** Which API a job's requests go through. */
public enum Via {
  /** One Messages API call per request, paced under the interactive limits. */
  MESSAGES,
  /** The Message Batches API, at half price, within 24 hours ({@link dev.pacer.jobs.batches.BatchJob}). */
  BATCHES,
  /** Messages for small or urgent jobs, batches otherwise, by {@link dev.pacer.jobs.batches.AutoRule}. */
  AUTO;

  public static Via parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "messages" -> MESSAGES;
      case "batches" -> BATCHES;
      case "auto" -> AUTO;
      default -> throw new IllegalArgumentException("unknown --via '" + text + "': expected messages, batches or auto");
    };
  }
}
