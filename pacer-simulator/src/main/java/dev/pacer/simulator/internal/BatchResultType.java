package dev.pacer.simulator.internal;

/** How a batch request ended: the {@code result.type} of its results line. */
enum BatchResultType {
  SUCCEEDED("succeeded"),
  ERRORED("errored"),
  CANCELED("canceled"),
  EXPIRED("expired");

  private final String wire;

  BatchResultType(String wire) {
    this.wire = wire;
  }

  String wire() {
    return wire;
  }
}
