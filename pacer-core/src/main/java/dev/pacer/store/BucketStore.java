package dev.pacer.store;

import dev.pacer.time.TimeSource;

/**
 * Where the governor keeps its buckets' levels: in this process ({@link #inMemory}), or shared by
 * many processes (pacer-redis). The queue, the permits and what is learned from headers stay in
 * each process; every decision on the levels is one atomic call on the store.
 */
public interface BucketStore extends AutoCloseable {

  /** The buckets of {@code pool}, whose limits count over {@code windowNanos}. */
  PoolBuckets pool(String pool, long windowNanos);

  /** Levels in this JVM only, on {@code time}. */
  static BucketStore inMemory(TimeSource time) {
    return new InMemoryBucketStore(time);
  }

  @Override
  default void close() {}
}
