package dev.pacer.jobs.batches;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.jobs.internal.InputLine;
import dev.pacer.jobs.internal.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Gathers requests into batches within the API's limits: at most {@code maxRequests} requests and
 * {@code maxBytes} bytes of create body each ({@code {"requests":[…]}}, as JSON without spaces).
 * A request is never split; one larger than {@code maxBytes} goes alone (the server judges it).
 */
public final class BatchSplitter {

  /** {@code {"requests":[} and {@code ]}}. */
  static final int BODY_OVERHEAD = "{\"requests\":[]}".length();

  private final int maxRequests;
  private final long maxBytes;
  private ArrayNode requests = JsonNodeFactory.instance.arrayNode();
  private List<String> customIds = new ArrayList<>();
  private long bytes = BODY_OVERHEAD;
  private double worstUsd;
  private boolean full;

  public BatchSplitter(int maxRequests, long maxBytes) {
    this.maxRequests = maxRequests;
    this.maxBytes = maxBytes;
  }

  /** One batch to create: its {@code requests} and their custom_ids, in order. */
  public record Batch(ArrayNode requests, List<String> customIds, long bytes, double worstUsd) {
    public int size() {
      return customIds.size();
    }

    /** The same batch without its {@code index}th request. */
    public Batch without(int index) {
      ArrayNode rest = requests.deepCopy();
      rest.remove(index);
      List<String> ids = new ArrayList<>(customIds);
      ids.remove(index);
      long less = Json.line(requests.get(index)).getBytes(StandardCharsets.UTF_8).length + 1;
      return new Batch(rest, List.copyOf(ids), bytes - less, worstUsd * ids.size() / Math.max(1, customIds.size()));
    }
  }

  /** True when the batch being gathered can take no more requests. */
  public boolean full() {
    return full || customIds.size() >= maxRequests;
  }

  /**
   * Adds a request. One that would take the batch past {@code maxBytes} closes it instead
   * ({@link #full()}) and starts the next, which {@link #take()} begins with.
   */
  public void add(InputLine.Request request, double worstCaseUsd) {
    if (full()) {
      throw new IllegalStateException("the batch is full: take() it first");
    }
    ObjectNode line = JsonNodeFactory.instance.objectNode();
    line.put("custom_id", request.customId());
    line.set("params", request.params());
    long size = Json.line(line).getBytes(StandardCharsets.UTF_8).length;
    if (!customIds.isEmpty() && bytes + 1 + size > maxBytes) {
      carry = new Carried(line, request.customId(), size, worstCaseUsd);
      full = true;
      return;
    }
    append(line, request.customId(), size, worstCaseUsd);
  }

  private record Carried(ObjectNode line, String customId, long size, double worstUsd) {}

  private Carried carry;

  private void append(ObjectNode line, String customId, long size, double worst) {
    bytes += size + (customIds.isEmpty() ? 0 : 1);
    requests.add(line);
    customIds.add(customId);
    worstUsd += worst;
    if (bytes >= maxBytes) {
      full = true;
    }
  }

  /** The worst-case cost of the requests gathered so far (a carried one included). */
  public double worstUsd() {
    return worstUsd + (carry == null ? 0 : carry.worstUsd());
  }

  /** The batch gathered so far (null if empty), and a fresh start. */
  public Batch take() {
    if (customIds.isEmpty()) {
      return null;
    }
    Batch batch = new Batch(requests, List.copyOf(customIds), bytes, worstUsd);
    requests = JsonNodeFactory.instance.arrayNode();
    customIds = new ArrayList<>();
    bytes = BODY_OVERHEAD;
    worstUsd = 0;
    full = false;
    if (carry != null) {
      Carried next = carry;
      carry = null;
      append(next.line(), next.customId(), next.size(), next.worstUsd());
    }
    return batch;
  }
}
