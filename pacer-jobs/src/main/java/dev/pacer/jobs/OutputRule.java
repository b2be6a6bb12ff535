package dev.pacer.jobs;

import java.util.Locale;

/** How the server counts output tokens against OTPM (see anthropic-api.md): both readings exist. */
public enum OutputRule {
  /** {@code max_tokens} is reserved at the start and the unused part refunded at the end. */
  RESERVE,
  /** Only output actually generated counts, as it is generated. */
  LIVE;

  public static OutputRule parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "reserve" -> RESERVE;
      case "live" -> LIVE;
      default -> throw new IllegalArgumentException("unknown output rule '" + text + "': expected reserve or live");
    };
  }
}
