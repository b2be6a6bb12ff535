package dev.pacer.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) handled by the command instead of ending the JVM: {@code pacer run} stops
 * admitting on the first, abandons in-flight requests on the second.
 */
final class Interrupts {

  private Interrupts() {}

  /** Restores the handler that was there before. */
  interface Handle {
    void restore();
  }

  static Handle onInterrupt(Runnable action) {
    try {
      Signal signal = new Signal("INT");
      SignalHandler previous = Signal.handle(signal, s -> action.run());
      return () -> Signal.handle(signal, previous);
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      // No SIGINT here (or the JVM was started with -Xrs): Ctrl-C ends the JVM as usual.
      return () -> {};
    }
  }
}
