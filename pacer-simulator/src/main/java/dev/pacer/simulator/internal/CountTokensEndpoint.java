package dev.pacer.simulator.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code POST /v1/messages/count_tokens}: its own requests bucket, no token buckets. */
final class CountTokensEndpoint {

  private final SimulatorEngine engine;

  CountTokensEndpoint(SimulatorEngine engine) {
    this.engine = engine;
  }

  void handle(HttpCall call) throws IOException {
    try {
      call.requireApiKey();
      MessagesRequest request = RequestValidator.countTokens(call.readBody(engine.config().maxRequestBytes()));
      Admission a = engine.countTokensBuckets().tryAdmit(Need.oneRequest(), engine.clock().nanoTime());
      Map<String, String> headers = RateLimitHeaders.of(a.buckets(), engine.clock().wallTime());
      if (!a.admitted()) {
        engine.stats().countTokens(true);
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put("retry-after", Long.toString(a.retryAfterSeconds()));
        h.put("x-should-retry", "true");
        BucketState b = a.bucket(BucketKind.REQUESTS);
        String message = a.exceedsCapacity()
            ? RateLimitMessages.exceedsLimit(BucketKind.REQUESTS, b.limit(), 1, b.capacity())
            : RateLimitMessages.wouldExceed(BucketKind.REQUESTS, b.limit());
        throw new ApiException(429, "rate_limit_error", message, h);
      }
      ObjectNode body = Json.object();
      body.put("input_tokens", PromptAnalyzer.analyze(request, engine.config().hiddenPromptTokens()).totalTokens());
      engine.stats().countTokens(false); // counted before answering, so a client that has the answer sees it
      call.sendJson(200, headers, body);
    } catch (ApiException e) {
      if (e.status() != 429) {
        engine.stats().countTokens(false);
      }
      throw e;
    }
  }
}
