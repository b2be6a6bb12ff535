package dev.pacer.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RedisAddressTest {

  @Test
  void aUrlIsShownWithoutItsPasswordOrUser() {
    assertThat(RedisAddress.parse("redis://:pw-123@cache.internal:6380/2")).hasToString("redis://***@cache.internal:6380/2");
    assertThat(RedisAddress.parse("rediss://alice:pw-123@cache.internal:6380")).hasToString("rediss://***@cache.internal:6380/0");
    assertThat(RedisAddress.parse("redis://127.0.0.1")).hasToString("redis://127.0.0.1:6379/0");
  }

  @Test
  void tlsIsOnForRediss() {
    assertThat(RedisAddress.parse("rediss://cache.internal:6380").uri().isSsl()).isTrue();
    assertThat(RedisAddress.parse("redis://cache.internal:6380").uri().isSsl()).isFalse();
  }

  @Test
  void messagesAreScrubbedOfThePassword() {
    RedisAddress address = RedisAddress.parse("redis://:pw-123@cache.internal:6380/2");
    assertThat(address.scrub("AUTH failed for pw-123 at redis://:pw-123@cache.internal"))
        .doesNotContain("pw-123").contains("redis://***@cache.internal");
  }

  @Test
  void anythingButARedisUrlIsRefusedWithoutEchoingAPassword() {
    assertThatThrownBy(() -> RedisAddress.parse("http://:pw-123@cache.internal"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redis://")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("pw-123"));
    assertThatThrownBy(() -> RedisAddress.parse(" ")).isInstanceOf(IllegalArgumentException.class);
  }
}
