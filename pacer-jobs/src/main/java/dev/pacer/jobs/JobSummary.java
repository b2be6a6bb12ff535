package dev.pacer.jobs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * How a run went. Counts of results are for this run; {@code earlierErrored} counts errored
 * results kept from earlier runs, which still make the job unsuccessful.
 *
 * @param outcome how the run ended
 * @param via the API the requests went through: {@code MESSAGES} or {@code BATCHES} (for
 *     {@code --via auto}, its choice)
 * @param lines non-blank lines in the input
 * @param requests distinct requests in the input that can run (valid, not repeated)
 * @param rejected input lines that will not run: invalid, repeated ids, larger than the limits
 * @param skipped requests answered by an earlier run and not sent again
 * @param sent requests sent by this run
 * @param succeeded results of this run that succeeded
 * @param errored results of this run that errored (after retries)
 * @param canceled results of this run that are {@code canceled} (a batch canceled before processing them)
 * @param expired results of this run that are {@code expired} (a batch ended before processing them)
 * @param unfinished requests with no result when the run ended (a rerun sends them)
 * @param earlierErrored errored results from earlier runs, kept (rerun with --retry-errored to resend)
 * @param attempts attempts sent, retries included (the sender's count, e.g. {@code pacer.stats()},
 *     which includes attempts of requests abandoned in flight; for a Pacer shared with other work,
 *     that work's attempts during the run too); through batches, the calls to the batch endpoints
 * @param retries attempts beyond each request's first
 * @param rateLimited 429 responses received
 * @param overloaded 529 responses received
 * @param inputTokens input tokens of this run's answers (plain input, cache writes and cache reads)
 * @param outputTokens output tokens of this run's answers
 * @param cacheCreationInputTokens of the input tokens, cache writes
 * @param cacheReadInputTokens of the input tokens, cache reads
 * @param costUsd what this run's answers cost: at standard prices, or batch prices through batches
 * @param standardCostUsd what they would cost at standard prices (equal to costUsd through the Messages API)
 * @param unpricedModels models with no price in the model data (their cost is not counted)
 * @param batchesCreated Message Batches this run created
 * @param batchesInFlight Message Batches still at the server when the run ended (a rerun collects them)
 * @param elapsed the run's wall time
 * @param lowerBound the least possible time for this run's requests under the limits (design.md)
 * @param bindingLimit the limit that set the lower bound
 * @param efficiency lower bound ÷ elapsed, where the limits were known
 * @param problems the first input problems (at most 1,000)
 * @param output the results file
 */
public record JobSummary(
    JobOutcome outcome,
    Via via,
    int lines,
    int requests,
    int rejected,
    int skipped,
    int sent,
    int succeeded,
    int errored,
    int canceled,
    int expired,
    int unfinished,
    int earlierErrored,
    long attempts,
    long retries,
    long rateLimited,
    long overloaded,
    long inputTokens,
    long outputTokens,
    long cacheCreationInputTokens,
    long cacheReadInputTokens,
    double costUsd,
    double standardCostUsd,
    List<String> unpricedModels,
    int batchesCreated,
    int batchesInFlight,
    Duration elapsed,
    Optional<Duration> lowerBound,
    String bindingLimit,
    OptionalDouble efficiency,
    List<InputProblem> problems,
    Path output) {

  public JobSummary {
    unpricedModels = List.copyOf(unpricedModels);
    problems = List.copyOf(problems);
  }

  /**
   * What the check of the input found, for a summary: lines, requests, rejected lines, requests
   * answered before (and of them errored, canceled or expired), requests to send, the problems kept.
   */
  public record Input(int lines, int requests, int rejected, int skipped, int earlierErrored, int toSend,
      List<InputProblem> problems) {}

  /**
   * The command's exit status: 130 after Ctrl-C, 3 when stopped by --max-cost or --deadline, 4
   * when the server refused the key or never answered, 5 when the results file could not be written, 1
   * when any request errored, was canceled or expired, or any line was rejected (this run or kept
   * from an earlier one), else 0.
   */
  public int exitCode() {
    return switch (outcome) {
      case INTERRUPTED -> 130;
      case STOPPED_BY_MAX_COST, STOPPED_BY_DEADLINE -> 3;
      case STOPPED_BY_SERVER -> 4;
      case STOPPED_CANNOT_WRITE -> 5;
      case COMPLETED -> errored > 0 || canceled > 0 || expired > 0 || rejected > 0 || earlierErrored > 0
          || unfinished > 0 ? 1 : 0;
    };
  }

  /** The summary as JSON (the {@code --summary-json} file). */
  public ObjectNode toJson() {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT));
    json.put("exit_code", exitCode());
    json.put("via", via.name().toLowerCase(java.util.Locale.ROOT));
    json.put("lines", lines);
    json.put("requests", requests);
    json.put("rejected", rejected);
    json.put("skipped", skipped);
    json.put("sent", sent);
    json.put("succeeded", succeeded);
    json.put("errored", errored);
    json.put("canceled", canceled);
    json.put("expired", expired);
    json.put("unfinished", unfinished);
    json.put("earlier_errored", earlierErrored);
    json.put("attempts", attempts);
    json.put("retries", retries());
    json.put("rate_limited", rateLimited);
    json.put("overloaded", overloaded);
    json.put("input_tokens", inputTokens);
    json.put("output_tokens", outputTokens);
    json.put("cache_creation_input_tokens", cacheCreationInputTokens);
    json.put("cache_read_input_tokens", cacheReadInputTokens);
    json.put("cost_usd", BigDecimal.valueOf(costUsd).setScale(6, RoundingMode.HALF_UP));
    json.put("standard_cost_usd", BigDecimal.valueOf(standardCostUsd).setScale(6, RoundingMode.HALF_UP));
    ArrayNode unpriced = json.putArray("unpriced_models");
    unpricedModels.forEach(unpriced::add);
    json.put("batches_created", batchesCreated);
    json.put("batches_in_flight", batchesInFlight);
    json.put("elapsed_s", seconds(elapsed));
    if (lowerBound.isPresent()) {
      json.put("lower_bound_s", seconds(lowerBound.get()));
    } else {
      json.putNull("lower_bound_s");
    }
    json.put("binding_limit", bindingLimit);
    if (efficiency.isPresent()) {
      json.put("efficiency", BigDecimal.valueOf(efficiency.getAsDouble()).setScale(3, RoundingMode.HALF_UP));
    } else {
      json.putNull("efficiency");
    }
    ArrayNode list = json.putArray("problems");
    for (InputProblem problem : problems) {
      ObjectNode item = list.addObject();
      item.put("line", problem.line());
      item.put("kind", problem.kind().name().toLowerCase(java.util.Locale.ROOT));
      item.put("custom_id", problem.customId());
      item.put("message", problem.message());
    }
    json.put("output", output.toString());
    return json;
  }

  private static BigDecimal seconds(Duration duration) {
    return BigDecimal.valueOf(duration.toMillis()).movePointLeft(3);
  }
}
