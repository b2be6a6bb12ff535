package dev.pacer.store;

import dev.pacer.internal.TokenBucket;
import dev.pacer.limits.Bucket;
import dev.pacer.time.TimeSource;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/** Buckets in this JVM: the reference semantics every other store must match. */
final class InMemoryBucketStore implements BucketStore {

  private final TimeSource time;
  private final ConcurrentHashMap<String, Pool> pools = new ConcurrentHashMap<>();

  InMemoryBucketStore(TimeSource time) {
    this.time = time;
  }

  @Override
  public PoolBuckets pool(String pool, long windowNanos) {
    return pools.computeIfAbsent(pool, name -> new Pool(windowNanos));
  }

  private final class Pool implements PoolBuckets {
    private final ReentrantLock lock = new ReentrantLock();
    private final TokenBucket[] buckets = new TokenBucket[3];
    private final double[] charged = new double[3];
    private final double[] corrected = new double[3];
    private long pausedUntil;
    private boolean paused;

    Pool(long windowNanos) {
      long now = time.nanoTime();
      for (int b = 0; b < 3; b++) {
        buckets[b] = new TokenBucket(windowNanos, now);
      }
    }

    @Override
    public void configure(Bucket bucket, long limit, double capacity) {
      lock.lock();
      try {
        TokenBucket tokens = buckets[bucket.ordinal()];
        if (tokens.limit() != limit || Math.abs(tokens.capacity() - Math.min(capacity, limit)) > 1e-9) {
          tokens.configure(limit, capacity, time.nanoTime());
        }
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void setFloor(Bucket bucket, double tokens) {
      lock.lock();
      try {
        buckets[bucket.ordinal()].setFloor(tokens);
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void setCapacity(Bucket bucket, double capacity) {
      lock.lock();
      try {
        buckets[bucket.ordinal()].setCapacity(capacity, time.nanoTime());
      } finally {
        lock.unlock();
      }
    }

    @Override
    public Take tryTake(double[] need, String ticket) {
      lock.lock();
      try {
        long now = time.nanoTime();
        if (paused) {
          if (pausedUntil - now > 0) {
            return Take.waitFor(pausedUntil - now, null, true);
          }
          paused = false;
        }
        long longest = 0;
        Bucket binding = null;
        for (Bucket bucket : Bucket.values()) {
          long wait = buckets[bucket.ordinal()].nanosUntilAvailable(need[bucket.ordinal()], now);
          if (wait > longest) {
            longest = wait;
            binding = bucket;
          }
        }
        if (longest > 0) {
          return Take.waitFor(longest, binding, false);
        }
        double[] after = new double[3];
        for (int b = 0; b < 3; b++) {
          buckets[b].take(need[b], now);
          charged[b] += need[b];
          after[b] = buckets[b].isKnown() ? buckets[b].level(now) : Double.NaN;
        }
        return Take.granted(after, charged.clone(), corrected.clone());
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void charge(double[] delta) {
      lock.lock();
      try {
        long now = time.nanoTime();
        for (int b = 0; b < 3; b++) {
          if (delta[b] < 0) {
            buckets[b].giveBack(-delta[b], now);
          } else if (delta[b] > 0) {
            buckets[b].take(delta[b], now);
          }
          charged[b] += delta[b];
        }
      } finally {
        lock.unlock();
      }
    }

    @Override
    public double correct(Reading reading) {
      lock.lock();
      try {
        long now = time.nanoTime();
        int b = reading.bucket().ordinal();
        double tolerance = reading.tolerance();
        double error = reading.remaining() - reading.forecast() - (corrected[b] - reading.correctionAt());
        if (error < -tolerance) {
          double amount = tolerance - error;
          buckets[b].lower(amount, now);
          corrected[b] -= amount;
          return -amount;
        }
        if (!reading.mayRaise() || error <= tolerance) {
          return 0;
        }
        double raise = error - tolerance - reading.heldByOthers();
        if (raise > 0 && !reading.deferRaise()) {
          buckets[b].giveBack(raise, now);
          corrected[b] += raise;
        }
        return Math.max(0, raise);
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void raise(Bucket bucket, double amount) {
      if (amount <= 0) {
        return;
      }
      lock.lock();
      try {
        buckets[bucket.ordinal()].giveBack(amount, time.nanoTime());
        corrected[bucket.ordinal()] += amount;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void lowerTo(Bucket bucket, double level) {
      lock.lock();
      try {
        long now = time.nanoTime();
        TokenBucket tokens = buckets[bucket.ordinal()];
        tokens.setLevel(Math.min(tokens.level(now), level), now);
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void setDrain(Bucket bucket, double tokensPerNano) {
      lock.lock();
      try {
        buckets[bucket.ordinal()].setDrain(tokensPerNano, time.nanoTime());
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void pause(long nanos) {
      lock.lock();
      try {
        long until = time.nanoTime() + nanos;
        if (!paused || until - pausedUntil > 0) {
          pausedUntil = until;
        }
        paused = true;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public State state() {
      lock.lock();
      try {
        long now = time.nanoTime();
        long[] limits = new long[3];
        double[] capacities = new double[3];
        double[] levels = new double[3];
        for (int b = 0; b < 3; b++) {
          TokenBucket tokens = buckets[b];
          limits[b] = tokens.isKnown() ? tokens.limit() : -1;
          capacities[b] = tokens.isKnown() ? tokens.capacity() : Double.NaN;
          levels[b] = tokens.isKnown() ? tokens.level(now) : Double.NaN;
        }
        long pausedFor = paused && pausedUntil - now > 0 ? pausedUntil - now : 0;
        return new State(limits, capacities, levels, pausedFor);
      } finally {
        lock.unlock();
      }
    }
  }
}
