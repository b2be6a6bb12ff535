package dev.pacer.simulator.junit;

import dev.pacer.simulator.Faults;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import dev.pacer.simulator.SimulatorStats;
import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts a {@link Simulator} for JUnit 5 tests. Register it with {@code @RegisterExtension}:
 *
 * <ul>
 *   <li>on a {@code static} field: one simulator for the whole test class, started before the
 *       first test and stopped after the last (stats, buckets and faults carry over from test to
 *       test; call {@link #resetStats()} or {@code faults().clear()} where that matters);
 *   <li>on an instance field: a fresh simulator for each test.
 * </ul>
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SimulatorExtension SIM = SimulatorExtension.with(SimulatorConfig.builder().tier("tier1").build());
 *
 * @Test void paces() {
 *   var client = AnthropicOkHttpClient.builder().baseUrl(SIM.baseUrl()).apiKey("test").build();
 *   ...
 *   assertThat(SIM.stats().rateLimited()).isZero();
 * }
 * }</pre>
 *
 * Test methods may also take a {@link Simulator} parameter.
 */
public final class SimulatorExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {

  private final SimulatorConfig config;
  private volatile Simulator simulator;
  private volatile boolean perClass;
  private int classDepth;

  private SimulatorExtension(SimulatorConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /** A simulator started with {@code config}. */
  public static SimulatorExtension with(SimulatorConfig config) {
    return new SimulatorExtension(config);
  }

  /** A simulator started with {@link SimulatorConfig#defaults()}. */
  public static SimulatorExtension withDefaults() {
    return new SimulatorExtension(SimulatorConfig.defaults());
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    perClass = true;
    if (classDepth++ == 0) { // @Nested classes share the outer class's simulator
      simulator = Simulator.start(config);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (perClass && --classDepth == 0) {
      stop();
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (!perClass) {
      simulator = Simulator.start(config);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!perClass) {
      stop();
    }
  }

  private void stop() {
    Simulator s = simulator;
    simulator = null;
    if (s != null) {
      s.close();
    }
  }

  /** The running simulator; only between start and stop (see the class comment). */
  public Simulator simulator() {
    Simulator s = simulator;
    if (s == null) {
      throw new IllegalStateException("the simulator is not running: use it inside a test");
    }
    return s;
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String baseUrl() {
    return simulator().baseUrl();
  }

  public SimulatorStats stats() {
    return simulator().stats();
  }

  public Faults faults() {
    return simulator().faults();
  }

  public void resetStats() {
    simulator().resetStats();
  }

  public SimulatorConfig config() {
    return config;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Simulator.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return simulator();
  }
}
