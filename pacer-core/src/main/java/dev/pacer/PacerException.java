package dev.pacer;

/** Every failure Pacer reports is one of these: unchecked, and carrying the facts. */
public class PacerException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public PacerException(String message) {
    super(message);
  }

  public PacerException(String message, Throwable cause) {
    super(message, cause);
  }
}
