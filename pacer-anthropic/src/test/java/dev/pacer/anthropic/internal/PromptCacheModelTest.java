package dev.pacer.anthropic.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.Usage;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PromptCacheModelTest {

  private static final String MARK = "\"cache_control\":{\"type\":\"ephemeral\"}";
  private static final long SECOND = Duration.ofSeconds(1).toNanos();
  /** A written prefix: what the server answers the request that put it in the cache. */
  private static final Usage WRITTEN = new Usage(12, 4_000, 0, 0, 30);
  private static final Usage READ = new Usage(12, 0, 0, 4_000, 30);

  private final PromptCacheModel model = new PromptCacheModel();
  private final long start = 7 * SECOND;

  @Test
  void oneRequestWritesAPrefixTheOthersWaitForItsAnswerThenReadIt() {
    CacheBreakpoints first = question("one");
    PromptCacheModel.Plan writer = model.plan(first, start);
    assertThat(writer.mustWait()).isFalse();
    assertThat(writer.read()).isEmpty();
    assertThat(writer.writes()).hasSize(1);

    PromptCacheModel.Plan waiter = model.plan(question("two"), start + 1);
    assertThat(waiter.mustWait()).isTrue();
    assertThat(waiter.waitFor()).isNotDone();
    assertThat(waiter.writerSent()).isNotDone();
    model.writeSent(writer.writes());
    assertThat(waiter.writerSent()).isCompleted();
    assertThat(waiter.waitFor()).isNotDone();

    model.answered(first, writer.read(), WRITTEN, start);
    model.writeEnded(writer.writes());
    assertThat(waiter.waitFor()).isCompleted();

    PromptCacheModel.Plan reader = model.plan(question("two"), start + SECOND);
    assertThat(reader.mustWait()).isFalse();
    assertThat(reader.read()).contains(first.all().get(0));
    assertThat(reader.writes()).isEmpty();
  }

  @Test
  void aWaitersCancelLeavesTheOthersWaiting() {
    PromptCacheModel.Plan writer = model.plan(question("one"), start);
    PromptCacheModel.Plan cancelled = model.plan(question("two"), start);
    PromptCacheModel.Plan waiting = model.plan(question("three"), start);

    cancelled.waitFor().cancel(true);

    assertThat(waiting.waitFor()).isNotDone();
    model.writeEnded(writer.writes());
    assertThat(waiting.waitFor()).isCompleted();
  }

  @Test
  void aWriterThatEndsWithoutAnAnswerHandsTheWriteToTheNextRequest() {
    PromptCacheModel.Plan writer = model.plan(question("one"), start);
    PromptCacheModel.Plan waiter = model.plan(question("two"), start);

    model.writeEnded(writer.writes()); // refused or cancelled before it was sent: nothing learned

    assertThat(waiter.waitFor()).isCompleted();
    assertThat(waiter.writerSent()).isCompleted();
    PromptCacheModel.Plan next = model.plan(question("two"), start + 1);
    assertThat(next.mustWait()).isFalse();
    assertThat(next.read()).isEmpty();
    assertThat(next.writes()).hasSize(1);
  }

  @Test
  void anAnswerWithoutCachingStopsBothTheGuessAndTheWaiting() {
    CacheBreakpoints first = question("one");
    PromptCacheModel.Plan writer = model.plan(first, start);

    model.answered(first, writer.read(), Usage.of(4_012, 30), start); // below the model's minimum, say
    model.writeEnded(writer.writes());

    for (String question : new String[] {"two", "three"}) {
      PromptCacheModel.Plan plan = model.plan(question(question), start + SECOND);
      assertThat(plan.mustWait()).isFalse();
      assertThat(plan.read()).isEmpty();
      assertThat(plan.writes()).isEmpty(); // nobody waits for a prefix the server does not cache
    }
  }

  @Test
  void aPrefixIsGuessedCachedForNineTenthsOfItsLifetimeAndAReadRenewsIt() {
    CacheBreakpoints first = question("one");
    PromptCacheModel.Plan writer = model.plan(first, start);
    model.answered(first, writer.read(), WRITTEN, start);
    model.writeEnded(writer.writes());
    long lifetime = Duration.ofMinutes(5).toNanos();

    assertThat(model.plan(question("two"), start + lifetime * 9 / 10 - SECOND).read()).isPresent();
    PromptCacheModel.Plan late = model.plan(question("three"), start + lifetime * 9 / 10);
    assertThat(late.read()).isEmpty();
    model.writeEnded(late.writes());

    CacheBreakpoints renewing = question("four");
    long renewedAt = start + 60 * SECOND;
    model.answered(renewing, Optional.of(renewing.all().get(0)), READ, renewedAt);
    assertThat(model.plan(question("five"), start + lifetime).read()).isPresent();
    assertThat(model.cachedAt(renewedAt + lifetime * 9 / 10)).isZero();
  }

  @Test
  void aRequestThatMarksNothingHasNothingToDoWithTheCache() {
    CacheBreakpoints none = CacheBreakpoints.of(CacheBreakpointsTest.body("m", "Doc.", "", "Q"));
    assertThat(model.plan(none, start)).isEqualTo(PromptCacheModel.Plan.NOTHING);
    model.answered(none, Optional.empty(), WRITTEN, start);
    assertThat(model.cachedAt(start)).isZero();
  }

  private static CacheBreakpoints question(String which) {
    return CacheBreakpoints.of(CacheBreakpointsTest.body("claude-haiku-4-5", "A long document.", MARK,
        "Question " + which + "?"));
  }
}
