package dev.pacer.redis;

import dev.pacer.PacerException;

/**
 * Redis could not be reached, or answered too slowly, for longer than the store was told to wait
 * ({@link FaultMode#FAIL_CLOSED}); or it could not be reached when the store was first connected.
 * The message names Redis by its address without the password.
 */
public final class RedisUnavailableException extends PacerException {

  private static final long serialVersionUID = 1L;

  public RedisUnavailableException(String message) {
    super(message);
  }
}
