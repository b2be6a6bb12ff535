package dev.pacer.simulator.internal;

import dev.pacer.simulator.Limits;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The data file {@code anthropic-models.properties}, read on its own: model id to pool by longest
 * prefix, tier limits per pool, count_tokens RPM per tier, and the models that {@code GET /v1/models}
 * lists.
 */
public final class ModelCatalog {

  /** Where the data file is packaged in the simulator's jar. */
  public static final String RESOURCE = "/dev/pacer/simulator/anthropic-models.properties";

  private static final Pattern DATE_SUFFIX = Pattern.compile("-\\d{8}$");
  private static final String CACHE_READS_SUFFIX = ".counts-cache-reads";

  private final Map<String, String> poolByPrefix;
  private final Set<String> poolsCountingCacheReads;
  private final Map<String, Limits> limitsByTierAndPool;
  private final Map<String, Long> countTokensRpmByTier;
  private final Set<String> tiers;
  private final List<String> modelIds;
  private final Map<String, long[]> batchLimitsByTier;
  private final long maxRequestsPerBatch;
  private final long maxBytesPerBatch;

  private ModelCatalog(Properties p) {
    Map<String, String> pools = new HashMap<>();
    Set<String> cacheReads = new TreeSet<>();
    Map<String, Limits> limits = new HashMap<>();
    Map<String, Long> countTokens = new HashMap<>();
    Set<String> tierNames = new TreeSet<>();
    Set<String> models = new TreeSet<>();
    Map<String, long[]> batches = new HashMap<>();
    for (String key : p.stringPropertyNames()) {
      String value = p.getProperty(key).trim();
      if (key.startsWith("pool.") && key.endsWith(CACHE_READS_SUFFIX)) {
        if (Boolean.parseBoolean(value)) {
          cacheReads.add(key.substring("pool.".length(), key.length() - CACHE_READS_SUFFIX.length()));
        }
      } else if (key.startsWith("pool.")) {
        String prefix = key.substring("pool.".length());
        pools.put(prefix, value);
        models.add(prefix);
      } else if (key.startsWith("limits.")) {
        String rest = key.substring("limits.".length());
        int dot = rest.indexOf('.');
        if (dot > 0) {
          tierNames.add(rest.substring(0, dot));
          limits.put(rest, Limits.parse(value));
        }
      } else if (key.startsWith("count-tokens-rpm.")) {
        countTokens.put(key.substring("count-tokens-rpm.".length()), Long.parseLong(value));
      } else if (key.startsWith("batches.") && !key.startsWith("batches.max-")) {
        String[] parts = value.split("\\s*/\\s*");
        if (parts.length != 2) {
          throw new IllegalArgumentException(key + " must be RPM / QUEUED, not '" + value + "'");
        }
        batches.put(key.substring("batches.".length()),
            new long[] {Long.parseLong(parts[0].trim()), Long.parseLong(parts[1].trim())});
      } else if (key.startsWith("price.")) {
        models.add(key.substring("price.".length()));
      }
    }
    this.poolByPrefix = Map.copyOf(pools);
    this.poolsCountingCacheReads = Set.copyOf(cacheReads);
    this.limitsByTierAndPool = Map.copyOf(limits);
    this.countTokensRpmByTier = Map.copyOf(countTokens);
    this.tiers = java.util.Collections.unmodifiableSet(tierNames); // sorted, for messages
    this.modelIds = List.copyOf(new ArrayList<>(models));
    this.batchLimitsByTier = Map.copyOf(batches);
    this.maxRequestsPerBatch = Long.parseLong(p.getProperty("batches.max-requests-per-batch", "100000").trim());
    this.maxBytesPerBatch = Long.parseLong(p.getProperty("batches.max-bytes-per-batch", "268435456").trim());
  }

  /** The packaged data file, with the keys of {@code overrides} (if any) laid over it. */
  public static ModelCatalog load(Optional<Path> overrides) {
    Properties p = new Properties();
    try (InputStream in = ModelCatalog.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("data file missing from the classpath: " + RESOURCE);
      }
      try (Reader r = new java.io.InputStreamReader(in, StandardCharsets.UTF_8)) {
        p.load(r);
      }
      if (overrides.isPresent()) {
        try (Reader r = Files.newBufferedReader(overrides.get(), StandardCharsets.UTF_8)) {
          p.load(r);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the models data file", e);
    }
    return new ModelCatalog(p);
  }

  /** The packaged data file. */
  public static ModelCatalog standard() {
    return Holder.STANDARD;
  }

  private static final class Holder {
    static final ModelCatalog STANDARD = load(Optional.empty());
  }

  /**
   * The pool of a model id: the pool of its longest matching prefix (a prefix matches an id equal
   * to it or continuing with "-"); else the id itself without a trailing -YYYYMMDD date.
   */
  public String poolOf(String modelId) {
    String best = null;
    for (String prefix : poolByPrefix.keySet()) {
      boolean matches = modelId.equals(prefix)
          || (modelId.startsWith(prefix) && modelId.charAt(prefix.length()) == '-');
      if (matches && (best == null || prefix.length() > best.length())) {
        best = prefix;
      }
    }
    return best != null ? poolByPrefix.get(best) : DATE_SUFFIX.matcher(modelId).replaceFirst("");
  }

  /** True for pools whose ITPM also counts cache reads (old models). */
  public boolean countsCacheReads(String pool) {
    return poolsCountingCacheReads.contains(pool);
  }

  /** The tier's limits for the pool, else the tier's default. */
  public Limits limits(String tier, String pool) {
    Limits l = limitsByTierAndPool.get(tier + "." + pool);
    if (l == null) {
      l = limitsByTierAndPool.get(tier + ".default");
    }
    if (l == null) {
      throw new IllegalArgumentException("unknown tier '" + tier + "'; known: " + tiers);
    }
    return l;
  }

  /** The count_tokens requests-per-minute limit of a tier. */
  public long countTokensRpm(String tier) {
    Long rpm = countTokensRpmByTier.get(tier);
    if (rpm == null) {
      throw new IllegalArgumentException("no count-tokens-rpm for tier '" + tier + "'");
    }
    return rpm;
  }

  /**
   * The batch endpoints' requests per minute for a tier ({@code batches.<tier> = RPM / QUEUED}); a
   * tier without its own line (the older tier1..tier4) uses {@code batches.start}.
   */
  public long batchRpm(String tier) {
    return batchLine(tier)[0];
  }

  /** Batch requests that may wait in the processing queue for a tier (see {@link #batchRpm}). */
  public long batchQueueLimit(String tier) {
    return batchLine(tier)[1];
  }

  private long[] batchLine(String tier) {
    long[] line = batchLimitsByTier.getOrDefault(tier, batchLimitsByTier.get("start"));
    return line != null ? line : new long[] {1000, 200_000};
  }

  /** At most this many requests in one batch ({@code batches.max-requests-per-batch}). */
  public long maxRequestsPerBatch() {
    return maxRequestsPerBatch;
  }

  /** At most this many bytes in one batch create body ({@code batches.max-bytes-per-batch}). */
  public long maxBytesPerBatch() {
    return maxBytesPerBatch;
  }

  public boolean hasTier(String tier) {
    return tiers.contains(tier);
  }

  public Set<String> tiers() {
    return tiers;
  }

  /** Model ids named in the data file (pool and price prefixes), sorted. */
  public List<String> modelIds() {
    return modelIds;
  }
}
