package dev.pacer.simulator.internal;

/**
 * Thrown by a handler that has sent part of an answer and wants the connection closed there: the
 * router lets it through without closing the exchange, and the JDK server then closes the socket
 * (a fixed-length body stays short, a chunked body gets no final chunk).
 */
final class ConnectionDropped extends RuntimeException {

  private static final long serialVersionUID = 1L;

  ConnectionDropped() {
    super("connection closed mid-response by an injected fault", null, false, false);
  }
}
