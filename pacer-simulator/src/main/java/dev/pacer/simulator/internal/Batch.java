package dev.pacer.simulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One Message Batch: its requests in the order given, the (shuffled) order it processes them in,
 * its results in the order they ended, and its times. Not thread-safe: {@link BatchProcessor} guards it.
 */
final class Batch {

  enum Status {
    IN_PROGRESS("in_progress"),
    CANCELING("canceling"),
    ENDED("ended");

    final String wire;

    Status(String wire) {
      this.wire = wire;
    }
  }

  /** One request of a batch, as sent: its {@code custom_id} and {@code params}. */
  record Item(String customId, JsonNode params) {}

  final String id;
  final long createdNanos;
  final Instant createdAt;
  final long expiresNanos;
  final List<Item> items;
  /** Indexes into {@link #items}: the order of processing. */
  final int[] order;
  /** {@code order[cursor]} is the next request to process; those before it have ended. */
  int cursor;
  final Map<BatchResultType, Integer> counts = new EnumMap<>(BatchResultType.class);
  /** JSONL lines, each ending with a newline, in the order their requests ended. */
  final List<byte[]> results = new ArrayList<>();
  Status status = Status.IN_PROGRESS;
  boolean cancelInitiated;
  long cancelInitiatedNanos;
  long cancelEndsNanos;
  long endedNanos;

  Batch(String id, long createdNanos, Instant createdAt, long expiryNanos, List<Item> items, int[] order) {
    this.id = id;
    this.createdNanos = createdNanos;
    this.createdAt = createdAt;
    this.expiresNanos = createdNanos + expiryNanos;
    this.items = items;
    this.order = order;
    for (BatchResultType t : BatchResultType.values()) {
      counts.put(t, 0);
    }
  }

  /** The wall-clock time of a monotonic reading, on the simulator's clock. */
  Instant wallAt(long nanos) {
    return createdAt.plusNanos(nanos - createdNanos);
  }

  /** Requests not ended yet. */
  int waiting() {
    return items.size() - cursor;
  }

  boolean hasNext() {
    return cursor < items.size();
  }

  Item next() {
    return items.get(order[cursor]);
  }

  void ended(BatchResultType type, byte[] line) {
    cursor++;
    counts.merge(type, 1, Integer::sum);
    results.add(line);
  }

  int count(BatchResultType type) {
    return counts.get(type);
  }

  /** What the API shows of a batch at one instant; taken under the processor's lock. */
  record View(String id, Status status, int requests, int succeeded, int errored, int canceled, int expired,
      Instant createdAt, Instant expiresAt, Instant endedAt, Instant cancelInitiatedAt) {}

  View view() {
    return new View(id, status, items.size(), count(BatchResultType.SUCCEEDED), count(BatchResultType.ERRORED),
        count(BatchResultType.CANCELED), count(BatchResultType.EXPIRED), createdAt, wallAt(expiresNanos),
        status == Status.ENDED ? wallAt(endedNanos) : null, cancelInitiated ? wallAt(cancelInitiatedNanos) : null);
  }
}
