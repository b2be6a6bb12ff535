package dev.pacer.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.PacerStats;
import dev.pacer.limits.Limits;
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

  /**
   * The limits the sender is pacing {@code pool} by, as far as it knows them (configured, or
   * learned from the server's headers; a limit may be {@link Limits#UNKNOWN}); empty when it has
   * not seen the pool.
   */
  default Optional<Limits> limits(String pool) {
    return Optional.empty();
  }

  /**
   * Whether the server counts cache reads against {@code pool}'s input limit, as far as the sender
   * has found (the governor learns it from the headers); empty when it cannot say, and the model
   * data's word holds.
   */
  default Optional<Boolean> countsCacheReads(String pool) {
    return Optional.empty();
  }

  /**
   * While the server has not answered a single attempt and some have failed without a response
   * (nothing listening at the address, an unknown host, a refused TLS handshake): what failed, and
   * where; empty once any response has come, whatever its status, or when the sender cannot say.
   * The runner stops a job whose server stays silent this way ({@link JobRunner}).
   */
  default Optional<String> neverAnswered() {
    return Optional.empty();
  }

  /**
   * Running totals of what the sender did, over every request it was given so far (attempts, 429s
   * and 529s received), if it keeps them. The runner reports a run's share (the difference between
   * the end and the start) instead of adding up each outcome's {@link Attempts}: the totals also
   * count the attempts of requests abandoned in flight.
   */
  default Optional<PacerStats> stats() {
    return Optional.empty();
  }

  /** Releases connections and threads. In-flight requests may be abandoned. */
  @Override
  default void close() {}
}
