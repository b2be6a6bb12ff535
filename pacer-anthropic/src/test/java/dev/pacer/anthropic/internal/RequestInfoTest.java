package dev.pacer.anthropic.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.core.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestInfoTest {

  @Test
  void readsTheTopLevelFieldsAndKeepsTheTextToEstimate() {
    String body = "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":1024,\"stream\":true,"
        + "\"metadata\":{\"model\":\"not this one\",\"max_tokens\":5},"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]}";
    RequestInfo info = RequestInfo.read(body.getBytes(StandardCharsets.UTF_8)).orElseThrow();

    assertThat(info.model()).isEqualTo("claude-haiku-4-5");
    assertThat(info.maxTokens()).isEqualTo(1024);
    assertThat(info.stream()).isTrue();
    assertThat(info.cacheWrites()).isFalse();
    // The settings are no part of the prompt: the server counts none of them.
    assertThat(info.estimateText()).isEqualTo("{\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]}");
  }

  @Test
  void theSystemPromptAndToolsAreMeasuredWhereverTheyStand() {
    String body = "{\"tools\":[{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\"}}],"
        + "\"temperature\":0.2,\"stop_sequences\":[\"END\"],\"system\":\"Be brief.\",\"model\":\"claude-haiku-4-5\","
        + "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2000},\"max_tokens\":3000,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}]}";
    RequestInfo info = RequestInfo.read(body.getBytes(StandardCharsets.UTF_8)).orElseThrow();

    assertThat(info.model()).isEqualTo("claude-haiku-4-5");
    assertThat(info.maxTokens()).isEqualTo(3000);
    assertThat(info.estimateText()).contains("get_weather", "Be brief.", "Weather in Paris?")
        .doesNotContain("temperature", "END", "budget_tokens", "claude-haiku-4-5", "3000");
  }

  @Test
  void largeBase64PayloadsCountAsAFixedStandIn() {
    String image = "A".repeat(500_000);
    String body = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\","
        + "\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"" + image + "\"}},"
        + "{\"type\":\"text\",\"text\":\"what is this?\",\"cache_control\":{\"type\":\"ephemeral\"}}]}]}";
    RequestInfo info = RequestInfo.read(body.getBytes(StandardCharsets.UTF_8)).orElseThrow();

    assertThat(info.estimateText()).doesNotContain("AAAA").contains("what is this?");
    assertThat(info.estimateText().length()).isLessThan(4000);
    assertThat(info.cacheWrites()).isTrue();
    assertThat(info.stream()).isFalse();
  }

  @Test
  void aPdfLongerThanJacksonsDefaultStringLimitIsReadAsAnyPayload() {
    String pdf = "J".repeat(21_000_000); // Jackson stops at 20 million characters by default
    String body = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"document\","
        + "\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\",\"data\":\"" + pdf + "\"}}]}]}";
    RequestInfo info = RequestInfo.read(body.getBytes(StandardCharsets.UTF_8)).orElseThrow();

    assertThat(info.model()).isEqualTo("m");
    assertThat(info.estimateText().length()).isLessThan(4000);
  }

  @Test
  void aPlainTextDocumentCountsAsItsTextAndImagesByUrlOrFileAsImages() {
    String text = "The contract says the supplier delivers within thirty days. ".repeat(100);
    String body = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":["
        + "{\"type\":\"document\",\"source\":{\"type\":\"text\",\"media_type\":\"text/plain\",\"data\":\"" + text + "\"}},"
        + "{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://example.com/chart.png\"}},"
        + "{\"type\":\"document\",\"source\":{\"type\":\"file\",\"file_id\":\"file_011CNha8iCJcU1wXNR6q4V8w\"}},"
        + "{\"type\":\"text\",\"text\":\"Summarise.\"}]},"
        + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"fetch\","
        + "\"input\":{\"url\":\"https://example.com/kept\"}}]}]}";
    String measured = RequestInfo.read(body.getBytes(StandardCharsets.UTF_8)).orElseThrow().estimateText();

    assertThat(measured).contains(text, "Summarise.", "https://example.com/kept")
        .doesNotContain("chart.png", "file_011CNha8iCJcU1wXNR6q4V8w");
    // Two payloads (the image by URL, the PDF by file id), each one image's worth.
    assertThat(measured.length()).isGreaterThan(text.length() + 2 * RequestInfo.PAYLOAD_STAND_IN.length());
  }

  @Test
  void somethingThatIsNotAJsonObjectIsNotRead() {
    assertThat(RequestInfo.read("not json".getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(RequestInfo.read("[1,2]".getBytes(StandardCharsets.UTF_8))).isEmpty();
  }

  @Test
  void routesAreToldFromThePath() {
    assertThat(Route.of(HttpMethod.POST, List.of("v1", "messages")).kind()).isEqualTo(Route.Kind.MESSAGES);
    assertThat(Route.of(HttpMethod.POST, List.of("v1", "messages", "count_tokens")).kind())
        .isEqualTo(Route.Kind.COUNT_TOKENS);
    assertThat(Route.of(HttpMethod.POST, List.of("v1", "messages", "batches")).kind()).isEqualTo(Route.Kind.BATCH_CREATE);
    assertThat(Route.of(HttpMethod.GET, List.of("v1", "messages", "batches")).kind()).isEqualTo(Route.Kind.BATCHES);
    assertThat(Route.of(HttpMethod.GET, List.of("v1", "messages", "batches", "msgbatch_1")).kind())
        .isEqualTo(Route.Kind.BATCHES);
    Route results = Route.of(HttpMethod.GET, List.of("v1", "messages", "batches", "msgbatch_1", "results"));
    assertThat(results).isEqualTo(new Route(Route.Kind.BATCH_RESULTS, "msgbatch_1"));
    assertThat(Route.of(HttpMethod.GET, List.of("v1", "models")).kind()).isEqualTo(Route.Kind.OTHER);
    assertThat(Route.of(HttpMethod.POST, List.of("prefix", "v1", "messages")).kind()).isEqualTo(Route.Kind.MESSAGES);
  }
}
