package dev.pacer.anthropic.internal;

import com.anthropic.core.http.HttpRequest;
import dev.pacer.Pacer;
import dev.pacer.Priority;
import dev.pacer.anthropic.CostTracker;
import dev.pacer.estimate.TokenEstimator;
import dev.pacer.time.TimeSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What every paced transport of one paced client shares: the Pacer, the cost tracker, the
 * request defaults and the observers. Immutable but for the list of observers.
 */
public final class PacingContext {

  /** A request header that sets one request's priority ({@code interactive} or {@code batch}); never sent. */
  public static final String PRIORITY_HEADER = "x-pacer-priority";

  /** A request header naming the async call a request belongs to (see {@link CancellableCalls}); never sent. */
  static final String CALL_HEADER = "x-pacer-call";

  private final Pacer pacer;
  private final CostTracker costs;
  private final Priority defaultPriority;
  private final Duration requestTimeout;
  private final TimeSource time;
  private final ThreadFactory attemptThreads = Thread.ofVirtual().name("pacer-attempt-", 0).factory();
  private final List<AttemptObserver> observers = new CopyOnWriteArrayList<>();
  private final AtomicLong callIds = new AtomicLong();
  private final Map<String, CallLink> calls = new ConcurrentHashMap<>();
  private final PromptCacheModel promptCache = new PromptCacheModel();
  private volatile Duration longestCacheWait = Exchange.LONGEST_CACHE_WAIT;

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

  /** The prompt prefixes the server has been seen to cache, shared by this client's requests. */
  PromptCacheModel promptCache() {
    return promptCache;
  }

  /** How long a request waits for another to write the prompt prefix they share (see {@link Exchange#LONGEST_CACHE_WAIT}). */
  Duration longestCacheWait() {
    return longestCacheWait;
  }

  /** For tests: a shorter wait than {@link Exchange#LONGEST_CACHE_WAIT}. */
  void longestCacheWait(Duration wait) {
    longestCacheWait = Objects.requireNonNull(wait, "wait");
  }

  TokenEstimator estimator() {
    return pacer.governor().config().estimator();
  }

  Thread newAttemptThread(Runnable task) {
    return attemptThreads.newThread(task);
  }

  /** A new async call, registered until its request reaches the transport or the call ends. */
  CallLink openCall() {
    CallLink call = new CallLink(Long.toString(callIds.incrementAndGet()));
    calls.put(call.id(), call);
    return call;
  }

  /**
   * The async call {@code request} belongs to, taken out of the registry (a call sends one
   * request; a later page of a list carries its first call's id, by then gone); null if none.
   */
  CallLink takeCall(HttpRequest request) {
    List<String> ids = request.headers().values(CALL_HEADER);
    return ids.isEmpty() ? null : calls.remove(ids.get(0));
  }

  void forgetCall(CallLink call) {
    calls.remove(call.id(), call);
  }

  /** Async calls made and not yet taken by the transport nor ended (for tests: nothing stays). */
  public int pendingCalls() {
    return calls.size();
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
