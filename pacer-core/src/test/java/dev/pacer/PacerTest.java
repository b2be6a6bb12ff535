package dev.pacer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pacer.http.ApiError;
import dev.pacer.http.AttemptFailure;
import dev.pacer.http.ResponseHead;
import dev.pacer.limits.Limits;
import dev.pacer.retry.RetryPolicy;
import dev.pacer.time.FakeTimeSource;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PacerTest {

  private static final String MODEL = "claude-haiku-4-5";

  private final FakeTimeSource time = new FakeTimeSource();

  private Pacer pacer(Limits limits) {
    return Pacer.builder().timeSource(time).limits(limits).burst(Duration.ofMinutes(1)).jitterAllowance(Duration.ZERO)
        .retryPolicy(RetryPolicy.builder().jitterSeed(7).build()).build();
  }

  @Test
  void aSuccessfulCallTakesOneAttemptAndSettles() throws Exception {
    Pacer pacer = pacer(Limits.of(100, 100_000, 100_000));
    String answer = pacer.call(Demand.of(MODEL, 100, 50), permit -> {
      permit.onResponse(ResponseHead.of(200, Map.of()));
      permit.settle(Usage.of(80, 20));
      return "ok";
    });
    assertThat(answer).isEqualTo("ok");
    assertThat(pacer.stats()).isEqualTo(new PacerStats(1, 1, 0, 1, 0, 0, 0));
    assertThat(pacer.governor().snapshot("haiku-4-5").orElseThrow().inFlight()).isZero();
  }

  @Test
  void aRateLimitedAttemptWaitsTheRetryAfterThenSucceeds() throws Exception {
    Pacer pacer = pacer(Limits.of(100, 100_000, 100_000));
    AtomicInteger attempts = new AtomicInteger();
    long start = time.nanoTime();
    String answer = pacer.call(Demand.of(MODEL, 100, 50), permit -> {
      if (attempts.incrementAndGet() == 1) {
        throw failure(429, Map.of("retry-after", "3"), "rate_limit_error",
            "This request would exceed the rate limit for your organization of 50,000 input tokens per minute.");
      }
      permit.settle(Usage.of(100, 10));
      return "ok";
    });
    assertThat(answer).isEqualTo("ok");
    assertThat(time.nanoTime() - start).isEqualTo(Duration.ofSeconds(3).toNanos());
    assertThat(pacer.stats().rateLimited()).isEqualTo(1);
    assertThat(pacer.stats().attempts()).isEqualTo(2);
  }

  @Test
  void aRateLimitPausesEveryCallerOfThePool() {
    Pacer pacer = pacer(Limits.of(100, 100_000, 100_000));
    AtomicInteger attempts = new AtomicInteger();
    CompletableFuture<String> limited = pacer.callAsync(Demand.of(MODEL, 10, 10), permit -> {
      if (attempts.incrementAndGet() == 1) {
        return CompletableFuture.failedFuture(failure(429, Map.of("retry-after", "5"), "rate_limit_error",
            "This request would exceed the rate limit for your organization of 100 requests per minute."));
      }
      permit.settle(Usage.of(10, 10));
      return CompletableFuture.completedFuture("first");
    });
    CompletableFuture<String> other = pacer.callAsync(Demand.of(MODEL, 10, 10), permit -> {
      permit.settle(Usage.of(10, 10));
      return CompletableFuture.completedFuture("second");
    });
    time.advance(Duration.ofSeconds(4));
    assertThat(other).isNotDone();
    time.advance(Duration.ofSeconds(1));
    assertThat(limited).isCompletedWithValue("first");
    assertThat(other).isCompletedWithValue("second");
  }

  @Test
  void aClientErrorSurfacesAtOnceWithTheServersWords() {
    Pacer pacer = pacer(Limits.of(100, 100_000, 100_000));
    AtomicInteger attempts = new AtomicInteger();
    assertThatThrownBy(() -> pacer.call(Demand.of(MODEL, 10, 10), permit -> {
      attempts.incrementAndGet();
      throw failure(400, Map.of("request-id", "req_abc"), "invalid_request_error", "max_tokens: must be at least 1");
    })).isInstanceOfSatisfying(RequestFailedException.class, failed -> {
      assertThat(failed.attempts()).isEqualTo(1);
      assertThat(failed.getMessage()).contains("400", "invalid_request_error", "max_tokens: must be at least 1", "req_abc");
    });
    assertThat(attempts).hasValue(1);
    assertThat(pacer.stats().failed()).isEqualTo(1);
    assertThat(pacer.governor().snapshot("haiku-4-5").orElseThrow().inFlight()).isZero();
  }

  @Test
  void overloadsAndBrokenConnectionsAreRetriedWithBackoff() throws Exception {
    Pacer pacer = pacer(Limits.of(100, 100_000, 100_000));
    AtomicInteger attempts = new AtomicInteger();
    String answer = pacer.call(Demand.of(MODEL, 10, 10), permit -> {
      switch (attempts.incrementAndGet()) {
        case 1 -> throw failure(529, Map.of(), "overloaded_error", "Overloaded");
        case 2 -> throw new ConnectException("Connection refused");
        default -> {
          permit.settle(Usage.of(10, 10));
          return "ok";
        }
      }
    });
    assertThat(answer).isEqualTo("ok");
    assertThat(pacer.stats()).isEqualTo(new PacerStats(1, 1, 0, 3, 0, 1, 1));
  }

  @Test
  void aDemandThatCanNeverFitFailsBeforeAnyAttempt() {
    Pacer pacer = pacer(Limits.of(100, 1_000, 100_000));
    AtomicInteger attempts = new AtomicInteger();
    assertThatThrownBy(() -> pacer.call(Demand.of(MODEL, 5_000, 10), permit -> attempts.incrementAndGet()))
        .isInstanceOf(DemandTooLargeException.class)
        .hasMessageContaining("5,000 input tokens")
        .hasMessageContaining("1,000");
    assertThat(attempts).hasValue(0);
  }

  @Test
  void aRefusalThatProvesTheBurstTooSmallEndsTheRequestWithoutRetries() {
    // Limits known, burst not: the server's bucket holds only 1,000 input tokens (1 s of 60,000/min).
    Pacer pacer = Pacer.builder().timeSource(time).limits(Limits.of(60, 60_000, 60_000)).jitterAllowance(Duration.ZERO)
        .retryPolicy(RetryPolicy.builder().jitterSeed(7).build()).build();
    dev.pacer.testing.ServerModel server = new dev.pacer.testing.ServerModel(60, 60_000, 60_000,
        Duration.ofMinutes(1).toNanos(), 1.0 / 60, dev.pacer.testing.ServerModel.Rule.RESERVE, time.nanoTime());
    AtomicInteger attempts = new AtomicInteger();
    CompletableFuture<String> call = pacer.callAsync(Demand.of(MODEL, 5_000, 10), permit -> {
      attempts.incrementAndGet();
      dev.pacer.testing.ServerModel.Admission admission = server.admit(5_000, 10, time.nanoTime());
      return CompletableFuture.failedFuture(new AttemptFailedException(new AttemptFailure.HttpError(admission.head(),
          new ApiError("rate_limit_error", "This request exceeds the rate limit", null, null))));
    });
    time.advance(Duration.ofMinutes(5));
    assertThat(call).isCompletedExceptionally();
    assertThatThrownBy(call::join).hasCauseInstanceOf(DemandTooLargeException.class)
        .hasMessageContaining("at once");
    assertThat(attempts).hasValue(1);
  }

  @Test
  void aRetryGoesToTheHeadOfTheQueue() {
    Pacer pacer = pacer(Limits.of(60, 100_000, 100_000)); // one request a second once the burst is spent
    List<String> order = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      pacer.governor().tryAcquire(Demand.of(MODEL, 1, 1)).orElseThrow().settle(Usage.of(1, 1));
    }
    AtomicInteger attempts = new AtomicInteger();
    CompletableFuture<String> retried = pacer.callAsync(Demand.of(MODEL, 1, 1), permit -> {
      if (attempts.incrementAndGet() == 1) {
        return CompletableFuture.failedFuture(failure(500, Map.of("retry-after-ms", "10"), "api_error", "boom"));
      }
      order.add("retried");
      permit.settle(Usage.of(1, 1));
      return CompletableFuture.completedFuture("retried");
    });
    for (int i = 0; i < 3; i++) {
      String name = "waiter" + i;
      pacer.callAsync(Demand.of(MODEL, 1, 1), permit -> {
        order.add(name);
        permit.settle(Usage.of(1, 1));
        return CompletableFuture.completedFuture(name);
      });
    }
    time.advance(Duration.ofSeconds(10));
    assertThat(retried).isCompleted();
    // The first attempt went at 1 s; its retry, due 10 ms later, goes before those still waiting.
    assertThat(order).containsExactly("retried", "waiter0", "waiter1", "waiter2");
  }

  @Test
  void cancellingTheFutureWithdrawsTheWait() {
    Pacer pacer = pacer(Limits.of(1, 100_000, 100_000));
    pacer.governor().tryAcquire(Demand.of(MODEL, 1, 1)).orElseThrow();
    AtomicInteger attempts = new AtomicInteger();
    CompletableFuture<String> call = pacer.callAsync(Demand.of(MODEL, 1, 1), permit -> {
      attempts.incrementAndGet();
      return CompletableFuture.completedFuture("sent");
    });
    call.cancel(true);
    time.advance(Duration.ofMinutes(2));
    assertThat(attempts).hasValue(0);
    assertThat(pacer.governor().snapshot("haiku-4-5").orElseThrow().waiting()).isZero();
  }

  @Test
  void aTimeoutEndsAWaitThatWouldTakeTooLong() {
    Pacer pacer = pacer(Limits.of(1, 100_000, 100_000));
    pacer.governor().tryAcquire(Demand.of(MODEL, 1, 1)).orElseThrow();
    CompletableFuture<String> call = pacer.callAsync(Demand.of(MODEL, 1, 1).withTimeout(Duration.ofSeconds(10)),
        permit -> CompletableFuture.completedFuture("sent"));
    time.advance(Duration.ofSeconds(10));
    assertThatThrownBy(call::join).hasCauseInstanceOf(PacerTimeoutException.class);
  }

  @Test
  void anAttemptThatThrowsSomethingUnexpectedReleasesItsPermit() {
    Pacer pacer = pacer(Limits.of(100, 100_000, 100_000));
    assertThatThrownBy(() -> pacer.call(Demand.of(MODEL, 1, 1), permit -> {
      throw new IllegalStateException("bug in the caller");
    })).isInstanceOf(IllegalStateException.class);
    assertThat(pacer.governor().snapshot("haiku-4-5").orElseThrow().inFlight()).isZero();
  }

  @Test
  void closingFailsWhatWaits() {
    Pacer pacer = pacer(Limits.of(1, 100_000, 100_000));
    pacer.governor().tryAcquire(Demand.of(MODEL, 1, 1)).orElseThrow();
    CompletableFuture<String> call = pacer.callAsync(Demand.of(MODEL, 1, 1),
        permit -> CompletableFuture.completedFuture("sent"));
    pacer.close();
    assertThatThrownBy(call::join).hasCauseInstanceOf(PacerClosedException.class);
  }

  private static AttemptFailedException failure(int status, Map<String, String> headers, String type, String message) {
    ResponseHead head = ResponseHead.of(status, headers);
    return new AttemptFailedException(new AttemptFailure.HttpError(head,
        new ApiError(type, message, null, head.requestId().orElse(null))));
  }

}
