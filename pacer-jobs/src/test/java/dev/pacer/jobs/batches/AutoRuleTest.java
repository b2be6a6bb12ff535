package dev.pacer.jobs.batches;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.jobs.Via;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The documented rule of {@code --via auto}, step by step. */
class AutoRuleTest {

  private static AutoRule.Choice choose(int toSend, double worstUsd, Duration leastDirect, Duration deadline,
      int inFlight) {
    return AutoRule.choose(toSend, worstUsd, 0.5, Optional.ofNullable(leastDirect), Optional.ofNullable(deadline),
        inFlight);
  }

  @Test
  void batchesInFlightFromAnEarlierRunAreCollectedThroughBatches() {
    assertThat(choose(3, 0.01, null, Duration.ofMinutes(5), 2).via()).isEqualTo(Via.BATCHES);
  }

  @Test
  void aDeadlineUnderADayGoesDirectlyWhateverTheSize() {
    AutoRule.Choice choice = choose(50_000, 500, Duration.ofHours(3), Duration.ofHours(23), 0);
    assertThat(choice.via()).isEqualTo(Via.MESSAGES);
    assertThat(choice.why()).contains("--deadline 23h");
    assertThat(choose(50_000, 500, null, Duration.ofHours(24), 0).via()).isEqualTo(Via.BATCHES);
  }

  @Test
  void fewerThanAHundredRequestsGoDirectly() {
    assertThat(choose(99, 500, Duration.ofHours(1), null, 0).via()).isEqualTo(Via.MESSAGES);
    assertThat(choose(100, 500, Duration.ofHours(1), null, 0).via()).isEqualTo(Via.BATCHES);
  }

  @Test
  void aSavingOfFiftyCentsOrMoreGoesThroughBatches() {
    assertThat(choose(1_000, 1.00, Duration.ofMinutes(1), null, 0).via()).isEqualTo(Via.BATCHES);
    assertThat(choose(1_000, 0.98, Duration.ofMinutes(1), null, 0).via()).isEqualTo(Via.MESSAGES);
  }

  @Test
  void aCheapJobThatWouldHoldTheInteractiveLimitsTenMinutesGoesThroughBatches() {
    assertThat(choose(1_000, 0.10, Duration.ofMinutes(10), null, 0).via()).isEqualTo(Via.BATCHES);
    assertThat(choose(1_000, 0.10, Duration.ofMinutes(9), null, 0).via()).isEqualTo(Via.MESSAGES);
    assertThat(choose(1_000, 0.10, null, null, 0).via()).as("limits unknown").isEqualTo(Via.MESSAGES);
  }

  @Test
  void nothingToSendGoesDirectly() {
    assertThat(choose(0, 0, null, null, 0).via()).isEqualTo(Via.MESSAGES);
  }
}
