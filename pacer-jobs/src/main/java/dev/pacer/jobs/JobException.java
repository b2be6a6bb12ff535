package dev.pacer.jobs;

/**
 * A job that cannot start as asked: the input is missing, the output belongs to another input, or
 * the options changed since the results were written. The message says what to do.
 */
public final class JobException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public JobException(String message) {
    super(message);
  }

  public JobException(String message, Throwable cause) {
    super(message, cause);
  }
}
