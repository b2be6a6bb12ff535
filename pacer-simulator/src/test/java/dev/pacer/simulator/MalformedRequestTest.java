package dev.pacer.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.simulator.junit.SimulatorExtension;
import dev.pacer.simulator.testing.SimHttp;
import java.net.http.HttpResponse;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of malformed request gets the API's status and envelope, and the server keeps serving. */
class MalformedRequestTest {

  @RegisterExtension
  static final SimulatorExtension SIM =
      SimulatorExtension.with(SimulatorConfig.builder().maxRequestBytes(4096).build());

  private static final String MSGS = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

  static Stream<Arguments> badMessagesBodies() {
    return Stream.of(
        bad("{not json", "There was an error parsing the body"),
        bad("", "empty"),
        bad("[1,2]", "must be a JSON object"),
        bad("{\"max_tokens\":10," + MSGS + "}", "model: Field required"),
        bad("{\"model\":42,\"max_tokens\":10," + MSGS + "}", "model: Input should be a valid string"),
        bad("{\"model\":\"claude-haiku-4-5\"," + MSGS + "}", "max_tokens: Field required"),
        bad("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":0," + MSGS + "}",
            "max_tokens: Input should be greater than or equal to 1"),
        bad("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":-5," + MSGS + "}",
            "max_tokens: Input should be greater than or equal to 1"),
        bad("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":\"ten\"," + MSGS + "}",
            "max_tokens: Input should be a valid integer"),
        bad("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":10}", "messages: Field required"),
        bad("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":10,\"messages\":[]}",
            "messages: at least one message is required"),
        bad("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":10,\"messages\":\"hi\"}",
            "messages: Input should be a valid list"),
        bad(body("{\"role\":\"system\",\"content\":\"hi\"}"), "messages.0.role: Input should be 'user' or 'assistant'"),
        bad(body("{\"content\":\"hi\"}"), "messages.0.role: Field required"),
        bad(body("{\"role\":\"user\"}"), "messages.0.content: Field required"),
        bad(body("{\"role\":\"user\",\"content\":\"\"}"), "messages.0: all messages must have non-empty content"),
        bad(body("{\"role\":\"user\",\"content\":[]}"), "messages.0: all messages must have non-empty content"),
        bad(body("{\"role\":\"user\",\"content\":42}"), "messages.0.content: Input should be a valid string or a valid list"),
        bad(body("\"hi\""), "messages.0: Input should be a valid dictionary"),
        bad(body("{\"role\":\"user\",\"content\":[{\"type\":\"video\",\"url\":\"x\"}]}"),
            "messages.0.content.0.type: Input tag 'video' found using 'type' does not match any of the expected tags"),
        bad(body("{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}"),
            "messages.0.content.0: Unable to extract tag using discriminator 'type'"),
        bad(body("{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}"), "messages.0.content.0.text.text: Field required"),
        bad(body("{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"\"}]}"),
            "text content blocks must be non-empty"),
        bad(body("{\"role\":\"user\",\"content\":[{\"type\":\"image\"}]}"), "messages.0.content.0.image.source: Field required"),
        bad(body("{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"f\"}]}"),
            "messages.0.content.0.tool_use.input"),
        bad(body("{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\"}]}"),
            "messages.0.content.0.tool_result.tool_use_id: Field required"),
        bad(body("{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\",\"cache_control\":{\"type\":\"forever\"}}]}"),
            "cache_control.type: Input should be 'ephemeral'"),
        bad("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":10,\"system\":7," + MSGS + "}", "system: Input should be"),
        bad("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":10,\"stream\":\"yes\"," + MSGS + "}",
            "stream: Input should be a valid boolean"),
        bad("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":10,\"temperature\":2," + MSGS + "}",
            "temperature: Input should be less than or equal to 1"),
        bad("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":10,\"tools\":[{\"description\":\"x\"}]," + MSGS + "}",
            "tools.0.name: Field required"));
  }

  private static String body(String message) {
    return "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":10,\"messages\":[" + message + "]}";
  }

  private static Arguments bad(String body, String messageFragment) {
    return Arguments.of(body, messageFragment);
  }

  private final SimHttp http = new SimHttp(SIM.baseUrl());

  @AfterEach
  void stillServes() {
    HttpResponse<String> ok = http.post("/v1/messages", SimHttp.messages("claude-haiku-4-5", 16, "still there?"));
    assertThat(ok.statusCode()).isEqualTo(200);
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("badMessagesBodies")
  void malformedBodiesGet400InvalidRequestError(String body, String messageFragment) {
    HttpResponse<String> r = http.post("/v1/messages", body);
    assertEnvelope(r, 400, "invalid_request_error");
    assertThat(SimHttp.json(r).at("/error/message").asText()).contains(messageFragment);
  }

  @Test
  void countTokensValidatesTheSameBodyWithoutMaxTokens() {
    HttpResponse<String> r = http.post("/v1/messages/count_tokens", "{\"model\":\"claude-haiku-4-5\",\"messages\":[]}");
    assertEnvelope(r, 400, "invalid_request_error");
    assertThat(http.post("/v1/messages/count_tokens", "{\"model\":\"claude-haiku-4-5\"," + MSGS + "}").statusCode())
        .isEqualTo(200);
  }

  @Test
  void noKeyGets401() {
    HttpResponse<String> r = http.post("/v1/messages", SimHttp.messages("claude-haiku-4-5", 10, "hi"),
        "anthropic-version", "2023-06-01");
    assertEnvelope(r, 401, "authentication_error");
    HttpResponse<String> emptyBearer = http.post("/v1/messages", SimHttp.messages("claude-haiku-4-5", 10, "hi"),
        "authorization", "Bearer ");
    assertEnvelope(emptyBearer, 401, "authentication_error");
    assertEnvelope(http.get("/v1/models"), 401, "authentication_error");
  }

  @Test
  void eitherKeyHeaderAndAnyVersionIsAccepted() {
    String body = SimHttp.messages("claude-haiku-4-5", 10, "hi");
    assertThat(http.post("/v1/messages", body, "x-api-key", "k", "anthropic-version", "2023-06-01").statusCode())
        .isEqualTo(200);
    assertThat(http.post("/v1/messages", body, "authorization", "Bearer k", "anthropic-version", "2026-10-21")
        .statusCode()).isEqualTo(200);
    assertThat(http.post("/v1/messages", body, "x-api-key", "k").statusCode()).isEqualTo(200);
  }

  @Test
  void aBodyOverTheLimitGets413() {
    HttpResponse<String> r = http.post("/v1/messages", SimHttp.messages("claude-haiku-4-5", 10, "x".repeat(5000)));
    assertEnvelope(r, 413, "request_too_large");
  }

  @Test
  void unknownPathsGet404AndWrongMethods405() {
    assertEnvelope(http.post("/v1/nothing", "{}"), 404, "not_found_error");
    assertEnvelope(http.get("/"), 404, "not_found_error");
    assertEnvelope(http.get("/v1/messages", "x-api-key", "k"), 405, "invalid_request_error");
    assertEnvelope(http.get("/v1/models/claude-nothing-9", "x-api-key", "k"), 404, "not_found_error");
  }

  @Test
  void everyAttemptIsCountedWithItsStatus() {
    SIM.resetStats();
    http.post("/v1/messages", "{bad");
    http.post("/v1/messages", SimHttp.messages("claude-haiku-4-5", 10, "hi"), "anthropic-version", "2023-06-01");
    SimulatorStats s = SIM.stats();
    assertThat(s.count(400)).isEqualTo(1);
    assertThat(s.count(401)).isEqualTo(1);
    assertThat(s.records()).extracting(RequestRecord::status).containsExactly(400, 401);
  }

  @Test
  void garbageAndCutConnectionsDoNotHurtTheServer() throws Exception {
    int port = SIM.simulator().port();
    String[] rubbish = {
      "NONSENSE\r\n\r\n",
      "POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: k\r\nContent-Length: 500\r\n\r\n{\"model\":",
      "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
      "\u0000\u0001\u0002\r\n\r\n",
    };
    for (String r : rubbish) {
      try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
        socket.setSoTimeout(2000);
        socket.getOutputStream().write(r.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        socket.shutdownOutput();
        try {
          socket.getInputStream().readAllBytes();
        } catch (java.io.IOException ignored) {
          // the server may cut such a connection; what matters is the next request
        }
      }
    }
  }

  static void assertEnvelope(HttpResponse<String> r, int status, String type) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    String requestId = r.headers().firstValue("request-id").orElseThrow();
    assertThat(requestId).startsWith("req_");
    assertThat(r.headers().firstValue("date")).isPresent();
    JsonNode body = SimHttp.json(r);
    assertThat(body.path("type").asText()).isEqualTo("error");
    assertThat(body.at("/error/type").asText()).isEqualTo(type);
    assertThat(body.at("/error/message").asText()).isNotBlank();
    assertThat(body.path("request_id").asText()).isEqualTo(requestId);
  }
}
