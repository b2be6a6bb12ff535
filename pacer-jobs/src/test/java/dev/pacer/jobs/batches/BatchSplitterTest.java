package dev.pacer.jobs.batches;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.jobs.internal.InputLine;
import dev.pacer.jobs.internal.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchSplitterTest {

  private static InputLine.Request request(int i, int promptChars) {
    ObjectNode params = JsonNodeFactory.instance.objectNode();
    params.put("model", "claude-haiku-4-5").put("max_tokens", 10);
    params.putArray("messages").addObject().put("role", "user").put("content", "x".repeat(promptChars));
    return new InputLine.Request(i + 1, "r" + i, false, params, "claude-haiku-4-5", 10);
  }

  /** Feeds {@code n} requests as the batch job does, taking each batch when it is full. */
  private static List<BatchSplitter.Batch> split(BatchSplitter splitter, int n, int promptChars) {
    List<BatchSplitter.Batch> batches = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (splitter.full()) {
        batches.add(splitter.take());
      }
      splitter.add(request(i, promptChars), 0.01);
    }
    BatchSplitter.Batch last = splitter.take();
    if (last != null) {
      batches.add(last);
    }
    return batches;
  }

  @Test
  void splitsByRequestCount() {
    List<BatchSplitter.Batch> batches = split(new BatchSplitter(4, 1 << 20), 10, 5);
    assertThat(batches).extracting(BatchSplitter.Batch::size).containsExactly(4, 4, 2);
    assertThat(batches.get(2).customIds()).containsExactly("r8", "r9");
    assertThat(batches.get(0).worstUsd()).isCloseTo(0.04, org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void splitsByBytesWithEveryBodyWithinTheLimitAndNoRequestLost() {
    long limit = 2_000;
    List<BatchSplitter.Batch> batches = split(new BatchSplitter(100_000, limit), 30, 300);
    assertThat(batches).hasSizeGreaterThan(1);
    List<String> all = new ArrayList<>();
    for (BatchSplitter.Batch batch : batches) {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.set("requests", batch.requests());
      long bytes = Json.line(body).getBytes(StandardCharsets.UTF_8).length;
      assertThat(bytes).as("the body as sent").isEqualTo(batch.bytes()).isLessThanOrEqualTo(limit);
      all.addAll(batch.customIds());
    }
    assertThat(all).hasSize(30).doesNotHaveDuplicates().startsWith("r0", "r1").endsWith("r29");
  }

  @Test
  void aRequestLargerThanTheByteLimitGoesAlone() {
    List<BatchSplitter.Batch> batches = split(new BatchSplitter(100, 500), 3, 1_000);
    assertThat(batches).extracting(BatchSplitter.Batch::size).containsExactly(1, 1, 1);
  }

  @Test
  void withoutDropsOneRequest() {
    BatchSplitter.Batch batch = split(new BatchSplitter(10, 1 << 20), 3, 5).get(0);
    BatchSplitter.Batch rest = batch.without(1);
    assertThat(rest.customIds()).containsExactly("r0", "r2");
    assertThat(rest.requests()).hasSize(2);
    assertThat(rest.requests().get(1).path("custom_id").asText()).isEqualTo("r2");
  }
}
