package dev.pacer.anthropic.internal;

/**
 * Rethrows a checked exception from a method that cannot declare it, as the SDK's Kotlin
 * interfaces do: their transports catch the {@link java.io.IOException} itself.
 */
final class Sneaky {

  private Sneaky() {}

  @SuppressWarnings("unchecked")
  static <E extends Throwable> E rethrow(Throwable e) throws E {
    throw (E) e;
  }
}
