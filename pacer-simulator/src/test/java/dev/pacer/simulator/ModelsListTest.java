package dev.pacer.simulator;

import static dev.pacer.simulator.MalformedRequestTest.assertEnvelope;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.simulator.testing.SimHttp;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/models} is paged as the batches list is (ListPage): limit, after_id, before_id. */
class ModelsListTest {

  private static final String[] KEY = {"x-api-key", "sk-test", "anthropic-version", "2023-06-01"};

  private static JsonNode ok(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return SimHttp.json(r);
  }

  private static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.path("data").forEach(model -> ids.add(model.path("id").asText()));
    return ids;
  }

  @Test
  void modelsArePagedBothWays() {
    try (Simulator sim = Simulator.start(SimulatorConfig.builder().build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      List<String> all = ids(ok(http.get("/v1/models?limit=1000", KEY)));
      assertThat(all).hasSizeGreaterThanOrEqualTo(4);
      JsonNode first = ok(http.get("/v1/models?limit=2", KEY));
      assertThat(ids(first)).containsExactly(all.get(0), all.get(1));
      assertThat(first.path("has_more").asBoolean()).isTrue();
      assertThat(first.path("last_id").asText()).isEqualTo(all.get(1));
      JsonNode next = ok(http.get("/v1/models?limit=2&after_id=" + all.get(1), KEY));
      assertThat(ids(next)).containsExactly(all.get(2), all.get(3));
      // Going back from the fourth: the two before it, and more before those.
      JsonNode back = ok(http.get("/v1/models?limit=2&before_id=" + all.get(3), KEY));
      assertThat(ids(back)).containsExactly(all.get(1), all.get(2));
      assertThat(back.path("has_more").asBoolean()).isTrue();
      JsonNode start = ok(http.get("/v1/models?limit=2&before_id=" + all.get(2), KEY));
      assertThat(ids(start)).containsExactly(all.get(0), all.get(1));
      assertThat(start.path("has_more").asBoolean()).isFalse();
      assertEnvelope(http.get("/v1/models?limit=0", KEY), 400, "invalid_request_error");
    }
  }
}
