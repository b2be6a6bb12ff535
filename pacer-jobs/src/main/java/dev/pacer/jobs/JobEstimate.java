package dev.pacer.jobs;

import dev.pacer.jobs.batches.AutoRule;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What a dry run found: the input checked, its tokens counted, its cost and least possible time.
 *
 * @param lines non-blank input lines
 * @param requests distinct requests that can run
 * @param rejected lines that will not run
 * @param problems the first input problems (at most 1,000)
 * @param alreadyAnswered requests with a result in the output already (not sent again)
 * @param toSend requests a run would send
 * @param exactCounts true when input tokens come from count_tokens, false for the estimator
 * @param pools per pool, what the requests to send ask of it
 * @param inputCostUsd the input tokens' cost
 * @param maxOutputCostUsd the output's cost if every answer used its max_tokens
 * @param unpricedModels models with no price in the model data
 * @param leastTime the least possible time counting requests and input tokens (output unknown
 *     before the answers), plus one request's latency (not included)
 * @param leastTimeAtMaxOutput the least possible time if every answer used its max_tokens
 * @param bindingLimit the limit that sets {@code leastTime}
 * @param limitsKnown false when some limit is unknown (learned from headers while running)
 * @param batchPriceFactor batch price ÷ standard price (0.5): the same requests through Message Batches
 * @param auto what {@code --via auto} would choose for this run, and why
 */
public record JobEstimate(int lines, int requests, int rejected, List<InputProblem> problems, int alreadyAnswered,
    int toSend, boolean exactCounts, List<PoolEstimate> pools, double inputCostUsd, double maxOutputCostUsd,
    Set<String> unpricedModels, Duration leastTime, Duration leastTimeAtMaxOutput, String bindingLimit,
    boolean limitsKnown, double batchPriceFactor, AutoRule.Choice auto) {

  public JobEstimate {
    problems = List.copyOf(problems);
    pools = List.copyOf(pools);
    unpricedModels = Set.copyOf(unpricedModels);
  }

  /**
   * One pool's share of the requests to send.
   *
   * @param inputTokens the input tokens the input limit counts (cache writes included)
   * @param cacheReadTokens input tokens read from the prompt cache: prefixes marked
   *     {@code cache_control} that an earlier line of the job wrote (not counted, billed at the read
   *     price)
   * @param limits the limits used, as {@code RPM / ITPM / OTPM} with {@code ?} for unknown ones
   */
  public record PoolEstimate(String pool, Set<String> models, int requests, long inputTokens, long cacheReadTokens,
      long maxOutputTokens, String limits) {
    public PoolEstimate {
      models = Set.copyOf(models);
    }
  }

  /** The worst case: input cost plus the output cost at max_tokens. */
  public double maxCostUsd() {
    return inputCostUsd + maxOutputCostUsd;
  }
}
