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
 */
public record PacerStats(long requests, long succeeded, long failed, long attempts, long rateLimited, long overloaded,
    long otherFailures) {

  /** Attempts per request started (1.0 when nothing was retried). */
  public double attemptsPerRequest() {
    return requests == 0 ? 0 : (double) attempts / requests;
  }
}
