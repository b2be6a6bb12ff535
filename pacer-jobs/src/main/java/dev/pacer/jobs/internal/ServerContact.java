package dev.pacer.jobs.internal;

import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether the server has ever answered: fed by the {@link AttemptLog} (under the Pacer, so it sees
 * every attempt, retries included), it notes the first response of any status, and until then the
 * attempts that failed without one (nothing listening, an unknown host, a refused TLS handshake).
 * A job whose server has never answered is misconfigured far more often than it is in an outage
 * (which answers 5xx or 529, or stops answering after it has answered); the job runner uses this to
 * stop rather than retry in silence ({@link dev.pacer.jobs.RequestSender#neverAnswered()}).
 */
public final class ServerContact {

  private final String address;
  private volatile boolean answered;
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicReference<String> lastFailure = new AtomicReference<>();

  /** @param address where the attempts go, for the description (e.g. {@code http://127.0.0.1:8080}) */
  public ServerContact(String address) {
    this.address = address;
  }

  /**
   * While no attempt has had a response and at least one has failed without: how many failed and
   * the latest failure, naming the address; empty once any response came.
   */
  public Optional<String> neverAnswered() {
    String failure = lastFailure.get();
    if (answered || failure == null) {
      return Optional.empty();
    }
    int count = failures.get();
    return Optional.of(count + " attempt" + (count == 1 ? "" : "s") + " to " + address
        + " failed without a response (last: " + failure + ")");
  }

  void answered() {
    answered = true;
  }

  void failed(Throwable failure) {
    if (answered || failure instanceof CancellationException || Thread.currentThread().isInterrupted()) {
      return; // a cancelled attempt says nothing about the server
    }
    failures.incrementAndGet();
    lastFailure.set(describe(failure));
  }

  /** The innermost cause, which names what failed (e.g. {@code ConnectException: Failed to connect to /127.0.0.1:9}). */
  static String describe(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }
}
