package dev.pacer.simulator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A plain HTTP client for the simulator's tests: raw requests, parsed JSON answers. */
public final class SimHttp {

  public static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] WORDS = {"red", "blue", "green", "gold", "gray", "pink", "teal", "lime"};

  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final String baseUrl;

  public SimHttp(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  /** A POST with {@code x-api-key} and {@code anthropic-version}. */
  public HttpResponse<String> post(String path, String body) {
    return post(path, body, "x-api-key", "sk-test", "anthropic-version", "2023-06-01");
  }

  /** A POST with exactly these headers (name, value, name, value…). */
  public HttpResponse<String> post(String path, String body, String... headers) {
    return send(request(path, headers).POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  public HttpResponse<String> get(String path, String... headers) {
    return send(request(path, headers).GET());
  }

  public HttpResponse<String> send(String method, String path, String body, String... headers) {
    HttpRequest.BodyPublisher p = body == null
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
    return send(request(path, headers).method(method, p));
  }

  private HttpRequest.Builder request(String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(20));
    if (headers.length > 0) b.headers(headers);
    b.header("content-type", "application/json");
    return b;
  }

  private HttpResponse<String> send(HttpRequest.Builder b) {
    try {
      return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + r.body(), e);
    }
  }

  /** A Messages body with one user message of {@code text}. */
  public static String messages(String model, long maxTokens, String text) {
    return "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens
        + ",\"messages\":[{\"role\":\"user\",\"content\":" + JSON.valueToTree(text) + "}]}";
  }

  /**
   * A user message of {@code words} one-token words: by the simulator's rule it counts
   * {@code words + 7} input tokens (3 per request, 4 per message).
   */
  public static String words(int words) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      if (i > 0) sb.append(' ');
      sb.append(WORDS[i % WORDS.length]);
    }
    return sb.toString();
  }

  /** The events of an SSE body, as (event name, data JSON) pairs. */
  public static List<Event> events(String body) {
    List<Event> out = new ArrayList<>();
    for (String block : body.split("\n\n")) {
      if (block.isBlank()) continue;
      String name = null;
      String data = null;
      for (String line : block.split("\n")) {
        if (line.startsWith("event: ")) name = line.substring(7);
        if (line.startsWith("data: ")) data = line.substring(6);
      }
      try {
        out.add(new Event(name, JSON.readTree(data)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  public record Event(String name, JsonNode data) {}
}
