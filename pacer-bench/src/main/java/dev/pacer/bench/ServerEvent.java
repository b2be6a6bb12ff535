package dev.pacer.bench;

import dev.pacer.simulator.Simulator;
import java.time.Duration;

/**
 * Something the server does while a job runs, at times measured from the job's start. The board
 * drives each from its own clock with the simulator's run-time controls ({@code setLimits},
 * {@code faults()}), so it starts exactly when the job does.
 */
public sealed interface ServerEvent {

  /** When it starts, from the job's start. */
  Duration at();

  /** What the board does to the simulator at {@link #at()}. */
  void start(Simulator simulator);

  /** When it ends, if it does; the board calls {@link #end} then. */
  default Duration until() {
    return at();
  }

  default void end(Simulator simulator) {}

  /** The server's limits change at once (levels clipped to the new capacities). */
  record LimitsChange(Duration at, Rates limits) implements ServerEvent {
    @Override
    public void start(Simulator simulator) {
      simulator.setLimits(limits.forSimulator());
    }

    @Override
    public String toString() {
      return "limits become " + limits + " at " + Units.seconds(at);
    }
  }

  /** Every Messages attempt from {@code at} to {@code until} is answered 503 api_error. */
  record Outage(Duration at, Duration until) implements ServerEvent {
    /** Enough queued 503s to cover any window; the rest are dropped when it ends. */
    private static final int QUEUED = 1_000_000;

    @Override
    public void start(Simulator simulator) {
      simulator.faults().failNext(QUEUED, 503);
    }

    @Override
    public void end(Simulator simulator) {
      simulator.faults().clear();
    }

    @Override
    public String toString() {
      return "503 outage " + Units.seconds(at) + "–" + Units.seconds(until);
    }
  }

  /** From {@code at} to {@code until}, each Messages attempt is answered 529 with probability {@code p}. */
  record OverloadWave(Duration at, Duration until, double probability) implements ServerEvent {
    @Override
    public void start(Simulator simulator) {
      simulator.faults().overloadProbability(probability);
    }

    @Override
    public void end(Simulator simulator) {
      simulator.faults().overloadProbability(0);
    }

    @Override
    public String toString() {
      return "529 wave p=" + probability + " " + Units.seconds(at) + "–" + Units.seconds(until);
    }
  }
}
