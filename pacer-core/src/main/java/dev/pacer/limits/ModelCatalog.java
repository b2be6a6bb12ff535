package dev.pacer.limits;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The data Pacer knows about models: which rate-limit pool a model id belongs to, the limits of
 * each tier, count_tokens limits and prices. Read from {@code anthropic-models.properties}
 * (bundled; the same file the simulator reads), with a user's file laid over it key by key.
 */
public final class ModelCatalog {

  private static final String BUNDLED = "anthropic-models.properties";
  private static final Pattern DATE_SUFFIX = Pattern.compile("-\\d{8}$");

  private static final int MAX_REMEMBERED_MODELS = 1_000;

  private final Map<String, String> poolByPrefix = new TreeMap<>();
  private final Map<String, Prices> pricesByPrefix = new TreeMap<>();
  /** poolOf's answers: asked for every request, and a program uses a handful of model ids. */
  private final Map<String, String> poolOfModel = new java.util.concurrent.ConcurrentHashMap<>();
  private final Properties properties;

  private ModelCatalog(Properties properties) {
    this.properties = properties;
    for (String key : properties.stringPropertyNames()) {
      String value = properties.getProperty(key).trim();
      if (key.startsWith("pool.") && !key.endsWith(".counts-cache-reads")) {
        poolByPrefix.put(key.substring("pool.".length()), value);
      } else if (key.startsWith("price.")) {
        pricesByPrefix.put(key.substring("price.".length()), Prices.parse(value));
      }
    }
  }

  /** The bundled data. */
  public static ModelCatalog bundled() {
    return new ModelCatalog(loadBundled());
  }

  /** The bundled data with {@code overrides} laid over it (any key may be replaced or added). */
  public static ModelCatalog withOverrides(Path overrides) {
    Properties properties = loadBundled();
    try (Reader reader = Files.newBufferedReader(overrides, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model data overrides from " + overrides + ": " + e.getMessage(), e);
    }
    return new ModelCatalog(properties);
  }

  private static Properties loadBundled() {
    Properties properties = new Properties();
    try (InputStream in = ModelCatalog.class.getResourceAsStream(BUNDLED)) {
      if (in == null) {
        throw new IllegalStateException("bundled " + BUNDLED + " is missing from pacer-core's jar");
      }
      properties.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties;
  }

  /**
   * The pool of {@code model}: that of its longest matching prefix (a prefix matches an id equal
   * to it or continuing with "-"); an unknown id is a pool of its own, without any date suffix.
   */
  public String poolOf(String model) {
    String known = poolOfModel.get(model);
    if (known != null) {
      return known;
    }
    String pool = longestPrefix(poolByPrefix, model).orElseGet(() -> DATE_SUFFIX.matcher(model).replaceFirst(""));
    if (poolOfModel.size() < MAX_REMEMBERED_MODELS) { // model ids from user input: bounded
      poolOfModel.put(model, pool);
    }
    return pool;
  }

  /** The prices of {@code model}, if the data lists them. */
  public Optional<Prices> pricesOf(String model) {
    return longestPrefix(pricesByPrefix, model);
  }

  /** What a Message Batch costs relative to the same requests sent one by one (0.5). */
  public double batchPriceFactor() {
    return Double.parseDouble(properties.getProperty("batch-price-factor", "0.5").trim());
  }

  /** The limits of {@code pool} in {@code tier}: its own entry, or the tier's default. */
  public Limits limits(Tier tier, String pool) {
    String own = properties.getProperty("limits." + tier.key() + "." + pool);
    String fallback = properties.getProperty("limits." + tier.key() + ".default");
    String text = own != null ? own : fallback;
    if (text == null) {
      throw new IllegalStateException("the model data has no limits for tier " + tier.key());
    }
    return Limits.parse(text);
  }

  /** The count_tokens endpoint's requests-per-minute limit in {@code tier}. */
  public OptionalLong countTokensRpm(Tier tier) {
    String text = properties.getProperty("count-tokens-rpm." + tier.key());
    return text == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(text.trim()));
  }

  /** Whether {@code pool}'s input-token limit counts cache reads too (a few old models). */
  public boolean countsCacheReads(String pool) {
    return Boolean.parseBoolean(properties.getProperty("pool." + pool + ".counts-cache-reads", "false").trim());
  }

  /** A raw value of the data file, for data this class has no method for. */
  public Optional<String> value(String key) {
    return Optional.ofNullable(properties.getProperty(key)).map(String::trim);
  }

  private static <T> Optional<T> longestPrefix(Map<String, T> byPrefix, String model) {
    String id = model.trim().toLowerCase(Locale.ROOT);
    String best = null;
    for (String prefix : byPrefix.keySet()) {
      boolean matches = id.equals(prefix) || id.startsWith(prefix + "-");
      if (matches && (best == null || prefix.length() > best.length())) {
        best = prefix;
      }
    }
    return Optional.ofNullable(best).map(byPrefix::get);
  }
}
