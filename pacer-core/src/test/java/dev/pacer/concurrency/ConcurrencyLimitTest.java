package dev.pacer.concurrency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConcurrencyLimitTest {

  @Test
  void aFixedLimitNeverMoves() {
    ConcurrencyLimit fixed = new FixedConcurrencyLimit(5);

    fixed.onOverload();
    fixed.onOtherFailure();
    for (int i = 0; i < 100; i++) {
      fixed.onSuccess(1_000_000L);
      fixed.onSuccess(1_000_000L, 5);
    }

    assertThat(fixed.limit()).isEqualTo(5);
  }

  @Test
  void aFixedLimitIsAtLeastOne() {
    assertThatThrownBy(() -> new FixedConcurrencyLimit(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
  }

  @Test
  void littlesLawMultipliesRateLatencyAndHeadroom() {
    // 1,000 requests per minute, 12 s each, 50% headroom.
    assertThat(ConcurrencyLimit.littleLawLimit(1_000 / 60.0, Duration.ofSeconds(12), 1.5)).isEqualTo(300);
    // 50 RPM (Tier 1), 8 s each, no headroom: 6.67 → 7.
    assertThat(ConcurrencyLimit.littleLawLimit(50 / 60.0, Duration.ofSeconds(8), 1.0)).isEqualTo(7);
    assertThat(ConcurrencyLimit.littleLawLimit(10, Duration.ofMillis(250), 2)).isEqualTo(5);
  }

  @Test
  void littlesLawGivesAtLeastOneAndAtMostIntegerMax() {
    assertThat(ConcurrencyLimit.littleLawLimit(0.001, Duration.ofMillis(1), 1)).isEqualTo(1);
    assertThat(ConcurrencyLimit.littleLawLimit(1e12, Duration.ofDays(1), 10)).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void littlesLawRejectsNonsense() {
    assertThatThrownBy(() -> ConcurrencyLimit.littleLawLimit(0, Duration.ofSeconds(1), 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requestsPerSecond");
    assertThatThrownBy(() -> ConcurrencyLimit.littleLawLimit(Double.NaN, Duration.ofSeconds(1), 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requestsPerSecond");
    assertThatThrownBy(() -> ConcurrencyLimit.littleLawLimit(1, Duration.ZERO, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latency");
    assertThatThrownBy(() -> ConcurrencyLimit.littleLawLimit(1, Duration.ofSeconds(1), 0.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("headroom");
  }
}
