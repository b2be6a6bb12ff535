package dev.pacer.bench;

import com.anthropic.models.messages.CacheControlEphemeral;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.TextBlockParam;
import java.util.List;
import java.util.Random;

/**
 * One request of a job: a user message (and perhaps a cached system prompt), its {@code max_tokens},
 * and its place in the job. Every contender sends exactly these.
 *
 * @param index its place in the job, sent as the {@value #INDEX_HEADER} header so that attempts can
 *     be told apart below every retry layer
 * @param model the model id
 * @param system a system prompt marked {@code cache_control}, or null for none
 * @param user the user message
 * @param maxTokens {@code max_tokens}
 * @param neverFits true for a request that needs more of a bucket than its limit allows
 */
public record JobRequest(int index, String model, String system, String user, long maxTokens, boolean neverFits) {

  /** The header that carries a request's index; the simulator ignores it. */
  public static final String INDEX_HEADER = "x-bench-request";

  /** Words of seven letters: two tokens each by the simulator's rule, and four characters a token, as in English. */
  private static final String[] WORDS = {
    "balance", "capture", "durable", "elegant", "fashion", "genuine", "harvest", "imagine", "journey", "kingdom",
    "library", "machine", "natural", "optimal", "passage", "quality", "respect", "science", "thunder", "uniform",
    "variety", "weather", "example", "pattern", "harmony", "lantern", "orchard", "pianist", "rainbow", "sunrise"};

  /** The request as the official SDK's params, its index in a header. */
  public MessageCreateParams params() {
    MessageCreateParams.Builder builder = MessageCreateParams.builder()
        .model(model)
        .maxTokens(maxTokens)
        .putAdditionalHeader(INDEX_HEADER, Integer.toString(index));
    if (system != null) {
      builder.systemOfTextBlockParams(List.of(TextBlockParam.builder().text(system)
          .cacheControl(CacheControlEphemeral.builder().build()).build()));
    }
    return builder.addUserMessage(user).build();
  }

  /**
   * Input tokens as a user estimates them without a tokenizer: characters / 4 over the whole
   * prompt, plus a few for the envelope.
   */
  public long estimatedInputTokens() {
    long chars = user.length() + (system == null ? 0 : system.length());
    return chars / 4 + 10;
  }

  /**
   * The input tokens a user who read the rate-limit docs expects to count against ITPM: cache
   * reads are free, so a cached system prompt is left out.
   */
  public long estimatedCountedInputTokens() {
    return user.length() / 4 + 10;
  }

  /** Words of text worth about {@code tokens} tokens, the same for the same seed. */
  static String text(Random random, long tokens) {
    StringBuilder text = new StringBuilder((int) Math.min(Integer.MAX_VALUE / 2, tokens * 4 + 16));
    for (long t = 0; t < tokens; t += 2) {
      if (t > 0) {
        text.append(' ');
      }
      text.append(WORDS[random.nextInt(WORDS.length)]);
    }
    return text.toString();
  }
}
