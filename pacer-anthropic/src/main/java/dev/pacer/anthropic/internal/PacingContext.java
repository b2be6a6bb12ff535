package dev.pacer.anthropic.internal;

import dev.pacer.Pacer;
import dev.pacer.Priority;
import dev.pacer.anthropic.CostTracker;
import dev.pacer.estimate.TokenEstimator;
import dev.pacer.time.TimeSource;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * What every paced transport of one paced client shares: the Pacer, the cost tracker, the
 * request defaults and the observers. Immutable but for the list of observers.
 */
public final class PacingContext {

  /** A request header that sets one request's priority ({@code interactive} or {@code batch}); never sent. */
  public static final String PRIORITY_HEADER = "x-pacer-priority";

  private final Pacer pacer;
  private final CostTracker costs;
  private final Priority defaultPriority;
  private final Duration requestTimeout;
  private final TimeSource time;
  private final ThreadFactory attemptThreads = Thread.ofVirtual().name("pacer-attempt-", 0).factory();
  private final List<AttemptObserver> observers = new CopyOnWriteArrayList<>();

  public PacingContext(Pacer pacer, CostTracker costs, Priority defaultPriority, Duration requestTimeout,
      TimeSource time) {
    this.pacer = Objects.requireNonNull(pacer, "pacer");
    this.costs = Objects.requireNonNull(costs, "costs");
    this.defaultPriority = Objects.requireNonNull(defaultPriority, "defaultPriority");
    this.requestTimeout = requestTimeout;
    this.time = Objects.requireNonNull(time, "time");
  }

  public Pacer pacer() {
    return pacer;
  }

  public CostTracker costs() {
    return costs;
  }

  public Priority defaultPriority() {
    return defaultPriority;
  }

  /** The whole-request deadline (waits, attempts, retries), or null for none. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  TimeSource time() {
    return time;
  }

  TokenEstimator estimator() {
    return pacer.governor().config().estimator();
  }

  Thread newAttemptThread(Runnable task) {
    return attemptThreads.newThread(task);
  }

  public void addObserver(AttemptObserver observer) {
    observers.add(Objects.requireNonNull(observer, "observer"));
  }

  void observe(Consumer<AttemptObserver> event) {
    for (AttemptObserver observer : observers) {
      try {
        event.accept(observer);
      } catch (RuntimeException ignored) {
        // an observer's failure must never reach a request
      }
    }
  }

  @Override
  public String toString() {
    return "PacingContext[" + defaultPriority + (requestTimeout == null ? "" : ", timeout " + requestTimeout) + "]";
  }
}
