package dev.pacer.anthropic.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClientAsync;
import com.anthropic.client.okhttp.AnthropicOkHttpClientAsync;
import com.anthropic.core.RequestOptions;
import com.anthropic.core.http.HttpClient;
import com.anthropic.core.http.HttpRequest;
import com.anthropic.core.http.HttpResponse;
import com.anthropic.core.http.Interceptor;
import com.anthropic.models.messages.Message;
import dev.pacer.Pacer;
import dev.pacer.anthropic.PacedAnthropic;
import dev.pacer.anthropic.testing.Sim;
import dev.pacer.limits.Limits;
import dev.pacer.simulator.Simulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The paced transport tells each permit when its request has left: the body is written only once
 * the connection is open, so a slow first connection holds the refill back, not the grant.
 */
class SendReportTest {

  @Test
  void requestsHeldUpBeforeTheWireDrawNo429FromAFullBucket() throws Exception {
    // 60 requests per 6 s window, a burst of one second (10 requests). The first ten requests
    // granted are held up for a second below Pacer, before OkHttp writes them: the server's
    // bucket stays full all that second. Pacer, told only when each was written, grants nothing
    // on that second's refill, so the ten that follow do not reach the server first and use it up.
    AtomicInteger calls = new AtomicInteger();
    List<Boolean> bodiesHeldByPacer = new ArrayList<>();
    Interceptor slowFirstConnections = delegate -> new HttpClient() {
      @Override
      public HttpResponse execute(HttpRequest request, RequestOptions options) {
        hold(request);
        return delegate.execute(request, options);
      }

      @Override
      public CompletableFuture<HttpResponse> executeAsync(HttpRequest request, RequestOptions options) {
        hold(request);
        return delegate.executeAsync(request, options);
      }

      private void hold(HttpRequest request) {
        synchronized (bodiesHeldByPacer) {
          bodiesHeldByPacer.add(request.body().orElse(null) instanceof BytesBody);
        }
        if (calls.incrementAndGet() <= 10) {
          try {
            TimeUnit.SECONDS.sleep(1);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }

      @Override
      public void close() {
        delegate.close();
      }
    };
    try (Simulator sim = Simulator.start(Sim.tight().rpm(60).build());
        Pacer pacer = Pacer.builder().limits(Limits.of(60, 60_000, 30_000)).window(Sim.WINDOW).burst(Sim.BURST)
            .build();
        PacedAnthropic paced = PacedAnthropic.builder().pacer(pacer).clientBuilder(Sim.sdk(sim)).build()) {
      // Interceptors added later sit nearer the wire: Pacer's, then the slow link below it.
      AnthropicClientAsync client = AnthropicOkHttpClientAsync.builder().baseUrl(sim.baseUrl()).apiKey(Sim.KEY)
          .timeout(Duration.ofSeconds(30)).maxRetries(0).addInterceptor(paced.interceptor())
          .addInterceptor(slowFirstConnections).build();
      List<CompletableFuture<Message>> answers = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        answers.add(client.messages().create(Sim.params(i, 32)));
      }
      CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      assertThat(sim.stats().rateLimited()).as("429s").isZero();
      assertThat(bodiesHeldByPacer).as("the slow link sits below Pacer").hasSize(20).containsOnly(true);
      assertThat(sim.stats().attempts()).isEqualTo(20);
      client.close();
    }
  }
}
