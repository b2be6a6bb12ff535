package dev.pacer.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CanonicalTest {

  @Test
  void quotesStringsExactlyAsJacksonDoes() {
    StringBuilder every = new StringBuilder();
    for (char c = 0; c < 0x180; c++) {
      every.append(c);
    }
    every.append("\u2028\u2029\uD83D\uDE00 日本語");
    assertQuotedLikeJackson(every.toString());
    SplittableRandom random = new SplittableRandom(17);
    for (int run = 0; run < 500; run++) {
      StringBuilder sb = new StringBuilder();
      int n = random.nextInt(40);
      for (int i = 0; i < n; i++) {
        sb.append((char) (random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0x10000)));
      }
      assertQuotedLikeJackson(sb.toString());
    }
  }

  private static void assertQuotedLikeJackson(String s) {
    StringBuilder ours = new StringBuilder();
    Canonical.quote(s, ours);
    assertThat(ours.toString()).isEqualTo(TextNode.valueOf(s).toString());
  }
}
