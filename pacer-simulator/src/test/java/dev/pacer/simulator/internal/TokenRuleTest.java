package dev.pacer.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class TokenRuleTest {

  @Test
  void wordsWeighByLengthAndWhitespaceIsFree() {
    assertThat(TokenCounter.count("")).isZero();
    assertThat(TokenCounter.count("   \n\t ")).isZero();
    assertThat(TokenCounter.count("hello")).isEqualTo(1);
    assertThat(TokenCounter.count("pacing")).isEqualTo(2);
    assertThat(TokenCounter.count("admission")).isEqualTo(2);
    assertThat(TokenCounter.count("reconciliation")).isEqualTo(3); // 14 letters
    assertThat(TokenCounter.count("internationalization")).isEqualTo(4); // 20 letters
  }

  @Test
  void digitsPunctuationAndIdeographs() {
    assertThat(TokenCounter.count("2026")).isEqualTo(2);
    assertThat(TokenCounter.count("123456789")).isEqualTo(3);
    assertThat(TokenCounter.count("Hello, world!")).isEqualTo(4);
    assertThat(TokenCounter.count("v2")).isEqualTo(2);
    assertThat(TokenCounter.count("東京タワー")).isEqualTo(2 + 1); // two ideographs, one katakana word
    assertThat(TokenCounter.count("naïve café")).isEqualTo(2);
  }

  @Test
  void isNotCharsOverFour() {
    String text = "The quick brown fox jumps over the lazy dog. It was, by all accounts, unremarkable.";
    assertThat(TokenCounter.count(text)).isEqualTo(22).isNotEqualTo(text.length() / 4);
  }

  @Test
  void overheadsPerRequestMessageAndSystem() {
    ObjectNode body = Json.object();
    body.put("model", "m");
    body.put("max_tokens", 10);
    body.put("system", "Be brief.");
    ArrayNode messages = body.putArray("messages");
    messages.addObject().put("role", "user").put("content", "one two three");
    ObjectNode reply = messages.addObject().put("role", "assistant");
    reply.putArray("content").addObject().put("type", "text").put("text", "four");
    PromptTokens p = PromptAnalyzer.analyze(RequestValidator.messages(Json.bytes(body)));
    // 3 request + (2 system + 3) + (4 + 3) + (4 + 1)
    assertThat(p.totalTokens()).isEqualTo(20);
  }

  @Test
  void promptHashIgnoresKeyOrderAndCacheMarksButNotContent() {
    String a = "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}]}";
    String b = "{\"messages\":[{\"content\":[{\"text\":\"hi\",\"type\":\"text\",\"cache_control\":{\"type\":\"ephemeral\"}}],\"role\":\"user\"}],\"max_tokens\":9,\"model\":\"m\"}";
    String c = a.replace("\"hi\"", "\"ho\"");
    assertThat(hash(a)).isEqualTo(hash(b)).isNotEqualTo(hash(c)).hasSize(16);
  }

  private static String hash(String body) {
    return PromptAnalyzer.analyze(RequestValidator.messages(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .promptHashHex();
  }
}
