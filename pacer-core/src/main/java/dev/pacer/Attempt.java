package dev.pacer;

/**
 * One attempt at a request, run by {@link Pacer#call} once the governor has granted its permit.
 *
 * <p>The contract: report the response head with {@link Permit#onResponse} as soon as it
 * arrives; on success, return the value and settle the permit with the usage (now, or when a
 * stream ends); on an HTTP error or a broken stream, throw {@link AttemptFailedException}; on
 * no answer at all, throw the {@link java.io.IOException}. Anything else thrown ends the request
 * at once, unretried.
 */
@FunctionalInterface
public interface Attempt<T> {
  T run(Permit permit) throws Exception;
}
