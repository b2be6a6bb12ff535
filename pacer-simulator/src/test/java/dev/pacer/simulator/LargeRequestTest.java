package dev.pacer.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.simulator.testing.SimHttp;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * A request as large as the API accepts (up to 32 MB) is read whole: a PDF as base64 passes
 * Jackson's default limit of 20 million characters a string, and was answered 400 "There was an
 * error parsing the body".
 */
class LargeRequestTest {

  @Test
  void aPdfLongerThanJacksonsDefaultStringLimitIsAdmitted() {
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().port(0).build())) {
      String pdf = "J".repeat(21_000_000);
      String body = "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":"
          + "[{\"type\":\"document\",\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\",\"data\":\""
          + pdf + "\"}}]}]}";
      HttpResponse<String> response = new SimHttp(sim.baseUrl()).post("/v1/messages", body);
      assertThat(response.statusCode()).as(response.body().substring(0, Math.min(300, response.body().length())))
          .isEqualTo(200);
      assertThat(SimHttp.json(response).at("/usage/input_tokens").asLong()).isGreaterThanOrEqualTo(1_500);
    }
  }
}
