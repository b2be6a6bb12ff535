package dev.pacer.redis;

import dev.pacer.limits.Bucket;
import dev.pacer.store.BucketStore;
import dev.pacer.store.PoolBuckets;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One pool's buckets on Redis: each method one script call (pool.lua), the same arithmetic as the
 * in-memory store. While Redis is unavailable the calls go to an {@link Outage}: a local copy of
 * the buckets at this process's share of the limits (or, failing closed, one that only keeps
 * account), handed back to Redis when it answers again.
 */
final class RedisPool implements PoolBuckets {

  private static final Bucket[] BUCKETS = Bucket.values();

  private final RedisBucketStore store;
  private final String name;
  private final long windowNanos;
  private final String[] keys;
  private final ReentrantLock lock = new ReentrantLock();
  /** The limits and capacities this process told the store: a lost pool is born from them. */
  private final long[] limit = {-1, -1, -1};
  private final double[] capacity = new double[3];
  /** What this process's takes leave in each bucket: its own policy, sent with each take. */
  private final double[] floor = new double[3];
  /** The totals of the last grant from Redis, which a local copy continues from. */
  private final double[] lastCharged = new double[3];
  private final double[] lastCorrected = new double[3];
  /** What local grants took during an outage: their refunds after it are not Redis's to get. */
  private final double[] unsharedGrants = new double[3];
  /** The waiter holding this process's place in the queue on Redis, if any. */
  private volatile String queued;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean notifying = new AtomicBoolean();
  private volatile boolean seen;
  private Outage outage;

  RedisPool(RedisBucketStore store, String name, long windowNanos) {
    this.store = store;
    this.name = name;
    this.windowNanos = windowNanos;
    String tag = "{" + store.prefix() + ":" + escape(name) + "}";
    this.keys = new String[] {tag + ":state", tag + ":queue", tag + ":tickets", tag + ":born", tag + ":changed"};
  }

  String channel() {
    return keys[4];
  }

  /** The pool's keys and channel (state, queue, tickets, born marker, channel). */
  List<String> keys() {
    return List.of(keys);
  }

  /** Braces would end the hash tag early; percent-escape them (and the escape itself). */
  private static String escape(String pool) {
    return pool.replace("%", "%25").replace("{", "%7B").replace("}", "%7D");
  }

  // ---- PoolBuckets --------------------------------------------------------------------------

  @Override
  public void configure(Bucket bucket, long newLimit, double newCapacity) {
    int b = bucket.ordinal();
    lock.lock();
    try {
      limit[b] = newLimit;
      capacity[b] = newCapacity;
    } finally {
      lock.unlock();
    }
    if (!run("configure", Integer.toString(b), Long.toString(newLimit), num(newCapacity))) {
      Outage local = outage();
      local.buckets.configure(bucket, Math.max(1, newLimit / local.share), newCapacity / local.share);
    }
  }

  /** Each process's own jitter allowance: kept here and sent with every take (no call of its own). */
  @Override
  public void setFloor(Bucket bucket, double tokens) {
    Outage local;
    lock.lock();
    try {
      floor[bucket.ordinal()] = Math.max(0, tokens);
      local = outage;
    } finally {
      lock.unlock();
    }
    if (local != null) {
      local.buckets.setFloor(bucket, tokens / local.share);
    }
  }

  @Override
  public void setCapacity(Bucket bucket, double newCapacity) {
    int b = bucket.ordinal();
    lock.lock();
    try {
      capacity[b] = newCapacity;
    } finally {
      lock.unlock();
    }
    if (!run("capacity", Integer.toString(b), num(newCapacity))) {
      Outage local = outage();
      local.buckets.setCapacity(bucket, newCapacity / local.share);
    }
  }

  @Override
  public boolean readsTickets() {
    return true;
  }

  @Override
  public Take tryTake(double[] need, String ticket) {
    if (store.isUp()) {
      try {
        List<Object> reply = store.eval(ScriptOutputType.MULTI, keys, args("take", num(need[0]), num(need[1]),
            num(need[2]), ticket, num(store.config().ticketGrace().toNanos() / 1000.0), num(floor[0]), num(floor[1]),
            num(floor[2])));
        seen = true;
        if (((Long) reply.get(0)) == 1) {
          queued = null;
          double[] levels = doubles(reply, 1);
          double[] charged = doubles(reply, 4);
          double[] corrected = doubles(reply, 7);
          lock.lock();
          try {
            System.arraycopy(charged, 0, lastCharged, 0, 3);
            System.arraycopy(corrected, 0, lastCorrected, 0, 3);
          } finally {
            lock.unlock();
          }
          return Take.granted(levels, charged, corrected);
        }
        queued = ticket;
        long waitNanos = (long) Math.min(Long.MAX_VALUE / 4, Double.parseDouble((String) reply.get(1)));
        int binding = ((Long) reply.get(2)).intValue();
        return Take.waitFor(Math.max(1, waitNanos), binding < 0 ? null : BUCKETS[binding], ((Long) reply.get(3)) == 1);
      } catch (RedisException e) {
        store.failed(e);
      }
    }
    Outage local = outage();
    if (store.config().faultMode() == FaultMode.FAIL_CLOSED) {
      long left = store.config().failClosedAfter().toNanos() - store.downForNanos();
      if (left <= 0) {
        throw store.unavailable();
      }
      return Take.waitFor(Math.min(left, store.config().probeInterval().toNanos()), null, true);
    }
    Take take = local.buckets.tryTake(need, ticket);
    if (!take.granted()) {
      return take;
    }
    lock.lock();
    try {
      double[] charged = new double[3];
      double[] corrected = new double[3];
      for (int b = 0; b < 3; b++) {
        unsharedGrants[b] += need[b];
        charged[b] = take.chargedTotals()[b] + local.chargedFrom[b];
        corrected[b] = take.correctionTotals()[b] + local.correctedFrom[b];
      }
      return Take.granted(take.levelsAfter(), charged, corrected);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void withdraw(String ticket) {
    if (!ticket.equals(queued) || !store.isUp()) {
      return; // not holding the place on Redis, or its place expires there on its own
    }
    queued = null;
    try {
      store.eval(ScriptOutputType.INTEGER, keys, args("withdraw", ticket));
    } catch (RedisException e) {
      store.failed(e);
    }
  }

  @Override
  public void charge(double[] delta) {
    double[] shared = delta.clone();
    lock.lock();
    try {
      for (int b = 0; b < 3; b++) {
        if (shared[b] < 0 && unsharedGrants[b] > 0) {
          double dropped = Math.min(-shared[b], unsharedGrants[b]);
          unsharedGrants[b] -= dropped;
          shared[b] += dropped;
        }
      }
    } finally {
      lock.unlock();
    }
    if (!run("charge", num(shared[0]), num(shared[1]), num(shared[2]))) {
      outage().buckets.charge(delta);
    }
  }

  /**
   * Corrects from a server reading. With other processes live, a reading only lowers: the server
   * having more than forecast cannot be told from the other processes' requests granted but not
   * yet arrived ({@code heldByOthers} counts only this process's), and raising for them would
   * let their share through twice.
   */
  @Override
  public double correct(Reading reading) {
    int b = reading.bucket().ordinal();
    if (store.isUp()) {
      try {
        String raise = store.eval(ScriptOutputType.VALUE, keys, args("correct", Integer.toString(b),
            num(reading.remaining()), num(reading.tolerance()), num(reading.forecast()), num(reading.correctionAt()),
            reading.mayRaise() && !store.shared() ? "1" : "0", num(reading.heldByOthers()),
            reading.deferRaise() ? "1" : "0"));
        seen = true;
        return Double.parseDouble(raise);
      } catch (RedisException e) {
        store.failed(e);
      }
    }
    // Alone, the server's reading is the whole organization's: this process's share of it may
    // lower the local copy, and nothing raises it. A lowering is reported as in Redis (minus the
    // amount), so that the governor drops a raise still waiting from an older reading.
    Outage local = outage();
    double corrected = local.buckets.correct(new Reading(reading.bucket(), reading.remaining() / local.share,
        reading.tolerance(), reading.forecast(), reading.correctionAt() - local.correctedFrom[b], false,
        reading.heldByOthers(), reading.deferRaise()));
    return Math.min(0, corrected);
  }

  @Override
  public void raise(Bucket bucket, double amount) {
    if (amount <= 0) {
      return;
    }
    run("raise", Integer.toString(bucket.ordinal()), num(amount)); // alone: not raised (see correct)
  }

  @Override
  public void lowerTo(Bucket bucket, double level) {
    if (!run("lower", Integer.toString(bucket.ordinal()), num(level))) {
      Outage local = outage();
      local.buckets.lowerTo(bucket, level / local.share);
    }
  }

  @Override
  public void setDrain(Bucket bucket, double tokensPerNano) {
    if (!run("drain", Integer.toString(bucket.ordinal()), num(tokensPerNano * 1000))) {
      Outage local = outage();
      local.buckets.setDrain(bucket, tokensPerNano / local.share);
    }
  }

  @Override
  public void pause(long nanos) {
    if (!run("pause", num(Math.ceil(nanos / 1000.0)))) {
      outage().buckets.pause(nanos);
    }
  }

  @Override
  public State state() {
    if (store.isUp()) {
      try {
        List<Object> reply = store.eval(ScriptOutputType.MULTI, keys, args("state"));
        long[] limits = new long[3];
        for (int b = 0; b < 3; b++) {
          limits[b] = (Long) reply.get(b);
        }
        double pausedFor = Double.parseDouble((String) reply.get(9));
        return new State(limits, doubles(reply, 3), doubles(reply, 6), (long) pausedFor);
      } catch (RedisException e) {
        store.failed(e);
      }
    }
    return outage().buckets.state();
  }

  @Override
  public void onChange(Runnable listener) {
    boolean first = listeners.isEmpty();
    listeners.add(listener);
    if (first) {
      store.subscribe(channel());
    }
  }

  // ---- change notices -----------------------------------------------------------------------

  /** Capacity may be back (another process gave some, or Redis returned): wake the listeners once. */
  void changed() {
    if (listeners.isEmpty() || !notifying.compareAndSet(false, true)) {
      return;
    }
    store.notifyLater(() -> {
      notifying.set(false);
      for (Runnable listener : listeners) {
        try {
          listener.run();
        } catch (RuntimeException ignored) {
          // a listener's failure is its own
        }
      }
    });
  }

  // ---- outages ------------------------------------------------------------------------------

  /** The local copy for this outage, made at its first call. */
  private Outage outage() {
    lock.lock();
    try {
      if (outage == null) {
        outage = new Outage(store.shareDivisor());
      }
      return outage;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Redis answers again: lowers the shared levels to what this process had left alone (the server
   * saw what every process took meanwhile, which Redis did not), and hands on a pause. Called by
   * the store's probe before calls go back to Redis.
   *
   * @throws RedisException if Redis is gone again
   */
  void resync() {
    lock.lock();
    try {
      if (outage == null) {
        return;
      }
      State local = outage.buckets.state();
      for (int b = 0; b < 3; b++) {
        if (limit[b] > 0 && !Double.isNaN(local.levels()[b])) {
          store.eval(ScriptOutputType.INTEGER, keys, args("lower", Integer.toString(b), num(local.levels()[b])));
        }
      }
      if (local.pausedForNanos() > 0) {
        store.eval(ScriptOutputType.INTEGER, keys, args("pause", num(Math.ceil(local.pausedForNanos() / 1000.0))));
      }
      seen = true;
      outage = null;
    } finally {
      lock.unlock();
    }
  }

  /**
   * This pool's buckets in this process alone, at {@code 1/share} of each limit and capacity,
   * starting empty: nobody knows what the others took just before Redis went away.
   */
  private final class Outage {
    final int share;
    final PoolBuckets buckets;
    final double[] chargedFrom;
    final double[] correctedFrom;

    Outage(int share) {
      this.share = share;
      this.buckets = BucketStore.inMemory(store.localTime()).pool(name, windowNanos);
      this.chargedFrom = lastCharged.clone();
      this.correctedFrom = lastCorrected.clone();
      for (Bucket bucket : BUCKETS) {
        int b = bucket.ordinal();
        if (limit[b] > 0) {
          buckets.configure(bucket, Math.max(1, limit[b] / share), capacity[b] / share);
          buckets.lowerTo(bucket, 0);
          buckets.setFloor(bucket, floor[b] / share);
        }
      }
    }
  }

  // ---- calls --------------------------------------------------------------------------------

  /** Runs a write on Redis; false if Redis is unavailable (the caller goes on alone). */
  private boolean run(String op, String... extra) {
    if (!store.isUp()) {
      return false;
    }
    try {
      store.eval(ScriptOutputType.INTEGER, keys, args(op, extra));
      seen = true;
      return true;
    } catch (RedisException e) {
      store.failed(e);
      return false;
    }
  }

  private String[] args(String op, String... extra) {
    String[] args = new String[11 + extra.length];
    args[0] = op;
    args[1] = store.now();
    args[2] = num(windowNanos / 1000.0);
    args[3] = seen ? "1" : "0";
    lock.lock();
    try {
      for (int b = 0; b < 3; b++) {
        args[4 + 2 * b] = Long.toString(limit[b]);
        args[5 + 2 * b] = num(capacity[b]);
      }
    } finally {
      lock.unlock();
    }
    args[10] = store.id();
    System.arraycopy(extra, 0, args, 11, extra.length);
    return args;
  }

  private static String num(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }

  private static double[] doubles(List<Object> reply, int from) {
    double[] out = new double[3];
    for (int i = 0; i < 3; i++) {
      String text = (String) reply.get(from + i);
      out[i] = text.equals("nan") ? Double.NaN : Double.parseDouble(text);
    }
    return out;
  }
}
