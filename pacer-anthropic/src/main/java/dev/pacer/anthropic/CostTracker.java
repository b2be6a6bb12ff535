package dev.pacer.anthropic;

import dev.pacer.Usage;
import dev.pacer.limits.ModelCatalog;
import dev.pacer.limits.Prices;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Running cost totals per model, in USD, from the model data's prices ({@link ModelCatalog}):
 * uncached input, 5-minute and 1-hour cache writes (told apart by {@code usage.cache_creation}),
 * cache reads and output; Message Batches results at the batch factor (half price).
 *
 * <p>With a budget ({@link #withBudget}), every request reserves its worst-case cost before it is
 * sent (its estimated input at the input price, or the dearest cache-write price when it marks
 * {@code cache_control}, plus all of its {@code max_tokens} at the output price); a request whose
 * worst case does not fit in what is left, counting what is already reserved, is refused with
 * {@link CostBudgetExceededException} and never sent. The reservation becomes the actual cost
 * when the response's usage is known. Spending therefore never exceeds the budget, provided the
 * input estimates are not low (Pacer's estimator starts high and learns from responses).
 *
 * <p>Thread-safe. The paced client records into one of these; you can also record your own.
 */
public final class CostTracker {

  private final ModelCatalog catalog;
  private final double maxCostUsd;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, Totals> byModel = new TreeMap<>();
  private final Map<String, Double> batchHolds = new HashMap<>();
  private double spentUsd;
  private double reservedUsd;

  private CostTracker(ModelCatalog catalog, double maxCostUsd) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    if (!(maxCostUsd > 0)) {
      throw new IllegalArgumentException("maxCostUsd must be positive, got " + maxCostUsd);
    }
    this.maxCostUsd = maxCostUsd;
  }

  /** Totals at the bundled prices, without a budget. */
  public static CostTracker create() {
    return create(ModelCatalog.bundled());
  }

  /** Totals at {@code catalog}'s prices, without a budget. */
  public static CostTracker create(ModelCatalog catalog) {
    return new CostTracker(catalog, Double.POSITIVE_INFINITY);
  }

  /** Totals at {@code catalog}'s prices, and a hard budget of {@code maxCostUsd}. */
  public static CostTracker withBudget(ModelCatalog catalog, double maxCostUsd) {
    if (Double.isInfinite(maxCostUsd)) {
      throw new IllegalArgumentException("maxCostUsd must be finite; use create() for no budget");
    }
    return new CostTracker(catalog, maxCostUsd);
  }

  /** The budget, if there is one. */
  public OptionalDouble maxCostUsd() {
    return hasBudget() ? OptionalDouble.of(maxCostUsd) : OptionalDouble.empty();
  }

  public boolean hasBudget() {
    return !Double.isInfinite(maxCostUsd);
  }

  /** What the usage recorded so far cost. */
  public double spentUsd() {
    lock.lock();
    try {
      return spentUsd;
    } finally {
      lock.unlock();
    }
  }

  /** Worst-case costs held for requests not yet answered (and batches not yet priced). */
  public double reservedUsd() {
    lock.lock();
    try {
      return reservedUsd;
    } finally {
      lock.unlock();
    }
  }

  /** The budget less what is spent and reserved, if there is a budget. */
  public OptionalDouble remainingUsd() {
    if (!hasBudget()) {
      return OptionalDouble.empty();
    }
    lock.lock();
    try {
      return OptionalDouble.of(Math.max(0, maxCostUsd - spentUsd - reservedUsd));
    } finally {
      lock.unlock();
    }
  }

  /** Every model seen so far, by id. */
  public Map<String, ModelCost> byModel() {
    lock.lock();
    try {
      Map<String, ModelCost> copy = new LinkedHashMap<>();
      byModel.forEach((model, totals) -> copy.put(model, totals.snapshot(model)));
      return Collections.unmodifiableMap(copy);
    } finally {
      lock.unlock();
    }
  }

  /** One model's totals, if it was seen. */
  public Optional<ModelCost> model(String model) {
    return Optional.ofNullable(byModel().get(model));
  }

  /** What {@code usage} of {@code model} costs; empty when the model has no prices. */
  public OptionalDouble costUsd(String model, Usage usage, boolean batch) {
    Optional<Prices> prices = prices(model, batch);
    if (prices.isEmpty()) {
      return OptionalDouble.empty();
    }
    Prices p = prices.get();
    return OptionalDouble.of(p.costUsd(usage.inputTokens(), usage.cacheCreation5mInputTokens(),
        usage.cacheCreation1hInputTokens(), usage.cacheReadInputTokens(), usage.outputTokens()));
  }

  /**
   * The most a request can cost: {@code inputTokens} at the input price (the dearest cache-write
   * price when {@code cacheWrites}), plus {@code maxTokens} at the output price; empty when the
   * model has no prices.
   */
  public OptionalDouble worstCaseUsd(String model, long inputTokens, long maxTokens, boolean cacheWrites,
      boolean batch) {
    Optional<Prices> prices = prices(model, batch);
    if (prices.isEmpty()) {
      return OptionalDouble.empty();
    }
    Prices p = prices.get();
    double inputPrice = cacheWrites ? Math.max(p.input(), Math.max(p.cacheWrite5m(), p.cacheWrite1h())) : p.input();
    return OptionalDouble.of((inputTokens * inputPrice + maxTokens * p.output()) / 1_000_000.0);
  }

  /** Records one response's usage. */
  public void record(String model, Usage usage, boolean batch) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(usage, "usage");
    OptionalDouble cost = costUsd(model, usage, batch);
    lock.lock();
    try {
      byModel.computeIfAbsent(model, ignored -> new Totals()).add(usage, cost, batch);
      spentUsd += cost.orElse(0);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Reserves the worst-case cost of one request before it is sent; without a budget the
   * reservation holds nothing and always succeeds.
   *
   * @throws CostBudgetExceededException when the worst case does not fit in what is left of the
   *     budget, or the model has no prices (a budget cannot be kept for a request it cannot price)
   */
  public Reservation reserve(String model, long inputTokens, long maxTokens, boolean cacheWrites, boolean batch) {
    if (!hasBudget()) {
      return new Reservation(0);
    }
    OptionalDouble worst = worstCaseUsd(model, inputTokens, maxTokens, cacheWrites, batch);
    if (worst.isEmpty()) {
      throw refused(model, Double.NaN, "the model data lists no prices for '" + model + "', so a request to it"
          + " cannot be kept within the budget of " + usd(maxCostUsd) + "; add a price." + model
          + " line to your model data overrides. Nothing was sent.");
    }
    return reserve(model, worst.getAsDouble(), String.format("%,d input tokens (estimated) and max_tokens %,d",
        inputTokens, maxTokens));
  }

  /**
   * Reserves {@code worstCaseUsd} for something other than one request (a Message Batch).
   *
   * @throws CostBudgetExceededException when it does not fit
   */
  public Reservation reserve(String what, double worstCaseUsd, String detail) {
    if (!hasBudget()) {
      return new Reservation(0);
    }
    lock.lock();
    try {
      double left = maxCostUsd - spentUsd - reservedUsd;
      if (worstCaseUsd > left) {
        throw refused(what, worstCaseUsd, "request to " + what + " could cost up to " + usd(worstCaseUsd)
            + " (" + detail + ") but the budget of " + usd(maxCostUsd) + " has " + usd(Math.max(0, left))
            + " left (" + usd(spentUsd) + " spent, " + usd(reservedUsd)
            + " held for requests in flight); nothing was sent.");
      }
      reservedUsd += worstCaseUsd;
      return new Reservation(worstCaseUsd);
    } finally {
      lock.unlock();
    }
  }

  /** Gives back what a batch's reservation held (its results were priced, or it ended unpriced). */
  public void releaseBatch(String batchId) {
    lock.lock();
    try {
      Double held = batchHolds.remove(batchId);
      if (held != null) {
        reservedUsd = Math.max(0, reservedUsd - held);
      }
    } finally {
      lock.unlock();
    }
  }

  private CostBudgetExceededException refused(String model, double worst, String message) {
    lock.lock();
    try {
      return new CostBudgetExceededException(message, model, worst, maxCostUsd, spentUsd, reservedUsd);
    } finally {
      lock.unlock();
    }
  }

  private Optional<Prices> prices(String model, boolean batch) {
    return catalog.pricesOf(model).map(p -> batch ? p.times(catalog.batchPriceFactor()) : p);
  }

  private static String usd(double value) {
    return String.format("$%.4f", value);
  }

  @Override
  public String toString() {
    lock.lock();
    try {
      return "CostTracker[spent " + usd(spentUsd) + (hasBudget() ? " of " + usd(maxCostUsd) + ", reserved "
          + usd(reservedUsd) : "") + ", " + byModel.size() + (byModel.size() == 1 ? " model]" : " models]");
    } finally {
      lock.unlock();
    }
  }

  /**
   * A worst-case cost held for one request until its usage is known. End it exactly once:
   * {@link #commit} with the usage, {@link #release} if nothing was used, or
   * {@link #holdForBatch} for a batch whose results will be priced later. Later calls do nothing.
   */
  public final class Reservation {
    private final double heldUsd;
    private final AtomicBoolean open = new AtomicBoolean(true);

    private Reservation(double heldUsd) {
      this.heldUsd = heldUsd;
    }

    /** What is held. */
    public double heldUsd() {
      return heldUsd;
    }

    /** Records the actual usage and gives back the hold. */
    public void commit(String model, Usage usage, boolean batch) {
      if (open.compareAndSet(true, false)) {
        giveBack();
        record(model, usage, batch);
      }
    }

    /** Gives back the hold: the request used nothing. */
    public void release() {
      if (open.compareAndSet(true, false)) {
        giveBack();
      }
    }

    /** Keeps holding until {@link CostTracker#releaseBatch} for {@code batchId}. */
    public void holdForBatch(String batchId) {
      if (open.compareAndSet(true, false) && heldUsd > 0) {
        lock.lock();
        try {
          batchHolds.merge(batchId, heldUsd, Double::sum);
        } finally {
          lock.unlock();
        }
      }
    }

    private void giveBack() {
      if (heldUsd > 0) {
        lock.lock();
        try {
          reservedUsd = Math.max(0, reservedUsd - heldUsd);
        } finally {
          lock.unlock();
        }
      }
    }

    @Override
    public String toString() {
      return "Reservation[" + usd(heldUsd) + (open.get() ? ", held]" : ", ended]");
    }
  }

  /** One model's running totals; guarded by the tracker's lock. */
  private static final class Totals {
    long responses;
    long batchResponses;
    Usage usage = Usage.NONE;
    double usd;
    boolean priced = true;

    void add(Usage more, OptionalDouble cost, boolean batch) {
      responses++;
      if (batch) {
        batchResponses++;
      }
      usage = usage.plus(more);
      if (cost.isPresent()) {
        usd += cost.getAsDouble();
      } else {
        priced = false;
      }
    }

    ModelCost snapshot(String model) {
      return new ModelCost(model, responses, batchResponses, usage, usd, priced);
    }
  }
}
