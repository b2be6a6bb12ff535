/** Pacer's governor: limits, buckets, permits, feedback, retries, concurrency. JDK only. */
module dev.pacer.core {
  exports dev.pacer;
  exports dev.pacer.limits;
  exports dev.pacer.estimate;
  exports dev.pacer.events;
  exports dev.pacer.retry;
  exports dev.pacer.concurrency;
  exports dev.pacer.store;
  exports dev.pacer.time;
  exports dev.pacer.http;
}
