package dev.pacer;

/**
 * A pace for a governor whose server refuses a sharp ramp-up: "a sharp ramp-up of an
 * organization's traffic can draw 429s even under the limits; ramp up gradually" (the API's docs).
 * Such a 429 shows room in every bucket, so the buckets cannot teach it. From the second within a
 * window, requests (of every pool: the rule is the organization's) go no faster than the server
 * admitted them over the last window, and that pace grows by half each window without another such refusal (the server's
 * own factor is not published; the simulator's example allows twice); grown a thousandfold, about
 * seventeen windows, it steps aside. Thread-safe: pools share it.
 */
final class RampLimiter {

  /** How much the pace may grow over a window without a refusal. */
  static final double GROWTH_PER_WINDOW = 1.5;
  /** How far the pace grows past the one set at the latest refusal before it steps aside. */
  static final double STEP_ASIDE_GROWTH = 1_024;
  private static final int SLOTS = 60;
  private static final long UNUSED = Long.MIN_VALUE;

  private final long windowNanos;
  private final long slotNanos;
  /** Admissions counted in slots of a sixtieth of the window, like the server's own count. */
  private final long[] slotIds = new long[SLOTS];
  private final int[] admissions = new int[SLOTS];
  private boolean active;
  private double perNano;
  private double setPerNano;
  private long lastRefusalAt = UNUSED;
  private double tokens;
  private long updatedAt;

  RampLimiter(long windowNanos) {
    this.windowNanos = windowNanos;
    this.slotNanos = Math.max(1, windowNanos / SLOTS);
    java.util.Arrays.fill(slotIds, UNUSED);
  }

  /**
   * An attempt went at {@code now}, taken as admitted until {@link #notAdmitted} says otherwise:
   * a refusal comes back at once, an admitted answer only when it is done, so counting answers
   * would find a window's admissions still under way when its first refusal arrives.
   */
  synchronized void admitted(long now) {
    long slot = Math.floorDiv(now, slotNanos);
    int i = (int) Math.floorMod(slot, SLOTS);
    if (slotIds[i] != slot) {
      slotIds[i] = slot;
      admissions[i] = 0;
    }
    admissions[i]++;
  }

  /** The attempt sent at {@code sentAt} was not admitted (a 429, a 529, an error before admission). */
  synchronized void notAdmitted(long sentAt) {
    long slot = Math.floorDiv(sentAt, slotNanos);
    int i = (int) Math.floorMod(slot, SLOTS);
    if (slotIds[i] == slot && admissions[i] > 0) {
      admissions[i]--;
    }
  }

  /** Attempts the server admitted in the window up to {@code now}. */
  synchronized int admittedInLastWindow(long now) {
    long slot = Math.floorDiv(now, slotNanos);
    int total = 0;
    for (int i = 0; i < SLOTS; i++) {
      if (slotIds[i] != UNUSED && slot - slotIds[i] >= 0 && slot - slotIds[i] < SLOTS) {
        total += admissions[i];
      }
    }
    return total;
  }

  /**
   * A refusal the buckets do not explain, with the server's {@code retry-after} (0 if none). One
   * alone sets no pace (a ramp-up refused draws several: the attempts sent together meet the same
   * rule); from the second within a window the pace is at most what the server admitted in the
   * last window, and never under one request per {@code retry-after}, when the server said one
   * more may go. Returns the pace per window, or 0 when none is set.
   */
  synchronized double refused(long now, long retryAfterNanos) {
    advance(now);
    boolean second = lastRefusalAt != UNUSED && now - lastRefusalAt < windowNanos;
    lastRefusalAt = now;
    if (!second && !active) {
      return 0;
    }
    double pace = Math.max(1.0, admittedInLastWindow(now)) / windowNanos;
    if (retryAfterNanos > 0) {
      pace = Math.max(pace, 1.0 / retryAfterNanos);
    }
    perNano = active ? Math.min(perNano, pace) : pace;
    setPerNano = perNano;
    active = true;
    tokens = Math.min(tokens, 0);
    updatedAt = now;
    return perNano * windowNanos;
  }

  synchronized boolean active() {
    return active;
  }

  /** Nanoseconds until the pace lets the next request go: 0 when it may go now (or no pace is set). */
  synchronized long nanosUntilNext(long now) {
    if (!active) {
      return 0;
    }
    advance(now);
    return tokens >= 1 ? 0 : Math.max(1, (long) Math.ceil((1 - tokens) / perNano));
  }

  /** A request went at {@code now}. */
  synchronized void took(long now) {
    admitted(now);
    if (active) {
      advance(now);
      tokens -= 1;
    }
  }

  private void advance(long now) {
    long elapsed = now - updatedAt;
    if (!active || elapsed <= 0) {
      return;
    }
    double grown = perNano * Math.pow(GROWTH_PER_WINDOW, (double) elapsed / windowNanos);
    // What the growing pace accrued meanwhile (roughly its mean rate); at most a twentieth of a
    // window's worth at once.
    double capacity = Math.max(1, grown * windowNanos / 20);
    tokens = Math.min(capacity, tokens + (perNano + grown) / 2 * elapsed);
    perNano = grown;
    updatedAt = now;
    if (perNano >= setPerNano * STEP_ASIDE_GROWTH) {
      active = false;
      tokens = 0;
    }
  }
}
