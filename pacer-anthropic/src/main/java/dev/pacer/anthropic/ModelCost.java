package dev.pacer.anthropic;

import dev.pacer.Usage;

/**
 * What one model has cost so far.
 *
 * @param model the model id as the responses named it
 * @param responses responses recorded (each Message Batches result counts as one)
 * @param batchResponses of those, how many were Message Batches results (priced at the batch factor)
 * @param usage their usage, summed
 * @param usd their cost in USD; 0 when the model has no prices ({@code priced} false)
 * @param priced whether the model data lists prices for this model
 */
public record ModelCost(String model, long responses, long batchResponses, Usage usage, double usd, boolean priced) {

  @Override
  public String toString() {
    return String.format("%s: %,d responses, %,d input + %,d cache write + %,d cache read + %,d output tokens, %s",
        model, responses, usage.inputTokens(), usage.cacheCreationInputTokens(), usage.cacheReadInputTokens(),
        usage.outputTokens(), priced ? String.format("$%.4f", usd) : "no prices");
  }
}
