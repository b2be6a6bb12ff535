package dev.pacer.jobs.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Where an attempt waits until its pool's limits can take it, and reports back how it went so the
 * gate can settle what it reserved. The interim stand-in for pacer-core's governor.
 */
public interface AttemptGate {

  /** Completes when an attempt needing these tokens may be sent (or exceptionally, if it never can). */
  CompletableFuture<Permit> admit(String pool, long inputTokens, long maxTokens);

  /** What an admitted attempt reserved; exactly one of its methods is called, once. */
  interface Permit {
    /** The attempt succeeded with these actual counts (input as ITPM counts it). */
    void settle(long actualInputTokens, long actualOutputTokens);

    /** A 429: the server charged nothing; the pool should wait {@code retryAfter}. */
    void rateLimited(Duration retryAfter);

    /** Another error response: the server charged nothing. */
    void refused();

    /** No response (connection failure): what the server charged is unknown; keep the reservation. */
    void settleUnknown();

    /** Not sent after all. */
    void cancel();
  }

  /** Admits everything at once (pacing is someone else's job). */
  AttemptGate NONE = (pool, input, max) -> CompletableFuture.completedFuture(new Permit() {
    @Override
    public void settle(long actualInputTokens, long actualOutputTokens) {}

    @Override
    public void rateLimited(Duration retryAfter) {}

    @Override
    public void refused() {}

    @Override
    public void settleUnknown() {}

    @Override
    public void cancel() {}
  });
}
