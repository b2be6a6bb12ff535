package dev.pacer.jobs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * Why a request errored, as an API error envelope says it:
 * {@code {"type":"error","error":{"type":…,"message":…,"details":{"error_code":…}},"request_id":…}}.
 *
 * @param type the error type, e.g. {@code invalid_request_error}, {@code rate_limit_error}
 * @param message what the server (or Pacer) said
 * @param status the HTTP status, or 0 when no response carried one (connection failures, input
 *     rejected by Pacer)
 * @param requestId the server's request id, or null
 * @param errorCode {@code error.details.error_code}, or null
 */
public record ResultError(String type, String message, int status, String requestId, String errorCode) {

  /** The error code Pacer puts on results for input lines it rejected without sending them. */
  public static final String INPUT_REJECTED = "pacer_input_rejected";

  /**
   * The error code Pacer puts on results for requests it refused before sending because no
   * bucket could ever admit them (a demand larger than a limit the governor knows).
   */
  public static final String EXCEEDS_LIMITS = "pacer_exceeds_limits";

  public ResultError {
    Objects.requireNonNull(type, "type");
    message = message == null ? "" : message;
  }

  /**
   * A 401 or 402: the server refused the key or the account, not the request, so it would refuse
   * every other request too; a job stops on it (JobOutcome.STOPPED_BY_SERVER).
   */
  public boolean refusesTheAccount() {
    return status == 401 || status == 402;
  }

  /** An input line that Pacer rejected before sending anything. */
  public static ResultError inputRejected(String message) {
    return new ResultError("invalid_request_error", message, 0, null, INPUT_REJECTED);
  }

  /**
   * A request the governor refused before sending it, as larger than a limit allows
   * ({@link dev.pacer.DemandTooLargeException}, whose message names the pool, the limit and the sizes).
   * Unlike input rejections these are kept by a rerun (they depend on limits learned while running);
   * {@code --retry-errored} sends them again.
   */
  public static ResultError exceedsLimits(String message) {
    return new ResultError("invalid_request_error", message, 0, null, EXCEEDS_LIMITS);
  }

  /** True for results Pacer wrote for rejected input lines (re-checked on every run). */
  public boolean isInputRejection() {
    return INPUT_REJECTED.equals(errorCode);
  }

  /** The error envelope, as the Message Batches results carry it. */
  public ObjectNode toEnvelope() {
    JsonNodeFactory json = JsonNodeFactory.instance;
    ObjectNode envelope = json.objectNode();
    envelope.put("type", "error");
    ObjectNode error = envelope.putObject("error");
    error.put("type", type);
    error.put("message", message);
    if (errorCode != null) {
      error.putObject("details").put("error_code", errorCode);
    }
    if (requestId == null) {
      envelope.putNull("request_id");
    } else {
      envelope.put("request_id", requestId);
    }
    return envelope;
  }

  @Override
  public String toString() {
    return type + (status == 0 ? "" : " (" + status + ")") + ": " + message
        + (requestId == null ? "" : " [" + requestId + "]");
  }
}
