package dev.pacer.anthropic.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * One async call made through the paced client's services, and the transport future(s) it
 * started: cancelling the call cancels them, and a transport future attached after the call was
 * cancelled is cancelled at once. See {@link CancellableCalls}.
 */
final class CallLink {

  private final String id;
  private final List<Future<?>> transports = new ArrayList<>(1);
  private boolean cancelled;

  CallLink(String id) {
    this.id = id;
  }

  String id() {
    return id;
  }

  synchronized boolean isCancelled() {
    return cancelled;
  }

  /** Links the transport's future for this call; returns it. */
  <T> CompletableFuture<T> attach(CompletableFuture<T> transport) {
    synchronized (this) {
      if (!cancelled) {
        transports.removeIf(Future::isDone);
        transports.add(transport);
        return transport;
      }
    }
    transport.cancel(true);
    return transport;
  }

  void cancel() {
    List<Future<?>> linked;
    synchronized (this) {
      cancelled = true;
      linked = List.copyOf(transports);
      transports.clear();
    }
    for (Future<?> transport : linked) {
      transport.cancel(true);
    }
  }

  @Override
  public String toString() {
    return "CallLink[" + id + (isCancelled() ? ", cancelled" : "") + "]";
  }
}
