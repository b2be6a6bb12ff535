package dev.pacer.redis.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test opened (servers, stores, processes), closed in reverse order: a store before the
 * Redis it talks to. Call {@link #close()} from {@code @AfterEach}.
 */
public final class Closer implements AutoCloseable {

  private final List<AutoCloseable> open = new ArrayList<>();

  /** Remembers {@code resource} for closing; returns it. */
  public <T extends AutoCloseable> T open(T resource) {
    open.add(resource);
    return resource;
  }

  @Override
  public void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    open.clear();
  }
}
