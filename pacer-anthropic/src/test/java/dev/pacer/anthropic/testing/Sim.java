package dev.pacer.anthropic.testing;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.CacheControlEphemeral;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.TextBlockParam;
import dev.pacer.Pacer;
import dev.pacer.anthropic.PacedAnthropic;
import dev.pacer.events.PacerEvent;
import dev.pacer.limits.Limits;
import dev.pacer.simulator.Simulator;
import dev.pacer.simulator.SimulatorConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A simulator with tight limits on a compressed window, and a Pacer that knows them. */
public final class Sim {

  public static final String MODEL = "claude-haiku-4-5";
  public static final String POOL = "haiku-4-5";
  public static final String KEY = "sk-ant-api03-TESTSECRET-do-not-print-0123456789";

  /** 6 s stands for a minute: every rate is ten times the per-minute figure. */
  public static final Duration WINDOW = Duration.ofSeconds(6);
  public static final Duration BURST = Duration.ofSeconds(1);

  private Sim() {}

  /** 300 requests / 60,000 input / 30,000 output tokens per 6 s window, 1 s of burst: 50 requests a second. */
  public static SimulatorConfig.Builder tight() {
    return SimulatorConfig.builder()
        .rpm(300).itpm(60_000).otpm(30_000)
        .window(WINDOW).burst(BURST)
        .outputTokens(10, 40)
        .seed(7);
  }

  /**
   * A Pacer that knows the simulator's limits and window, and takes half its burst: a request
   * reaches the server some time after its permit, and on a loaded machine that delay varies by
   * tens or hundreds of milliseconds, so requests granted evenly can arrive bunched. Half a second
   * of burst kept in hand absorbs that; with none, a few of 200 requests at full speed can draw
   * 429s on a busy 2-core machine.
   */
  public static Pacer.Builder pacerFor(Simulator sim) {
    SimulatorConfig config = sim.config();
    Duration burst = config.burst().orElse(config.window());
    return Pacer.builder()
        .limits(Limits.of(config.rpm().orElse(Limits.UNKNOWN), config.itpm().orElse(Limits.UNKNOWN),
            config.otpm().orElse(Limits.UNKNOWN)))
        .window(config.window())
        .burst(burst.dividedBy(2));
  }

  public static AnthropicOkHttpClient.Builder sdk(Simulator sim) {
    return AnthropicOkHttpClient.builder().baseUrl(sim.baseUrl()).apiKey(KEY).timeout(Duration.ofSeconds(30));
  }

  public static AnthropicClient paced(Simulator sim, Pacer pacer) {
    return PacedAnthropic.wrap(sdk(sim), pacer);
  }

  public static MessageCreateParams params(int i, long maxTokens) {
    return MessageCreateParams.builder().model(MODEL).maxTokens(maxTokens)
        .addUserMessage("Request " + i + ": say something short about pacing.").build();
  }

  /** A document of {@code words} words, to be cached as a system prompt (see {@link #question}). */
  public static String document(int words) {
    String[] vocabulary = {"market", "growth", "figure", "report", "quarter", "revenue", "region", "margin"};
    StringBuilder text = new StringBuilder("Document:");
    for (int i = 0; i < words; i++) {
      text.append(' ').append(vocabulary[(i * 5 + i / 7) % vocabulary.length]);
    }
    return text.toString();
  }

  /** Question {@code i} on {@code document}, the document a system prompt marked for caching. */
  public static MessageCreateParams question(String document, int i) {
    return MessageCreateParams.builder().model(MODEL).maxTokens(20)
        .systemOfTextBlockParams(List.of(TextBlockParam.builder().text(document)
            .cacheControl(CacheControlEphemeral.builder().build()).build()))
        .addUserMessage("Question " + i + ": what is the main figure?")
        .build();
  }

  /** Collects every event a Pacer emits. */
  public static final class Events implements dev.pacer.events.PacerListener {
    public final List<PacerEvent> all = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(PacerEvent event) {
      all.add(event);
    }

    public <T extends PacerEvent> List<T> of(Class<T> type) {
      return all.stream().filter(type::isInstance).map(type::cast).toList();
    }
  }
}
