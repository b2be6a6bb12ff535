package dev.pacer.jobs;

/**
 * What a running job tells its watcher (the CLI's progress display, a test). Every method has a
 * default that does nothing; a listener that throws is ignored, never breaking the job.
 */
public interface JobListener {

  /** A line that will not run, reported while the input is checked, before anything is sent. */
  default void inputProblem(InputProblem problem) {}

  /** Something worth a line of its own: a repaired output file, a resumed job, a stop. */
  default void notice(String message) {}

  /** The input has been checked and sending begins: {@code toSend} requests will be sent. */
  default void started(int toSend, int alreadyAnswered) {}

  /** A Message Batch was created ({@code --via batches}): {@code requests} requests are in it. */
  default void batchCreated(String batchId, int requests) {}

  /** One request's result has been written. */
  default void resultWritten(String customId, SendOutcome outcome) {}

  static JobListener none() {
    return new JobListener() {};
  }
}
