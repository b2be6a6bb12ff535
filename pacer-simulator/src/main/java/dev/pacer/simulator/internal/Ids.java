package dev.pacer.simulator.internal;

import java.util.concurrent.atomic.AtomicLong;

/** Ids in the API's shapes ({@code req_…}, {@code msg_…}, {@code msgbatch_…}), deterministic for a seed and an order of requests. */
public final class Ids {

  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  private final long seed;
  private final AtomicLong counter = new AtomicLong();

  public Ids(long seed) {
    this.seed = seed;
  }

  public String requestId() {
    return "req_011C" + base62(next(), next());
  }

  public String messageId() {
    return "msg_011C" + base62(next(), next());
  }

  public String batchId() {
    return "msgbatch_011C" + base62(next(), next());
  }

  private long next() {
    return Mix.mix64(seed * 0x9e3779b97f4a7c15L + counter.incrementAndGet());
  }

  private static String base62(long a, long b) {
    StringBuilder sb = new StringBuilder(22);
    for (long v : new long[] {a, b}) {
      long x = v;
      for (int i = 0; i < 11; i++) {
        sb.append(BASE62[(int) Math.floorMod(x, 62L)]);
        x = Long.divideUnsigned(x, 62);
      }
    }
    return sb.toString();
  }
}
