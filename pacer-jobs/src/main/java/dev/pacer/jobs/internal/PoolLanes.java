package dev.pacer.jobs.internal;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The requests a job has read and not yet finished, per pool: at most {@code perPool} in flight
 * in each (sent to the Pacer, waiting in its queue included), and a backlog of those waiting for
 * room, bounded in all. A pool whose limits are low fills its own lane only: requests for the
 * others, read after it, still go (with one count for all, an evaluation of a slow model and a
 * fast one ran the fast one at the slow one's pace). Thread-safe.
 */
public final class PoolLanes {

  private static final class Lane {
    int inFlight;
    final ArrayDeque<InputLine.Request> backlog = new ArrayDeque<>();
  }

  private final int perPool;
  private final int backlogLimit;
  private final Map<String, Lane> lanes = new LinkedHashMap<>();
  private int backlogged;

  /**
   * @param perPool the most requests in flight in one pool
   * @param backlogLimit the most requests read and waiting for room, all pools together (the
   *     memory a job may hold beyond what is in flight)
   */
  public PoolLanes(int perPool, int backlogLimit) {
    if (perPool < 1 || backlogLimit < 1) {
      throw new IllegalArgumentException("perPool and backlogLimit must be at least 1");
    }
    this.perPool = perPool;
    this.backlogLimit = backlogLimit;
  }

  /** A request read, to be sent when its pool has room. */
  public synchronized void add(String pool, InputLine.Request request) {
    lanes.computeIfAbsent(pool, p -> new Lane()).backlog.add(request);
    backlogged++;
  }

  /**
   * The next request to send, counted in flight in its pool, or null when every pool with a
   * backlog is full: of the pools with room, the one whose waiting request comes first in the file.
   */
  public synchronized Next next() {
    String bestPool = null;
    Lane best = null;
    for (Map.Entry<String, Lane> entry : lanes.entrySet()) {
      Lane lane = entry.getValue();
      if (lane.backlog.isEmpty() || lane.inFlight >= perPool) {
        continue;
      }
      if (best == null || lane.backlog.peek().lineNumber() < best.backlog.peek().lineNumber()) {
        best = lane;
        bestPool = entry.getKey();
      }
    }
    if (best == null) {
      return null;
    }
    best.inFlight++;
    backlogged--;
    return new Next(bestPool, best.backlog.poll());
  }

  /** A request to send and its pool. */
  public record Next(String pool, InputLine.Request request) {}

  /** A request of {@code pool} handed out by {@link #next()} has finished, or was not sent after all. */
  public synchronized void finished(String pool) {
    Lane lane = lanes.get(pool);
    if (lane != null && lane.inFlight > 0) {
      lane.inFlight--;
    }
  }

  /** Whether the backlog is at its bound: the reader waits before reading more. */
  public synchronized boolean backlogFull() {
    return backlogged >= backlogLimit;
  }

  /** Requests read and not yet handed out. */
  public synchronized int backlogged() {
    return backlogged;
  }
}
