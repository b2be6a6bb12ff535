package dev.pacer.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * How a job's requests reach the API. The job runner hands each request to {@link #send} once and
 * writes whatever outcome comes back as that request's result; everything between (pacing under
 * the rate limits, waiting for a concurrency slot, retries, streaming) is the sender's business.
 *
 * <p>The contract:
 * <ul>
 *   <li>{@code send} returns at once; the future completes when the request has its final
 *       outcome, after any retries.</li>
 *   <li>API errors and connection failures are outcomes ({@link SendOutcome.Errored}), never
 *       exceptional completions. A future that completes exceptionally anyway is recorded as an
 *       {@code api_error}.</li>
 *   <li>The runner may cancel the future (a second Ctrl-C, the deadline); the sender should then
 *       stop the request if it can. A cancelled request gets no result and is sent again by the
 *       next run.</li>
 *   <li>Thread-safe: the runner calls {@code send} from one thread, and futures complete on any.
 *       The runner already keeps at most {@link PacingConfig#concurrency()} requests outstanding.</li>
 * </ul>
 */
public interface RequestSender extends AutoCloseable {

  /**
   * Sends one request.
   *
   * @param customId the request's custom_id (for logs and events; not sent to the API)
   * @param params the Messages API request body, as in the Message Batches request format's
   *     {@code params}; the sender must not modify it
   */
  CompletableFuture<SendOutcome> send(String customId, ObjectNode params);

  /** The limits the sender is pacing a pool by, where it knows them (configured or learned). */
  default Optional<PoolLimits> limits(String pool) {
    return Optional.empty();
  }

  /** Releases connections and threads. In-flight requests may be abandoned. */
  @Override
  default void close() {}
}
