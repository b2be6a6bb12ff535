package dev.pacer.events;

import dev.pacer.limits.Bucket;
import dev.pacer.limits.Limits;
import java.time.Duration;

/** Something the governor did or learned, for listeners (metrics, logs, progress bars). */
public sealed interface PacerEvent {

  /** The pool the event is about. */
  String pool();

  /**
   * A demand was granted its permit after waiting {@code waited}; {@code bindingBucket} is the
   * bucket it waited for longest ({@code null} when it waited for nothing, or only for a
   * concurrency slot or a pause).
   */
  record Acquired(String pool, Duration waited, Bucket bindingBucket, long inputTokens, long outputTokensHeld,
      int attempt) implements PacerEvent {}

  /** A permit was settled with the actual usage; estimates versus actuals. */
  record Settled(String pool, long estimatedInputTokens, long actualInputTokens, long heldOutputTokens,
      long actualOutputTokens) implements PacerEvent {}

  /** A permit was given back without a success (rejected, failed, cancelled). */
  record Released(String pool, String why) implements PacerEvent {}

  /** A 429 paused the whole pool until the server's retry-after. */
  record Paused(String pool, Duration pause, Bucket bucket, String serverMessage) implements PacerEvent {}

  /** The server's headers changed what the governor knows of the pool's limits or burst. */
  record LimitsLearned(String pool, Limits before, Limits after, String what) implements PacerEvent {}

  /** An attempt failed and will be tried again after {@code delay}. */
  record Retrying(String pool, int attempt, Duration delay, String reason) implements PacerEvent {}

  /** A request ended without success after {@code attempts}. */
  record Failed(String pool, int attempts, String reason) implements PacerEvent {}

  /** The concurrency limit of the pool changed. */
  record ConcurrencyChanged(String pool, int before, int after) implements PacerEvent {}
}
