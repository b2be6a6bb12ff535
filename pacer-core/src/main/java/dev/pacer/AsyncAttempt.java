package dev.pacer;

import java.util.concurrent.CompletableFuture;

/**
 * One attempt, asynchronously: the same contract as {@link Attempt}, with failures delivered as
 * the future's exception. Cancelling the returned future must cancel the HTTP call.
 */
@FunctionalInterface
public interface AsyncAttempt<T> {
  CompletableFuture<T> run(Permit permit);
}
