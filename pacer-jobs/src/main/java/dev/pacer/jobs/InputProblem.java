package dev.pacer.jobs;

import java.util.Objects;

/**
 * A line of the input that will not run as written.
 *
 * @param line the 1-based line number
 * @param customId the line's custom_id when it has a usable one (its own or derived), else null;
 *     rejected lines with a usable id are recorded as {@code errored} results
 * @param kind what is wrong
 * @param message the explanation, naming the field at fault
 * @param firstLine for a {@link Kind#DUPLICATE}, the line that has the custom_id first; else 0
 */
public record InputProblem(int line, String customId, Kind kind, String message, int firstLine) {

  public enum Kind {
    /** Not JSON, or more than one JSON value on the line. */
    MALFORMED_JSON,
    /** Bytes that are not UTF-8. */
    NOT_UTF8,
    /** A line longer than any request the API accepts. */
    TOO_LONG,
    /** A custom_id that is not a string or breaks {@code ^[a-zA-Z0-9_-]{1,64}$}. */
    BAD_CUSTOM_ID,
    /** JSON of the wrong shape, or params the API would refuse. */
    INVALID_REQUEST,
    /** A custom_id an earlier line already has: only the earlier line runs. */
    DUPLICATE,
    /** A request larger than a known limit can ever admit (input tokens over ITPM, max_tokens over OTPM). */
    EXCEEDS_LIMITS
  }

  public InputProblem {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
  }

  /** True when this line is recorded in the output as an errored result. */
  public boolean recordedAsResult() {
    return customId != null && kind != Kind.DUPLICATE;
  }

  @Override
  public String toString() {
    return "line " + line + ": " + message;
  }
}
