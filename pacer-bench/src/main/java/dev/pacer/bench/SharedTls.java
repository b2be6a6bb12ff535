package dev.pacer.bench;

import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * One trust manager for every SDK client the board builds. Left alone, OkHttp loads the JDK's
 * trust store again for each client (seconds on a busy machine); the board builds dozens, all
 * talking plain HTTP to 127.0.0.1.
 */
public final class SharedTls {

  private static final X509TrustManager TRUST;
  private static final SSLContext CONTEXT;

  static {
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init((KeyStore) null);
      X509TrustManager found = null;
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509TrustManager x509) {
          found = x509;
        }
      }
      TRUST = found;
      CONTEXT = SSLContext.getInstance("TLS");
      CONTEXT.init(null, new TrustManager[] {found}, null);
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private SharedTls() {}

  /** {@code builder} with the shared trust manager. */
  public static AnthropicOkHttpClient.Builder apply(AnthropicOkHttpClient.Builder builder) {
    return builder.sslSocketFactory(CONTEXT.getSocketFactory()).trustManager(TRUST);
  }
}
