package dev.pacer.simulator.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import dev.pacer.simulator.testing.SimHttp;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

class SimulatorExtensionTest {

  private static final Set<String> PER_TEST_URLS = new HashSet<>();

  @Nested
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  class PerClass {
    @RegisterExtension
    static final SimulatorExtension SIM = SimulatorExtension.with(SimulatorConfig.builder().rpm(5).build());

    @Test
    @Order(1)
    void first(Simulator sim) {
      assertThat(sim).isSameAs(SIM.simulator());
      new SimHttp(SIM.baseUrl()).post("/v1/messages", SimHttp.messages("claude-haiku-4-5", 10, "one"));
      assertThat(SIM.stats().attempts()).isEqualTo(1);
    }

    @Test
    @Order(2)
    void secondSeesTheSameSimulator() {
      assertThat(SIM.stats().attempts()).isEqualTo(1);
    }
  }

  @Nested
  class PerTest {
    @RegisterExtension
    final SimulatorExtension sim = SimulatorExtension.withDefaults();

    @Test
    void one() {
      new SimHttp(sim.baseUrl()).post("/v1/messages", SimHttp.messages("claude-haiku-4-5", 10, "one"));
      assertThat(sim.stats().attempts()).isEqualTo(1);
      PER_TEST_URLS.add(sim.baseUrl());
    }

    @Test
    void two() {
      assertThat(sim.stats().attempts()).as("a fresh simulator").isZero();
      new SimHttp(sim.baseUrl()).post("/v1/messages", SimHttp.messages("claude-haiku-4-5", 10, "two"));
      PER_TEST_URLS.add(sim.baseUrl());
    }
  }
}
