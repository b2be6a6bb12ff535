/**
 * Pacer's bucket store on Redis: one organization's limits shared by many processes. Lettuce is
 * an automatic module ({@code lettuce.core}); nothing of it appears in this module's API.
 */
module dev.pacer.redis {
  requires transitive dev.pacer.core;
  requires lettuce.core;

  exports dev.pacer.redis;
}
