package dev.pacer.jobs.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.jobs.InputProblem;

/** One non-blank line of a job's input, parsed and checked. */
public sealed interface InputLine {

  int lineNumber();

  /**
   * A request ready to send.
   *
   * @param params the Messages request body, completed by the defaults
   * @param derivedId whether the custom_id was derived from the line's content
   */
  record Request(int lineNumber, String customId, boolean derivedId, ObjectNode params, String model, long maxTokens)
      implements InputLine {}

  /** A line that will not run. */
  record Rejected(InputProblem problem) implements InputLine {
    @Override
    public int lineNumber() {
      return problem.line();
    }
  }
}
