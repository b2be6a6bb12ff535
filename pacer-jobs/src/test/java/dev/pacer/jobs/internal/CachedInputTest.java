package dev.pacer.jobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.estimate.TokenEstimator;
import org.junit.jupiter.api.Test;

class CachedInputTest {

  /** One token a character: the splits can be checked by hand. */
  private static final TokenEstimator CHARACTERS = (pool, text) -> text.length();

  private static final String DOCUMENT = "A long document. ".repeat(100);

  @Test
  void theFirstLineMarkingAPrefixWritesItAndTheLinesAfterReadIt() {
    CachedInput input = new CachedInput(CHARACTERS);
    CachedInput.Split first = input.next("pool", question(DOCUMENT, 1), false);
    CachedInput.Split second = input.next("pool", question(DOCUMENT, 2), false);

    assertThat(first.read()).isZero();
    assertThat(first.written()).isGreaterThan(DOCUMENT.length()).isLessThan(first.counted());
    assertThat(second.written()).isZero();
    assertThat(second.read()).isEqualTo(first.written());
    assertThat(second.counted()).isEqualTo(first.plain()).isLessThan(100);
    assertThat(second.whole()).isEqualTo(first.whole());
  }

  @Test
  void anotherDocumentIsWrittenAgainAndUnmarkedLinesAreAllInput() {
    CachedInput input = new CachedInput(CHARACTERS);
    input.next("pool", question(DOCUMENT, 1), false);
    CachedInput.Split other = input.next("pool", question("Another document. ".repeat(100), 2), false);
    assertThat(other.read()).isZero();
    assertThat(other.written()).isPositive();

    String plain = "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    CachedInput.Split unmarked = input.next("pool", plain, false);
    assertThat(unmarked.written()).isZero();
    assertThat(unmarked.read()).isZero();
    assertThat(unmarked.counted()).isPositive();
  }

  @Test
  void aPoolThatCountsCacheReadsCountsTheWholePrompt() {
    CachedInput input = new CachedInput(CHARACTERS);
    CachedInput.Split first = input.next("pool", question(DOCUMENT, 1), true);
    CachedInput.Split second = input.next("pool", question(DOCUMENT, 2), true);
    assertThat(second.counted()).isEqualTo(second.whole()).isEqualTo(first.whole());
    assertThat(second.read()).isZero();
  }

  @Test
  void anExactCountKeepsTheShares() {
    CachedInput.Split split = new CachedInput.Split(100, 60, 300);
    CachedInput.Split exact = split.scaledTo(200);
    assertThat(exact.whole()).isEqualTo(200);
    assertThat(exact.read()).isEqualTo(150);
    assertThat(exact.written()).isEqualTo(30);
    assertThat(new CachedInput.Split(0, 0, 0).scaledTo(7)).isEqualTo(new CachedInput.Split(7, 0, 0));
  }

  private static String question(String document, int i) {
    return "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":20,\"system\":[{\"type\":\"text\",\"text\":\"" + document
        + "\",\"cache_control\":{\"type\":\"ephemeral\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"Question "
        + i + "?\"}]}";
  }
}
