package dev.pacer.simulator.internal;

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

  public StatsRecorder(int recordLimit) {
    this.recordLimit = recordLimit;
  }

  /** A Messages attempt arrives. */
  public void attemptStarted() {
    attempts.increment();
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
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

  public void countTokens(boolean rateLimited) {
    countTokens.increment();
    if (rateLimited) {
      countTokensLimited.increment();
    }
  }

  public SimulatorStats snapshot() {
    Map<Integer, Long> statuses = new HashMap<>();
    byStatus.forEach((k, v) -> statuses.put(k, v.sum()));
    Map<String, Long> buckets = new HashMap<>();
    byBucket.forEach((k, v) -> buckets.put(k, v.sum()));
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
        inFlight.get(), maxInFlight.get(), countTokens.sum(), countTokensLimited.sum(), recent);
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
    maxInFlight.set(inFlight.get());
    recordsLock.lock();
    try {
      records.clear();
    } finally {
      recordsLock.unlock();
    }
  }
}
