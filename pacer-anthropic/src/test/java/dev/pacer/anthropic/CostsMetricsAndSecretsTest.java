package dev.pacer.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.errors.AnthropicIoException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.RateLimitException;
import dev.pacer.DemandTooLargeException;
import dev.pacer.Pacer;
import dev.pacer.Usage;
import dev.pacer.anthropic.testing.Sim;
import dev.pacer.retry.RetryPolicy;
import dev.pacer.simulator.RequestRecord;
import dev.pacer.simulator.Simulator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cost totals and the budget against the simulator's own records; metrics; the key kept secret. */
class CostsMetricsAndSecretsTest {

  @Test
  void costTotalsMatchWhatTheSimulatorServed() throws Exception {
    try (Simulator sim = Simulator.start(Sim.tight().build());
        Pacer pacer = Sim.pacerFor(sim).build();
        PacedAnthropic paced = PacedAnthropic.builder().pacer(pacer).clientBuilder(Sim.sdk(sim)).build()) {
      for (int i = 0; i < 20; i++) {
        paced.client().messages().create(Sim.params(i, 64));
      }

      Usage served = Usage.NONE;
      for (RequestRecord record : sim.stats().records()) {
        served = served.plus(new Usage(record.inputTokens(), record.cacheCreationInputTokens(), 0,
            record.cacheReadInputTokens(), record.outputTokens()));
      }
      ModelCost cost = paced.costs().model(Sim.MODEL).orElseThrow();
      assertThat(cost.responses()).isEqualTo(20);
      assertThat(cost.usage().inputTokens()).isEqualTo(served.inputTokens());
      assertThat(cost.usage().outputTokens()).isEqualTo(served.outputTokens());
      // Haiku 4.5: $1 per million input tokens, $5 per million output tokens.
      double expected = (served.inputTokens() * 1.0 + served.outputTokens() * 5.0) / 1_000_000;
      assertThat(cost.usd()).isCloseTo(expected, within(1e-12));
      assertThat(paced.costs().spentUsd()).isCloseTo(expected, within(1e-12));
    }
  }

  @Test
  void aBudgetRefusesTheRequestThatCouldExceedItBeforeSendingIt() throws Exception {
    try (Simulator sim = Simulator.start(Sim.tight().build());
        Pacer pacer = Sim.pacerFor(sim).build();
        PacedAnthropic paced = PacedAnthropic.builder().pacer(pacer).clientBuilder(Sim.sdk(sim))
            .maxCostUsd(0.01).build()) {
      int sent = 0;
      CostBudgetExceededException refused = null;
      while (refused == null && sent < 1000) {
        try {
          paced.client().messages().create(Sim.params(sent, 1000));
          sent++;
        } catch (CostBudgetExceededException e) {
          refused = e;
        }
      }

      assertThat(refused).isNotNull();
      assertThat(sent).isPositive();
      assertThat(sim.stats().attempts()).isEqualTo(sent);
      assertThat(paced.costs().spentUsd()).isLessThanOrEqualTo(0.01);
      assertThat(refused.spentUsd() + refused.worstCaseUsd()).isGreaterThan(0.01);
      assertThat(paced.costs().reservedUsd()).isZero();
    }
  }

  @Test
  void metricsCountWaitsAnswersUsageAndCost() throws Exception {
    try (Simulator sim = Simulator.start(Sim.tight().build());
        Pacer pacer = Sim.pacerFor(sim).retryPolicy(RetryPolicy.builder().initialBackoff(Duration.ofMillis(10)).build()).build();
        PacedAnthropic paced = PacedAnthropic.builder().pacer(pacer).clientBuilder(Sim.sdk(sim)).build()) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      PacerMetrics.of(paced).bindTo(registry);
      sim.faults().failNext(1, 529);
      for (int i = 0; i < 5; i++) {
        paced.client().messages().create(Sim.params(i, 64));
      }

      assertThat(registry.get("pacer.responses").tags("pool", Sim.POOL, "status", "200").counter().count()).isEqualTo(5);
      assertThat(registry.get("pacer.responses").tags("pool", Sim.POOL, "status", "529").counter().count()).isEqualTo(1);
      assertThat(registry.get("pacer.wait").tag("pool", Sim.POOL).timer().count()).isEqualTo(6);
      assertThat(registry.get("pacer.usage").tags("pool", Sim.POOL, "limit", "requests").gauge().value()).isEqualTo(6);
      long output = sim.stats().outputTokensServed();
      assertThat(registry.get("pacer.usage").tags("pool", Sim.POOL, "limit", "output_tokens").gauge().value())
          .isEqualTo(output);
      assertThat(registry.get("pacer.limit").tags("pool", Sim.POOL, "limit", "requests").gauge().value()).isEqualTo(300);
      assertThat(registry.get("pacer.queue.depth").tag("pool", Sim.POOL).gauge().value()).isZero();
      assertThat(registry.get("pacer.cost").tag("model", Sim.MODEL).functionCounter().count())
          .isCloseTo(paced.costs().spentUsd(), within(1e-12)).isPositive();
    }
  }

  @Test
  void theKeyNeverAppearsInWhatUsersSee() throws Exception {
    Sim.Events events = new Sim.Events();
    List<Object> seen = new ArrayList<>();
    try (Simulator sim = Simulator.start(Sim.tight().otpm(6_000).build());
        Pacer pacer = Sim.pacerFor(sim).listener(events)
            .retryPolicy(RetryPolicy.builder().maxAttempts(2).initialBackoff(Duration.ofMillis(10)).build()).build();
        PacedAnthropic paced = PacedAnthropic.builder().pacer(pacer).clientBuilder(Sim.sdk(sim)).maxCostUsd(0.06).build()) {
      AnthropicClient client = paced.client();
      client.messages().create(Sim.params(0, 32));
      sim.faults().failNext(1, 400);
      seen.add(catching(() -> client.messages().create(Sim.params(1, 32)), BadRequestException.class));
      sim.faults().failNext(2, 429, Duration.ofSeconds(1));
      seen.add(catching(() -> client.messages().create(Sim.params(2, 32)), RateLimitException.class));
      seen.add(catching(() -> client.messages().create(Sim.params(3, 10_000)), DemandTooLargeException.class));
      // Opus 4.5: 3,000 output tokens at $25 per million could cost $0.075, over the $0.06 budget.
      seen.add(catching(() -> client.messages().create(Sim.params(4, 3_000).toBuilder().model("claude-opus-4-5")
          .build()), CostBudgetExceededException.class));
      seen.add(paced);
      seen.add(paced.costs());
      seen.add(pacer.stats());
      seen.addAll(events.all);
      seen.addAll(pacer.governor().snapshots());

      int closedPort;
      try (ServerSocket socket = new ServerSocket(0)) {
        closedPort = socket.getLocalPort();
      }
      AnthropicClient nowhere = PacedAnthropic.wrap(AnthropicOkHttpClient.builder().apiKey(Sim.KEY)
          .baseUrl("http://127.0.0.1:" + closedPort), pacer);
      seen.add(catching(() -> nowhere.messages().create(Sim.params(5, 32)), AnthropicIoException.class));
    }

    for (Object thing : seen) {
      String text = thing instanceof Throwable error ? everything(error) : String.valueOf(thing);
      assertThat(text).as("what users see of %s", thing.getClass().getSimpleName()).doesNotContain(Sim.KEY)
          .doesNotContain("TESTSECRET");
    }
  }

  private static Throwable catching(Runnable call, Class<? extends Throwable> expected) {
    try {
      call.run();
    } catch (Throwable e) {
      assertThat(e).isInstanceOf(expected);
      return e;
    }
    throw new AssertionError("expected " + expected.getSimpleName());
  }

  /** The exception as a log would show it: its stack trace with causes and suppressed ones, and any headers. */
  private static String everything(Throwable error) {
    StringWriter text = new StringWriter();
    error.printStackTrace(new PrintWriter(text));
    if (error instanceof com.anthropic.errors.AnthropicServiceException service) {
      text.append(service.headers().toString()).append(String.valueOf(service.body()));
    }
    return text.toString();
  }
}
