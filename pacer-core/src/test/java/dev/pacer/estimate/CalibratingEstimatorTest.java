package dev.pacer.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The default estimator: cautious before data, calibrated per pool, one ratio for every script. */
class CalibratingEstimatorTest {

  private static final String POOL = "haiku-4-5";
  private static final String ENGLISH = "Summarise the following report in three short sentences for a busy reader. ".repeat(20);

  /** {@code n} distinct ideographs' worth of Chinese text. */
  private static String chinese(int n) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < n; i++) {
      text.appendCodePoint(0x4E00 + (i * 7) % 2_000);
    }
    return text.toString();
  }

  @Test
  void beforeAnyAnswerEnglishCostsHalfATokenACharacterAndAnIdeographTwoTokens() {
    CalibratingEstimator estimator = new CalibratingEstimator();

    assertThat(estimator.estimate(POOL, ENGLISH)).isEqualTo((long) Math.ceil(ENGLISH.length() * 0.5));
    // A tokenizer spends about a token on an ideograph: the first guess must not fall below that.
    assertThat(estimator.estimate(POOL, chinese(1_000))).isEqualTo(2_000);
    assertThat(estimator.isCalibrated(POOL)).isFalse();
  }

  @Test
  void oneChinesePromptAmongEnglishOnesNoLongerInflatesTheEnglishEstimates() {
    CalibratingEstimator estimator = new CalibratingEstimator();
    long englishCount = ENGLISH.length() / 5; // about what a tokenizer counts for English
    for (int i = 0; i < 3; i++) {
      estimator.calibrate(POOL, ENGLISH, englishCount);
    }
    estimator.calibrate(POOL, chinese(1_000), 1_000); // a token an ideograph

    assertThat(estimator.isCalibrated(POOL)).isTrue();
    // Per plain character the Chinese prompt cost five times what English does; per unit about the same.
    assertThat(estimator.estimate(POOL, ENGLISH)).isGreaterThanOrEqualTo(englishCount)
        .isLessThan(englishCount * 3 / 2);
    assertThat(estimator.estimate(POOL, chinese(2_000))).isGreaterThanOrEqualTo(2_000).isLessThan(2_200);
  }

  @Test
  void calibratedEstimatesFollowTheLargestRecentRatioWithASmallMargin() {
    CalibratingEstimator estimator = new CalibratingEstimator();
    estimator.calibrate(POOL, "a".repeat(1_000), 200);
    estimator.calibrate(POOL, "b".repeat(1_000), 300);
    estimator.calibrate(POOL, "c".repeat(1_000), 250);

    assertThat(estimator.estimate(POOL, "d".repeat(1_000))).isEqualTo(306); // 0.3 * 1.02
    assertThat(estimator.estimate("another-pool", "d".repeat(1_000))).as("pools learn apart").isEqualTo(500);
  }

  @Test
  void anOverheadOnEveryRequestDoesNotMultiplyALongPromptsEstimate() {
    // The API counts a tool-use system prompt (hundreds of tokens) on every request with tools:
    // a short prompt costs far more per character than a long one.
    CalibratingEstimator estimator = new CalibratingEstimator();
    java.util.Random random = new java.util.Random(5);
    int[] lengths = {120, 300, 150, 2_000, 130, 8_000, 500, 140};
    for (int length : lengths) {
      estimator.calibrate(POOL, "x".repeat(length), overheadServer(length, random));
    }

    long longPrompt = 50_000;
    long estimate = estimator.estimate(POOL, "x".repeat((int) longPrompt));
    assertThat(estimate).isGreaterThanOrEqualTo(350 + longPrompt / 5) // at least what the server counts
        .isLessThan((350 + longPrompt / 5) * 115 / 100); // the overhead-blind ratio gave about 15 times that
    assertThat(estimator.estimate(POOL, "x".repeat(120))).isGreaterThanOrEqualTo(350 + 24);
  }

  @Test
  void longPromptsReadFromTheCacheDoNotHideWhatTheSamePromptCostsWritten() {
    // Short prompts uncached (a fifth of a token a character); long ones whose 12,000-character
    // system prompt is read from the cache and not counted. A long prompt written to the cache
    // (a new document) counts it all: estimated from the cached reads alone, it came to a few
    // dozen tokens and drew a 429 in a tight job.
    CalibratingEstimator estimator = new CalibratingEstimator();
    for (int i = 0; i < 10; i++) {
      estimator.calibrate(POOL, "s".repeat(150 + i), 30 + i / 5, false);
      estimator.calibrate(POOL, "l".repeat(12_100 + i), 25, true);
    }
    assertThat(estimator.estimate(POOL, "w".repeat(12_100))).isGreaterThanOrEqualTo(12_100 / 5);
  }

  @Test
  void whateverTheServerCountsEveryRecentSampleIsCoveredByItsEstimate() {
    java.util.Random random = new java.util.Random(11);
    for (int run = 0; run < 200; run++) {
      CalibratingEstimator estimator = new CalibratingEstimator();
      long overhead = random.nextInt(4) == 0 ? 0 : random.nextInt(600);
      double ratio = 0.1 + random.nextDouble() * 0.4;
      int[] units = new int[4 + random.nextInt(20)];
      long[] counts = new long[units.length];
      for (int i = 0; i < units.length; i++) {
        units[i] = 1 + random.nextInt(random.nextBoolean() ? 200 : 20_000);
        // Counts that vary by text (up to 30% either way), with an overhead or without.
        counts[i] = Math.max(1, overhead + Math.round(units[i] * ratio * (0.7 + 0.6 * random.nextDouble())));
        estimator.calibrate(POOL, "y".repeat(units[i]), counts[i]);
      }
      for (int i = Math.max(0, units.length - CalibratingEstimator.SAMPLES); i < units.length; i++) {
        assertThat(estimator.estimate(POOL, "y".repeat(units[i]))).as("run %d, sample %d", run, i)
            .isGreaterThanOrEqualTo(counts[i]);
      }
    }
  }

  @Test
  void textThatCountsLessThanItsLengthSaysIsEstimatedByTheLargestRatioAsBefore() {
    // The SDK bridge measures the request body: its JSON costs characters and no tokens, so short
    // prompts look cheap per character. There is no overhead to find, and the largest ratio rules.
    CalibratingEstimator estimator = new CalibratingEstimator();
    int[] lengths = {150, 400, 2_000, 160, 9_000};
    for (int length : lengths) {
      estimator.calibrate(POOL, "z".repeat(length), (length - 100) / 4);
    }
    double largest = (9_000 - 100) / 4 / 9_000.0;
    assertThat(estimator.estimate(POOL, "z".repeat(20_000))).isEqualTo((long) Math.ceil(20_000 * largest * 1.02));
  }

  /** What a server counting 350 tokens of overhead and a fifth of a token a character (give or take 5%) says. */
  private static long overheadServer(int length, java.util.Random random) {
    return 350 + Math.round(length / 5.0 * (0.95 + 0.1 * random.nextDouble()));
  }

  @Test
  void eachScriptWeighsWhatItTypicallyCostsAgainstAnAsciiCharacter() {
    assertThat(TextWeight.measure("plain ASCII, 1 each!")).isEqualTo(20);
    assertThat(TextWeight.weight('é')).isEqualTo(2);
    assertThat(TextWeight.weight('Ж')).isEqualTo(2);
    assertThat(TextWeight.weight('λ')).isEqualTo(2);
    assertThat(TextWeight.weight('ش')).isEqualTo(2);
    assertThat(TextWeight.weight('—')).isEqualTo(2);
    assertThat(TextWeight.weight('中')).isEqualTo(4);
    assertThat(TextWeight.weight('あ')).isEqualTo(4);
    assertThat(TextWeight.weight('한')).isEqualTo(4);
    assertThat(TextWeight.weight('ก')).isEqualTo(4);
    assertThat(TextWeight.weight('\u00A0')).as("a no-break space").isEqualTo(1);
    // An emoji is one code point in two chars: weighed once.
    assertThat(TextWeight.measure("ok \uD83D\uDE00")).isEqualTo(3 + 4);
  }

  @Test
  void aTextMeasuredAgainGivesTheSameUnits() {
    TextWeight weight = new TextWeight();
    String text = chinese(10) + ENGLISH;
    long first = weight.unitsOf(text);

    assertThat(first).isEqualTo(TextWeight.measure(text)).isEqualTo(40 + ENGLISH.length());
    assertThat(weight.unitsOf(text)).isEqualTo(first);
    assertThat(weight.unitsOf(new String(text))).as("an equal text, another instance").isEqualTo(first);
  }
}
