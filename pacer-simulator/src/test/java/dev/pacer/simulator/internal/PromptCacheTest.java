package dev.pacer.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PromptCacheTest {

  private final PromptCache cache = new PromptCache();

  private static PromptTokens prompt(String system, String cacheControl, String question) {
    String body = "{\"model\":\"m\",\"max_tokens\":5,"
        + "\"system\":[{\"type\":\"text\",\"text\":\"" + system + "\"" + cacheControl + "}],"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]}";
    return PromptAnalyzer.analyze(RequestValidator.messages(body.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void firstSightWritesThenReads() {
    String cc = ",\"cache_control\":{\"type\":\"ephemeral\"}";
    PromptTokens first = prompt("we share this short text", cc, "one");
    TokenSplit s1 = cache.split("pool", first);
    // 3 request + 2 system + 5 words = 10 written; 4 + 1 plain
    assertThat(s1).extracting(TokenSplit::inputTokens, TokenSplit::cacheCreation5m, TokenSplit::cacheRead)
        .containsExactly(5L, 10L, 0L);
    assertThat(cache.split("pool", first).cacheRead()).as("nothing remembered before admission").isZero();
    cache.remember("pool", s1);

    TokenSplit s2 = cache.split("pool", prompt("we share this short text", cc, "two one"));
    assertThat(s2).extracting(TokenSplit::inputTokens, TokenSplit::cacheCreation, TokenSplit::cacheRead)
        .containsExactly(6L, 0L, 10L);
    assertThat(s2.itpmCharge(false)).isEqualTo(6);
    assertThat(s2.itpmCharge(true)).isEqualTo(16);

    assertThat(cache.split("other-pool", first).cacheRead()).as("caches are per pool").isZero();
    assertThat(cache.split("pool", prompt("we share this other text", cc, "one")).cacheRead()).isZero();
  }

  @Test
  void oneHourMarksAreCountedApart() {
    TokenSplit s = cache.split("pool", prompt("sys", ",\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"1h\"}", "q"));
    assertThat(s.cacheCreation1h()).isEqualTo(6);
    assertThat(s.cacheCreation5m()).isZero();
  }

  @Test
  void withoutMarksEverythingIsInput() {
    PromptTokens p = prompt("sys", "", "q");
    TokenSplit s = cache.split("pool", p);
    assertThat(s.inputTokens()).isEqualTo(p.totalTokens());
    assertThat(s.cacheCreation() + s.cacheRead()).isZero();
  }
}
