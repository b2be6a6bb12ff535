package dev.pacer;

/**
 * Running totals of one {@link Pacer}.
 *
 * @param requests calls started
 * @param succeeded calls that returned a value
 * @param failed calls that ended with an exception
 * @param attempts attempts sent (first attempts and retries)
 * @param rateLimited 429 responses received
 * @param overloaded 529 responses received
 * @param otherFailures other failed attempts (5xx, connection errors, broken streams, 4xx)
 * @param countTokensAttempts the attempts among {@code attempts} that were count_tokens calls (a
 *     job's summary counts the Messages attempts only)
 */
public record PacerStats(long requests, long succeeded, long failed, long attempts, long rateLimited, long overloaded,
    long otherFailures, long countTokensAttempts) {

  /** Totals without count_tokens calls. */
  public PacerStats(long requests, long succeeded, long failed, long attempts, long rateLimited, long overloaded,
      long otherFailures) {
    this(requests, succeeded, failed, attempts, rateLimited, overloaded, otherFailures, 0);
  }

  /** Attempts per request started (1.0 when nothing was retried). */
  public double attemptsPerRequest() {
    return requests == 0 ? 0 : (double) attempts / requests;
  }
}
