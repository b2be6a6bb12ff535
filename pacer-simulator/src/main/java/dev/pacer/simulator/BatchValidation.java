package dev.pacer.simulator;

import java.util.Locale;

/**
 * When the {@code params} of each request in a Message Batch are checked against the Messages rules.
 * The batch envelope ({@code requests}, {@code custom_id}s, sizes) is always checked at creation.
 */
public enum BatchValidation {
  /**
   * As Anthropic's batch guide describes the real API: params are checked when each request is
   * processed, and a malformed one becomes an {@code errored} result with an
   * {@code invalid_request_error} envelope; the rest of the batch goes on.
   */
  DEFERRED,
  /** Every request's params are checked at creation; one malformed request rejects the whole batch with a 400. */
  AT_CREATE;

  /** {@code deferred} or {@code at-create} (case-insensitive, {@code _} for {@code -} accepted). */
  public static BatchValidation parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT).replace('_', '-')) {
      case "deferred" -> DEFERRED;
      case "at-create", "strict" -> AT_CREATE;
      default -> throw new IllegalArgumentException(
          "batch validation must be deferred or at-create, not '" + text + "'");
    };
  }
}
