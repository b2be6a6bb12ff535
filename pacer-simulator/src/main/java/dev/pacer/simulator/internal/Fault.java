package dev.pacer.simulator.internal;

/** One injected failure: the status to answer, and for a 429 its retry-after. */
public record Fault(int status, long retryAfterSeconds) {}
