package dev.pacer.simulator.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.simulator.BatchStats;
import dev.pacer.simulator.RequestRecord;
import dev.pacer.simulator.SimulatorStats;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code GET /_sim/stats}: the stats as JSON, with the last 100 records ({@code ?records=N} or {@code all}). */
final class StatsEndpoint {

  private final SimulatorEngine engine;

  StatsEndpoint(SimulatorEngine engine) {
    this.engine = engine;
  }

  void handle(HttpCall call) throws IOException {
    String wanted = QueryString.parse(call.query()).getOrDefault("records", "100");
    SimulatorStats s = engine.statsSnapshot();
    int keep;
    try {
      keep = wanted.equals("all") ? Integer.MAX_VALUE : Integer.parseInt(wanted);
    } catch (NumberFormatException e) {
      throw ApiException.invalidRequest("records: a number or 'all'");
    }
    call.sendJson(200, Map.of(), toJson(s, Math.max(0, keep)));
  }

  static ObjectNode toJson(SimulatorStats s, int keepRecords) {
    ObjectNode o = Json.object();
    o.put("attempts", s.attempts());
    ObjectNode statuses = o.putObject("status_counts");
    new TreeMap<>(s.statusCounts()).forEach((k, v) -> statuses.put(Integer.toString(k), v));
    o.put("succeeded", s.succeeded());
    o.put("rate_limited", s.rateLimited());
    ObjectNode by = o.putObject("rate_limited_by");
    for (BucketKind k : BucketKind.values()) {
      by.put(k.statName(), s.rateLimitedBy(k.statName()));
    }
    o.put("overloaded", s.overloaded());
    o.put("input_tokens_served", s.inputTokensServed());
    o.put("cache_creation_input_tokens_served", s.cacheCreationInputTokensServed());
    o.put("cache_read_input_tokens_served", s.cacheReadInputTokensServed());
    o.put("output_tokens_served", s.outputTokensServed());
    o.put("in_flight", s.inFlight());
    o.put("max_in_flight", s.maxInFlight());
    o.put("count_tokens_requests", s.countTokensRequests());
    o.put("count_tokens_rate_limited", s.countTokensRateLimited());
    ObjectNode faults = o.putObject("faults_injected");
    new TreeMap<>(s.faultsInjected()).forEach(faults::put);
    BatchStats b = s.batches();
    ObjectNode batches = o.putObject("batches");
    batches.put("created", b.created());
    batches.put("requests_submitted", b.requestsSubmitted());
    batches.put("succeeded", b.succeeded());
    batches.put("errored", b.errored());
    batches.put("canceled", b.canceled());
    batches.put("expired", b.expired());
    batches.put("processing", b.processing());
    batches.put("endpoint_requests", b.endpointRequests());
    batches.put("endpoint_rate_limited", b.endpointRateLimited());
    List<RequestRecord> records = s.records();
    ArrayNode arr = o.putArray("records");
    for (RequestRecord r : records.subList(Math.max(0, records.size() - keepRecords), records.size())) {
      ObjectNode j = arr.addObject();
      j.put("time", r.time().toString());
      j.put("request_id", r.requestId());
      j.put("model", r.model());
      j.put("pool", r.pool());
      j.put("status", r.status());
      j.put("error_type", r.errorType());
      j.put("limited_by", r.limitedBy());
      j.put("input_tokens", r.inputTokens());
      j.put("cache_creation_input_tokens", r.cacheCreationInputTokens());
      j.put("cache_read_input_tokens", r.cacheReadInputTokens());
      j.put("output_tokens", r.outputTokens());
      j.put("max_tokens", r.maxTokens());
      j.put("stream", r.stream());
      j.put("prompt_hash", r.promptHash());
      j.put("fault", r.fault());
    }
    return o;
  }
}
