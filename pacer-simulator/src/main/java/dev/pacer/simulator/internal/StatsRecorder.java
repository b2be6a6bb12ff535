package dev.pacer.simulator.internal;

import dev.pacer.simulator.BatchStats;
import dev.pacer.simulator.RequestRecord;
import dev.pacer.simulator.SimulatorStats;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/** Counts what the server saw; {@link #snapshot()} gives the public view. */
public final class StatsRecorder {

  private final int recordLimit;
  private final LongAdder attempts = new LongAdder();
  private final ConcurrentHashMap<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAdder> byBucket = new ConcurrentHashMap<>();
  private final LongAdder inputServed = new LongAdder();
  private final LongAdder cacheCreationServed = new LongAdder();
  private final LongAdder cacheReadServed = new LongAdder();
  private final LongAdder outputServed = new LongAdder();
  private final LongAdder countTokens = new LongAdder();
  private final LongAdder countTokensLimited = new LongAdder();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final ReentrantLock recordsLock = new ReentrantLock();
  private final Deque<RequestRecord> records = new ArrayDeque<>();
  private final ConcurrentHashMap<String, LongAdder> faults = new ConcurrentHashMap<>();
  private final LongAdder batchesCreated = new LongAdder();
  private final LongAdder batchRequestsSubmitted = new LongAdder();
  private final LongAdder batchSucceeded = new LongAdder();
  private final LongAdder batchErrored = new LongAdder();
  private final LongAdder batchCanceled = new LongAdder();
  private final LongAdder batchExpired = new LongAdder();
  private final LongAdder batchEndpointRequests = new LongAdder();
  private final LongAdder batchEndpointLimited = new LongAdder();

  public StatsRecorder(int recordLimit) {
    this.recordLimit = recordLimit;
  }

  /** A Messages attempt arrives; returns the attempts in flight now, this one included. */
  public int attemptStarted() {
    attempts.increment();
    int now = inFlight.incrementAndGet();
    if (now > maxInFlight.get()) {
      maxInFlight.accumulateAndGet(now, Math::max);
    }
    return now;
  }

  /** A Messages attempt has been answered (its body fully sent or abandoned). */
  public void attemptEnded() {
    inFlight.decrementAndGet();
  }

  /** The outcome of a Messages attempt. */
  public void record(RequestRecord r) {
    byStatus.computeIfAbsent(r.status(), s -> new LongAdder()).increment();
    if (r.status() == 429 && r.limitedBy() != null && !r.limitedBy().equals("injected")) {
      byBucket.computeIfAbsent(r.limitedBy(), s -> new LongAdder()).increment();
    }
    if (r.status() == 200) {
      inputServed.add(r.inputTokens());
      cacheCreationServed.add(r.cacheCreationInputTokens());
      cacheReadServed.add(r.cacheReadInputTokens());
      outputServed.add(r.outputTokens());
    }
    if (recordLimit > 0) {
      recordsLock.lock();
      try {
        if (records.size() >= recordLimit) {
          records.pollFirst();
        }
        records.addLast(r);
      } finally {
        recordsLock.unlock();
      }
    }
  }

  /** An attempt was hit by a fault of this kind. */
  public void faultInjected(String kind) {
    faults.computeIfAbsent(kind, k -> new LongAdder()).increment();
  }

  void batchCreated(int requests) {
    batchesCreated.increment();
    batchRequestsSubmitted.add(requests);
  }

  void batchRequestEnded(BatchResultType type) {
    switch (type) {
      case SUCCEEDED -> batchSucceeded.increment();
      case ERRORED -> batchErrored.increment();
      case CANCELED -> batchCanceled.increment();
      case EXPIRED -> batchExpired.increment();
    }
  }

  void batchQueueRejected() {
    batchEndpointLimited.increment();
  }

  void batchEndpoint(boolean rateLimited) {
    batchEndpointRequests.increment();
    if (rateLimited) batchEndpointLimited.increment();
  }

  public void countTokens(boolean rateLimited) {
    countTokens.increment();
    if (rateLimited) {
      countTokensLimited.increment();
    }
  }

  /** The stats now, with {@code batchRequestsProcessing} batch requests waiting. */
  public SimulatorStats snapshot(long batchRequestsProcessing) {
    Map<Integer, Long> statuses = new HashMap<>();
    byStatus.forEach((k, v) -> statuses.put(k, v.sum()));
    Map<String, Long> buckets = new HashMap<>();
    byBucket.forEach((k, v) -> buckets.put(k, v.sum()));
    Map<String, Long> faultCounts = new HashMap<>();
    faults.forEach((k, v) -> faultCounts.put(k, v.sum()));
    BatchStats batches = new BatchStats(batchesCreated.sum(), batchRequestsSubmitted.sum(),
        batchSucceeded.sum(), batchErrored.sum(), batchCanceled.sum(), batchExpired.sum(),
        batchRequestsProcessing, batchEndpointRequests.sum(), batchEndpointLimited.sum());
    ArrayList<RequestRecord> recent;
    recordsLock.lock();
    try {
      recent = new ArrayList<>(records);
    } finally {
      recordsLock.unlock();
    }
    return new SimulatorStats(
        attempts.sum(), statuses, buckets,
        inputServed.sum(), cacheCreationServed.sum(), cacheReadServed.sum(), outputServed.sum(),
        inFlight.get(), maxInFlight.get(), countTokens.sum(), countTokensLimited.sum(), recent,
        faultCounts, batches);
  }

  /** Forgets everything counted so far (in-flight attempts stay counted as in flight). */
  public void reset() {
    attempts.reset();
    byStatus.clear();
    byBucket.clear();
    inputServed.reset();
    cacheCreationServed.reset();
    cacheReadServed.reset();
    outputServed.reset();
    countTokens.reset();
    countTokensLimited.reset();
    faults.clear();
    for (LongAdder a : new LongAdder[] {batchesCreated, batchRequestsSubmitted, batchSucceeded, batchErrored,
        batchCanceled, batchExpired, batchEndpointRequests, batchEndpointLimited}) {
      a.reset();
    }
    maxInFlight.set(inFlight.get());
    recordsLock.lock();
    try {
      records.clear();
    } finally {
      recordsLock.unlock();
    }
  }
}
