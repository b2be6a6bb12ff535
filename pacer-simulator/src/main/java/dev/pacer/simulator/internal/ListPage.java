package dev.pacer.simulator.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * One page of a list endpoint, paged as the API pages its lists: {@code limit} (1 to 1,000,
 * default 20), then the items after {@code after_id} or the {@code limit} items just before
 * {@code before_id}. {@code hasMore} says whether more lie beyond the page in that direction.
 *
 * @param from the page's first index in the list
 * @param end one past its last
 */
record ListPage(int from, int end, boolean hasMore) {

  /** The page of {@code ids} the query {@code q} asks for; a bad {@code limit} is a 400. */
  static ListPage of(Map<String, String> q, List<String> ids) {
    int limit;
    try {
      limit = Integer.parseInt(q.getOrDefault("limit", "20"));
    } catch (NumberFormatException e) {
      throw ApiException.invalidRequest("limit: Input should be a valid integer");
    }
    if (limit < 1 || limit > 1000) {
      throw ApiException.invalidRequest("limit: Input should be between 1 and 1000");
    }
    int from = 0;
    int to = ids.size();
    if (q.containsKey("after_id")) {
      from = ids.indexOf(q.get("after_id")) + 1;
    }
    if (q.containsKey("before_id")) {
      to = Math.max(0, ids.indexOf(q.get("before_id")));
      from = Math.max(0, to - limit);
    }
    int end = Math.min(to, from + limit);
    return new ListPage(Math.min(from, end), end, q.containsKey("before_id") ? from > 0 : end < to);
  }

  /** Puts {@code has_more}, {@code first_id} and {@code last_id} (null on an empty page) into a list's body. */
  void describe(ObjectNode body, ArrayNode data) {
    body.put("has_more", hasMore);
    if (data.isEmpty()) {
      body.putNull("first_id");
      body.putNull("last_id");
    } else {
      body.put("first_id", data.get(0).get("id").asText());
      body.put("last_id", data.get(data.size() - 1).get("id").asText());
    }
  }
}
