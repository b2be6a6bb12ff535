package dev.pacer.jobs.batches;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.jobs.ResultError;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The Message Batches endpoints as a batch job needs them: the one seam between {@link BatchJob}
 * and the API ({@link SdkBatchApi} goes through the official SDK, paced by the job's Pacer).
 * Failures are {@link BatchApiException}s that say what the server answered.
 */
public interface BatchApi {

  /**
   * Creates a batch.
   *
   * @param requests the batch's {@code requests}: {@code {"custom_id":…,"params":{…}}} each
   */
  BatchInfo create(ArrayNode requests);

  /** The batch as it is now. */
  BatchInfo retrieve(String batchId);

  /**
   * Reads an ended batch's results, handing each line ({@code {"custom_id":…,"result":{…}}}) to
   * {@code line} as it arrives, parsed, never holding them all.
   */
  void results(String batchId, Consumer<ObjectNode> line) throws IOException;

  /** Batches created at or after {@code since}, newest first (to find one whose create was cut off). */
  List<BatchInfo> createdSince(Instant since);

  /**
   * A batch at one moment.
   *
   * @param id {@code msgbatch_…}
   * @param status {@code in_progress}, {@code canceling} or {@code ended}
   * @param requests its requests, whatever their state
   * @param createdAt when it was created
   * @param expiresAt when what is not processed by then expires
   */
  record BatchInfo(String id, String status, long requests, Instant createdAt, Optional<Instant> expiresAt) {
    public boolean ended() {
      return "ended".equals(status);
    }
  }

  /**
   * A batch endpoint refused or failed, after the Pacer's retries.
   *
   * @param error what the server said (status 0 when no response came)
   */
  final class BatchApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ResultError error;

    public BatchApiException(ResultError error, Throwable cause) {
      super(error.toString(), cause);
      this.error = error;
    }

    public ResultError error() {
      return error;
    }

    /** The HTTP status, 0 without a response. */
    public int status() {
      return error.status();
    }
  }
}
