package dev.pacer.jobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

class PoolLanesTest {

  private static InputLine.Request line(int number) {
    return new InputLine.Request(number, "r" + number, false, JsonNodeFactory.instance.objectNode(), "m", 10);
  }

  @Test
  void aFullPoolLetsTheOthersGoInTheFilesOrder() {
    PoolLanes lanes = new PoolLanes(2, 10);
    lanes.add("slow", line(1));
    lanes.add("slow", line(2));
    lanes.add("slow", line(3));
    lanes.add("fast", line(4));
    lanes.add("fast", line(5));

    assertThat(lanes.next().request().lineNumber()).isEqualTo(1);
    assertThat(lanes.next().request().lineNumber()).isEqualTo(2);
    PoolLanes.Next third = lanes.next();
    assertThat(third.pool()).as("slow is full: line 3 waits").isEqualTo("fast");
    assertThat(third.request().lineNumber()).isEqualTo(4);
    assertThat(lanes.next().request().lineNumber()).isEqualTo(5);
    assertThat(lanes.next()).as("both full").isNull();
    assertThat(lanes.backlogged()).isEqualTo(1);

    lanes.finished("slow");
    assertThat(lanes.next().request().lineNumber()).isEqualTo(3);
    assertThat(lanes.backlogged()).isZero();
  }

  @Test
  void theBacklogIsBoundedForAllPoolsTogether() {
    PoolLanes lanes = new PoolLanes(1, 3);
    lanes.add("a", line(1));
    lanes.add("a", line(2));
    assertThat(lanes.backlogFull()).isFalse();
    lanes.add("b", line(3));
    assertThat(lanes.backlogFull()).isTrue();
    lanes.next();
    assertThat(lanes.backlogFull()).isFalse();
  }
}
