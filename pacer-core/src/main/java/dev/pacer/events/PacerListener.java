package dev.pacer.events;

/**
 * Receives {@link PacerEvent}s. Called on the thread where the event happened, outside the
 * governor's locks; keep it quick. Whatever it throws is caught and ignored: a listener cannot
 * break a request.
 */
@FunctionalInterface
public interface PacerListener {

  void onEvent(PacerEvent event);

  PacerListener NONE = event -> {};

  /** Calls each listener in turn, each shielded from the others. */
  static PacerListener all(PacerListener... listeners) {
    return event -> {
      for (PacerListener listener : listeners) {
        deliver(listener, event);
      }
    };
  }

  /** Delivers {@code event}, swallowing whatever the listener throws. */
  static void deliver(PacerListener listener, PacerEvent event) {
    try {
      listener.onEvent(event);
    } catch (RuntimeException | Error ignored) {
      // Listeners are for observation; their failures must never reach the caller.
    }
  }
}
