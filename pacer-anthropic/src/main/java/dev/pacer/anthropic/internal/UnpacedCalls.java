package dev.pacer.anthropic.internal;

import com.anthropic.core.RequestOptions;
import com.anthropic.core.http.HttpClient;
import com.anthropic.core.http.HttpRequest;
import com.anthropic.core.http.HttpResponse;
import com.anthropic.errors.AnthropicIoException;
import dev.pacer.anthropic.PacerFacts;
import dev.pacer.http.AttemptFailure;
import dev.pacer.http.ResponseHead;
import dev.pacer.retry.RetryDecision;
import dev.pacer.retry.RetryPolicy;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Calls to endpoints without rate limits of their own (models, files, …): sent at once, not
 * paced, but retried by the Pacer's retry policy, since the SDK's retries are off.
 */
final class UnpacedCalls {

  private final HttpClient delegate;
  private final PacingContext context;

  UnpacedCalls(HttpClient delegate, PacingContext context) {
    this.delegate = delegate;
    this.context = context;
  }

  HttpResponse execute(HttpRequest original, RequestOptions options) {
    HttpRequest request = original.toBuilder().removeHeaders(PacingContext.PRIORITY_HEADER)
        .removeHeaders(PacingContext.CALL_HEADER).build();
    boolean repeatable = request.body().map(body -> body.repeatable()).orElse(true);
    RetryPolicy policy = context.pacer().retryPolicy();
    long started = context.time().nanoTime();
    for (int attempt = 1; ; attempt++) {
      AttemptFailure failure;
      BufferedResponse failed = null;
      AnthropicIoException noAnswer = null;
      try {
        HttpResponse response = delegate.execute(request, options);
        if (Responses.isSuccess(response.statusCode())) {
          return response;
        }
        ResponseHead head = Responses.head(response);
        failed = BufferedResponse.read(response, Map.of());
        failure = new AttemptFailure.HttpError(head, Json.apiError(failed.bytes(), head));
      } catch (AnthropicIoException e) {
        if (Thread.currentThread().isInterrupted() || !(e.getCause() instanceof IOException io)) {
          throw e;
        }
        noAnswer = e;
        failure = new AttemptFailure.ConnectionFailed(io, isTimeout(io));
      } catch (IOException e) {
        noAnswer = new AnthropicIoException("Reading the response failed", e);
        failure = new AttemptFailure.ConnectionFailed(e, isTimeout(e));
      }
      RetryDecision decision = policy.decide(failure, attempt, context.time().nanoTime() - started, Long.MAX_VALUE);
      if (!decision.retry() || !repeatable) {
        return giveUp(failed, noAnswer, attempt, decision);
      }
      try {
        context.time().sleep(decision.delay());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return giveUp(failed, noAnswer, attempt, decision);
      }
    }
  }

  CompletableFuture<HttpResponse> executeAsync(HttpRequest request, RequestOptions options) {
    CompletableFuture<HttpResponse> result = new CompletableFuture<>();
    Thread thread = context.newAttemptThread(() -> {
      try {
        HttpResponse response = execute(request, options);
        if (!result.complete(response)) {
          Responses.closeQuietly(response);
        }
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    });
    thread.start();
    CancellingFuture<HttpResponse> cancellable = new CancellingFuture<>(result);
    result.whenComplete((response, error) -> {
      if (result.isCancelled()) {
        thread.interrupt();
      } else if (error != null) {
        cancellable.completeExceptionally(error);
      } else if (!cancellable.complete(response)) {
        Responses.closeQuietly(response);
      }
    });
    return cancellable;
  }

  private static HttpResponse giveUp(BufferedResponse failed, AnthropicIoException noAnswer, int attempts,
      RetryDecision decision) {
    if (failed != null) {
      return failed.withHeaders(Map.of(
          PacerFacts.ATTEMPTS, Integer.toString(attempts),
          PacerFacts.FAILURE, decision.classification().kind().name().toLowerCase(Locale.ROOT),
          PacerFacts.REASON, Responses.headerSafe(decision.reason(), 1000)));
    }
    throw noAnswer;
  }

  private static boolean isTimeout(IOException e) {
    return e instanceof SocketTimeoutException || e.getClass().getSimpleName().contains("Timeout")
        || e instanceof InterruptedIOException;
  }
}
