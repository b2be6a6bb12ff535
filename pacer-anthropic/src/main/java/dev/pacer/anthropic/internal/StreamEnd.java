package dev.pacer.anthropic.internal;

import dev.pacer.Usage;
import dev.pacer.http.ApiError;

/** How a watched stream ended; exactly one of these is called, once. */
interface StreamEnd {

  /** {@code message_start} arrived: the prompt's usage (input and cache tokens) is known; more calls follow. */
  default void began(Usage usage) {}

  /** {@code message_stop} arrived: the usage is final. */
  void completed(Usage usage);

  /** An {@code event: error} arrived, or the stream broke or ended without {@code message_stop}. */
  void failed(Usage usageSoFar, boolean started, ApiError error);

  /** The reader closed the stream before its end. */
  void closedEarly(Usage usageSoFar, boolean started);
}
