package dev.pacer.simulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.simulator.BatchValidation;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Message Batches endpoints: create, retrieve, list, cancel, delete, results. They share one
 * requests bucket of their own (the batch RPM); every answer carries its {@code requests-*} headers.
 */
final class BatchesEndpoint {

  static final String PREFIX = "/v1/messages/batches";
  private static final Pattern CUSTOM_ID = Pattern.compile("^[a-zA-Z0-9_-]{1,64}$");

  private final SimulatorEngine engine;
  private final BatchProcessor batches;
  private final BatchValidation validation;

  BatchesEndpoint(SimulatorEngine engine) {
    this.engine = engine;
    this.batches = engine.batches();
    this.validation = engine.config().batchValidation();
  }

  /** Routes a path under {@code /v1/messages/batches}; false when no endpoint matches it. */
  boolean handle(HttpCall call, String path) throws IOException {
    String rest = path.substring(PREFIX.length());
    String method = call.method();
    if (rest.isEmpty()) {
      switch (method) {
        case "POST" -> create(call);
        case "GET" -> list(call);
        default -> throw methodNotAllowed(call, "GET, POST");
      }
      return true;
    }
    String[] parts = rest.substring(1).split("/");
    String id = parts[0];
    if (parts.length == 1) {
      switch (method) {
        case "GET" -> retrieve(call, id);
        case "DELETE" -> delete(call, id);
        default -> throw methodNotAllowed(call, "GET, DELETE");
      }
      return true;
    }
    if (parts.length == 2 && parts[1].equals("cancel")) {
      if (!method.equals("POST")) throw methodNotAllowed(call, "POST");
      cancel(call, id);
      return true;
    }
    if (parts.length == 2 && parts[1].equals("results")) {
      if (!method.equals("GET")) throw methodNotAllowed(call, "GET");
      results(call, id);
      return true;
    }
    return false;
  }

  private void create(HttpCall call) throws IOException {
    Map<String, String> headers = admit(call);
    byte[] body = call.readBody(engine.catalog().maxBytesPerBatch());
    List<Batch.Item> items = parseCreate(body);
    Batch.View b;
    try {
      b = batches.create(items, engine.clock().nanoTime());
    } catch (ApiException e) { // the processing queue is full: a 429 with the RPM headers too
      engine.stats().batchQueueRejected();
      Map<String, String> h = new LinkedHashMap<>(headers);
      h.putAll(e.headers());
      throw new ApiException(e.status(), e.errorType(), e.getMessage(), h);
    }
    call.sendJson(200, headers, toJson(b, call.origin()));
  }

  private void retrieve(HttpCall call, String id) throws IOException {
    Map<String, String> headers = admit(call);
    call.sendJson(200, headers, toJson(batches.view(id, engine.clock().nanoTime()), call.origin()));
  }

  private void list(HttpCall call) throws IOException {
    Map<String, String> headers = admit(call);
    Map<String, String> q = QueryString.parse(call.query());
    List<Batch.View> all = batches.newestFirst(engine.clock().nanoTime());
    List<String> ids = new ArrayList<>(all.size());
    all.forEach(b -> ids.add(b.id()));
    ListPage page = ListPage.of(q, ids);
    ObjectNode out = Json.object();
    ArrayNode data = out.putArray("data");
    for (Batch.View b : all.subList(page.from(), page.end())) {
      data.add(toJson(b, call.origin()));
    }
    page.describe(out, data);
    call.sendJson(200, headers, out);
  }

  private void cancel(HttpCall call, String id) throws IOException {
    Map<String, String> headers = admit(call);
    call.sendJson(200, headers, toJson(batches.cancel(id, engine.clock().nanoTime()), call.origin()));
  }

  private void delete(HttpCall call, String id) throws IOException {
    Map<String, String> headers = admit(call);
    batches.delete(id, engine.clock().nanoTime());
    ObjectNode out = Json.object();
    out.put("id", id);
    out.put("type", "message_batch_deleted");
    call.sendJson(200, headers, out);
  }

  private void results(HttpCall call, String id) throws IOException {
    Map<String, String> headers = admit(call);
    List<byte[]> lines = batches.results(id, engine.clock().nanoTime());
    try (OutputStream out = new java.io.BufferedOutputStream(call.startChunked(headers, "application/x-jsonl"), 64 * 1024)) {
      for (byte[] line : lines) {
        out.write(line);
      }
    }
  }

  /** Key, then the batch RPM bucket: its headers for the answer, or a 429. */
  private Map<String, String> admit(HttpCall call) {
    call.requireApiKey();
    long now = engine.clock().nanoTime();
    Admission a = engine.batchBuckets().tryAdmit(Need.oneRequest(), now);
    Map<String, String> headers = RateLimitHeaders.of(a.buckets(), engine.clock().wallTime());
    engine.stats().batchEndpoint(!a.admitted());
    if (!a.admitted()) {
      Map<String, String> h = new LinkedHashMap<>(headers);
      h.put("retry-after", Long.toString(a.retryAfterSeconds()));
      h.put("x-should-retry", "true");
      BucketState b = a.bucket(BucketKind.REQUESTS);
      throw new ApiException(429, "rate_limit_error", RateLimitMessages.wouldExceed(BucketKind.REQUESTS, b.limit())
          .replace(" requests per minute.", " Message Batches API requests per minute."), h);
    }
    return headers;
  }

  /**
   * The create body: {@code {"requests":[{"custom_id":…,"params":{…}},…]}}. The envelope is checked
   * here (a 400 for the whole batch); the params too when validation is {@link BatchValidation#AT_CREATE}.
   */
  List<Batch.Item> parseCreate(byte[] body) {
    JsonNode root = RequestValidator.readJson(body);
    if (!root.isObject()) {
      throw ApiException.invalidRequest("The request body must be a JSON object.");
    }
    JsonNode requests = root.get("requests");
    if (requests == null || requests.isNull()) {
      throw ApiException.invalidRequest("requests: Field required");
    }
    if (!requests.isArray()) {
      throw ApiException.invalidRequest("requests: Input should be a valid list");
    }
    long max = engine.catalog().maxRequestsPerBatch();
    if (requests.isEmpty()) {
      throw ApiException.invalidRequest("requests: List should have at least 1 item after validation, not 0");
    }
    if (requests.size() > max) {
      throw ApiException.invalidRequest("requests: List should have at most " + max
          + " items after validation, not " + requests.size());
    }
    List<Batch.Item> items = new ArrayList<>(requests.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < requests.size(); i++) {
      String at = "requests." + i;
      JsonNode r = requests.get(i);
      if (!r.isObject()) {
        throw ApiException.invalidRequest(at + ": Input should be a valid dictionary or object");
      }
      JsonNode customId = r.get("custom_id");
      if (customId == null || customId.isNull()) {
        throw ApiException.invalidRequest(at + ".custom_id: Field required");
      }
      if (!customId.isTextual()) {
        throw ApiException.invalidRequest(at + ".custom_id: Input should be a valid string");
      }
      if (!CUSTOM_ID.matcher(customId.asText()).matches()) {
        throw ApiException.invalidRequest(at + ".custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'");
      }
      if (!seen.add(customId.asText())) {
        throw ApiException.invalidRequest(at + ".custom_id: Duplicate custom_id '" + customId.asText()
            + "': each request in a batch needs its own custom_id.");
      }
      JsonNode params = r.get("params");
      if (params == null || params.isNull()) {
        throw ApiException.invalidRequest(at + ".params: Field required");
      }
      if (!params.isObject()) {
        throw ApiException.invalidRequest(at + ".params: Input should be a valid dictionary or object");
      }
      if (validation == BatchValidation.AT_CREATE) {
        try {
          RequestValidator.messages(params);
        } catch (ApiException e) {
          throw ApiException.invalidRequest(at + ".params." + e.getMessage());
        }
      }
      items.add(new Batch.Item(customId.asText(), params));
    }
    return items;
  }

  /** A batch as the API shows it. Its request counts stay all {@code processing} until it ends. */
  static ObjectNode toJson(Batch.View b, String origin) {
    ObjectNode o = Json.object();
    o.put("id", b.id());
    o.put("type", "message_batch");
    o.put("processing_status", b.status().wire);
    ObjectNode counts = o.putObject("request_counts");
    boolean ended = b.status() == Batch.Status.ENDED;
    counts.put("processing", ended ? 0 : b.requests());
    counts.put("succeeded", ended ? b.succeeded() : 0);
    counts.put("errored", ended ? b.errored() : 0);
    counts.put("canceled", ended ? b.canceled() : 0);
    counts.put("expired", ended ? b.expired() : 0);
    putTime(o, "ended_at", b.endedAt());
    putTime(o, "created_at", b.createdAt());
    putTime(o, "expires_at", b.expiresAt());
    o.putNull("archived_at");
    putTime(o, "cancel_initiated_at", b.cancelInitiatedAt());
    if (ended) {
      o.put("results_url", origin + PREFIX + "/" + b.id() + "/results");
    } else {
      o.putNull("results_url");
    }
    return o;
  }

  private static void putTime(ObjectNode o, String field, Instant t) {
    if (t == null) {
      o.putNull(field);
    } else {
      o.put(field, DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.MICROS)));
    }
  }

  private static ApiException methodNotAllowed(HttpCall call, String allowed) {
    return new ApiException(405, "invalid_request_error",
        "Method " + call.method() + " is not allowed on " + call.path() + "; use " + allowed + ".",
        Map.of("allow", allowed));
  }
}
