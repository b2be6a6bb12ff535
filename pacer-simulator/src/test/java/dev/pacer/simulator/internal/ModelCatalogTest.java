package dev.pacer.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pacer.simulator.Limits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCatalogTest {

  private final ModelCatalog catalog = ModelCatalog.standard();

  @Test
  void datedIdsAndAliasesShareAPool() {
    assertThat(catalog.poolOf("claude-haiku-4-5")).isEqualTo("haiku-4-5");
    assertThat(catalog.poolOf("claude-haiku-4-5-20251001")).isEqualTo("haiku-4-5");
    assertThat(catalog.poolOf("claude-sonnet-4-5-20250929")).isEqualTo("sonnet-4-5");
    assertThat(catalog.poolOf("claude-sonnet-4-6")).isEqualTo("sonnet-4-5");
    assertThat(catalog.poolOf("claude-opus-4-1-20250805")).isEqualTo("opus-4");
    assertThat(catalog.poolOf("claude-opus-4-8")).isEqualTo("opus-4");
    assertThat(catalog.poolOf("claude-sonnet-4-20250514")).isEqualTo("sonnet-4");
    assertThat(catalog.poolOf("claude-3-5-haiku-20241022")).isEqualTo("haiku-3-5");
  }

  @Test
  void aPrefixMatchesOnlyAtADash() {
    assertThat(catalog.poolOf("claude-sonnet-45")).isEqualTo("claude-sonnet-45");
  }

  @Test
  void unknownModelsArePoolsOfTheirOwnWithoutTheirDate() {
    assertThat(catalog.poolOf("claude-mythos-5-20270101")).isEqualTo("claude-mythos-5");
    assertThat(catalog.poolOf("my-model")).isEqualTo("my-model");
  }

  @Test
  void tierLimitsPerPoolElseTheDefault() {
    assertThat(catalog.limits("tier1", "haiku-4-5")).isEqualTo(Limits.of(50, 50_000, 10_000));
    assertThat(catalog.limits("tier1", "sonnet-4-5")).isEqualTo(Limits.of(50, 30_000, 8_000));
    assertThat(catalog.limits("start", "fable-5")).isEqualTo(Limits.of(1000, 500_000, 100_000));
    assertThat(catalog.limits("scale", "claude-unknown")).isEqualTo(Limits.of(10_000, 10_000_000, 2_000_000));
    assertThat(catalog.countTokensRpm("tier1")).isEqualTo(100);
    assertThat(catalog.countsCacheReads("haiku-3-5")).isTrue();
    assertThat(catalog.countsCacheReads("haiku-4-5")).isFalse();
    assertThatThrownBy(() -> catalog.limits("tier9", "x")).hasMessageContaining("unknown tier");
  }

  @Test
  void aUserFileOverridesKeys(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("mine.properties");
    Files.writeString(file, "pool.my-model = mine\nlimits.start.mine = 7 / 700 / 70\n");
    ModelCatalog mine = ModelCatalog.load(Optional.of(file));
    assertThat(mine.poolOf("my-model-20250101")).isEqualTo("mine");
    assertThat(mine.limits("start", "mine")).isEqualTo(Limits.of(7, 700, 70));
    assertThat(mine.poolOf("claude-haiku-4-5")).isEqualTo("haiku-4-5");
  }

  @Test
  void batchLimitsPerTierWithTheOlderTiersOnStarts() {
    assertThat(catalog.batchRpm("start")).isEqualTo(1000);
    assertThat(catalog.batchQueueLimit("start")).isEqualTo(200_000);
    assertThat(catalog.batchRpm("scale")).isEqualTo(4000);
    assertThat(catalog.batchQueueLimit("build")).isEqualTo(300_000);
    assertThat(catalog.batchRpm("tier1")).as("no line of its own").isEqualTo(1000);
    assertThat(catalog.maxRequestsPerBatch()).isEqualTo(100_000);
    assertThat(catalog.maxBytesPerBatch()).isEqualTo(256L * 1024 * 1024);
  }
}
