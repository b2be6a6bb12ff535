package dev.pacer.limits;

/**
 * How the server counts output tokens against the output-tokens-per-minute limit.
 *
 * <ul>
 *   <li>{@link #RESERVE} (the 2025 docs): {@code max_tokens} is taken at admission and the unused
 *       part is refunded when the response completes.
 *   <li>{@link #LIVE} (the 2026 docs): only output actually generated is counted, as it is
 *       generated; a request is admitted while the output bucket is not in debt.
 * </ul>
 *
 * Pacer holds {@code max_tokens} under {@code RESERVE}, and an estimate of the output (learned per
 * pool from usage, never more than {@code max_tokens}) under {@code LIVE}; both settle to the actual.
 */
public enum OutputRule {
  RESERVE,
  LIVE;

  public static OutputRule parse(String text) {
    return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "reserve" -> RESERVE;
      case "live" -> LIVE;
      default -> throw new IllegalArgumentException("unknown output rule '" + text + "': expected reserve or live");
    };
  }
}
