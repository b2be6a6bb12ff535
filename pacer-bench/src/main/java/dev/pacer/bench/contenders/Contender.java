package dev.pacer.bench.contenders;

import com.anthropic.models.messages.Message;
import dev.pacer.bench.JobRequest;
import java.util.List;

/**
 * One way of sending a job through the official Java SDK: the SDK with its retries, a hand-written
 * loop, a general-purpose library, or Pacer. Each is set up the way a competent user would set it
 * up, from the limits the user was told.
 */
public interface Contender {

  /** The short name on the board. */
  String name();

  /** How it is set up, in a sentence, for the docs. */
  String settings();

  /** Prepares a client (and whatever limits it) for one run. */
  Session open(Setup setup);

  /** A contender prepared for one run. */
  interface Session extends AutoCloseable {

    /** Sends one request through all its attempts; returns the answer or throws what the user would see. */
    Message send(JobRequest request) throws Exception;

    /** The size of the worker pool that sends the job, or 0 for one virtual thread per request. */
    int workers();

    @Override
    void close();
  }

  /** Every contender, in board order: the baselines, then Pacer. */
  static List<Contender> all() {
    return List.of(new SdkRetries(), new BackoffLoop(), new TokenWindow(), new SemaphoreFive(),
        new Resilience4jContender(), new Bucket4jContender(), PacerContender.configured(), PacerContender.learning());
  }
}
