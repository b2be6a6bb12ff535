package dev.pacer.bench;

import com.anthropic.core.RequestOptions;
import com.anthropic.core.http.HttpClient;
import com.anthropic.core.http.HttpRequest;
import com.anthropic.core.http.HttpResponse;
import com.anthropic.core.http.Interceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Sees every attempt a contender sends: an SDK interceptor added below every retry layer (the
 * SDK's own and Pacer's), so each HTTP attempt passes through it once. Attempts are told apart by
 * the {@link JobRequest#INDEX_HEADER} header. A count_tokens call made for a request (Pacer asks
 * one before it refuses a request on an estimate of its input) is not an attempt of that request:
 * it is logged unmarked.
 */
public final class AttemptLog implements Interceptor {

  /** Status recorded for an attempt that got no HTTP answer. */
  public static final int NO_ANSWER = -1;

  private volatile long originNanos = System.nanoTime();
  private final ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();

  /** Times are measured from now on ({@link System#nanoTime()}); returns the origin. */
  public long start() {
    attempts.clear();
    originNanos = System.nanoTime();
    return originNanos;
  }

  /** One attempt: the request's index (-1 when unmarked), when it was sent, its status. */
  public record Attempt(int index, long sentNanos, int status) {}

  public List<Attempt> attempts() {
    return new ArrayList<>(attempts);
  }

  @Override
  public HttpClient intercept(HttpClient delegate) {
    return new HttpClient() {
      @Override
      public HttpResponse execute(HttpRequest request, RequestOptions options) {
        int index = indexOf(request);
        long sent = System.nanoTime() - originNanos;
        HttpResponse response;
        try {
          response = delegate.execute(request, options);
        } catch (RuntimeException e) {
          attempts.add(new Attempt(index, sent, NO_ANSWER));
          throw e;
        }
        attempts.add(new Attempt(index, sent, response.statusCode()));
        return response;
      }

      @Override
      public CompletableFuture<HttpResponse> executeAsync(HttpRequest request, RequestOptions options) {
        int index = indexOf(request);
        long sent = System.nanoTime() - originNanos;
        return delegate.executeAsync(request, options).whenComplete((response, error) ->
            attempts.add(new Attempt(index, sent, error == null ? response.statusCode() : NO_ANSWER)));
      }

      @Override
      public void close() {
        delegate.close();
      }
    };
  }

  private static int indexOf(HttpRequest request) {
    List<String> path = request.pathSegments();
    if (!path.isEmpty() && path.get(path.size() - 1).equals("count_tokens")) {
      return -1;
    }
    List<String> values = request.headers().values(JobRequest.INDEX_HEADER);
    if (values.isEmpty()) {
      return -1;
    }
    try {
      return Integer.parseInt(values.get(0).trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
