package dev.pacer.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Pools, tier limits and prices from the project's data file ({@code data/anthropic-models.properties}),
 * as a job needs them: which pool a model's requests count against, what a tier allows, and what
 * tokens cost.
 */
public final class ModelCatalog {

  private static final Pattern DATE_SUFFIX = Pattern.compile("-\\d{8}$");

  private final Map<String, String> pools = new TreeMap<>();
  private final Map<String, PoolLimits> limits = new TreeMap<>();
  private final Set<String> tiers = new TreeSet<>();
  private final Map<String, Price> prices = new TreeMap<>();
  private final double batchPriceFactor;

  private ModelCatalog(Properties properties) {
    double factor = 0.5;
    for (String key : properties.stringPropertyNames()) {
      String value = properties.getProperty(key).trim();
      String[] parts = key.split("\\.", 3);
      try {
        if (key.startsWith("pool.") && !key.endsWith(".counts-cache-reads")) {
          pools.put(key.substring("pool.".length()), value);
        } else if (parts[0].equals("limits") && parts.length == 3) {
          tiers.add(parts[1]);
          limits.put(parts[1] + "." + parts[2], PoolLimits.parse(value));
        } else if (key.startsWith("price.")) {
          prices.put(key.substring("price.".length()), Price.parse(value));
        } else if (key.equals("batch-price-factor")) {
          factor = Double.parseDouble(value);
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("model data: bad value for " + key + ": " + e.getMessage(), e);
      }
    }
    this.batchPriceFactor = factor;
  }

  /** The data file packaged with Pacer. */
  public static ModelCatalog bundled() {
    try (InputStream in = ModelCatalog.class.getResourceAsStream("anthropic-models.properties")) {
      if (in == null) {
        throw new IllegalStateException("anthropic-models.properties is missing from the pacer-jobs jar");
      }
      Properties properties = new Properties();
      properties.load(in);
      return new ModelCatalog(properties);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The bundled data with {@code overrides}' keys replacing its own. */
  public static ModelCatalog bundledWith(Properties overrides) {
    try (InputStream in = ModelCatalog.class.getResourceAsStream("anthropic-models.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      properties.putAll(overrides);
      return new ModelCatalog(properties);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ModelCatalog of(Properties properties) {
    return new ModelCatalog(properties);
  }

  /** The pool a model id counts against: its longest matching prefix, else the id without its date. */
  public String poolOf(String model) {
    String prefix = longestPrefix(pools.keySet(), model);
    if (prefix != null) {
      return pools.get(prefix);
    }
    return DATE_SUFFIX.matcher(model).replaceFirst("");
  }

  /** Tier names the data knows: start, build, scale, tier1…tier4. */
  public Set<String> tiers() {
    return java.util.Collections.unmodifiableSet(tiers);
  }

  public boolean knowsTier(String tier) {
    return tiers.contains(tier.toLowerCase(Locale.ROOT));
  }

  /** What {@code tier} allows {@code pool}, falling back to the tier's default. */
  public Optional<PoolLimits> tierLimits(String tier, String pool) {
    String name = tier.toLowerCase(Locale.ROOT);
    PoolLimits specific = limits.get(name + "." + pool);
    return Optional.ofNullable(specific != null ? specific : limits.get(name + ".default"));
  }

  /** The model's price (longest matching prefix), if the data has one. */
  public Optional<Price> price(String model) {
    String prefix = longestPrefix(prices.keySet(), model);
    return Optional.ofNullable(prefix == null ? null : prices.get(prefix));
  }

  /** Message Batches prices are this fraction of the standard ones. */
  public double batchPriceFactor() {
    return batchPriceFactor;
  }

  private static String longestPrefix(Set<String> prefixes, String model) {
    String best = null;
    for (String prefix : prefixes) {
      boolean matches = model.equals(prefix) || model.startsWith(prefix + "-");
      if (matches && (best == null || prefix.length() > best.length())) {
        best = prefix;
      }
    }
    return best;
  }

  /**
   * USD per million tokens.
   *
   * @param input plain input tokens
   * @param cacheWrite5m cache writes with a 5-minute lifetime
   * @param cacheWrite1h cache writes with a 1-hour lifetime
   * @param cacheRead cache reads
   * @param output output tokens
   */
  public record Price(double input, double cacheWrite5m, double cacheWrite1h, double cacheRead, double output) {

    static Price parse(String text) {
      String[] parts = text.split("/");
      if (parts.length != 5) {
        throw new IllegalArgumentException("expected 'input / cache write 5m / cache write 1h / cache read / output'");
      }
      double[] values = new double[5];
      for (int i = 0; i < 5; i++) {
        values[i] = Double.parseDouble(parts[i].trim());
      }
      return new Price(values[0], values[1], values[2], values[3], values[4]);
    }

    /** The cost in USD of the given token counts. */
    public double cost(long inputTokens, long cacheWrite5mTokens, long cacheWrite1hTokens, long cacheReadTokens,
        long outputTokens) {
      return (inputTokens * input + cacheWrite5mTokens * cacheWrite5m + cacheWrite1hTokens * cacheWrite1h
          + cacheReadTokens * cacheRead + outputTokens * output) / 1_000_000.0;
    }
  }
}
