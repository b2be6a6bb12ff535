package dev.pacer.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AnswerGeneratorTest {

  @Test
  void sameSeedAndPromptSameAnswer() {
    Answer a = new AnswerGenerator(1, 20, 400).answer(12345L, 1000);
    Answer b = new AnswerGenerator(1, 20, 400).answer(12345L, 1000);
    assertThat(a).isEqualTo(b);
    assertThat(new AnswerGenerator(2, 20, 400).answer(12345L, 1000)).isNotEqualTo(a);
  }

  @Test
  void lengthsSpreadOverTheRangeAndEachWordIsOneToken() {
    AnswerGenerator g = new AnswerGenerator(0, 20, 400);
    Set<Long> lengths = new HashSet<>();
    for (long h = 0; h < 500; h++) {
      Answer a = g.answer(Mix.mix64(h), 10_000);
      assertThat(a.outputTokens()).isBetween(20L, 400L);
      assertThat(TokenCounter.count(a.text())).isEqualTo(a.outputTokens());
      assertThat(a.stopReason()).isEqualTo("end_turn");
      lengths.add(a.outputTokens());
    }
    assertThat(lengths).hasSizeGreaterThan(200);
  }

  @Test
  void maxTokensCapsAndSaysSo() {
    AnswerGenerator g = new AnswerGenerator(0, 100, 100);
    assertThat(g.answer(7, 100).stopReason()).isEqualTo("end_turn");
    Answer capped = g.answer(7, 99);
    assertThat(capped.outputTokens()).isEqualTo(99);
    assertThat(capped.stopReason()).isEqualTo("max_tokens");
  }

  @Test
  void deltasJoinToTheText() {
    Answer a = new AnswerGenerator(0, 50, 50).answer(9, 100);
    StringBuilder sb = new StringBuilder();
    for (int from = 0; from < 50; from += 16) {
      sb.append(a.delta(from, Math.min(50, from + 16)));
    }
    assertThat(sb.toString()).isEqualTo(a.text());
  }
}
