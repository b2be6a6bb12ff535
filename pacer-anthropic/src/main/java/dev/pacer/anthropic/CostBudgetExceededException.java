package dev.pacer.anthropic;

import dev.pacer.PacerException;

/**
 * A request was refused before it was sent because its worst-case cost (its estimated input
 * plus all of its {@code max_tokens} as output) does not fit in what is left of the budget
 * ({@link CostTracker#maxCostUsd()}), counting what requests in flight may still cost.
 */
public final class CostBudgetExceededException extends PacerException {

  private static final long serialVersionUID = 1L;

  private final String model;
  private final double worstCaseUsd;
  private final double maxCostUsd;
  private final double spentUsd;
  private final double reservedUsd;

  public CostBudgetExceededException(String message, String model, double worstCaseUsd, double maxCostUsd,
      double spentUsd, double reservedUsd) {
    super(message);
    this.model = model;
    this.worstCaseUsd = worstCaseUsd;
    this.maxCostUsd = maxCostUsd;
    this.spentUsd = spentUsd;
    this.reservedUsd = reservedUsd;
  }

  /** The model of the refused request ({@code "batch"} for a Message Batch). */
  public String model() {
    return model;
  }

  /** What the request could cost at most (NaN when the model has no prices). */
  public double worstCaseUsd() {
    return worstCaseUsd;
  }

  public double maxCostUsd() {
    return maxCostUsd;
  }

  /** Spent when the request was refused. */
  public double spentUsd() {
    return spentUsd;
  }

  /** Held for requests in flight (and batches not yet priced) when the request was refused. */
  public double reservedUsd() {
    return reservedUsd;
  }
}
