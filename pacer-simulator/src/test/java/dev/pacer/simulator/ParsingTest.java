package dev.pacer.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ParsingTest {

  @Test
  void durations() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("6s")).isEqualTo(Duration.ofSeconds(6));
    assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("1m")).isEqualTo(Duration.ofMinutes(1));
    assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(Durations.parse("PT6S")).isEqualTo(Duration.ofSeconds(6));
    assertThatThrownBy(() -> Durations.parse("6 parsecs")).hasMessageContaining("500ms");
    assertThat(Durations.format(Duration.ofSeconds(60))).isEqualTo("1m");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
  }

  @Test
  void latency() {
    Latency l = Latency.parse("200ms+400tok/s");
    assertThat(l.firstToken()).isEqualTo(Duration.ofMillis(200));
    assertThat(l.tokensPerSecond()).isEqualTo(400);
    assertThat(l.nanosUntilToken(1)).isEqualTo(200_000_000L);
    assertThat(l.nanosUntilToken(401)).isEqualTo(1_200_000_000L);
    assertThat(l).hasToString("200ms+400tok/s");
    assertThat(l.scaledBy(0.1)).isEqualTo(Latency.of(Duration.ofMillis(20), 4000));
    assertThat(Latency.parse("off").isOff()).isTrue();
    assertThat(Latency.off().nanosUntilToken(1000)).isZero();
    assertThatThrownBy(() -> Latency.parse("200ms")).hasMessageContaining("200ms+400tok/s");
    assertThatThrownBy(() -> Latency.of(Duration.ZERO, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void limitsAndRules() {
    assertThat(Limits.parse("50 / 30000 / 8000")).isEqualTo(Limits.of(50, 30_000, 8_000));
    assertThat(OutputRule.parse("LIVE")).isEqualTo(OutputRule.LIVE);
    assertThatThrownBy(() -> OutputRule.parse("later")).hasMessageContaining("reserve");
    assertThatThrownBy(() -> Limits.of(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void configValidatesAtBuild() {
    assertThatThrownBy(() -> SimulatorConfig.builder().tier("tier9").build()).hasMessageContaining("unknown tier");
    assertThatThrownBy(() -> SimulatorConfig.builder().window(Duration.ofSeconds(6)).burst(Duration.ofSeconds(7)).build())
        .hasMessageContaining("must not exceed the window");
    SimulatorConfig c = SimulatorConfig.builder().rpm(5).build();
    assertThat(c.toBuilder().build().rpm()).hasValue(5);
    assertThat(c.tier()).isEqualTo("start");
    assertThat(c.burst()).isEmpty();
    assertThat(c.outputRule()).isEqualTo(OutputRule.RESERVE);
  }
}
