package dev.pacer.simulator.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * Every request comes here: routes it, answers every error with the API's envelope, and keeps
 * serving whatever it is sent (an unexpected failure is a 500 api_error, never a dead server).
 */
final class Router implements HttpHandler {

  private static final System.Logger LOG = System.getLogger(Router.class.getName());

  private final SimulatorEngine engine;
  private final MessagesEndpoint messages;
  private final CountTokensEndpoint countTokens;
  private final ModelsEndpoint models;
  private final StatsEndpoint stats;
  private final BatchesEndpoint batches;

  Router(SimulatorEngine engine) {
    this.engine = engine;
    this.messages = new MessagesEndpoint(engine);
    this.countTokens = new CountTokensEndpoint(engine);
    this.models = new ModelsEndpoint(engine);
    this.stats = new StatsEndpoint(engine);
    this.batches = new BatchesEndpoint(engine);
  }

  @Override
  public void handle(HttpExchange exchange) {
    HttpCall call = new HttpCall(exchange, engine.ids().requestId());
    try {
      route(call);
    } catch (ConnectionDropped e) {
      throw e; // not closed here: the JDK server closes the connection mid-response
    } catch (ApiException e) {
      answerQuietly(call, e);
    } catch (IOException e) {
      // the client went away; nothing to answer
    } catch (RuntimeException | Error e) {
      LOG.log(Level.WARNING, "simulator: unexpected failure on " + call.method() + " " + call.path(), e);
      answerQuietly(call, new ApiException(500, "api_error", "Internal server error"));
    }
    exchange.close();
  }

  private void route(HttpCall call) throws IOException {
    String path = stripTrailingSlash(call.path());
    String method = call.method();
    if (!path.equals("/v1/messages") && path.startsWith("/v1/")) {
      Fault outage = engine.faults().outage(engine.clock().nanoTime());
      if (outage != null) {
        engine.stats().faultInjected(outage.kind());
        call.drainBody();
        throw new ApiException(outage.status(), ApiException.typeForStatus(outage.status()),
            ApiException.messageForStatus(outage.status()));
      }
    }
    if ((path.equals(BatchesEndpoint.PREFIX) || path.startsWith(BatchesEndpoint.PREFIX + "/"))
        && batches.handle(call, path)) {
      return;
    }
    switch (path) {
      case "/v1/messages" -> {
        requireMethod(call, "POST");
        messages.handle(call);
      }
      case "/v1/messages/count_tokens" -> {
        requireMethod(call, "POST");
        countTokens.handle(call);
      }
      case "/v1/models" -> {
        requireMethod(call, "GET");
        models.list(call);
      }
      case "/_sim/stats" -> {
        requireMethod(call, "GET");
        stats.handle(call);
      }
      default -> {
        if (path.startsWith("/v1/models/") && method.equals("GET")) {
          models.get(call, path.substring("/v1/models/".length()));
        } else {
          throw new ApiException(404, "not_found_error", "Not found: " + method + " " + call.path());
        }
      }
    }
  }

  private static void requireMethod(HttpCall call, String method) {
    if (!call.method().equals(method)) {
      throw new ApiException(405, "invalid_request_error",
          "Method " + call.method() + " is not allowed on " + call.path() + "; use " + method + ".",
          java.util.Map.of("allow", method));
    }
  }

  private static String stripTrailingSlash(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private static void answerQuietly(HttpCall call, ApiException e) {
    if (call.answered()) return;
    try {
      call.sendError(e);
    } catch (IOException ignored) {
      // the client went away
    }
  }
}
