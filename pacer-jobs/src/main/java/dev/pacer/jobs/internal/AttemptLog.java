package dev.pacer.jobs.internal;

import com.anthropic.core.RequestOptions;
import com.anthropic.core.http.HttpClient;
import com.anthropic.core.http.HttpRequest;
import com.anthropic.core.http.HttpResponse;
import com.anthropic.core.http.Interceptor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts each job request's attempts, 429s and 529s, from below the Pacer: an SDK interceptor
 * placed after the paced one (so it sees every attempt Pacer sends, retries included) that reads
 * the request's {@link #TAG_HEADER}, removes it (it is never sent), and notes the status of the
 * answer. Pacer's own totals ({@code pacer.stats()}) count the same things for all requests
 * together; this tells them apart per request, for each result's {@link dev.pacer.jobs.Attempts}.
 * Every attempt, tagged or not, also tells its {@link ServerContact} whether a response came.
 */
public final class AttemptLog implements Interceptor {

  /** A request header naming the job request an attempt belongs to; read and removed here, never sent. */
  public static final String TAG_HEADER = "x-pacer-job-request";

  /** One request's counts so far. */
  public static final class Entry {
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicInteger rateLimited = new AtomicInteger();
    private final AtomicInteger overloaded = new AtomicInteger();

    public int attempts() {
      return attempts.get();
    }

    public int rateLimited() {
      return rateLimited.get();
    }

    public int overloaded() {
      return overloaded.get();
    }

    void answered(int status) {
      attempts.incrementAndGet();
      if (status == 429) {
        rateLimited.incrementAndGet();
      } else if (status == 529) {
        overloaded.incrementAndGet();
      }
    }

    void unanswered() {
      attempts.incrementAndGet();
    }
  }

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final ServerContact contact;

  /** A log whose server contact nobody asks about. */
  public AttemptLog() {
    this(new ServerContact("the server"));
  }

  /** @param contact told of every attempt's response, or its failure without one */
  public AttemptLog(ServerContact contact) {
    this.contact = contact;
  }

  /** Starts counting the attempts of the request tagged {@code tag}. */
  public Entry open(String tag) {
    Entry entry = new Entry();
    entries.put(tag, entry);
    return entry;
  }

  /** Stops counting for {@code tag} (the request has its outcome). */
  public void close(String tag) {
    entries.remove(tag);
  }

  @Override
  public HttpClient intercept(HttpClient delegate) {
    return new Counting(delegate);
  }

  private final class Counting implements HttpClient {
    private final HttpClient delegate;

    Counting(HttpClient delegate) {
      this.delegate = delegate;
    }

    @Override
    public HttpResponse execute(HttpRequest request, RequestOptions options) {
      Entry entry = entryOf(request);
      HttpResponse response;
      try {
        response = delegate.execute(untagged(request), options);
      } catch (RuntimeException | Error e) {
        if (entry != null) {
          entry.unanswered();
        }
        contact.failed(e);
        throw e;
      }
      if (entry != null) {
        entry.answered(response.statusCode());
      }
      contact.answered();
      return response;
    }

    @Override
    public CompletableFuture<HttpResponse> executeAsync(HttpRequest request, RequestOptions options) {
      Entry entry = entryOf(request);
      return delegate.executeAsync(untagged(request), options).whenComplete((response, failure) -> {
        if (response != null) {
          contact.answered();
        } else if (failure != null) {
          contact.failed(failure);
        }
        if (entry == null) {
          return;
        }
        if (response != null) {
          entry.answered(response.statusCode());
        } else {
          entry.unanswered();
        }
      });
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  private Entry entryOf(HttpRequest request) {
    List<String> tags = request.headers().values(TAG_HEADER);
    return tags.isEmpty() ? null : entries.get(tags.get(0));
  }

  private static HttpRequest untagged(HttpRequest request) {
    return request.headers().values(TAG_HEADER).isEmpty() ? request
        : request.toBuilder().removeHeaders(TAG_HEADER).build();
  }
}
