package dev.pacer.anthropic.internal;

import com.anthropic.core.http.HttpMethod;
import com.anthropic.core.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Which API endpoint a request goes to, read from its URL: what decides whether and how it is
 * paced.
 *
 * @param kind the endpoint
 * @param batchId for {@link Kind#BATCH_RESULTS}, the batch whose results these are; else null
 */
public record Route(Kind kind, String batchId) {

  /** The endpoints Pacer tells apart. */
  public enum Kind {
    /** {@code POST /v1/messages}: paced on requests, input and output tokens. */
    MESSAGES,
    /** {@code POST /v1/messages/count_tokens}: paced on its own requests-per-minute limit. */
    COUNT_TOKENS,
    /** {@code POST /v1/messages/batches}: creates a batch; paced on the batch endpoints' limit. */
    BATCH_CREATE,
    /** {@code GET /v1/messages/batches/{id}/results}: the results, JSONL; paced, and priced as they pass. */
    BATCH_RESULTS,
    /** Any other Message Batches call (retrieve, list, cancel, delete). */
    BATCHES,
    /** Everything else (models, files, ...): not paced, retried by Pacer's policy. */
    OTHER
  }

  /** The route of {@code request}. */
  public static Route of(HttpRequest request) {
    return of(request.method(), segments(request));
  }

  static Route of(HttpMethod method, List<String> path) {
    int v1 = path.indexOf("v1");
    if (v1 < 0 || path.size() <= v1 + 1 || !path.get(v1 + 1).equals("messages")) {
      return new Route(Kind.OTHER, null);
    }
    List<String> rest = path.subList(v1 + 2, path.size());
    if (rest.isEmpty()) {
      return new Route(method == HttpMethod.POST ? Kind.MESSAGES : Kind.OTHER, null);
    }
    if (rest.size() == 1 && rest.get(0).equals("count_tokens")) {
      return new Route(method == HttpMethod.POST ? Kind.COUNT_TOKENS : Kind.OTHER, null);
    }
    if (rest.get(0).equals("batches")) {
      if (rest.size() == 1 && method == HttpMethod.POST) {
        return new Route(Kind.BATCH_CREATE, null);
      }
      if (rest.size() == 3 && rest.get(2).equals("results") && method == HttpMethod.GET) {
        return new Route(Kind.BATCH_RESULTS, rest.get(1));
      }
      return new Route(Kind.BATCHES, null);
    }
    return new Route(Kind.OTHER, null);
  }

  /** The path's segments, from the URL (a results URL may be absolute and carry its own path). */
  private static List<String> segments(HttpRequest request) {
    List<String> segments = new ArrayList<>();
    String url = request.url();
    int query = url.indexOf('?');
    String path = query < 0 ? url : url.substring(0, query);
    int scheme = path.indexOf("://");
    if (scheme >= 0) {
      int slash = path.indexOf('/', scheme + 3);
      path = slash < 0 ? "" : path.substring(slash);
    }
    for (String part : path.split("/")) {
      if (!part.isEmpty()) {
        segments.add(part);
      }
    }
    return segments;
  }

  public boolean isPaced() {
    return kind != Kind.OTHER;
  }
}
