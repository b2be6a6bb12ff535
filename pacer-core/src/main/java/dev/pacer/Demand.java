package dev.pacer;

import java.time.Duration;
import java.util.Objects;

/**
 * What one request will ask of its pool's buckets: one request, its input tokens and the output
 * tokens it may produce ({@code max_tokens}).
 *
 * @param model the model id; its pool comes from the model data
 * @param inputTokens the input tokens to reserve, or {@link #ESTIMATE} to let Pacer estimate them
 *     from {@code inputText}
 * @param inputText the text the estimator measures (e.g. the request body) when inputTokens is
 *     {@link #ESTIMATE}; may be empty otherwise
 * @param maxTokens the request's {@code max_tokens}, at least 1; 0 for endpoints without output
 *     (count_tokens)
 * @param priority the queue to wait in
 * @param timeout how long the whole request (waits, attempts and retries) may take; null for none
 * @param endpoint which limits the request counts against
 * @param sendReported whether each attempt's transport calls {@link Permit#sent()} when the request
 *     has left; the governor then knows how long a full bucket at the server went without refill
 *     (see {@link Permit#sent()})
 * @param cacheReadAssumed whether {@code inputText} leaves out a prompt prefix expected to be read
 *     from the server's prompt cache (which the input limit does not count). Its answer then says
 *     nothing about the text's ratio of tokens to characters, whether the guess was right (the
 *     read is not counted) or wrong (the prefix was written, and counted): the estimator does not
 *     learn from it
 */
public record Demand(String model, long inputTokens, String inputText, long maxTokens, Priority priority,
    Duration timeout, Endpoint endpoint, boolean sendReported, boolean cacheReadAssumed) {

  /** Marks inputTokens as "estimate from inputText". */
  public static final long ESTIMATE = -1;

  /** The endpoint a demand is for: each has its own limits. */
  public enum Endpoint {
    /** {@code POST /v1/messages}: requests, input and output tokens. */
    MESSAGES,
    /** {@code POST /v1/messages/count_tokens}: its own requests-per-minute limit only. */
    COUNT_TOKENS,
    /** The Message Batches endpoints: their own requests-per-minute limit only. */
    BATCHES
  }

  /** A demand whose sends are not reported (see {@link #sendReported}). */
  public Demand(String model, long inputTokens, String inputText, long maxTokens, Priority priority, Duration timeout,
      Endpoint endpoint) {
    this(model, inputTokens, inputText, maxTokens, priority, timeout, endpoint, false, false);
  }

  /** A demand that assumes no prompt-cache read (see {@link #cacheReadAssumed}). */
  public Demand(String model, long inputTokens, String inputText, long maxTokens, Priority priority, Duration timeout,
      Endpoint endpoint, boolean sendReported) {
    this(model, inputTokens, inputText, maxTokens, priority, timeout, endpoint, sendReported, false);
  }

  public Demand {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(priority, "priority");
    Objects.requireNonNull(endpoint, "endpoint");
    inputText = inputText == null ? "" : inputText;
    if (inputTokens < 0 && inputTokens != ESTIMATE) {
      throw new IllegalArgumentException("inputTokens must be >= 0 or ESTIMATE, got " + inputTokens);
    }
    if (maxTokens < 0) {
      throw new IllegalArgumentException("maxTokens must be >= 0, got " + maxTokens);
    }
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
  }

  /** A Messages request with known input tokens. */
  public static Demand of(String model, long inputTokens, long maxTokens) {
    return new Demand(model, inputTokens, "", maxTokens, Priority.BATCH, null, Endpoint.MESSAGES);
  }

  /** A Messages request whose input tokens Pacer estimates from {@code inputText}. */
  public static Demand estimated(String model, String inputText, long maxTokens) {
    return new Demand(model, ESTIMATE, inputText, maxTokens, Priority.BATCH, null, Endpoint.MESSAGES);
  }

  /** A count_tokens request. */
  public static Demand countTokens(String model) {
    return new Demand(model, 0, "", 0, Priority.BATCH, null, Endpoint.COUNT_TOKENS);
  }

  /** A call to one of the Message Batches endpoints. */
  public static Demand batchesApi() {
    return new Demand("batches", 0, "", 0, Priority.BATCH, null, Endpoint.BATCHES);
  }

  public Demand withPriority(Priority newPriority) {
    return new Demand(model, inputTokens, inputText, maxTokens, newPriority, timeout, endpoint, sendReported, cacheReadAssumed);
  }

  public Demand withTimeout(Duration newTimeout) {
    return new Demand(model, inputTokens, inputText, maxTokens, priority, newTimeout, endpoint, sendReported, cacheReadAssumed);
  }

  /** The same demand, its attempts' transport calling {@link Permit#sent()} when each request has left. */
  public Demand withSendReported() {
    return new Demand(model, inputTokens, inputText, maxTokens, priority, timeout, endpoint, true, cacheReadAssumed);
  }

  /**
   * The same demand with its input tokens known (counted by the server, say), no longer estimated;
   * the text stays for what else may read it.
   */
  public Demand withInputTokens(long knownInputTokens) {
    if (knownInputTokens < 0) {
      throw new IllegalArgumentException("input tokens must be >= 0, got " + knownInputTokens);
    }
    return new Demand(model, knownInputTokens, inputText, maxTokens, priority, timeout, endpoint, sendReported,
        cacheReadAssumed);
  }

  /**
   * The same demand, its {@code inputText} leaving out a prompt prefix expected to be read from
   * the server's cache (see {@link #cacheReadAssumed}).
   */
  public Demand withCacheReadAssumed() {
    return new Demand(model, inputTokens, inputText, maxTokens, priority, timeout, endpoint, sendReported, true);
  }

  public boolean needsEstimate() {
    return inputTokens == ESTIMATE;
  }

  @Override
  public String toString() {
    return "Demand[" + endpoint + " " + model + ", input " + (needsEstimate() ? "~" + inputText.length() + " chars" : inputTokens)
        + (cacheReadAssumed ? " after a cached prefix" : "") + ", max_tokens " + maxTokens + ", " + priority + (timeout == null ? "" : ", timeout " + timeout) + "]";
  }
}
