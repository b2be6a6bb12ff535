package dev.pacer.jobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Seeded random cases: a failure replays from its seed. */
class CustomIdsTest {

  private static final String ALPHABET = "abcXYZ019_- !é\"{}\t/\\.";

  private static String randomText(Random random, int maxLength) {
    StringBuilder text = new StringBuilder();
    int length = random.nextInt(maxLength + 1);
    for (int i = 0; i < length; i++) {
      text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return text.toString();
  }

  @Test
  void derivedIdsAreValidStableAndIgnoreSurroundingSpace() {
    Random random = new Random(20261127);
    for (int i = 0; i < 2_000; i++) {
      String line = randomText(random, 80);
      String id = CustomIds.derive(line);
      assertThat(CustomIds.isValid(id)).as(line).isTrue();
      assertThat(id).hasSize(22).startsWith("h-");
      assertThat(CustomIds.derive("  " + line + "\t")).as(line).isEqualTo(id);
    }
  }

  @Test
  void validIdsAreExactlyTheBatchPattern() {
    Random random = new Random(7);
    for (int i = 0; i < 5_000; i++) {
      String id = randomText(random, 70);
      boolean expected = !id.isEmpty() && id.length() <= 64 && id.chars().allMatch(c ->
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
      assertThat(CustomIds.isValid(id)).as(id).isEqualTo(expected);
      if (!expected) {
        assertThat(CustomIds.whyInvalid(id)).isNotBlank();
      }
    }
  }
}
