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
