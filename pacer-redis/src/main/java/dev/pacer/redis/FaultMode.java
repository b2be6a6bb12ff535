package dev.pacer.redis;

/** What a {@link RedisBucketStore} does while Redis cannot be reached (or answers too slowly). */
public enum FaultMode {
  /**
   * Admit nothing: waiters wait for Redis, and after {@link RedisStoreConfig#failClosedAfter()}
   * a take fails with a {@link RedisUnavailableException} that names Redis. No process can exceed
   * the limits, and no work is done while Redis is away.
   */
  FAIL_CLOSED,

  /**
   * Go on alone: each process paces against a local copy of the buckets at its share of the
   * limits (the limit divided by the live processes its heartbeats last counted), starting empty.
   * Together the processes stay within the limits as long as no new process joins during the
   * outage. Back on Redis as soon as it answers again.
   */
  DEGRADE
}
