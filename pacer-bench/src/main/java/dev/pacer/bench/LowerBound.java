package dev.pacer.bench;

import java.time.Duration;
import java.util.List;

/**
 * The least possible time for a job (design.md, "The figure of merit"), generalised to limits that
 * change and windows when nothing is admitted:
 * {@code T_lb = max over buckets of (the time a greedy taker has been admitted the job's demand
 * of it) + one request's latency}. The greedy taker takes everything the bucket holds whenever the
 * server admits anything; for one bucket nobody can be admitted more by any time, so this is a
 * lower bound. With constant limits it is the design's formula, {@code (D − B) / L} per bucket.
 *
 * <p>Also the floor of attempts per request the injected faults allow: one attempt per request,
 * plus, for a wave that fails a share {@code p} of attempts, the retries of the requests an ideal
 * pace sends during it ({@code p / (1 − p)} each), plus one attempt to discover each outage.
 */
public final class LowerBound {

  private static final double STEP_SECONDS = 0.0005;
  private static final double HORIZON_SECONDS = 3_600;

  private final double seconds;
  private final Rates.Bucket binding;
  private final double attemptsFloor;

  private LowerBound(double seconds, Rates.Bucket binding, double attemptsFloor) {
    this.seconds = seconds;
    this.binding = binding;
    this.attemptsFloor = attemptsFloor;
  }

  /**
   * @param scenario the server and its events
   * @param demand what the servable requests need of each bucket, by the server's own count
   * @param latency one request's latency (the median)
   */
  public static LowerBound of(Scenario scenario, Demand demand, Duration latency) {
    double worst = 0;
    Rates.Bucket binding = Rates.Bucket.REQUESTS;
    for (Rates.Bucket bucket : Rates.Bucket.values()) {
      double t = timeToAdmit(scenario, bucket, demand.get(bucket));
      if (t > worst) {
        worst = t;
        binding = bucket;
      }
    }
    double total = worst + latency.toNanos() / 1e9;
    return new LowerBound(total, binding, floor(scenario, demand, binding));
  }

  /**
   * Under the live output rule the server admits a request whenever the output bucket is not in
   * debt and charges the answer as it is generated, so the bucket-by-bucket bound above does not
   * hold: a client that sends everything at once runs the bucket into debt. Here T_lb is the time of
   * an ideal client instead, simulated request by request on the job's real answers: it sends each
   * request, in job order, the moment the server would admit it (never a refusal), and is done when
   * the last answer is. A reference, not a proof: another order could do a little better.
   *
   * @param perRequest each servable request's {@code [counted input tokens, output tokens]}, in job order
   */
  public static LowerBound live(Scenario scenario, Demand demand, List<long[]> perRequest) {
    double step = 0.001;
    double window = scenario.window().toNanos() / 1e9;
    double[] limit = new double[3];
    double[] capacity = new double[3];
    double[] level = new double[3];
    for (Rates.Bucket bucket : Rates.Bucket.values()) {
      int b = bucket.ordinal();
      limit[b] = scenario.limits().get(bucket);
      capacity[b] = limit[b] * scenario.burstShare();
      level[b] = capacity[b];
    }
    List<ServerEvent> events = scenario.events();
    boolean[] applied = new boolean[events.size()];
    int n = perRequest.size();
    double[] admittedAt = new double[n];
    long[] charged = new long[n];
    int next = 0;
    double done = 0;
    int in = Rates.Bucket.INPUT_TOKENS.ordinal();
    int out = Rates.Bucket.OUTPUT_TOKENS.ordinal();
    for (long i = 0; i * step < HORIZON_SECONDS; i++) {
      double t = i * step;
      for (int e = 0; e < events.size(); e++) {
        if (!applied[e] && events.get(e) instanceof ServerEvent.LimitsChange change && secondsOf(change.at()) <= t) {
          applied[e] = true;
          for (Rates.Bucket bucket : Rates.Bucket.values()) {
            int b = bucket.ordinal();
            limit[b] = change.limits().get(bucket);
            capacity[b] = limit[b] * scenario.burstShare();
            level[b] = Math.min(level[b], capacity[b]);
          }
        }
      }
      if (i > 0) {
        for (int b = 0; b < 3; b++) {
          level[b] = Math.min(capacity[b], level[b] + limit[b] / window * step);
        }
      }
      boolean generating = false;
      for (int r = 0; r < next; r++) {
        long total = perRequest.get(r)[1];
        if (charged[r] < total) {
          long nanos = (long) ((t - admittedAt[r]) * 1e9);
          long generated = 0;
          for (long k = charged[r] + 1; k <= total && scenario.latency().nanosUntilToken(k) <= nanos; k++) {
            generated = k;
          }
          if (generated > charged[r]) {
            level[out] -= generated - charged[r];
            charged[r] = generated;
          }
          generating |= charged[r] < total;
        }
      }
      while (next < n && !blocked(events, t) && level[0] >= 1 && level[in] >= perRequest.get(next)[0]
          && level[out] >= 1) {
        level[0] -= 1;
        level[in] -= perRequest.get(next)[0];
        admittedAt[next] = t;
        done = Math.max(done, t + scenario.latency().nanosUntilToken(perRequest.get(next)[1]) / 1e9);
        next++;
      }
      if (next == n && !generating && t >= done) {
        break;
      }
    }
    return new LowerBound(done, Rates.Bucket.OUTPUT_TOKENS, floor(scenario, demand, Rates.Bucket.OUTPUT_TOKENS));
  }

  /** The least possible time, in seconds. */
  public double seconds() {
    return seconds;
  }

  /** The bucket that sets the bound. */
  public Rates.Bucket binding() {
    return binding;
  }

  /** The fewest attempts per request the injected faults allow. */
  public double attemptsFloor() {
    return attemptsFloor;
  }

  /** Seconds until a greedy taker has been admitted {@code demand} of {@code bucket}. */
  static double timeToAdmit(Scenario scenario, Rates.Bucket bucket, double demand) {
    return greedy(scenario, bucket, demand, HORIZON_SECONDS)[0];
  }

  /** What a greedy taker has been admitted of {@code bucket} by {@code seconds}. */
  static double admittedBy(Scenario scenario, Rates.Bucket bucket, double seconds) {
    return greedy(scenario, bucket, Double.POSITIVE_INFINITY, seconds)[1];
  }

  /**
   * Runs the greedy taker until it has {@code demand} or {@code until} passes; returns
   * {@code [time, admitted]} at the stop.
   */
  private static double[] greedy(Scenario scenario, Rates.Bucket bucket, double demand, double until) {
    double window = scenario.window().toNanos() / 1e9;
    double limit = scenario.limits().get(bucket);
    double capacity = limit * scenario.burstShare();
    double level = capacity;
    double admitted = 0;
    List<ServerEvent> events = scenario.events();
    boolean[] applied = new boolean[events.size()];
    double t = 0;
    for (long step = 0; t <= until; step++) {
      t = step * STEP_SECONDS;
      for (int i = 0; i < events.size(); i++) {
        if (!applied[i] && events.get(i) instanceof ServerEvent.LimitsChange change && secondsOf(change.at()) <= t) {
          applied[i] = true;
          limit = change.limits().get(bucket);
          capacity = limit * scenario.burstShare();
          level = Math.min(level, capacity);
        }
      }
      if (step > 0) {
        level = Math.min(capacity, level + limit / window * STEP_SECONDS);
      }
      if (!blocked(events, t)) {
        admitted += level;
        level = 0;
      }
      if (admitted >= demand - 1e-9) {
        return new double[] {t, admitted};
      }
    }
    return new double[] {t, admitted};
  }

  private static boolean blocked(List<ServerEvent> events, double t) {
    for (ServerEvent event : events) {
      boolean total = event instanceof ServerEvent.Outage
          || (event instanceof ServerEvent.OverloadWave wave && wave.probability() >= 1.0);
      if (total && t >= secondsOf(event.at()) && t < secondsOf(event.until())) {
        return true;
      }
    }
    return false;
  }

  private static double floor(Scenario scenario, Demand demand, Rates.Bucket binding) {
    double n = demand.requests();
    if (n <= 0) {
      return 1;
    }
    double extra = 0;
    for (ServerEvent event : scenario.events()) {
      boolean total = event instanceof ServerEvent.Outage
          || (event instanceof ServerEvent.OverloadWave w && w.probability() >= 1);
      if (total) {
        extra += 1;
      } else if (event instanceof ServerEvent.OverloadWave wave) {
        double share = shareAdmitted(scenario, binding, demand.get(binding), secondsOf(wave.until()))
            - shareAdmitted(scenario, binding, demand.get(binding), secondsOf(wave.at()));
        extra += wave.probability() / (1 - wave.probability()) * share * n;
      }
    }
    return 1 + extra / n;
  }

  /** The share of the binding bucket's demand an ideal pace has had admitted by time {@code t}. */
  private static double shareAdmitted(Scenario scenario, Rates.Bucket bucket, double demand, double t) {
    return Math.min(1, admittedBy(scenario, bucket, t) / demand);
  }

  private static double secondsOf(Duration d) {
    return d.toNanos() / 1e9;
  }

  /** What a job asks of each bucket, as the server counts it. */
  public record Demand(long requests, long inputTokens, long outputTokens) {
    public double get(Rates.Bucket bucket) {
      return switch (bucket) {
        case REQUESTS -> requests;
        case INPUT_TOKENS -> inputTokens;
        case OUTPUT_TOKENS -> outputTokens;
      };
    }
  }
}
