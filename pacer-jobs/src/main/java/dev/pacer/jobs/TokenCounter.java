package dev.pacer.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;

/** Exact input-token counts for {@code --dry-run --exact} (the API's free count_tokens endpoint). */
public interface TokenCounter {

  /** Completes with the input tokens of a Messages request body ({@code params}), or exceptionally. */
  CompletableFuture<Long> countInputTokens(ObjectNode params);
}
