package dev.pacer.redis;

import io.lettuce.core.RedisURI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A Redis URL, {@code redis://[[user]:password@]host[:port][/db]} or {@code rediss://…} (TLS),
 * and how it is shown: always without the password.
 */
final class RedisAddress {

  private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^@/]*@");

  private final RedisURI uri;
  private final String shown;
  private final String password;

  private RedisAddress(RedisURI uri, String shown, String password) {
    this.uri = uri;
    this.shown = shown;
    this.password = password;
  }

  static RedisAddress parse(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("no Redis URL: expected redis://[:password@]host:port[/db] or rediss://...");
    }
    String redacted = redactUrl(url.strip());
    String scheme = redacted.contains("://") ? redacted.substring(0, redacted.indexOf("://")).toLowerCase(Locale.ROOT) : "";
    if (!scheme.equals("redis") && !scheme.equals("rediss")) {
      throw new IllegalArgumentException("not a Redis URL: '" + redacted
          + "'; expected redis://[:password@]host:port[/db] or rediss://... for TLS");
    }
    RedisURI uri;
    try {
      uri = RedisURI.create(url.strip());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot read the Redis URL '" + redacted
          + "'; expected redis://[:password@]host:port[/db] or rediss://... for TLS");
    }
    java.util.regex.Matcher userInfo = USER_INFO.matcher(url.strip());
    String info = userInfo.find() ? userInfo.group() : "";
    info = info.isEmpty() ? "" : info.substring(0, info.length() - 1);
    String secret = info.contains(":") ? info.substring(info.indexOf(':') + 1) : info;
    String password = secret.isEmpty() ? null : secret;
    String shown = scheme + "://" + (!info.isEmpty() ? "***@" : "")
        + uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
    return new RedisAddress(uri, shown, password);
  }

  /** The URL with whatever stood between {@code ://} and {@code @} (user and password) hidden. */
  static String redactUrl(String url) {
    return USER_INFO.matcher(url).replaceFirst("***@");
  }

  RedisURI uri() {
    return uri;
  }

  /** A message with the password (should anything have quoted it) hidden. */
  String scrub(String message) {
    if (message == null) {
      return "";
    }
    String out = redactUrl(message);
    return password == null ? out : out.replace(password, "***");
  }

  @Override
  public String toString() {
    return shown;
  }
}
