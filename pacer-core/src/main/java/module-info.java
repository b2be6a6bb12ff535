/** Pacer's governor: limits, buckets, permits, feedback, retries, concurrency. JDK only. */
module dev.pacer.core {
  exports dev.pacer.time;
  exports dev.pacer.http;
}
