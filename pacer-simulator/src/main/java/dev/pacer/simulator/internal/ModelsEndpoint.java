package dev.pacer.simulator.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code GET /v1/models} (paged by {@code limit}, {@code after_id}, {@code before_id}) and {@code GET /v1/models/{id}}. */
final class ModelsEndpoint {

  private final SimulatorEngine engine;

  ModelsEndpoint(SimulatorEngine engine) {
    this.engine = engine;
  }

  void list(HttpCall call) throws IOException {
    call.requireApiKey();
    Map<String, String> q = QueryString.parse(call.query());
    List<String> ids = engine.catalog().modelIds();
    ListPage page = ListPage.of(q, ids);
    ObjectNode body = Json.object();
    ArrayNode data = body.putArray("data");
    for (String id : ids.subList(page.from(), page.end())) {
      data.add(model(id));
    }
    page.describe(body, data);
    call.sendJson(200, Map.of(), body);
  }

  void get(HttpCall call, String id) throws IOException {
    call.requireApiKey();
    if (!engine.catalog().modelIds().contains(id)) {
      throw new ApiException(404, "not_found_error", "model: " + id);
    }
    call.sendJson(200, Map.of(), model(id));
  }

  private static ObjectNode model(String id) {
    ObjectNode m = Json.object();
    m.put("type", "model");
    m.put("id", id);
    m.put("display_name", displayName(id));
    m.put("created_at", "2025-01-01T00:00:00Z");
    m.put("lifecycle", "active");
    return m;
  }

  /** {@code claude-opus-4-5} becomes {@code Claude Opus 4.5}. */
  static String displayName(String id) {
    StringBuilder sb = new StringBuilder();
    boolean lastWasNumber = false;
    for (String part : id.split("-")) {
      boolean number = part.chars().allMatch(Character::isDigit);
      if (sb.length() > 0) sb.append(number && lastWasNumber ? "." : " ");
      sb.append(number ? part : part.substring(0, 1).toUpperCase(Locale.ROOT) + part.substring(1));
      lastWasNumber = number;
    }
    return sb.toString();
  }
}
