package dev.pacer.simulator;

/**
 * What the simulator saw of Message Batches.
 *
 * @param created batches created
 * @param requestsSubmitted requests in the batches created
 * @param succeeded requests processed with a message
 * @param errored requests processed with an error (malformed params)
 * @param canceled requests canceled before being processed
 * @param expired requests not processed before their batch expired
 * @param processing requests waiting to be processed now (in batches not ended)
 * @param endpointRequests requests to the batch endpoints (create, retrieve, list, cancel, delete, results)
 * @param endpointRateLimited of those, answered 429 (the batch RPM or the processing queue)
 */
public record BatchStats(
    long created,
    long requestsSubmitted,
    long succeeded,
    long errored,
    long canceled,
    long expired,
    long processing,
    long endpointRequests,
    long endpointRateLimited) {

  /** Requests processed so far, succeeded or errored. */
  public long processed() {
    return succeeded + errored;
  }
}
