package dev.pacer.jobs;

/**
 * What it took to get one request's outcome.
 *
 * @param total attempts sent (1 when the first attempt answered)
 * @param rateLimited 429 responses among them
 * @param overloaded 529 responses among them
 */
public record Attempts(int total, int rateLimited, int overloaded) {

  public Attempts {
    if (total < 0 || rateLimited < 0 || overloaded < 0) {
      throw new IllegalArgumentException("negative attempt count");
    }
  }

  /** One attempt, answered at once. */
  public static Attempts once() {
    return new Attempts(1, 0, 0);
  }

  /** No attempt was sent (e.g. the request was refused before it left). */
  public static Attempts none() {
    return new Attempts(0, 0, 0);
  }

  /** Retries: attempts beyond the first. */
  public int retries() {
    return Math.max(0, total - 1);
  }
}
