package dev.pacer.anthropic.internal;

import com.anthropic.core.http.HttpClient;
import com.anthropic.core.http.Interceptor;
import java.util.Objects;

/**
 * Puts the paced transport into an SDK client: the SDK calls {@link #intercept} with its own
 * transport (OkHttp, under its logging) and sends every attempt through what this returns.
 */
public final class PacingInterceptor implements Interceptor {

  private final PacingContext context;

  public PacingInterceptor(PacingContext context) {
    this.context = Objects.requireNonNull(context, "context");
  }

  public PacingContext context() {
    return context;
  }

  @Override
  public HttpClient intercept(HttpClient delegate) {
    return new PacedHttpClient(delegate, context);
  }

  @Override
  public String toString() {
    return "PacingInterceptor[" + context + "]";
  }
}
