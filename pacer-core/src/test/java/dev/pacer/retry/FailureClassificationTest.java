package dev.pacer.retry;

import static dev.pacer.retry.Failures.error;
import static dev.pacer.retry.Failures.http;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pacer.http.ApiError;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FailureClassificationTest {

  private final RetryPolicy policy = RetryPolicy.defaults();

  @Nested
  class ByStatus {

    @ParameterizedTest(name = "{0} is retryable, {1}")
    @CsvSource({
        "408, TIMEOUT",
        "409, CONFLICT",
        "429, RATE_LIMITED",
        "500, SERVER_ERROR",
        "502, SERVER_ERROR",
        "503, SERVER_ERROR",
        "504, TIMEOUT",
        "529, OVERLOADED",
        "599, SERVER_ERROR"})
    void retryableStatuses(int status, FailureKind kind) {
      FailureClassification c = policy.classify(http(status, "retry-after", "1"));

      assertThat(c.retryable()).isTrue();
      assertThat(c.kind()).isEqualTo(kind);
    }

    @ParameterizedTest(name = "{0} is not retryable")
    @ValueSource(ints = {400, 401, 402, 403, 404, 405, 413, 422})
    void clientErrorsAreNotRetryable(int status) {
      FailureClassification c = policy.classify(http(status));

      assertThat(c.retryable()).isFalse();
      assertThat(c.kind()).isEqualTo(FailureKind.CLIENT_ERROR);
    }

    @ParameterizedTest(name = "{0} is unexpected, not retryable")
    @ValueSource(ints = {200, 204, 302, 304})
    void unexpectedStatusesAreNotRetryable(int status) {
      FailureClassification c = policy.classify(http(status));

      assertThat(c.retryable()).isFalse();
      assertThat(c.kind()).isEqualTo(FailureKind.UNEXPECTED_STATUS);
    }

    @Test
    void anOverloadedErrorInAnother5xxIsAnOverload() {
      assertThat(policy.classify(http(503, error("overloaded_error", "Overloaded"))).kind())
          .isEqualTo(FailureKind.OVERLOADED);
    }

    @Test
    void theReasonCarriesStatusTypeMessageAndRequestId() {
      FailureClassification c = policy.classify(http(400,
          new ApiError("invalid_request_error", "max_tokens: Field required", null, "req_body")));

      assertThat(c.reason()).isEqualTo(
          "400 invalid_request_error: max_tokens: Field required (request-id req_body)");
    }

    @Test
    void theRequestIdFromTheHeaderIsUsedWhenTheBodyHasNone() {
      FailureClassification c = policy.classify(http(404, error("not_found_error", "model: nope"),
          "request-id", "req_header"));

      assertThat(c.reason()).isEqualTo("404 not_found_error: model: nope (request-id req_header)");
    }

    @Test
    void aFailureWithoutABodyStillSaysItsStatus() {
      assertThat(policy.classify(http(502, "request-id", "req_1")).reason())
          .isEqualTo("502 with no readable error body (request-id req_1)");
    }
  }

  @Nested
  class SpendCap {

    private static final String CAP_MESSAGE =
        "You have reached your API usage limits. You will regain access on 2026-12-01 at 00:00 UTC.";

    @Test
    void theErrorCodeAloneMarksASpendCap() {
      FailureClassification c = policy.classify(http(429,
          error("rate_limit_error", "some other wording", "enforced_spend_limit_reached"),
          "retry-after", "30"));

      assertThat(c.retryable()).isFalse();
      assertThat(c.kind()).isEqualTo(FailureKind.SPEND_CAP);
      assertThat(c.reason()).contains("enforced_spend_limit_reached", "spend cap");
    }

    @Test
    void theMessageWithoutRetryAfterMarksASpendCap() {
      FailureClassification c = policy.classify(http(429, error("rate_limit_error", CAP_MESSAGE)));

      assertThat(c.retryable()).isFalse();
      assertThat(c.kind()).isEqualTo(FailureKind.SPEND_CAP);
    }

    @Test
    void allThreeSignsTogetherMarkASpendCap() {
      FailureClassification c = policy.classify(http(429,
          error("rate_limit_error", CAP_MESSAGE, "enforced_spend_limit_reached")));

      assertThat(c.retryable()).isFalse();
      assertThat(c.kind()).isEqualTo(FailureKind.SPEND_CAP);
      assertThat(c.rateLimitedBucket()).isEmpty();
    }

    @Test
    void theMessageWithARetryAfterIsAnOrdinaryRateLimit() {
      FailureClassification c = policy.classify(http(429, error("rate_limit_error", CAP_MESSAGE),
          "retry-after", "12"));

      assertThat(c.retryable()).isTrue();
      assertThat(c.kind()).isEqualTo(FailureKind.RATE_LIMITED);
    }

    @Test
    void a429WithNoRetryAfterAndAnotherMessageIsStillRetried() {
      FailureClassification c = policy.classify(http(429, error("rate_limit_error", "Too many requests")));

      assertThat(c.retryable()).isTrue();
      assertThat(c.kind()).isEqualTo(FailureKind.RATE_LIMITED);
    }

    @Test
    void theSpendCapIsNotRetriedByTheDecisionEither() {
      RetryDecision d = policy.decide(http(429, error("rate_limit_error", CAP_MESSAGE)), 1, 0, Long.MAX_VALUE);

      assertThat(d.retry()).isFalse();
      assertThat(d.verdict()).isEqualTo(RetryDecision.Verdict.NOT_RETRYABLE);
      assertThat(d.reason()).startsWith("not retryable: 429 rate_limit_error: You have reached your API usage limits");
    }
  }

  @Nested
  class WhichBucket {

    @ParameterizedTest(name = "\"{0}\" → {1}")
    @CsvSource(delimiter = '|', value = {
        "This request would exceed the rate limit for your organization (abc) of 50,000 input tokens per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.|input_tokens",
        "This request would exceed your organization's rate limit of 8,000 output tokens per minute.|output_tokens",
        "Number of requests has exceeded your rate limit of 50 requests per minute.|requests",
        "RATE LIMIT OF 1,000 REQUESTS PER MINUTE|requests"})
    void readsTheBucketFromTheMessage(String message, String bucket) {
      FailureClassification c = policy.classify(http(429, error("rate_limit_error", message),
          "retry-after", "3", "anthropic-ratelimit-requests-remaining", "0"));

      assertThat(c.rateLimitedBucket()).contains(bucket);
      assertThat(c.reason()).contains("the " + bucket + " bucket ran dry");
    }

    @ParameterizedTest(name = "{0} at 0 → {1}")
    @CsvSource({
        "anthropic-ratelimit-requests-remaining, requests",
        "anthropic-ratelimit-input-tokens-remaining, input_tokens",
        "anthropic-ratelimit-output-tokens-remaining, output_tokens"})
    void failingThatReadsTheExhaustedHeader(String header, String bucket) {
      FailureClassification c = policy.classify(http(429, error("rate_limit_error", "Rate limited"),
          "retry-after", "3",
          "anthropic-ratelimit-requests-remaining", "7",
          "anthropic-ratelimit-input-tokens-remaining", "12000",
          "anthropic-ratelimit-output-tokens-remaining", "4000",
          header, "0"));

      assertThat(c.rateLimitedBucket()).contains(bucket);
    }

    @Test
    void unknownWhenNeitherSays() {
      FailureClassification c = policy.classify(http(429, "retry-after", "3",
          "anthropic-ratelimit-requests-remaining", "not a number"));

      assertThat(c.rateLimitedBucket()).isEmpty();
    }

    @Test
    void onlyRateLimitsNameABucket() {
      assertThat(policy.classify(Failures.overloaded("anthropic-ratelimit-requests-remaining", "0"))
          .rateLimitedBucket()).isEmpty();
    }
  }

  @Nested
  class ShouldRetryHeader {

    @Test
    void trueMakesAClientErrorRetryable() {
      FailureClassification c = policy.classify(http(400, error("invalid_request_error", "transient"),
          "x-should-retry", "true"));

      assertThat(c.retryable()).isTrue();
      assertThat(c.kind()).isEqualTo(FailureKind.CLIENT_ERROR);
      assertThat(c.reason()).endsWith("retryable because the server sent x-should-retry: true");
    }

    @Test
    void falseMakesAnOverloadNotRetryable() {
      FailureClassification c = policy.classify(Failures.overloaded("x-should-retry", "false"));

      assertThat(c.retryable()).isFalse();
      assertThat(c.kind()).isEqualTo(FailureKind.OVERLOADED);
      assertThat(c.reason()).endsWith("not retryable because the server sent x-should-retry: false");
    }

    @Test
    void falseMakesARateLimitNotRetryable() {
      assertThat(policy.classify(http(429, "retry-after", "5", "X-Should-Retry", "False")).retryable()).isFalse();
    }

    @Test
    void trueOverridesEvenASpendCap() {
      FailureClassification c = policy.classify(http(429,
          error("rate_limit_error", "capped", "enforced_spend_limit_reached"), "x-should-retry", "true"));

      assertThat(c.retryable()).isTrue();
      assertThat(c.kind()).isEqualTo(FailureKind.SPEND_CAP);
    }

    @Test
    void otherValuesAreIgnored() {
      assertThat(policy.classify(http(400, "x-should-retry", "maybe")).retryable()).isFalse();
      assertThat(policy.classify(http(500, "x-should-retry", "1")).retryable()).isTrue();
    }

    @Test
    void agreeingHeadersAddNothingToTheReason() {
      assertThat(policy.classify(http(500, "x-should-retry", "true")).reason()).doesNotContain("x-should-retry");
    }
  }

  @Nested
  class Connections {

    @Test
    void refusedAndResetConnectionsAreRetried() {
      for (var failure : new dev.pacer.http.AttemptFailure[] {Failures.refused(), Failures.reset()}) {
        FailureClassification c = policy.classify(failure);
        assertThat(c.retryable()).isTrue();
        assertThat(c.kind()).isEqualTo(FailureKind.CONNECTION);
        assertThat(c.reason()).startsWith("connection failed: ");
      }
    }

    @Test
    void timeoutsAreRetriedAsTimeouts() {
      FailureClassification c = policy.classify(Failures.timedOut());

      assertThat(c.retryable()).isTrue();
      assertThat(c.kind()).isEqualTo(FailureKind.TIMEOUT);
      assertThat(c.kind().signalsOverload()).isTrue();
    }
  }

  @Nested
  class Streams {

    @Test
    void aStreamThatBrokeBeforeContentIsRetried() {
      FailureClassification c = policy.classify(Failures.stream(error("overloaded_error", "Overloaded"), false));

      assertThat(c.retryable()).isTrue();
      assertThat(c.kind()).isEqualTo(FailureKind.OVERLOADED);
      assertThat(c.reason()).isEqualTo(
          "stream broke before delivering content: overloaded_error: Overloaded (request-id req_stream)");
    }

    @Test
    void aStreamThatBrokeAfterContentIsNotRetried() {
      FailureClassification c = policy.classify(Failures.stream(error("overloaded_error", "Overloaded"), true));

      assertThat(c.retryable()).isFalse();
      assertThat(c.reason()).startsWith("stream broke after delivering content, so it cannot be retried");
    }

    @Test
    void aCutStreamWithoutAnErrorEventIsStreamBroken() {
      FailureClassification c = policy.classify(Failures.stream(null, false));

      assertThat(c.retryable()).isTrue();
      assertThat(c.kind()).isEqualTo(FailureKind.STREAM_BROKEN);
      assertThat(c.reason()).contains("the connection was cut", "req_stream");
    }

    @Test
    void aClientErrorInAStreamIsNotRetried() {
      FailureClassification c = policy.classify(
          Failures.stream(error("invalid_request_error", "bad"), false));

      assertThat(c.retryable()).isFalse();
      assertThat(c.kind()).isEqualTo(FailureKind.CLIENT_ERROR);
    }

    @Test
    void aRateLimitInAStreamNamesItsBucket() {
      FailureClassification c = policy.classify(Failures.stream(
          error("rate_limit_error", "exceeds 400,000 output tokens per minute"), false));

      assertThat(c.kind()).isEqualTo(FailureKind.RATE_LIMITED);
      assertThat(c.rateLimitedBucket()).isEqualTo(Optional.of("output_tokens"));
    }
  }

  @Test
  void overloadsAndTimeoutsAloneSignalOverload() {
    for (FailureKind kind : FailureKind.values()) {
      assertThat(kind.signalsOverload())
          .as(kind.name())
          .isEqualTo(kind == FailureKind.OVERLOADED || kind == FailureKind.TIMEOUT);
    }
  }
}
