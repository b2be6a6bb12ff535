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
      if (event instanceof ServerEvent.Outage || (event instanceof ServerEvent.OverloadWave w && w.probability() >= 1)) {
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
