package dev.pacer.anthropic.internal;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.AnthropicClientAsync;
import com.anthropic.core.Params;
import com.anthropic.core.http.AsyncStreamResponse;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Makes cancelling what the paced async client returns reach the request. The SDK (3.14) builds
 * the future it returns from its own ({@code completedFuture(request).thenComposeAsync(...
 * executeAsync ...).thenApply(...)}), calling the transport later on another thread, and
 * cancelling that future does not travel back to the transport.
 *
 * <p>So the paced client, its async client and the async services (and their
 * {@code withRawResponse()} views) are {@link Proxy proxies}. A call that returns a future or an
 * {@link AsyncStreamResponse} gets a {@link CallLink}, registered in the {@link PacingContext},
 * whose id rides in the call's params as the header {@link PacingContext#CALL_HEADER} (the one
 * thing that crosses the SDK's thread hop); the transport takes the link by that id and attaches
 * its future ({@link PacedHttpClient#executeAsync}). The future returned to the user is ours:
 * cancelling it (or a stage derived from it) cancels the link, hence the transport's future, so
 * the wait for capacity is withdrawn or the HTTP call cut; closing an async stream does the same.
 * Default methods (the SDK's convenience overloads) run against the proxy, so they funnel into the
 * abstract methods that take params. Anything else is passed through untouched.
 */
public final class CancellableCalls implements InvocationHandler {

  private final Object target;
  private final PacingContext context;
  private final Map<Method, Object> children = new ConcurrentHashMap<>(); // messages(), batches(), async(), …

  private CancellableCalls(Object target, PacingContext context) {
    this.target = target;
    this.context = context;
  }

  /** {@code client}, whose {@code async()} client returns cancellable futures. */
  public static AnthropicClient client(AnthropicClient client, PacingContext context) {
    return wrap(AnthropicClient.class, client, context);
  }

  static <T> T wrap(Class<T> type, T target, PacingContext context) {
    if (Proxy.isProxyClass(target.getClass()) && Proxy.getInvocationHandler(target) instanceof CancellableCalls) {
      return target;
    }
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        new CancellableCalls(target, context)));
  }

  /** The SDK's interfaces that lead to async calls: the clients and the async services. */
  private static boolean wrapped(Class<?> type) {
    return type == AnthropicClient.class || type == AnthropicClientAsync.class
        || type == AnthropicClientAsync.WithRawResponse.class
        || type.isInterface() && type.getPackageName().startsWith("com.anthropic.services.async");
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return switch (method.getName()) {
        case "equals" -> proxy == args[0];
        case "hashCode" -> System.identityHashCode(proxy);
        default -> "Paced" + target; // toString
      };
    }
    if (method.isDefault()) {
      return InvocationHandler.invokeDefault(proxy, method, args);
    }
    Class<?> type = method.getReturnType();
    if (type == CompletableFuture.class || type == AsyncStreamResponse.class) {
      int at = paramsAt(args);
      if (at >= 0) {
        return linkedCall(method, args, at);
      }
    }
    if (!wrapped(type)) {
      return call(method, args);
    }
    if (args != null && args.length > 0) {
      return wrap(type, call(method, args));
    }
    Object child = children.get(method);
    if (child == null) {
      Object made = wrap(type, call(method, null));
      child = made == null ? null : children.putIfAbsent(method, made);
      child = child == null ? made : child;
    }
    return child;
  }

  private Object wrap(Class<?> type, Object result) {
    return result == null ? null : wrap(castClass(type), result, context);
  }

  @SuppressWarnings("unchecked")
  private static Class<Object> castClass(Class<?> type) {
    return (Class<Object>) type;
  }

  private Object linkedCall(Method method, Object[] args, int at) throws Throwable {
    CallLink call = context.openCall();
    Object tagged = Tagger.of(args[at].getClass()).map(tagger -> tagger.tag(args[at], call.id())).orElse(null);
    if (tagged == null) {
      context.forgetCall(call);
      return call(method, args);
    }
    Object[] withCall = args.clone();
    withCall[at] = tagged;
    Object result;
    try {
      result = call(method, withCall);
    } catch (Throwable e) {
      context.forgetCall(call);
      throw e;
    }
    if (result instanceof CompletableFuture<?> future) {
      return linked(future, call);
    }
    if (result instanceof AsyncStreamResponse<?> stream) {
      return new LinkedStream<>(stream, call, context);
    }
    context.forgetCall(call);
    return result;
  }

  /** The user's future: completes as the SDK's; cancelling it (or a stage derived from it) cancels the call. */
  private CompletableFuture<Object> linked(CompletableFuture<?> sdk, CallLink call) {
    CancellingFuture<Object> ours = new CancellingFuture<>(sdk);
    sdk.whenComplete((value, error) -> {
      if (sdk.isCancelled()) { // only ours cancels it
        call.cancel();
        ours.cancel(false);
        return;
      }
      context.forgetCall(call);
      if (error != null) {
        ours.completeExceptionally(error);
      } else if (!ours.complete(value) && value instanceof AutoCloseable response) {
        try {
          response.close(); // a raw response nobody will read
        } catch (Exception ignored) {
          // closing quietly
        }
      }
    });
    return ours;
  }

  private Object call(Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static int paramsAt(Object[] args) {
    if (args != null) {
      for (int i = 0; i < args.length; i++) {
        if (args[i] instanceof Params) {
          return i;
        }
      }
    }
    return -1;
  }

  @Override
  public String toString() {
    return "CancellableCalls[" + target.getClass().getSimpleName() + "]";
  }

  /** A copy of an SDK params object with one more header: {@code toBuilder().putAdditionalHeader(...).build()}. */
  private record Tagger(Method toBuilder, Method putHeader, Method build) {

    private static final ClassValue<Optional<Tagger>> BY_CLASS = new ClassValue<>() {
      @Override
      protected Optional<Tagger> computeValue(Class<?> type) {
        try {
          Method toBuilder = type.getMethod("toBuilder");
          Class<?> builder = toBuilder.getReturnType();
          return Optional.of(new Tagger(toBuilder, builder.getMethod("putAdditionalHeader", String.class, String.class),
              builder.getMethod("build")));
        } catch (NoSuchMethodException | SecurityException e) {
          return Optional.empty(); // not the SDK's params as we know them: the call goes untouched
        }
      }
    };

    static Optional<Tagger> of(Class<?> type) {
      return BY_CLASS.get(type);
    }

    Object tag(Object params, String id) {
      try {
        Object builder = toBuilder.invoke(params);
        putHeader.invoke(builder, PacingContext.CALL_HEADER, id);
        return build.invoke(builder);
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }
  }

  /** An async stream whose {@code close()} also cancels its call: a stream still waiting is withdrawn. */
  private static final class LinkedStream<T> implements AsyncStreamResponse<T> {
    private final AsyncStreamResponse<T> delegate;
    private final CallLink call;

    LinkedStream(AsyncStreamResponse<T> delegate, CallLink call, PacingContext context) {
      this.delegate = delegate;
      this.call = call;
      delegate.onCompleteFuture().whenComplete((ignored, error) -> {
        if (!call.isCancelled()) {
          context.forgetCall(call);
        }
      });
    }

    @Override
    public AsyncStreamResponse<T> subscribe(Handler<? super T> handler) {
      delegate.subscribe(handler);
      return this;
    }

    @Override
    public AsyncStreamResponse<T> subscribe(Handler<? super T> handler, Executor executor) {
      delegate.subscribe(handler, executor);
      return this;
    }

    @Override
    public CompletableFuture<Void> onCompleteFuture() {
      return delegate.onCompleteFuture();
    }

    @Override
    public void close() {
      call.cancel();
      delegate.close();
    }
  }
}
