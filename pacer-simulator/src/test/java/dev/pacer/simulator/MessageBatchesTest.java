package dev.pacer.simulator;

import static dev.pacer.simulator.MalformedRequestTest.assertEnvelope;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.simulator.testing.SimHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Message Batches over HTTP on a {@link ManualClock}: the batch processes at its pace only as the
 * test moves time, so every status, count and timestamp is exact.
 */
class MessageBatchesTest {

  private static final Instant START = Instant.parse("2026-06-01T10:00:00Z");
  private static final String[] KEY = {"x-api-key", "sk-test", "anthropic-version", "2023-06-01"};

  private final ManualClock clock = SimulatorClock.manual(START);

  private SimulatorConfig.Builder config() {
    return SimulatorConfig.builder().clock(clock).seed(9).batchRate(10); // one request every 100 ms
  }

  static ObjectNode params(String text) {
    ObjectNode p = SimHttp.JSON.createObjectNode();
    p.put("model", "claude-haiku-4-5");
    p.put("max_tokens", 50);
    p.putArray("messages").addObject().put("role", "user").put("content", text);
    return p;
  }

  static String batch(int n) {
    ObjectNode body = SimHttp.JSON.createObjectNode();
    ArrayNode requests = body.putArray("requests");
    for (int i = 0; i < n; i++) {
      requests.addObject().put("custom_id", "req-" + i).set("params", params("Question number " + i));
    }
    return body.toString();
  }

  private static JsonNode ok(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return SimHttp.json(r);
  }

  private static JsonNode create(SimHttp http, String body) {
    return ok(http.post("/v1/messages/batches", body));
  }

  private static JsonNode retrieve(SimHttp http, String id) {
    return ok(http.get("/v1/messages/batches/" + id, KEY));
  }

  private static List<JsonNode> results(SimHttp http, String id) {
    HttpResponse<String> r = http.get("/v1/messages/batches/" + id + "/results", KEY);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/x-jsonl");
    List<JsonNode> lines = new ArrayList<>();
    for (String line : r.body().split("\n")) {
      try {
        lines.add(SimHttp.JSON.readTree(line));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return lines;
  }

  @Test
  void aBatchProcessesAtItsPaceThenServesItsResults() {
    try (Simulator sim = Simulator.start(config().build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      JsonNode b = create(http, batch(5));
      String id = b.path("id").asText();
      assertThat(id).startsWith("msgbatch_");
      assertThat(b.path("type").asText()).isEqualTo("message_batch");
      assertThat(b.path("processing_status").asText()).isEqualTo("in_progress");
      assertThat(b.path("request_counts").toString())
          .isEqualTo("{\"processing\":5,\"succeeded\":0,\"errored\":0,\"canceled\":0,\"expired\":0}");
      assertThat(b.path("created_at").asText()).isEqualTo("2026-06-01T10:00:00Z");
      assertThat(b.path("expires_at").asText()).isEqualTo("2026-06-02T10:00:00Z");
      for (String f : List.of("ended_at", "archived_at", "cancel_initiated_at", "results_url")) {
        assertThat(b.path(f).isNull()).as(f).isTrue();
      }
      assertEnvelope(http.get("/v1/messages/batches/" + id + "/results", KEY), 400, "invalid_request_error");

      clock.advance(Duration.ofMillis(300));
      JsonNode mid = retrieve(http, id);
      assertThat(mid.path("processing_status").asText()).isEqualTo("in_progress");
      assertThat(mid.at("/request_counts/processing").asInt()).as("counts move only when the batch ends").isEqualTo(5);
      assertThat(sim.stats().batches().succeeded()).as("the simulator's own view moves as it goes").isEqualTo(3);
      assertThat(sim.stats().batches().processing()).isEqualTo(2);

      clock.advance(Duration.ofMillis(200));
      JsonNode done = retrieve(http, id);
      assertThat(done.path("processing_status").asText()).isEqualTo("ended");
      assertThat(done.path("ended_at").asText()).isEqualTo("2026-06-01T10:00:00.500Z");
      assertThat(done.at("/request_counts/succeeded").asInt()).isEqualTo(5);
      assertThat(done.at("/request_counts/processing").asInt()).isZero();
      assertThat(done.path("results_url").asText()).isEqualTo(sim.baseUrl() + "/v1/messages/batches/" + id + "/results");

      List<JsonNode> lines = results(http, id);
      assertThat(lines).extracting(l -> l.path("custom_id").asText())
          .containsExactlyInAnyOrder("req-0", "req-1", "req-2", "req-3", "req-4")
          .as("in no particular order").isNotEqualTo(List.of("req-0", "req-1", "req-2", "req-3", "req-4"));
      JsonNode first = lines.get(0).path("result");
      assertThat(first.path("type").asText()).isEqualTo("succeeded");
      JsonNode message = first.path("message");
      assertThat(message.path("id").asText()).startsWith("msg_");
      assertThat(message.path("type").asText()).isEqualTo("message");
      assertThat(message.path("model").asText()).isEqualTo("claude-haiku-4-5");
      assertThat(message.at("/content/0/text").asText()).isNotBlank();
      assertThat(message.at("/usage/input_tokens").asLong()).isPositive();
      assertThat(message.at("/usage/output_tokens").asLong()).isBetween(1L, 50L);
      assertThat(message.at("/usage/service_tier").asText()).isEqualTo("batch");

      BatchStats s = sim.stats().batches();
      assertThat(s.created()).isEqualTo(1);
      assertThat(s.requestsSubmitted()).isEqualTo(5);
      assertThat(s.processed()).isEqualTo(5);
      assertThat(s.processing()).isZero();
      assertThat(s.endpointRequests()).isEqualTo(5);
      assertThat(sim.stats().attempts()).as("batch requests are not Messages attempts").isZero();
    }
  }

  @Test
  void malformedParamsBecomeErroredResultsAndTheRestGoesOn() {
    try (Simulator sim = Simulator.start(config().build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      ObjectNode body = SimHttp.JSON.createObjectNode();
      ArrayNode requests = body.putArray("requests");
      requests.addObject().put("custom_id", "good").set("params", params("Hello"));
      ObjectNode bad = params("Hello");
      bad.remove("max_tokens");
      requests.addObject().put("custom_id", "bad").set("params", bad);
      String id = create(http, body.toString()).path("id").asText();
      clock.advance(Duration.ofSeconds(1));
      JsonNode done = retrieve(http, id);
      assertThat(done.at("/request_counts/succeeded").asInt()).isEqualTo(1);
      assertThat(done.at("/request_counts/errored").asInt()).isEqualTo(1);
      JsonNode errored = results(http, id).stream()
          .filter(l -> l.path("custom_id").asText().equals("bad")).findFirst().orElseThrow().path("result");
      assertThat(errored.path("type").asText()).isEqualTo("errored");
      assertThat(errored.at("/error/type").asText()).isEqualTo("error");
      assertThat(errored.at("/error/error/type").asText()).isEqualTo("invalid_request_error");
      assertThat(errored.at("/error/error/message").asText()).isEqualTo("max_tokens: Field required");
      assertThat(errored.at("/error/request_id").asText()).startsWith("req_");
    }
  }

  @Test
  void atCreateValidationRejectsTheWholeBatch() {
    try (Simulator sim = Simulator.start(config().batchValidation(BatchValidation.AT_CREATE).build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      String body = batch(3).replaceFirst("\"role\":\"user\"", "\"role\":\"robot\"");
      HttpResponse<String> r = http.post("/v1/messages/batches", body);
      assertEnvelope(r, 400, "invalid_request_error");
      assertThat(SimHttp.json(r).at("/error/message").asText())
          .isEqualTo("requests.0.params.messages.0.role: Input should be 'user' or 'assistant'");
      assertThat(sim.stats().batches().created()).isZero();
      assertThat(create(http, batch(3)).path("processing_status").asText()).isEqualTo("in_progress");
    }
  }

  @Test
  void theEnvelopeIsCheckedAtCreation(@TempDir Path dir) throws IOException {
    Path data = dir.resolve("small.properties");
    Files.writeString(data, "batches.max-requests-per-batch = 3\n");
    try (Simulator sim = Simulator.start(config().dataFile(data).build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      String good = "{\"custom_id\":\"a\",\"params\":" + params("x") + "}";
      String[][] cases = {
          {"[]", "The request body must be a JSON object."},
          {"{}", "requests: Field required"},
          {"{\"requests\":{}}", "requests: Input should be a valid list"},
          {"{\"requests\":[]}", "requests: List should have at least 1 item after validation, not 0"},
          {"{\"requests\":[" + good + "," + good.replace("\"a\"", "\"b\"") + "," + good.replace("\"a\"", "\"c\"")
              + "," + good.replace("\"a\"", "\"d\"") + "]}", "requests: List should have at most 3 items after validation, not 4"},
          {"{\"requests\":[{\"params\":{}}]}", "requests.0.custom_id: Field required"},
          {"{\"requests\":[" + good.replace("\"a\"", "\"has space\"") + "]}",
              "requests.0.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'"},
          {"{\"requests\":[" + good.replace("\"a\"", "\"" + "x".repeat(65) + "\"") + "]}",
              "requests.0.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'"},
          {"{\"requests\":[" + good + "," + good + "]}", "requests.1.custom_id: Duplicate custom_id 'a'"},
          {"{\"requests\":[{\"custom_id\":\"a\"}]}", "requests.0.params: Field required"},
          {"{\"requests\":[{\"custom_id\":\"a\",\"params\":\"hi\"}]}",
              "requests.0.params: Input should be a valid dictionary or object"},
      };
      for (String[] c : cases) {
        HttpResponse<String> r = http.post("/v1/messages/batches", c[0]);
        assertEnvelope(r, 400, "invalid_request_error");
        assertThat(SimHttp.json(r).at("/error/message").asText()).as(c[0]).startsWith(c[1]);
      }
      assertEnvelope(http.post("/v1/messages/batches", batch(1), "content-type", "application/json"),
          401, "authentication_error");
      assertEnvelope(http.send("PUT", "/v1/messages/batches", "{}", KEY), 405, "invalid_request_error");
      assertEnvelope(http.get("/v1/messages/batches/msgbatch_nope", KEY), 404, "not_found_error");
      assertThat(create(http, "{\"requests\":[" + good + "]}").path("id").asText()).startsWith("msgbatch_");
      assertThat(sim.stats().batches().created()).isEqualTo(1);
    }
  }

  @Test
  void whatIsNotDoneByTheExpiryExpires() {
    try (Simulator sim = Simulator.start(config().batchRate(2).batchExpiry(Duration.ofSeconds(1)).build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      String id = create(http, batch(5)).path("id").asText();
      clock.advance(Duration.ofMillis(999));
      assertThat(retrieve(http, id).path("processing_status").asText()).isEqualTo("in_progress");
      clock.advance(Duration.ofMillis(1));
      JsonNode done = retrieve(http, id);
      assertThat(done.path("processing_status").asText()).isEqualTo("ended");
      assertThat(done.path("ended_at").asText()).isEqualTo(done.path("expires_at").asText()).isEqualTo("2026-06-01T10:00:01Z");
      assertThat(done.at("/request_counts/succeeded").asInt()).as("done at 0.5 s and 1 s").isEqualTo(2);
      assertThat(done.at("/request_counts/expired").asInt()).isEqualTo(3);
      List<JsonNode> lines = results(http, id);
      assertThat(lines).hasSize(5);
      assertThat(lines).filteredOn(l -> l.at("/result/type").asText().equals("expired")).hasSize(3)
          .allSatisfy(l -> assertThat(l.path("result").toString()).isEqualTo("{\"type\":\"expired\"}"));
      assertThat(sim.stats().batches().expired()).isEqualTo(3);
    }
  }

  @Test
  void cancelGoesThroughCancelingToEndedWithTheRestCanceled() {
    try (Simulator sim = Simulator.start(config().batchRate(1).build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      String id = create(http, batch(5)).path("id").asText();
      clock.advance(Duration.ofMillis(1500)); // one done at 1 s, the second in flight until 2 s
      JsonNode canceling = ok(http.post("/v1/messages/batches/" + id + "/cancel", "", KEY));
      assertThat(canceling.path("processing_status").asText()).isEqualTo("canceling");
      assertThat(canceling.path("cancel_initiated_at").asText()).isEqualTo("2026-06-01T10:00:01.500Z");
      assertEnvelope(http.send("DELETE", "/v1/messages/batches/" + id, null, KEY), 400, "invalid_request_error");
      clock.advance(Duration.ofMillis(999));
      assertThat(retrieve(http, id).path("processing_status").asText()).isEqualTo("canceling");
      clock.advance(Duration.ofMillis(1));
      JsonNode done = retrieve(http, id);
      assertThat(done.path("processing_status").asText()).isEqualTo("ended");
      assertThat(done.path("ended_at").asText()).isEqualTo("2026-06-01T10:00:02.500Z");
      assertThat(done.at("/request_counts/succeeded").asInt()).as("the request in flight finished").isEqualTo(2);
      assertThat(done.at("/request_counts/canceled").asInt()).isEqualTo(3);
      assertThat(results(http, id)).filteredOn(l -> l.at("/result/type").asText().equals("canceled")).hasSize(3);
      JsonNode again = ok(http.post("/v1/messages/batches/" + id + "/cancel", "", KEY));
      assertThat(again.path("processing_status").asText()).as("canceling an ended batch changes nothing").isEqualTo("ended");

      JsonNode deleted = ok(http.send("DELETE", "/v1/messages/batches/" + id, null, KEY));
      assertThat(deleted.toString()).isEqualTo("{\"id\":\"" + id + "\",\"type\":\"message_batch_deleted\"}");
      assertEnvelope(http.get("/v1/messages/batches/" + id, KEY), 404, "not_found_error");
    }
  }

  @Test
  void batchesQueueBehindEachOtherAndACanceledOneFreesTheProcessor() {
    try (Simulator sim = Simulator.start(config().batchRate(1).build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      String a = create(http, batch(2)).path("id").asText();
      String b = create(http, batch(2)).path("id").asText();
      String c = create(http, batch(1)).path("id").asText();
      ok(http.post("/v1/messages/batches/" + b + "/cancel", "", KEY)); // not started: ends 1 s later, all canceled
      clock.advance(Duration.ofSeconds(2));
      assertThat(retrieve(http, a).path("ended_at").asText()).isEqualTo("2026-06-01T10:00:02Z");
      assertThat(retrieve(http, b).at("/request_counts/canceled").asInt()).isEqualTo(2);
      assertThat(retrieve(http, c).path("processing_status").asText()).isEqualTo("in_progress");
      clock.advance(Duration.ofSeconds(1));
      assertThat(retrieve(http, c).path("ended_at").asText()).isEqualTo("2026-06-01T10:00:03Z");
    }
  }

  @Test
  void listingIsNewestFirstAndPaged() {
    try (Simulator sim = Simulator.start(config().build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      List<String> ids = IntStream.range(0, 5).mapToObj(i -> create(http, batch(1)).path("id").asText()).toList();
      JsonNode page1 = ok(http.get("/v1/messages/batches?limit=2", KEY));
      assertThat(page1.path("data")).extracting(d -> d.path("id").asText()).containsExactly(ids.get(4), ids.get(3));
      assertThat(page1.path("has_more").asBoolean()).isTrue();
      assertThat(page1.path("first_id").asText()).isEqualTo(ids.get(4));
      assertThat(page1.path("last_id").asText()).isEqualTo(ids.get(3));
      JsonNode page2 = ok(http.get("/v1/messages/batches?limit=2&after_id=" + ids.get(3), KEY));
      assertThat(page2.path("data")).extracting(d -> d.path("id").asText()).containsExactly(ids.get(2), ids.get(1));
      JsonNode page3 = ok(http.get("/v1/messages/batches?limit=2&after_id=" + ids.get(1), KEY));
      assertThat(page3.path("data")).extracting(d -> d.path("id").asText()).containsExactly(ids.get(0));
      assertThat(page3.path("has_more").asBoolean()).isFalse();
      JsonNode back = ok(http.get("/v1/messages/batches?limit=2&before_id=" + ids.get(1), KEY));
      assertThat(back.path("data")).extracting(d -> d.path("id").asText()).containsExactly(ids.get(3), ids.get(2));
      assertThat(back.path("has_more").asBoolean()).isTrue();
      JsonNode all = ok(http.get("/v1/messages/batches", KEY));
      assertThat(all.path("data")).hasSize(5);
      assertThat(all.path("has_more").asBoolean()).isFalse();
      assertEnvelope(http.get("/v1/messages/batches?limit=0", KEY), 400, "invalid_request_error");
    }
  }

  @Test
  void theBatchEndpointsHaveTheirOwnRequestsBucketAndQueueLimit() {
    try (Simulator sim = Simulator.start(config().rpm(1).batchRpm(3).batchQueueLimit(5).build())) {
      SimHttp http = new SimHttp(sim.baseUrl());
      assertThat(http.post("/v1/messages", SimHttp.messages("claude-haiku-4-5", 10, "hi")).statusCode()).isEqualTo(200);
      HttpResponse<String> first = http.post("/v1/messages/batches", batch(3));
      assertThat(first.statusCode()).as("the Messages RPM is spent; the batch RPM is not").isEqualTo(200);
      assertThat(first.headers().firstValue("anthropic-ratelimit-requests-limit")).hasValue("3");
      assertThat(first.headers().firstValue("anthropic-ratelimit-requests-remaining")).hasValue("2");
      assertThat(first.headers().firstValue("anthropic-ratelimit-input-tokens-limit")).isEmpty();

      HttpResponse<String> full = http.post("/v1/messages/batches", batch(3)); // 3 waiting + 3 > 5
      assertEnvelope(full, 429, "rate_limit_error");
      assertThat(SimHttp.json(full).at("/error/message").asText()).contains("processing queue");
      assertThat(full.headers().firstValue("retry-after")).hasValue("1"); // one request to drain at 10/s
      assertThat(full.headers().firstValue("anthropic-ratelimit-requests-remaining")).hasValue("1");

      assertThat(http.get("/v1/messages/batches", KEY).statusCode()).isEqualTo(200);
      HttpResponse<String> limited = http.get("/v1/messages/batches", KEY);
      assertEnvelope(limited, 429, "rate_limit_error");
      assertThat(limited.headers().firstValue("retry-after")).hasValue("20");
      assertThat(SimHttp.json(limited).at("/error/message").asText()).contains("3 Message Batches API requests per minute");
      BatchStats s = sim.stats().batches();
      assertThat(s.endpointRequests()).isEqualTo(4);
      assertThat(s.endpointRateLimited()).isEqualTo(2);

      clock.advance(Duration.ofSeconds(20));
      assertThat(http.get("/v1/messages/batches", KEY).statusCode()).as("still serving").isEqualTo(200);
    }
  }
}
