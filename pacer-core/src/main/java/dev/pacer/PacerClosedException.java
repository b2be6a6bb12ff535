package dev.pacer;

/** The Pacer was closed while the request waited, or before it was made. */
public final class PacerClosedException extends PacerException {

  private static final long serialVersionUID = 1L;

  public PacerClosedException(String message) {
    super(message);
  }
}
