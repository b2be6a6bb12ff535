package dev.pacer.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/** How one request ended: the server's message, or the error that ended it after any retries. */
public sealed interface SendOutcome {

  /** What it took: attempts, 429s and 529s seen. */
  Attempts attempts();

  /**
   * The request succeeded.
   *
   * @param message the Messages API response body ({@code {"id":"msg_…","type":"message",…,"usage":{…}}})
   */
  record Succeeded(ObjectNode message, Attempts attempts) implements SendOutcome {
    public Succeeded {
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(attempts, "attempts");
    }
  }

  /** The request failed for good: a non-retryable error, or retries ran out. */
  record Errored(ResultError error, Attempts attempts) implements SendOutcome {
    public Errored {
      Objects.requireNonNull(error, "error");
      Objects.requireNonNull(attempts, "attempts");
    }
  }
}
