package dev.pacer.redis;

import dev.pacer.redis.testing.RedisServer;
import dev.pacer.store.BucketStore;
import dev.pacer.store.BucketStoreContract;
import dev.pacer.time.FakeTimeSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The behaviour suite every bucket store passes, against a real redis-server on virtual time. */
class RedisBucketStoreTest extends BucketStoreContract {

  private static RedisServer redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Override
  protected BucketStore newStore(FakeTimeSource time) {
    return RedisBucketStore.builder(redis.url()).prefix("contract").time(time).build();
  }
}
