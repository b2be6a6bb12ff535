package dev.pacer.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.pacer.Usage;
import dev.pacer.limits.ModelCatalog;
import org.junit.jupiter.api.Test;

class CostTrackerTest {

  private static final ModelCatalog CATALOG = ModelCatalog.bundled();

  @Test
  void pricesEachKindOfTokenAndTellsFiveMinuteFromOneHourCacheWrites() {
    CostTracker costs = CostTracker.create(CATALOG);
    // Sonnet 4.5: 3 input, 3.75 cache write 5 min, 6 cache write 1 h, 0.30 cache read, 15 output (per million)
    costs.record("claude-sonnet-4-5-20250929", new Usage(1_000_000, 3_000_000, 1_000_000, 1_000_000, 1_000_000), false);

    double expected = 3 + 2 * 3.75 + 6 + 0.30 + 15;
    assertThat(costs.spentUsd()).isCloseTo(expected, within(1e-9));
    ModelCost model = costs.model("claude-sonnet-4-5-20250929").orElseThrow();
    assertThat(model.responses()).isEqualTo(1);
    assertThat(model.usd()).isCloseTo(expected, within(1e-9));
    assertThat(model.priced()).isTrue();
  }

  @Test
  void batchResultsCostHalf() {
    CostTracker costs = CostTracker.create(CATALOG);
    costs.record("claude-haiku-4-5", Usage.of(1_000_000, 1_000_000), true);

    assertThat(costs.spentUsd()).isCloseTo((1 + 5) * 0.5, within(1e-9));
    assertThat(costs.model("claude-haiku-4-5").orElseThrow().batchResponses()).isEqualTo(1);
  }

  @Test
  void unknownModelsAreCountedButNotPriced() {
    CostTracker costs = CostTracker.create(CATALOG);
    costs.record("some-future-model", Usage.of(10, 10), false);

    assertThat(costs.spentUsd()).isZero();
    assertThat(costs.model("some-future-model").orElseThrow().priced()).isFalse();
  }

  @Test
  void aBudgetHoldsWorstCasesAndRefusesWhatWouldNotFit() {
    CostTracker costs = CostTracker.withBudget(CATALOG, 0.01);
    // Haiku 4.5 worst case: 1,000 input at $1/M + 1,000 output at $5/M = $0.006
    CostTracker.Reservation first = costs.reserve("claude-haiku-4-5", 1_000, 1_000, false, false);
    assertThat(costs.reservedUsd()).isCloseTo(0.006, within(1e-12));

    assertThatThrownBy(() -> costs.reserve("claude-haiku-4-5", 1_000, 1_000, false, false))
        .isInstanceOfSatisfying(CostBudgetExceededException.class, e -> {
          assertThat(e.worstCaseUsd()).isCloseTo(0.006, within(1e-12));
          assertThat(e.reservedUsd()).isCloseTo(0.006, within(1e-12));
          assertThat(e).hasMessageContaining("nothing was sent");
        });

    first.commit("claude-haiku-4-5", Usage.of(1_000, 100), false); // $0.0015 actually
    assertThat(costs.reservedUsd()).isZero();
    assertThat(costs.spentUsd()).isCloseTo(0.0015, within(1e-12));
    assertThat(costs.remainingUsd().orElseThrow()).isCloseTo(0.0085, within(1e-12));
    costs.reserve("claude-haiku-4-5", 1_000, 1_000, false, false).release();
    assertThat(costs.reservedUsd()).isZero();
  }

  @Test
  void cacheWritesMakeTheWorstCaseDearer() {
    CostTracker costs = CostTracker.create(CATALOG);
    assertThat(costs.worstCaseUsd("claude-haiku-4-5", 1_000_000, 0, true, false).orElseThrow()).isCloseTo(2, within(1e-9));
    assertThat(costs.worstCaseUsd("claude-haiku-4-5", 1_000_000, 0, false, true).orElseThrow()).isCloseTo(0.5, within(1e-9));
  }

  @Test
  void aBudgetCannotBeKeptForAModelWithoutPrices() {
    CostTracker costs = CostTracker.withBudget(CATALOG, 1);
    assertThatThrownBy(() -> costs.reserve("some-future-model", 1, 1, false, false))
        .isInstanceOf(CostBudgetExceededException.class).hasMessageContaining("no prices");
  }

  @Test
  void aBatchHoldLastsUntilItsResultsAreRead() {
    CostTracker costs = CostTracker.withBudget(CATALOG, 1);
    costs.reserve("a Message Batch", 0.4, "test").holdForBatch("msgbatch_1");
    assertThat(costs.reservedUsd()).isCloseTo(0.4, within(1e-12));
    costs.releaseBatch("msgbatch_1");
    assertThat(costs.reservedUsd()).isZero();
  }
}
