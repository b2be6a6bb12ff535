package dev.pacer.anthropic.internal;

import com.anthropic.core.RequestOptions;
import com.anthropic.core.http.HttpClient;
import com.anthropic.core.http.HttpRequest;
import com.anthropic.core.http.HttpResponse;
import dev.pacer.DemandTooLargeException;
import dev.pacer.RequestFailedException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The paced transport: one {@link #execute} or {@link #executeAsync} is one logical request, run
 * through {@link dev.pacer.Pacer#call} or {@link dev.pacer.Pacer#callAsync}, each of its attempts
 * sent to the SDK's own transport below ({@code delegate}, the OkHttp client). It sits where the
 * SDK puts interceptors: under the SDK's retry layer (off: {@code maxRetries(0)}) and its
 * authentication, over its logging and OkHttp.
 *
 * <p>Asynchronous requests wait for capacity as futures, holding no thread; each attempt runs the
 * delegate's blocking {@code execute} on a virtual thread of its own, so the number in flight is
 * not capped by OkHttp's dispatcher (64) but by the Pacer's concurrency limit.
 */
public final class PacedHttpClient implements HttpClient {

  private final HttpClient delegate;
  private final PacingContext context;
  private final UnpacedCalls unpaced;

  public PacedHttpClient(HttpClient delegate, PacingContext context) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.context = Objects.requireNonNull(context, "context");
    this.unpaced = new UnpacedCalls(delegate, context);
  }

  @Override
  public HttpResponse execute(HttpRequest request, RequestOptions options) {
    Route route = Route.of(request);
    Optional<Exchange> opened = route.isPaced()
        ? Exchange.open(context, delegate, request, options, route) : Optional.empty();
    if (opened.isEmpty()) {
      return unpaced.execute(request, options);
    }
    Exchange exchange = opened.get();
    try {
      awaitCache(exchange);
      return call(exchange, options);
    } catch (RequestFailedException e) {
      return exchange.gaveUp(e);
    } catch (InterruptedException e) {
      exchange.abandon();
      Thread.currentThread().interrupt();
      throw exchange.interrupted(e);
    } catch (RuntimeException | Error e) {
      exchange.abandon();
      throw e;
    }
  }

  @Override
  public CompletableFuture<HttpResponse> executeAsync(HttpRequest request, RequestOptions options) {
    CallLink call = context.takeCall(request); // the user's call, when made through CancellableCalls
    if (call == null) {
      return send(request, options);
    }
    if (call.isCancelled()) {
      CompletableFuture<HttpResponse> cancelled = new CompletableFuture<>();
      cancelled.cancel(false); // cancelled before it got here: never waits, never sent
      return cancelled;
    }
    return call.attach(send(request, options));
  }

  private CompletableFuture<HttpResponse> send(HttpRequest request, RequestOptions options) {
    Route route = Route.of(request);
    Optional<Exchange> opened;
    try {
      opened = route.isPaced() ? Exchange.open(context, delegate, request, options, route) : Optional.empty();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e); // refused before anything was sent (the budget)
    }
    if (opened.isEmpty()) {
      return unpaced.executeAsync(request, options);
    }
    Exchange exchange = opened.get();
    CompletableFuture<Void> cacheWarmedUp = exchange.cacheWarmedUp();
    if (cacheWarmedUp.isDone()) {
      return pacedCall(exchange, options);
    }
    // Another request is writing this one's prompt prefix to the cache: wait for its answer first.
    CancellingFuture<HttpResponse> result = new CancellingFuture<>(cacheWarmedUp);
    cacheWarmedUp.whenComplete((ignored, error) -> {
      if (result.isDone()) {
        exchange.abandon(); // cancelled while waiting
        return;
      }
      CompletableFuture<HttpResponse> paced = pacedCall(exchange, options);
      cancelOnCancel(result, paced);
      paced.whenComplete((response, failure) -> {
        if (failure != null) {
          result.completeExceptionally(unwrap(failure));
        } else if (!result.complete(response)) {
          Responses.closeQuietly(response);
        }
      });
    });
    return result;
  }

  /** The paced call of an exchange whose demand is decided, refused ones recounted (see {@link #callCounted}). */
  private CompletableFuture<HttpResponse> pacedCall(Exchange exchange, RequestOptions options) {
    CompletableFuture<HttpResponse> paced = context.pacer().callAsync(exchange.demand(), exchange::attemptAsync);
    CancellingFuture<HttpResponse> result = new CancellingFuture<>(paced);
    paced.whenComplete((response, error) -> {
      Throwable cause = error == null ? null : unwrap(error);
      if (cause instanceof DemandTooLargeException refused && exchange.mayRecount(refused)) {
        callCounted(exchange, refused, options, result);
      } else {
        settle(exchange, response, cause, result);
      }
    });
    return result;
  }

  /** Waits, on the calling thread, until the prompt cache lets the request go (see {@link Exchange#cacheWarmedUp()}). */
  private static void awaitCache(Exchange exchange) throws InterruptedException {
    try {
      exchange.cacheWarmedUp().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("waiting for the prompt cache failed", e.getCause()); // it completes normally only
    }
  }

  /**
   * Runs the paced call; refused on an estimate of its input, asks the server's count and runs it
   * again with that count (see {@link InputRecount}).
   */
  private HttpResponse call(Exchange exchange, RequestOptions options) throws InterruptedException {
    try {
      return context.pacer().call(exchange.demand(), exchange::attempt);
    } catch (DemandTooLargeException refused) {
      if (!exchange.mayRecount(refused)) {
        throw refused;
      }
      OptionalLong counted = exchange.countRequest().map(count -> {
        try {
          return InputRecount.inputTokensOf(execute(count, options));
        } catch (RuntimeException countFailed) {
          return OptionalLong.empty();
        }
      }).orElse(OptionalLong.empty());
      if (counted.isEmpty()) {
        throw refused; // no count to overturn the estimate with
      }
      return context.pacer().call(exchange.demand().withInputTokens(counted.getAsLong()), exchange::attempt);
    }
  }

  /** The asynchronous {@link #call}'s second half: the count, then the call with it, into {@code result}. */
  private void callCounted(Exchange exchange, DemandTooLargeException refused, RequestOptions options,
      CancellingFuture<HttpResponse> result) {
    Optional<HttpRequest> countRequest = exchange.countRequest();
    if (countRequest.isEmpty()) {
      settle(exchange, null, refused, result);
      return;
    }
    CompletableFuture<HttpResponse> count = send(countRequest.get(), options);
    cancelOnCancel(result, count);
    count.whenComplete((countResponse, countError) -> {
      OptionalLong counted = countError == null ? InputRecount.inputTokensOf(countResponse) : OptionalLong.empty();
      if (counted.isEmpty() || result.isDone()) {
        settle(exchange, null, refused, result);
        return;
      }
      CompletableFuture<HttpResponse> paced = context.pacer().callAsync(
          exchange.demand().withInputTokens(counted.getAsLong()), exchange::attemptAsync);
      cancelOnCancel(result, paced);
      paced.whenComplete((response, error) -> settle(exchange, response, error == null ? null : unwrap(error), result));
    });
  }

  /**
   * Cancels {@code step} (a later stage {@code result} now waits on: a count, a paced call) when
   * {@code result} is cancelled: the wait is withdrawn, or the attempt cut.
   */
  private static void cancelOnCancel(CompletableFuture<HttpResponse> result, CompletableFuture<HttpResponse> step) {
    result.whenComplete((ignored, error) -> {
      if (result.isCancelled()) {
        step.cancel(true);
      }
    });
  }

  /** Completes {@code result} with the paced call's outcome: its response, the error answer it gave up on, or why not. */
  private static void settle(Exchange exchange, HttpResponse response, Throwable cause,
      CompletableFuture<HttpResponse> result) {
    if (cause == null) {
      if (!result.complete(response)) {
        Responses.closeQuietly(response);
      }
      return;
    }
    if (cause instanceof RequestFailedException failed) {
      try {
        result.complete(exchange.gaveUp(failed));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    } else {
      exchange.abandon();
      result.completeExceptionally(cause);
    }
  }

  @Override
  public void close() {
    delegate.close();
  }

  static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  @Override
  public String toString() {
    return "PacedHttpClient[" + context + "]";
  }
}
