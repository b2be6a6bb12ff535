package dev.pacer.jobs;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One job: where its requests come from and its results go, what completes short lines, when to
 * stop early, and how to pace. Frozen at {@link Builder#build()}.
 *
 * @param input the JSONL file of requests
 * @param output the JSONL file of results (default: the input's name with {@code .results.jsonl})
 * @param defaults what completes lines that leave the model, max_tokens or system out
 * @param retryErrored resend requests whose earlier result is {@code errored}
 * @param retryExpired resend requests whose earlier result is {@code expired} or {@code canceled}
 *     (a Message Batch ended before processing them)
 * @param allowChanges resume even though the input file or the request options changed since the
 *     results were written (otherwise such a run stops with an explanation)
 * @param maxCostUsd a hard ceiling: no request starts whose worst case could take the job past it
 * @param deadline how long the whole job may take, from its start
 * @param pacing what the pacing layer is told
 * @param via which API sends the requests
 * @param batches how batches are sized and polled (for {@code --via batches} and {@code auto})
 */
public record JobConfig(
    Path input,
    Path output,
    RequestDefaults defaults,
    boolean retryErrored,
    boolean retryExpired,
    boolean allowChanges,
    Optional<BigDecimal> maxCostUsd,
    Optional<Duration> deadline,
    PacingConfig pacing,
    Via via,
    BatchOptions batches) {

  public JobConfig {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(defaults, "defaults");
    Objects.requireNonNull(maxCostUsd, "maxCostUsd");
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(pacing, "pacing");
    Objects.requireNonNull(via, "via");
    Objects.requireNonNull(batches, "batches");
    maxCostUsd.ifPresent(cost -> {
      if (cost.signum() < 0) {
        throw new IllegalArgumentException("max cost must not be negative, got " + cost);
      }
    });
    deadline.ifPresent(d -> {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("deadline must be positive, got " + d);
      }
    });
    if (input.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
      throw new IllegalArgumentException("the output file must not be the input file: " + output);
    }
  }

  public static Builder builder(Path input) {
    return new Builder(input);
  }

  /** {@code prompts.jsonl} gives {@code prompts.results.jsonl}, beside it. */
  public static Path defaultOutput(Path input) {
    String name = input.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    for (String extension : new String[] {".jsonl", ".ndjson", ".json", ".txt"}) {
      if (lower.endsWith(extension) && lower.length() > extension.length()) {
        name = name.substring(0, name.length() - extension.length());
        break;
      }
    }
    return input.resolveSibling(name + ".results.jsonl");
  }

  /** The state file kept beside the output: what input and options produced it. */
  public Path stateFile() {
    return output.resolveSibling(output.getFileName() + ".state.json");
  }

  /** The file kept beside the output that records the job's Message Batches: submitted, in flight, collected. */
  public Path batchesFile() {
    return output.resolveSibling(output.getFileName() + ".batches.jsonl");
  }

  public static final class Builder {
    private final Path input;
    private Path output;
    private RequestDefaults defaults = RequestDefaults.none();
    private boolean retryErrored;
    private boolean retryExpired;
    private boolean allowChanges;
    private BigDecimal maxCostUsd;
    private Duration deadline;
    private PacingConfig pacing = PacingConfig.defaults();
    private Via via = Via.MESSAGES;
    private BatchOptions batches = BatchOptions.defaults();

    private Builder(Path input) {
      this.input = Objects.requireNonNull(input, "input");
    }

    public Builder output(Path output) {
      this.output = output;
      return this;
    }

    public Builder defaults(RequestDefaults defaults) {
      this.defaults = defaults;
      return this;
    }

    public Builder retryErrored(boolean retryErrored) {
      this.retryErrored = retryErrored;
      return this;
    }

    public Builder retryExpired(boolean retryExpired) {
      this.retryExpired = retryExpired;
      return this;
    }

    public Builder allowChanges(boolean allowChanges) {
      this.allowChanges = allowChanges;
      return this;
    }

    public Builder maxCostUsd(BigDecimal maxCostUsd) {
      this.maxCostUsd = maxCostUsd;
      return this;
    }

    public Builder deadline(Duration deadline) {
      this.deadline = deadline;
      return this;
    }

    public Builder pacing(PacingConfig pacing) {
      this.pacing = pacing;
      return this;
    }

    public Builder via(Via via) {
      this.via = via;
      return this;
    }

    public Builder batches(BatchOptions batches) {
      this.batches = batches;
      return this;
    }

    public JobConfig build() {
      return new JobConfig(input, output == null ? defaultOutput(input) : output, defaults, retryErrored, retryExpired,
          allowChanges, Optional.ofNullable(maxCostUsd), Optional.ofNullable(deadline), pacing, via, batches);
    }
  }
}
