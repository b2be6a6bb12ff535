package dev.pacer.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.redis.testing.RedisServer;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every key of one pool lives in one Redis Cluster slot (the hash tag {prefix:pool}). */
class KeysTest {

  @Test
  void allKeysOfAPoolShareOneSlotAndPrefixesKeepOrganizationsApart() {
    try (RedisServer redis = RedisServer.start();
         RedisBucketStore acme = RedisBucketStore.builder(redis.url()).prefix("acme-prod").build();
         RedisBucketStore other = RedisBucketStore.builder(redis.url()).prefix("other").build()) {
      List<String> keys = ((RedisPool) acme.pool("sonnet-4-5", Duration.ofMinutes(1).toNanos())).keys();
      assertThat(keys).allMatch(key -> key.startsWith("{acme-prod:sonnet-4-5}:"));
      assertThat(keys.stream().map(SlotHash::getSlot).distinct()).hasSize(1);
      List<String> braces = ((RedisPool) acme.pool("odd}{name", Duration.ofMinutes(1).toNanos())).keys();
      assertThat(braces.stream().map(SlotHash::getSlot).distinct()).hasSize(1);
      assertThat(braces.get(0)).startsWith("{acme-prod:odd%7D%7Bname}");
      List<String> theirs = ((RedisPool) other.pool("sonnet-4-5", Duration.ofMinutes(1).toNanos())).keys();
      assertThat(theirs).doesNotContainAnyElementsOf(keys);
    }
  }
}
