package dev.pacer.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FaultPlanParsingTest {

  @Test
  void windows() {
    FaultWindow once = FaultWindow.parse("30s@2m");
    assertThat(once).isEqualTo(FaultWindow.once(Duration.ofMinutes(2), Duration.ofSeconds(30)));
    assertThat(once.isOpenAt(Duration.ofSeconds(119))).isFalse();
    assertThat(once.isOpenAt(Duration.ofSeconds(120))).isTrue();
    assertThat(once.isOpenAt(Duration.ofMillis(149_999))).isTrue();
    assertThat(once.isOpenAt(Duration.ofSeconds(150))).isFalse();
    assertThat(once.isOpenAt(Duration.ofMinutes(12))).as("once means once").isFalse();

    FaultWindow repeating = FaultWindow.parse("30s@2m/10m");
    assertThat(repeating.isOpenAt(Duration.ofMinutes(12).plusSeconds(10))).isTrue();
    assertThat(repeating.isOpenAt(Duration.ofMinutes(22).plusSeconds(30))).isFalse();
    assertThat(repeating).hasToString("30s@2m/10m");

    FaultWindow partial = FaultWindow.parse("1m@0s/5m:0.25");
    assertThat(partial.probability()).isEqualTo(0.25);
    assertThat(partial).hasToString("1m@0s/5m:0.25");
    assertThat(FaultWindow.parse(partial.toString())).isEqualTo(partial);

    assertThatThrownBy(() -> FaultWindow.parse("30s")).hasMessageContaining("LENGTH@START");
    assertThatThrownBy(() -> FaultWindow.parse("30s@2m/10s")).hasMessageContaining("at least the length");
    assertThatThrownBy(() -> FaultWindow.parse("30s@2m:2")).hasMessageContaining("(0, 1]");
  }

  @Test
  void accelerationLimits() {
    AccelerationLimit a = AccelerationLimit.parse("2x+100");
    assertThat(a).isEqualTo(AccelerationLimit.of(2, 100));
    assertThat(a).hasToString("2x+100");
    assertThat(a.allows(99, 0)).isTrue();
    assertThat(a.allows(100, 0)).isFalse();
    assertThat(a.allows(299, 100)).isTrue();
    assertThat(a.allows(300, 100)).isFalse();
    assertThat(AccelerationLimit.parse("1.5x+20").factor()).isEqualTo(1.5);
    assertThatThrownBy(() -> AccelerationLimit.parse("2+100")).hasMessageContaining("FACTORx+ALLOWANCE");
    assertThatThrownBy(() -> AccelerationLimit.of(0.5, 10)).hasMessageContaining("at least 1");
  }

  @Test
  void slowHeadersAndLimitChanges() {
    assertThat(SlowHeaders.parse("5s")).isEqualTo(SlowHeaders.of(Duration.ofSeconds(5)));
    assertThat(SlowHeaders.parse("250ms:0.1")).isEqualTo(new SlowHeaders(Duration.ofMillis(250), 0.1));
    assertThatThrownBy(() -> SlowHeaders.parse("soon")).hasMessageContaining("DELAY[:P]");

    assertThat(LimitChange.parse("10m=50/30000/8000"))
        .isEqualTo(LimitChange.everyPool(Duration.ofMinutes(10), Limits.of(50, 30_000, 8_000)));
    LimitChange onePool = LimitChange.parse("90s:sonnet-4-5=1000/450000/90000");
    assertThat(onePool.onePool()).hasValue("sonnet-4-5");
    assertThat(onePool.at()).isEqualTo(Duration.ofSeconds(90));
    assertThat(onePool).hasToString("90s:sonnet-4-5=1000/450000/90000");
    assertThatThrownBy(() -> LimitChange.parse("10m")).hasMessageContaining("TIME=RPM/ITPM/OTPM");
  }

  @Test
  void planBuilderAndConfig() {
    FaultPlan plan = FaultPlan.builder()
        .overloadProbability(0.1).errorProbability(503, 0.02).errorProbability(500, 0.01)
        .overloadWave(FaultWindow.parse("30s@2m")).overloadCapacity(8).outage(FaultWindow.parse("1m@5m"))
        .streamErrorProbability(0.05).dropConnectionProbability(0.01).slowHeaders(SlowHeaders.parse("2s:0.5"))
        .accelerationLimit(AccelerationLimit.parse("2x+10")).build();
    assertThat(plan.errorProbabilities().keySet()).containsExactly(500, 503);
    assertThat(plan.toBuilder().build()).isEqualTo(plan);
    assertThat(plan.toBuilder().errorProbability(503, 0).build().errorProbabilities()).containsOnlyKeys(500);
    assertThat(plan.isEmpty()).isFalse();
    assertThat(FaultPlan.none().isEmpty()).isTrue();
    assertThat(plan.toString()).contains("529 wave 30s@2m", "outage 1m@5m", "acceleration limit 2x+10");
    assertThatThrownBy(() -> FaultPlan.builder().errorProbability(404, 0.5)).hasMessageContaining("5xx");
    assertThatThrownBy(() -> FaultPlan.builder().streamErrorProbability(1.5)).hasMessageContaining("0..1");

    SimulatorConfig c = SimulatorConfig.builder().faults(plan)
        .limitsAt(Duration.ofMinutes(10), Limits.of(5, 5, 5)).limitsAt(Duration.ofMinutes(1), Limits.of(1, 1, 1))
        .batchRate(5).batchExpiry(Duration.ofHours(1)).batchValidation(BatchValidation.parse("at-create")).build();
    assertThat(c.limitChanges()).extracting(LimitChange::at).containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(10));
    SimulatorConfig copy = c.toBuilder().build();
    assertThat(copy.faults()).isEqualTo(plan);
    assertThat(copy.limitChanges()).isEqualTo(c.limitChanges());
    assertThat(copy.batchRate()).isEqualTo(5);
    assertThat(copy.batchValidation()).isEqualTo(BatchValidation.AT_CREATE);
    assertThat(SimulatorConfig.defaults().batchExpiry()).isEqualTo(Duration.ofHours(24));
    assertThatThrownBy(() -> BatchValidation.parse("later")).hasMessageContaining("deferred or at-create");
  }
}
