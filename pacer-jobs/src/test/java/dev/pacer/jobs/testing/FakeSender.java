package dev.pacer.jobs.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.jobs.Attempts;
import dev.pacer.jobs.RequestSender;
import dev.pacer.jobs.ResultError;
import dev.pacer.jobs.SendOutcome;
import dev.pacer.limits.Limits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/**
 * A scripted {@link RequestSender}: answers every request at once with a message (10 input and 20
 * output tokens) unless told otherwise, records what was sent, and can hold requests in flight
 * until a test releases them.
 */
public final class FakeSender implements RequestSender {

  private final List<String> sent = new CopyOnWriteArrayList<>();
  private final Map<String, ObjectNode> params = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<SendOutcome>> held = new ConcurrentHashMap<>();
  private final Map<String, Limits> limits = new HashMap<>();
  private volatile BiFunction<String, ObjectNode, SendOutcome> answer = FakeSender::success;
  private volatile boolean hold;
  private volatile String heldModel;
  private volatile String neverAnswered;

  /** A message as the API would answer. */
  public static SendOutcome success(String customId, ObjectNode params) {
    return new SendOutcome.Succeeded(message(params.path("model").asText(), "answer to " + customId, 10, 20),
        Attempts.once());
  }

  public static ObjectNode message(String model, String text, long input, long output) {
    ObjectNode message = JsonNodeFactory.instance.objectNode();
    message.put("id", "msg_fake");
    message.put("type", "message");
    message.put("role", "assistant");
    message.put("model", model);
    message.putArray("content").addObject().put("type", "text").put("text", text);
    message.put("stop_reason", "end_turn");
    message.putNull("stop_sequence");
    ObjectNode usage = message.putObject("usage");
    usage.put("input_tokens", input);
    usage.put("output_tokens", output);
    usage.put("cache_creation_input_tokens", 0);
    usage.put("cache_read_input_tokens", 0);
    return message;
  }

  public static SendOutcome error(String type, int status, String message) {
    return new SendOutcome.Errored(new ResultError(type, message, status, "req_fake", null), Attempts.once());
  }

  /** Answers with {@code answer} from now on. */
  public FakeSender answering(BiFunction<String, ObjectNode, SendOutcome> answer) {
    this.answer = answer;
    return this;
  }

  /** Keeps requests in flight until {@link #releaseAll()}. */
  public FakeSender holding(boolean hold) {
    this.hold = hold;
    return this;
  }

  /** Keeps requests for {@code model} in flight until {@link #releaseAll()} ({@code null}: none). */
  public FakeSender holdingModel(String model) {
    this.heldModel = model;
    return this;
  }

  public FakeSender limits(String pool, Limits poolLimits) {
    limits.put(pool, poolLimits);
    return this;
  }

  @Override
  public CompletableFuture<SendOutcome> send(String customId, ObjectNode requestParams) {
    sent.add(customId);
    params.put(customId, requestParams);
    if (hold || (heldModel != null && heldModel.equals(requestParams.path("model").asText()))) {
      CompletableFuture<SendOutcome> future = new CompletableFuture<>();
      held.put(customId, future);
      return future;
    }
    return CompletableFuture.completedFuture(answer.apply(customId, requestParams));
  }

  @Override
  public Optional<Limits> limits(String pool) {
    return Optional.ofNullable(limits.get(pool));
  }

  /** Reports, from now on, a server that has never answered ({@code null}: one that has). */
  public FakeSender neverAnswered(String failure) {
    this.neverAnswered = failure;
    return this;
  }

  @Override
  public Optional<String> neverAnswered() {
    return Optional.ofNullable(neverAnswered);
  }

  public void releaseAll() {
    for (Map.Entry<String, CompletableFuture<SendOutcome>> entry : held.entrySet()) {
      entry.getValue().complete(answer.apply(entry.getKey(), params.get(entry.getKey())));
    }
    held.clear();
  }

  public int heldCount() {
    return held.size();
  }

  public List<String> sent() {
    return new ArrayList<>(sent);
  }

  public ObjectNode paramsOf(String customId) {
    return params.get(customId);
  }
}
