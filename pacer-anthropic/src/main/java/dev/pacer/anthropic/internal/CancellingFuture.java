package dev.pacer.anthropic.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * A future whose cancellation travels upstream: cancelling it, or any stage derived from it
 * ({@code thenApply}, {@code handle}, {@code thenCompose}, …), cancels the future it stands for,
 * so that the wait for capacity is withdrawn or the HTTP call is cut.
 */
final class CancellingFuture<T> extends CompletableFuture<T> {

  private final Future<?> upstream;

  CancellingFuture(Future<?> upstream) {
    this.upstream = upstream;
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean cancelled = super.cancel(mayInterruptIfRunning);
    if (upstream != null) {
      upstream.cancel(mayInterruptIfRunning);
    }
    return cancelled;
  }

  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new CancellingFuture<>(this);
  }
}
