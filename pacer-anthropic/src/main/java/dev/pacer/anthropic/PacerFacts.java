package dev.pacer.anthropic;

import com.anthropic.core.http.Headers;
import com.anthropic.errors.AnthropicServiceException;
import dev.pacer.retry.FailureKind;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What Pacer adds to every response of the paced client, as {@code x-pacer-*} headers: how many
 * attempts the request took and, when Pacer gave up, why. Read them from an SDK exception
 * ({@link #of(AnthropicServiceException)}) or from a raw response's headers ({@link #of(Headers)}).
 *
 * <pre>{@code
 * try {
 *   client.messages().create(params);
 * } catch (RateLimitException e) {
 *   PacerFacts facts = PacerFacts.of(e).orElseThrow();
 *   log.warn("gave up after {} attempts on the {} limit: {}", facts.attempts(), facts.limit().orElse("?"), facts.reason());
 * }
 * }</pre>
 *
 * @param attempts attempts sent for the request, retries included
 * @param pool the rate-limit pool the request counted against
 * @param waited how long its last attempt waited for capacity (successes only)
 * @param failure for a request Pacer gave up on, what kind of failure its last attempt met
 * @param limit for a rate-limited request, the limit that ran out: {@code requests},
 *     {@code input_tokens} or {@code output_tokens}, where it could be told
 * @param retryAfter the delay the server asked for in its last answer, if it asked
 * @param reason for a request Pacer gave up on, why, in words (the retry policy's verdict)
 */
public record PacerFacts(int attempts, String pool, Optional<Duration> waited, Optional<FailureKind> failure,
    Optional<String> limit, Optional<Duration> retryAfter, Optional<String> reason) {

  /** Attempts sent for the request. */
  public static final String ATTEMPTS = "x-pacer-attempts";
  /** The rate-limit pool. */
  public static final String POOL = "x-pacer-pool";
  /**
   * Milliseconds the successful attempt waited for capacity, and before that, if it did, for
   * another request to write the prompt prefix they share to the cache.
   */
  public static final String WAITED_MS = "x-pacer-waited-ms";
  /** The failure kind of the last attempt, lower case ({@code rate_limited}, {@code overloaded}, …). */
  public static final String FAILURE = "x-pacer-failure";
  /** The limit that ran out ({@code requests}, {@code input_tokens}, {@code output_tokens}). */
  public static final String LIMIT = "x-pacer-limit";
  /** The server's requested delay, in milliseconds. */
  public static final String RETRY_AFTER_MS = "x-pacer-retry-after-ms";
  /** Why Pacer gave up. */
  public static final String REASON = "x-pacer-reason";

  /** The facts on {@code exception}'s response, if it came through a paced client. */
  public static Optional<PacerFacts> of(AnthropicServiceException exception) {
    return of(exception.headers());
  }

  /** The facts in {@code headers}, if a paced client set them. */
  public static Optional<PacerFacts> of(Headers headers) {
    OptionalInt attempts = integer(first(headers, ATTEMPTS));
    if (attempts.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new PacerFacts(
        attempts.getAsInt(),
        first(headers, POOL).orElse(""),
        first(headers, WAITED_MS).flatMap(PacerFacts::millis),
        first(headers, FAILURE).flatMap(PacerFacts::kind),
        first(headers, LIMIT),
        first(headers, RETRY_AFTER_MS).flatMap(PacerFacts::millis),
        first(headers, REASON)));
  }

  /** Whether Pacer gave up on the request (it did not succeed). */
  public boolean gaveUp() {
    return failure.isPresent();
  }

  private static Optional<String> first(Headers headers, String name) {
    List<String> values = headers.values(name);
    return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  private static OptionalInt integer(Optional<String> text) {
    try {
      return text.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(text.get().trim()));
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  private static Optional<Duration> millis(String text) {
    try {
      return Optional.of(Duration.ofMillis(Long.parseLong(text.trim())));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<FailureKind> kind(String text) {
    try {
      return Optional.of(FailureKind.valueOf(text.trim().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
