package dev.pacer.jobs.internal;

import dev.pacer.anthropic.PromptText;
import dev.pacer.estimate.TokenEstimator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A job's input tokens as the server will count and bill them when its lines share prompt prefixes
 * marked {@code cache_control}, sent as {@code pacer run} sends them: the first line marking a
 * prefix writes it to the cache, the lines after it read it (the SDK bridge holds them until the
 * write shows). A read is billed at a tenth of the input price and not counted against ITPM; a
 * write is counted and billed at the write price. Assumes the cache keeps a prefix for the whole
 * job (each read renews it for five minutes); one instance per pass over the job, in line order.
 */
public final class CachedInput {

  /**
   * One line's input tokens.
   *
   * @param counted what the input limit counts: the uncached input and the prefix written
   * @param written the part of {@code counted} written to the cache
   * @param read the part read from the cache (not counted)
   */
  public record Split(long counted, long written, long read) {
    public long plain() {
      return counted - written;
    }

    /** Everything the prompt holds: what count_tokens counts. */
    public long whole() {
      return counted + read;
    }

    /** This split scaled to a total of {@code exactWhole} (count_tokens' count), its shares kept. */
    public Split scaledTo(long exactWhole) {
      if (whole() <= 0) {
        return new Split(exactWhole, 0, 0);
      }
      double factor = exactWhole / (double) whole();
      long scaledRead = Math.round(read * factor);
      long scaledWritten = Math.round(written * factor);
      return new Split(exactWhole - scaledRead, Math.min(scaledWritten, exactWhole - scaledRead), scaledRead);
    }
  }

  private final TokenEstimator estimator;
  private final Set<String> written = new HashSet<>();

  public CachedInput(TokenEstimator estimator) {
    this.estimator = estimator;
  }

  /**
   * The next line's split, for {@code pool}, from its body; {@code countsCacheReads}: the pool's
   * model counts reads against ITPM (then only the price differs).
   */
  public Split next(String pool, String body, boolean countsCacheReads) {
    long whole = estimator.estimate(pool, PromptText.of(body));
    List<PromptText.CachePrefix> prefixes = PromptText.cachePrefixes(body);
    if (prefixes.isEmpty()) {
      return new Split(whole, 0, 0);
    }
    int readUpTo = -1;
    for (int i = 0; i < prefixes.size(); i++) {
      if (written.contains(prefixes.get(i).key())) {
        readUpTo = i;
      }
    }
    long afterRead = readUpTo < 0 ? whole : Math.min(whole, estimator.estimate(pool, prefixes.get(readUpTo).textAfter()));
    long afterLongest = Math.min(afterRead, estimator.estimate(pool, prefixes.get(prefixes.size() - 1).textAfter()));
    long read = whole - afterRead;
    long newlyWritten = readUpTo == prefixes.size() - 1 ? 0 : afterRead - afterLongest;
    prefixes.forEach(prefix -> written.add(prefix.key()));
    return countsCacheReads
        ? new Split(whole, newlyWritten, 0) // a read counted, and (for the estimate) priced, as input
        : new Split(afterRead, newlyWritten, read);
  }
}
