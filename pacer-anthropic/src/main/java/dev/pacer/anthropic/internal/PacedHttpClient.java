package dev.pacer.anthropic.internal;

import com.anthropic.core.RequestOptions;
import com.anthropic.core.http.HttpClient;
import com.anthropic.core.http.HttpRequest;
import com.anthropic.core.http.HttpResponse;
import dev.pacer.RequestFailedException;
import java.util.Objects;
import java.util.Optional;
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
      return context.pacer().call(exchange.demand(), exchange::attempt);
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
    CompletableFuture<HttpResponse> paced = context.pacer().callAsync(exchange.demand(), exchange::attemptAsync);
    CancellingFuture<HttpResponse> result = new CancellingFuture<>(paced);
    paced.whenComplete((response, error) -> {
      if (error == null) {
        if (!result.complete(response)) {
          Responses.closeQuietly(response);
        }
        return;
      }
      Throwable cause = unwrap(error);
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
    });
    return result;
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
