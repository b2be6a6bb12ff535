package dev.pacer.jobs.batches;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonField;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.HttpResponse;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicIoException;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.models.messages.batches.BatchCreateParams;
import com.anthropic.models.messages.batches.BatchListParams;
import com.anthropic.models.messages.batches.MessageBatch;
import com.anthropic.models.messages.batches.MessageBatchIndividualResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.anthropic.PacedAnthropic;
import dev.pacer.jobs.ResultError;
import dev.pacer.jobs.internal.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The Message Batches endpoints through the official Java SDK
 * ({@code client.messages().batches()}). Given the job's paced client, every call waits for the
 * batch endpoints' own requests-per-minute limit (the Pacer's pool {@code batches}) and is retried
 * by the Pacer (429 with its retry-after, 5xx, broken connections). Bodies go out and come back as
 * JSON, untouched: the create body is the job's lines as they are, and each result line is written
 * as the server sent it.
 */
public final class SdkBatchApi implements BatchApi {

  private final AnthropicClient client;
  private final String priority;

  /**
   * @param client the SDK client, paced ({@link PacedAnthropic}) or not
   * @param priority the Pacer queue the calls wait in ({@code batch} or {@code interactive})
   */
  public SdkBatchApi(AnthropicClient client, String priority) {
    this.client = client;
    this.priority = priority;
  }

  @Override
  public BatchInfo create(ArrayNode requests) {
    BatchCreateParams params = BatchCreateParams.builder().requests(jsonField(requests))
        .putAdditionalHeader(PacedAnthropic.PRIORITY_HEADER, priority).build();
    return call(() -> info(body(client.messages().batches().withRawResponse().create(params))));
  }

  @Override
  public BatchInfo retrieve(String batchId) {
    return call(() -> info(body(client.messages().batches().withRawResponse().retrieve(batchId))));
  }

  @Override
  public void results(String batchId, Consumer<ObjectNode> line) throws IOException {
    try {
      call(() -> {
        try (HttpResponseFor<StreamResponse<MessageBatchIndividualResponse>> response =
                 client.messages().batches().withRawResponse().resultsStreaming(batchId);
             BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
          String text;
          while ((text = reader.readLine()) != null) {
            if (text.isBlank()) {
              continue;
            }
            JsonNode node = Json.parse(text);
            if (node.isObject()) {
              line.accept((ObjectNode) node);
            }
          }
          return null;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  @Override
  public List<BatchInfo> createdSince(Instant since) {
    return call(() -> {
      List<BatchInfo> found = new ArrayList<>();
      for (MessageBatch batch : client.messages().batches().list(BatchListParams.builder().limit(100).build())
          .autoPager()) {
        BatchInfo info = info(batch);
        if (info.createdAt().isBefore(since)) {
          break; // newest first: the rest are older
        }
        found.add(info);
      }
      return found;
    });
  }

  private static BatchInfo info(MessageBatch batch) {
    var counts = batch.requestCounts();
    long requests = counts.processing() + counts.succeeded() + counts.errored() + counts.canceled() + counts.expired();
    return new BatchInfo(batch.id(), batch.processingStatus().asString(), requests, batch.createdAt().toInstant(),
        Optional.of(batch.expiresAt().toInstant()));
  }

  private static BatchInfo info(JsonNode batch) {
    JsonNode counts = batch.path("request_counts");
    long requests = 0;
    for (String field : new String[] {"processing", "succeeded", "errored", "canceled", "expired"}) {
      requests += counts.path(field).asLong(0);
    }
    return new BatchInfo(batch.path("id").asText(), batch.path("processing_status").asText(), requests,
        instant(batch.path("created_at")).orElse(Instant.EPOCH), instant(batch.path("expires_at")));
  }

  private static Optional<Instant> instant(JsonNode node) {
    if (!node.isTextual()) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(node.asText()).toInstant());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** A response's body as JSON, as the server sent it (the SDK's own parse is not needed). */
  private static JsonNode body(HttpResponse response) {
    try (response) {
      JsonNode node = Json.MAPPER.readTree(response.body());
      if (node == null || !node.isObject()) {
        throw new IllegalStateException("the batch endpoint's answer is not a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the batch endpoint's answer", e);
    }
  }

  /** Runs one call, turning the SDK's failures into {@link BatchApiException}s. */
  private static <T> T call(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (AnthropicServiceException e) {
      throw new BatchApiException(errorOf(e), e);
    } catch (AnthropicIoException e) {
      throw new BatchApiException(new ResultError("api_error", "no answer from the batch endpoint: " + e.getMessage(),
          0, null, null), e);
    }
  }

  private static ResultError errorOf(AnthropicServiceException e) {
    JsonNode body;
    try {
      body = com.anthropic.core.ObjectMappers.jsonMapper().valueToTree(e.body());
    } catch (RuntimeException ignored) {
      body = null;
    }
    JsonNode error = body == null ? null : body.path("error");
    Function<String, String> text = field -> error != null && error.hasNonNull(field) ? error.get(field).asText() : null;
    String type = Optional.ofNullable(text.apply("type")).orElse(e.statusCode() == 429 ? "rate_limit_error"
        : e.statusCode() == 413 ? "request_too_large" : e.statusCode() >= 500 ? "api_error" : "invalid_request_error");
    String message = Optional.ofNullable(text.apply("message")).orElse(String.valueOf(e.getMessage()));
    String requestId = body != null && body.hasNonNull("request_id") ? body.get("request_id").asText()
        : e.requestId().orElse(null);
    return new ResultError(type, message, e.statusCode(), requestId, null);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static <T> JsonField<T> jsonField(JsonNode node) {
    return (JsonField) JsonValue.fromJsonNode(node);
  }
}
