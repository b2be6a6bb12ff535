package dev.pacer.anthropic.internal;

import dev.pacer.Usage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The prompt prefixes this client has seen the server cache, each until it is expected to expire,
 * and the ones a request in flight is writing now. Two uses:
 *
 * <ul>
 *   <li><b>Reads are estimated without the prefix.</b> The input limit does not count a prefix
 *       read from the cache; held at its whole prompt while in flight, a request that repeats one
 *       (a document asked many questions, a long shared system prompt) kept a fraction of the
 *       requests the limit allows on their way (a 13,000-token document under a 50,000-token
 *       limit: four).
 *   <li><b>One request writes a prefix; the others wait for its answer.</b> The server makes a
 *       cache entry available only once a response has begun, so requests sent together with one
 *       uncached prefix each write it: each counted whole against the input limit, and billed at
 *       the write price (1.25 times input, against a tenth for a read). Requests marking a prefix
 *       that another request is writing wait until its answer shows the write (see
 *       {@link Exchange#cacheWarmedUp()} for how long at most).
 * </ul>
 *
 * <p>Cautious by construction, because a wrong guess under-holds the input bucket by the whole
 * prefix: a prefix counts as cached only after an answer to a request marking it showed the cache
 * at work ({@code cache_creation_input_tokens} or {@code cache_read_input_tokens}), only at a
 * block the new request marks too (where every server reads), and only until nine tenths of its
 * lifetime after that request was sent (a read renews it). An answer that shows no caching at all
 * (a prefix below the model's minimum, say) marks the request's prefixes as not cached: no guess,
 * and no waiting, for as long as they would have lived.
 */
final class PromptCacheModel {

  /** Beyond this many prefixes the expired ones are swept out, and if that is not enough, all. */
  private static final int MAX_PREFIXES = 10_000;

  /**
   * What a request is to do about its prompt's cache: wait for {@code waitFor} (another request is
   * writing one of its prefixes; {@code writerSent} completes when that one's attempt has gone) and
   * plan again; or go, estimated without the prefix {@code read} if there is one, as the writer of
   * {@code writes} (which it must report with {@link #writeSent} and end with {@link #writeEnded}).
   */
  record Plan(Optional<CacheBreakpoints.Breakpoint> read, List<String> writes, CompletableFuture<Void> waitFor,
      CompletableFuture<Void> writerSent) {
    static final Plan NOTHING = new Plan(Optional.empty(), List.of(), null, null);

    boolean mustWait() {
      return waitFor != null;
    }
  }

  private final Map<String, Long> cachedUntil = new HashMap<>();
  private final Map<String, Long> notCachedUntil = new HashMap<>();
  private final Map<String, Write> writing = new HashMap<>();

  /** A write in flight: when its request's attempt has gone, and when its answer showed it. */
  private record Write(CompletableFuture<Void> sent, CompletableFuture<Void> ended) {
    Write() {
      this(new CompletableFuture<>(), new CompletableFuture<>());
    }
  }

  /** The plan for a request with {@code breakpoints}, at {@code now}. */
  synchronized Plan plan(CacheBreakpoints breakpoints, long now) {
    if (breakpoints.isEmpty()) {
      return Plan.NOTHING;
    }
    List<CacheBreakpoints.Breakpoint> all = breakpoints.all();
    int cached = -1;
    for (int i = 0; i < all.size(); i++) {
      if (alive(cachedUntil, all.get(i).key(), now)) {
        cached = i;
      }
    }
    List<CacheBreakpoints.Breakpoint> longer = all.subList(cached + 1, all.size());
    for (CacheBreakpoints.Breakpoint each : longer) {
      Write writer = writing.get(each.key());
      if (writer != null) {
        // Copies: a waiter's cancel stays its own.
        return new Plan(Optional.empty(), List.of(), writer.ended().copy(), writer.sent().copy());
      }
    }
    List<String> writes = new ArrayList<>();
    for (CacheBreakpoints.Breakpoint each : longer) {
      if (!alive(notCachedUntil, each.key(), now)) {
        writing.put(each.key(), new Write());
        writes.add(each.key());
      }
    }
    return new Plan(cached < 0 ? Optional.empty() : Optional.of(all.get(cached)), List.copyOf(writes), null, null);
  }

  /**
   * What an answer to a request with {@code breakpoints}, sent at {@code sentAt}, says of the
   * cache: with cache activity, the request's longest prefix (and the one read, if guessed) is
   * cached from then; with none, none of its prefixes is.
   */
  synchronized void answered(CacheBreakpoints breakpoints, Optional<CacheBreakpoints.Breakpoint> guessed, Usage usage,
      long sentAt) {
    if (breakpoints.isEmpty()) {
      return;
    }
    sweep(sentAt);
    if (usage.cacheCreationInputTokens() + usage.cacheReadInputTokens() <= 0) {
      for (CacheBreakpoints.Breakpoint each : breakpoints.all()) {
        cachedUntil.remove(each.key());
        notCachedUntil.put(each.key(), sentAt + each.ttl().toNanos());
      }
      return;
    }
    List<CacheBreakpoints.Breakpoint> all = breakpoints.all();
    remember(all.get(all.size() - 1), sentAt);
    if (usage.cacheReadInputTokens() > 0) {
      guessed.ifPresent(read -> remember(read, sentAt));
    }
  }

  /** The request writing {@code keys} has sent an attempt: from now its waiters wait a bounded time. */
  void writeSent(List<String> keys) {
    List<Write> sent = new ArrayList<>();
    synchronized (this) {
      keys.forEach(key -> {
        Write writer = writing.get(key);
        if (writer != null) {
          sent.add(writer);
        }
      });
    }
    sent.forEach(writer -> writer.sent().complete(null));
  }

  /**
   * The request that was writing {@code keys} has shown its write, or ended without (failed or
   * withdrawn): its waiters plan again.
   */
  void writeEnded(List<String> keys) {
    List<Write> ended = new ArrayList<>();
    synchronized (this) {
      for (String key : keys) {
        Write writer = writing.remove(key);
        if (writer != null) {
          ended.add(writer);
        }
      }
    }
    // Outside the lock: waiters plan again at once.
    ended.forEach(writer -> {
      writer.ended().complete(null);
      writer.sent().complete(null);
    });
  }

  private void remember(CacheBreakpoints.Breakpoint prefix, long sentAt) {
    long until = sentAt + prefix.ttl().toNanos() / 10 * 9;
    cachedUntil.merge(prefix.key(), until, (old, renewed) -> renewed - old > 0 ? renewed : old);
    notCachedUntil.remove(prefix.key());
  }

  private void sweep(long now) {
    for (Map<String, Long> map : List.of(cachedUntil, notCachedUntil)) {
      if (map.size() >= MAX_PREFIXES) {
        map.values().removeIf(until -> now - until >= 0);
        if (map.size() >= MAX_PREFIXES) {
          map.clear(); // forgetting costs only caution: such requests are estimated whole again
        }
      }
    }
  }

  private static boolean alive(Map<String, Long> map, String key, long now) {
    Long until = map.get(key);
    return until != null && now - until < 0;
  }

  /** Prefixes known to be cached at {@code now} (for tests). */
  synchronized long cachedAt(long now) {
    return cachedUntil.values().stream().filter(until -> now - until < 0).count();
  }
}
