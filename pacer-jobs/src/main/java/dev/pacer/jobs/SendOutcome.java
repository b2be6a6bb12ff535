package dev.pacer.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** How one request ended: the server's message, or the error that ended it after any retries. */
public sealed interface SendOutcome {

  /** What it took: attempts, 429s and 529s seen. */
  Attempts attempts();

  /**
   * The request succeeded.
   *
   * @param message the Messages API response body ({@code {"id":"msg_…","type":"message",…,"usage":{…}}})
   * @param latency how long the answering attempt took once the pacing let it go (without the
   *     wait for capacity), where the sender knows; the runner measures from the send otherwise
   */
  record Succeeded(ObjectNode message, Attempts attempts, Optional<Duration> latency) implements SendOutcome {
    public Succeeded {
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(attempts, "attempts");
      Objects.requireNonNull(latency, "latency");
    }

    public Succeeded(ObjectNode message, Attempts attempts) {
      this(message, attempts, Optional.empty());
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
