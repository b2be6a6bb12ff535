package dev.pacer.simulator.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Processes Message Batches in the background at a fixed pace, as a pure function of time: one
 * request every {@code 1 / rate} seconds across every batch, batch after batch in order of creation,
 * each batch's requests in a shuffled order (so results come in no particular order). Nothing runs
 * on its own: every observer calls {@link #advanceTo(long)} first, which plays the events due by
 * then (completions, expiries, cancellations ending) in time order. So a batch behaves the same on a
 * {@code ManualClock} as on the system clock, and tests never sleep.
 *
 * <p>A cancel moves a batch to {@code canceling}; it ends one processing step later (its request in
 * flight, if any, finishes first) with what was left {@code canceled}. At {@code expires_at}, what is
 * left of a batch still in progress is {@code expired} and it ends.
 */
final class BatchProcessor {

  private final SimulatorEngine engine;
  private final long intervalNanos;
  private final long expiryNanos;
  private final long queueLimit;
  private final ReentrantLock lock = new ReentrantLock();
  /** Every batch not deleted, in order of creation. */
  private final LinkedHashMap<String, Batch> byId = new LinkedHashMap<>();
  /** Batches with requests still to start, in order of creation; the head is being processed. */
  private final ArrayDeque<Batch> queue = new ArrayDeque<>();
  /** Batches not ended (in progress or canceling). */
  private final List<Batch> unfinished = new ArrayList<>();
  /** When the head's current request started. */
  private long headStartNanos;
  private long waiting;
  private long created;

  BatchProcessor(SimulatorEngine engine, double ratePerSecond, Duration expiry, long queueLimit) {
    this.engine = engine;
    this.intervalNanos = Math.max(1, Math.round(1e9 / ratePerSecond));
    this.expiryNanos = expiry.toNanos();
    this.queueLimit = queueLimit;
  }

  long queueLimit() {
    return queueLimit;
  }

  /** Requests waiting to be processed across batches not ended. */
  long requestsWaiting() {
    lock.lock();
    try {
      return waiting;
    } finally {
      lock.unlock();
    }
  }

  /** A new batch at {@code now}, or a 429 when the processing queue cannot take its requests. */
  Batch.View create(List<Batch.Item> items, long nowNanos) {
    lock.lock();
    try {
      advanceTo(nowNanos);
      if (waiting + items.size() > queueLimit) {
        long excess = waiting + items.size() - queueLimit;
        long seconds = Math.max(1, (long) Math.ceil(excess * (double) intervalNanos / 1e9));
        throw new ApiException(429, "rate_limit_error", RateLimitMessages.batchQueue(queueLimit),
            java.util.Map.of("retry-after", Long.toString(seconds), "x-should-retry", "true"));
      }
      created++;
      int[] order = shuffled(items.size(), engine.config().seed() * 0x9e3779b97f4a7c15L + created);
      Batch b = new Batch(engine.ids().batchId(), nowNanos, engine.clock().wallTime(), expiryNanos,
          List.copyOf(items), order);
      byId.put(b.id, b);
      unfinished.add(b);
      if (queue.isEmpty()) {
        headStartNanos = nowNanos;
      }
      queue.addLast(b);
      waiting += items.size();
      engine.stats().batchCreated(items.size());
      return b.view();
    } finally {
      lock.unlock();
    }
  }

  /** The batch as it is at {@code now}; 404 when there is none. */
  Batch.View view(String id, long nowNanos) {
    lock.lock();
    try {
      return get(id, nowNanos).view();
    } finally {
      lock.unlock();
    }
  }

  private Batch get(String id, long nowNanos) {
    advanceTo(nowNanos);
    Batch b = byId.get(id);
    if (b == null) {
      throw new ApiException(404, "not_found_error", "message_batch: " + id + " not found");
    }
    return b;
  }

  /** Every batch as it is at {@code now}, newest first. */
  List<Batch.View> newestFirst(long nowNanos) {
    lock.lock();
    try {
      advanceTo(nowNanos);
      List<Batch.View> all = new ArrayList<>(byId.size());
      byId.values().forEach(b -> all.add(b.view()));
      java.util.Collections.reverse(all);
      return all;
    } finally {
      lock.unlock();
    }
  }

  /** Starts canceling a batch in progress; a batch canceling or ended is left as it is. */
  Batch.View cancel(String id, long nowNanos) {
    lock.lock();
    try {
      Batch b = get(id, nowNanos);
      if (b.status != Batch.Status.IN_PROGRESS) {
        return b.view();
      }
      b.status = Batch.Status.CANCELING;
      b.cancelInitiated = true;
      b.cancelInitiatedNanos = nowNanos;
      b.cancelEndsNanos = nowNanos + intervalNanos;
      if (queue.peekFirst() != b) {
        queue.remove(b); // not started: nothing in flight
      }
      return b.view();
    } finally {
      lock.unlock();
    }
  }

  /** Deletes an ended batch; 400 for one still in progress or canceling. */
  void delete(String id, long nowNanos) {
    lock.lock();
    try {
      Batch b = get(id, nowNanos);
      if (b.status != Batch.Status.ENDED) {
        throw ApiException.invalidRequest("Message Batch " + id + " is still " + b.status.wire
            + ": only a batch that has ended can be deleted. Cancel it first and wait for it to end.");
      }
      byId.remove(id);
    } finally {
      lock.unlock();
    }
  }

  /** The results lines of an ended batch, in the order its requests ended; 400 while it has not ended. */
  List<byte[]> results(String id, long nowNanos) {
    lock.lock();
    try {
      Batch b = get(id, nowNanos);
      if (b.status != Batch.Status.ENDED) {
        throw ApiException.invalidRequest("Message Batch " + id + " is still " + b.status.wire
            + ": its results are available once it has ended (see results_url).");
      }
      return List.copyOf(b.results);
    } finally {
      lock.unlock();
    }
  }

  /** Plays every event due by {@code now}, in time order. */
  void advanceTo(long nowNanos) {
    lock.lock();
    try {
      while (true) {
        Batch head = queue.peekFirst();
        long next = 0;
        int kind = -1; // 0 completion, 1 expiry, 2 cancellation ends
        Batch target = null;
        if (head != null) {
          next = headStartNanos + intervalNanos;
          kind = 0;
          target = head;
        }
        for (Batch b : unfinished) {
          long t = b.status == Batch.Status.IN_PROGRESS ? b.expiresNanos : b.cancelEndsNanos;
          if (kind < 0 || t - next < 0) {
            next = t;
            kind = b.status == Batch.Status.IN_PROGRESS ? 1 : 2;
            target = b;
          }
        }
        if (kind < 0 || next - nowNanos > 0) {
          return;
        }
        switch (kind) {
          case 0 -> complete(target, next);
          case 1 -> endRest(target, BatchResultType.EXPIRED, next);
          default -> endRest(target, BatchResultType.CANCELED, next);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** The head's current request ends at {@code t}; the next one starts. */
  private void complete(Batch head, long t) {
    BatchResultType type = process(head, head.next());
    headStartNanos = t;
    if (!head.hasNext()) {
      queue.pollFirst();
      end(head, t);
    } else if (head.status == Batch.Status.CANCELING) {
      queue.pollFirst(); // its request in flight is done; the rest waits for the cancellation to end
    }
    engine.stats().batchRequestEnded(type);
  }

  /** What is left of a batch ends with {@code type} at {@code t}, and so does the batch. */
  private void endRest(Batch b, BatchResultType type, long t) {
    if (queue.peekFirst() == b) {
      queue.pollFirst();
      headStartNanos = t;
    } else {
      queue.remove(b);
    }
    while (b.hasNext()) {
      Batch.Item item = b.next();
      b.ended(type, line(item.customId(), resultOfType(type)));
      waiting--;
      engine.stats().batchRequestEnded(type);
    }
    end(b, t);
  }

  private void end(Batch b, long t) {
    b.status = Batch.Status.ENDED;
    b.endedNanos = t;
    unfinished.remove(b);
  }

  /** Answers one request as {@code POST /v1/messages} would, or errors it when its params are malformed. */
  private BatchResultType process(Batch b, Batch.Item item) {
    ObjectNode result = Json.object();
    BatchResultType type;
    try {
      MessagesRequest r = RequestValidator.messages(item.params());
      String pool = engine.catalog().poolOf(r.model());
      PromptTokens prompt = PromptAnalyzer.analyze(r, engine.config().hiddenPromptTokens());
      TokenSplit split = engine.promptCache().split(pool, prompt);
      engine.promptCache().remember(pool, split);
      Answer a = engine.answers().answer(prompt.promptHash(), r.maxTokens());
      result.put("type", BatchResultType.SUCCEEDED.wire());
      result.set("message", MessageBodies.message(engine.ids().messageId(), r.model(), a.text(), a.stopReason(),
          MessageBodies.usage(split, a.outputTokens(), "batch")));
      type = BatchResultType.SUCCEEDED;
    } catch (ApiException e) {
      result.put("type", BatchResultType.ERRORED.wire());
      result.set("error", Json.errorEnvelope(e.errorType(), e.getMessage(), engine.ids().requestId()));
      type = BatchResultType.ERRORED;
    }
    b.ended(type, line(item.customId(), result));
    waiting--;
    return type;
  }

  private static ObjectNode resultOfType(BatchResultType type) {
    ObjectNode r = Json.object();
    r.put("type", type.wire());
    return r;
  }

  private static byte[] line(String customId, ObjectNode result) {
    ObjectNode l = Json.object();
    l.put("custom_id", customId);
    l.set("result", result);
    byte[] json = Json.bytes(l);
    byte[] out = java.util.Arrays.copyOf(json, json.length + 1);
    out[json.length] = '\n';
    return out;
  }

  /** 0..n−1 in a seeded random order (Fisher–Yates). */
  private static int[] shuffled(int n, long seed) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) order[i] = i;
    SplittableRandom random = new SplittableRandom(Mix.mix64(seed));
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    return order;
  }
}
