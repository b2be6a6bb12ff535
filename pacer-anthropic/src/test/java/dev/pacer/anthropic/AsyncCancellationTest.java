package dev.pacer.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.anthropic.client.AnthropicClientAsync;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.AsyncStreamResponse;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.batches.BatchRetrieveParams;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pacer.Pacer;
import dev.pacer.PoolSnapshot;
import dev.pacer.anthropic.internal.PacingInterceptor;
import dev.pacer.anthropic.testing.Sim;
import dev.pacer.events.PacerEvent;
import dev.pacer.limits.Limits;
import dev.pacer.simulator.Simulator;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Cancelling a future of the paced async client (or closing its async stream) withdraws the
 * request's wait for capacity, or cuts its HTTP call: nothing stays queued, held or sent.
 */
class AsyncCancellationTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int WAITERS = 10;
  /** How long a held answer takes: past every wait of the test, and within the SDK's timeout. */
  private static final Duration HELD = Duration.ofMinutes(3);

  @Test
  void cancellingWaitingFuturesWithdrawsTheirWaits() throws Exception {
    Sim.Events events = new Sim.Events();
    try (Simulator sim = Simulator.start(Sim.tight().build());
        Pacer pacer = Sim.pacerFor(sim).maxConcurrency(1).listener(events).build();
        PacedAnthropic paced = PacedAnthropic.builder().pacer(pacer).clientBuilder(sdk(sim)).build()) {
      AnthropicClientAsync client = paced.async();
      // The first request's answer is held back a minute: it keeps the pool's only slot.
      sim.faults().slowNextHeaders(1, HELD);
      CompletableFuture<Message> holder = client.messages().create(Sim.params(0, 16));
      await().atMost(WAIT).until(() -> sim.stats().attempts() == 1);

      List<CompletableFuture<?>> waiting = new ArrayList<>();
      for (int i = 1; i <= WAITERS; i++) {
        CompletableFuture<Message> future = client.messages().create(Sim.params(i, 16));
        // Half are cancelled through a stage derived from them, as user code often holds one.
        waiting.add(i % 2 == 0 ? future.thenApply(Message::id) : future);
      }
      await().atMost(WAIT).until(() -> pool(pacer).waiting() == WAITERS);

      waiting.forEach(future -> future.cancel(true));

      await().atMost(WAIT).until(() -> pool(pacer).waiting() == 0);
      assertThat(waiting).allMatch(CompletableFuture::isCancelled);
      assertThat(pendingCalls(paced)).isZero();
      assertThat(events.of(PacerEvent.Acquired.class)).hasSize(1); // none of them was ever granted

      holder.cancel(true); // and the one in flight: its call is cut, its permit ends
      await().atMost(WAIT).until(() -> pool(pacer).inFlight() == 0);

      // Nothing leaked: the pool's only slot is free again.
      Message later = client.messages().create(Sim.params(99, 16)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(later.usage().outputTokens()).isPositive();
      assertThat(sim.stats().attempts()).isEqualTo(2); // the holder and the later one; none of the cancelled
      PoolSnapshot after = pool(pacer);
      assertThat(after.waiting()).isZero();
      assertThat(after.inFlight()).isZero();
      assertThat(pendingCalls(paced)).isZero();
    }
  }

  @Test
  void cancellingAFutureInFlightCutsItsCall() throws Exception {
    Sim.Events events = new Sim.Events();
    try (Simulator sim = Simulator.start(Sim.tight().build());
        Pacer pacer = Sim.pacerFor(sim).listener(events).build();
        PacedAnthropic paced = PacedAnthropic.builder().pacer(pacer).clientBuilder(sdk(sim)).build()) {
      AnthropicClientAsync client = paced.async();
      sim.faults().slowNextHeaders(1, HELD);
      CompletableFuture<Message> call = client.messages().create(Sim.params(1, 16));
      await().atMost(WAIT).until(() -> sim.stats().attempts() == 1 && pool(pacer).inFlight() == 1);

      assertThat(call.cancel(true)).isTrue();

      assertThat(call).isCancelled();
      await().atMost(WAIT).until(() -> pool(pacer).inFlight() == 0);
      assertThat(events.of(PacerEvent.Released.class)).hasSize(1); // the permit ended without usage
      assertThat(paced.costs().reservedUsd()).isZero();

      Message later = client.messages().create(Sim.params(2, 16)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(later.usage().outputTokens()).isPositive();
      assertThat(sim.stats().attempts()).isEqualTo(2); // the cancelled call was not retried
      assertThat(events.of(PacerEvent.Acquired.class)).hasSize(2);
      assertThat(pool(pacer).inFlight()).isZero();
      assertThat(pendingCalls(paced)).isZero();
    }
  }

  @Test
  void closingAWaitingAsyncStreamWithdrawsIt() throws Exception {
    try (Simulator sim = Simulator.start(Sim.tight().build());
        Pacer pacer = Sim.pacerFor(sim).maxConcurrency(1).build();
        PacedAnthropic paced = PacedAnthropic.builder().pacer(pacer).clientBuilder(sdk(sim)).build()) {
      AnthropicClientAsync client = paced.async();
      sim.faults().slowNextHeaders(1, HELD);
      CompletableFuture<Message> holder = client.messages().create(Sim.params(0, 16));
      await().atMost(WAIT).until(() -> sim.stats().attempts() == 1);

      AsyncStreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(Sim.params(1, 16));
      await().atMost(WAIT).until(() -> pool(pacer).waiting() == 1);
      stream.close();

      await().atMost(WAIT).until(() -> pool(pacer).waiting() == 0);
      assertThat(stream.onCompleteFuture()).isDone();
      holder.cancel(true);
      await().atMost(WAIT).until(() -> pool(pacer).inFlight() == 0);
      assertThat(sim.stats().attempts()).isEqualTo(1);
      assertThat(pendingCalls(paced)).isZero();
    }
  }

  @Test
  void countTokensAndBatchCallsAreCancelledToo() throws Exception {
    try (Scripted server = new Scripted();
        Pacer pacer = Pacer.builder()
            .poolLimits("count_tokens", Limits.of(600, Limits.UNKNOWN, Limits.UNKNOWN))
            .poolLimits("batches", Limits.of(600, Limits.UNKNOWN, Limits.UNKNOWN))
            .maxConcurrency(1).build();
        PacedAnthropic paced = PacedAnthropic.builder().pacer(pacer).clientBuilder(
            AnthropicOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey(Sim.KEY).timeout(HELD.multipliedBy(2)))
            .build()) {
      AnthropicClientAsync client = paced.async();
      checkCancelling(pacer, paced, server, "count_tokens", "/v1/messages/count_tokens", hold -> {
        MessageCountTokensParams.Builder params = MessageCountTokensParams.builder().model(Sim.MODEL).addUserMessage("count me");
        return client.messages().countTokens(hold ? params.putAdditionalHeader(Scripted.HOLD, "1").build() : params.build());
      });
      checkCancelling(pacer, paced, server, "batches", "/v1/messages/batches/msgbatch_01", hold -> hold
          ? client.messages().batches().retrieve("msgbatch_01",
              BatchRetrieveParams.builder().putAdditionalHeader(Scripted.HOLD, "1").build())
          : client.messages().batches().retrieve("msgbatch_01"));
    }
  }

  /** One call held at the server, WAITERS queued behind it; all cancelled; then one more goes through. */
  private static void checkCancelling(Pacer pacer, PacedAnthropic paced, Scripted server, String pool, String path,
      Function<Boolean, CompletableFuture<?>> call) throws Exception {
    CompletableFuture<?> held = call.apply(true);
    await().atMost(WAIT).until(() -> server.hits(path) == 1);
    List<CompletableFuture<?>> waiting = new ArrayList<>();
    for (int i = 0; i < WAITERS; i++) {
      waiting.add(call.apply(false));
    }
    await().atMost(WAIT).until(() -> pool(pacer, pool).waiting() == WAITERS);

    waiting.forEach(future -> future.cancel(true));
    await().atMost(WAIT).until(() -> pool(pacer, pool).waiting() == 0);
    held.cancel(true);
    await().atMost(WAIT).until(() -> pool(pacer, pool).inFlight() == 0);
    assertThat(held).isCancelled();
    assertThat(waiting).allMatch(CompletableFuture::isCancelled);
    assertThat(server.hits(path)).isEqualTo(1);

    call.apply(false).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(server.hits(path)).isEqualTo(2);
    assertThat(pendingCalls(paced)).isZero();
  }

  private static AnthropicOkHttpClient.Builder sdk(Simulator sim) {
    return Sim.sdk(sim).timeout(HELD.multipliedBy(2)); // only a cancellation ends a held call
  }

  private static PoolSnapshot pool(Pacer pacer) {
    return pool(pacer, Sim.POOL);
  }

  private static PoolSnapshot pool(Pacer pacer, String pool) {
    return pacer.governor().snapshot(pool).orElseThrow();
  }

  private static int pendingCalls(PacedAnthropic paced) {
    return ((PacingInterceptor) paced.interceptor()).context().pendingCalls();
  }

  /** Answers count_tokens and batch retrieval; holds a request marked {@link #HOLD} until closed. */
  private static final class Scripted implements AutoCloseable {
    static final String HOLD = "x-test-hold";
    private static final String BATCH = "{\"id\":\"msgbatch_01\",\"type\":\"message_batch\",\"processing_status\":\"ended\","
        + "\"request_counts\":{\"processing\":0,\"succeeded\":1,\"errored\":0,\"canceled\":0,\"expired\":0},"
        + "\"created_at\":\"2026-01-01T00:00:00Z\",\"expires_at\":\"2026-01-02T00:00:00Z\",\"ended_at\":null,"
        + "\"cancel_initiated_at\":null,\"archived_at\":null,\"results_url\":null}";

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final CountDownLatch released = new CountDownLatch(1);
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

    Scripted() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setExecutor(threads);
      server.createContext("/", this::answer);
      server.start();
    }

    String baseUrl() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    int hits(String path) {
      return hits.getOrDefault(path, new AtomicInteger()).get();
    }

    private void answer(HttpExchange exchange) throws IOException {
      String path = exchange.getRequestURI().getPath();
      exchange.getRequestBody().readAllBytes();
      hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      try {
        if (exchange.getRequestHeaders().containsKey(HOLD)) {
          released.await(HELD.toSeconds(), TimeUnit.SECONDS);
        }
        byte[] body = (path.endsWith("/count_tokens") ? "{\"input_tokens\":12}" : BATCH).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("content-type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException ignored) {
        // the client went away (a cancelled call)
      } finally {
        exchange.close();
      }
    }

    @Override
    public void close() {
      released.countDown();
      server.stop(0);
      threads.shutdownNow();
    }
  }
}
