package dev.pacer.simulator.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prompt caching, kept simple: per pool, the prefixes (up to a block marked {@code cache_control})
 * seen in admitted requests. The longest marked prefix seen before is read; the marked prefixes
 * after it are written; the rest is plain input. No minimum length and no expiry.
 */
public final class PromptCache {

  private static final int MAX_ENTRIES_PER_POOL = 1_000_000;

  private final ConcurrentHashMap<String, Set<Long>> prefixesByPool = new ConcurrentHashMap<>();

  public TokenSplit split(String pool, PromptTokens prompt) {
    Set<Long> seen = prefixesByPool.getOrDefault(pool, Set.of());
    List<PromptSegment> segments = prompt.segments();
    long[] cumulative = new long[segments.size()];
    long sum = 0;
    int lastRead = -1;
    for (int k = 0; k < segments.size(); k++) {
      sum += segments.get(k).tokens();
      cumulative[k] = sum;
      if (segments.get(k).isBreakpoint() && seen.contains(segments.get(k).prefixHash())) {
        lastRead = k;
      }
    }
    long read = lastRead < 0 ? 0 : cumulative[lastRead];
    long covered = read;
    long write5m = 0;
    long write1h = 0;
    List<Long> toWrite = new ArrayList<>();
    for (int k = lastRead + 1; k < segments.size(); k++) {
      PromptSegment s = segments.get(k);
      if (s.isBreakpoint()) {
        long tokens = cumulative[k] - covered;
        if (s.cacheTtl().equals("1h")) write1h += tokens; else write5m += tokens;
        covered = cumulative[k];
        toWrite.add(s.prefixHash());
      }
    }
    return new TokenSplit(prompt.totalTokens() - covered, write5m, write1h, read, List.copyOf(toWrite));
  }

  /** Remembers the prefixes an admitted request wrote. */
  public void remember(String pool, TokenSplit split) {
    if (split.prefixesToWrite().isEmpty()) return;
    Set<Long> seen = prefixesByPool.computeIfAbsent(pool, p -> ConcurrentHashMap.newKeySet());
    if (seen.size() > MAX_ENTRIES_PER_POOL) {
      seen.clear();
    }
    seen.addAll(split.prefixesToWrite());
  }
}
