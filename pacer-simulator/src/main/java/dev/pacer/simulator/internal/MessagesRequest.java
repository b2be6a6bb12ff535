package dev.pacer.simulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * A validated Messages (or count_tokens) request body: what the simulator reads of it.
 *
 * @param maxTokens {@code max_tokens}; 0 for count_tokens, which has none
 * @param system the {@code system} value (a string or text blocks), or null
 * @param tools the {@code tools} array, or null
 */
public record MessagesRequest(
    String model, long maxTokens, boolean stream, JsonNode system, ArrayNode messages, ArrayNode tools) {}
