package dev.pacer.anthropic.internal;

import dev.pacer.Usage;
import java.time.Duration;

/**
 * Hears what the paced transport does, attempt by attempt (for metrics). Called on the thread of
 * the attempt; must be quick and must not throw (whatever it throws is ignored).
 */
public interface AttemptObserver {

  /** An attempt got its permit after waiting {@code waited}. */
  default void granted(String pool, Duration waited) {}

  /** An attempt was answered with {@code status}. */
  default void answered(String pool, int status) {}

  /** An attempt got no answer (refused, reset, timed out). */
  default void unanswered(String pool) {}

  /** A stream failed after its 200 ({@code event: error} or cut). */
  default void streamFailed(String pool) {}

  /** A Messages response's usage became known. */
  default void used(String pool, String model, Usage usage) {}
}
