package dev.stackback.docker;

import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The TLS context handed to docker-java for a unix (or npipe) socket, where it is never used:
 * docker-java's transport builds a TLS strategy at start whatever the host, from the JVM's trust
 * store (~150 CA certificates parsed) unless given a context, and only uses it for {@code https}.
 * Made without JSSE: getting and initialising even an empty real context ({@code
 * SSLContext.getInstance("TLS").init(...)}) took ~70 ms of every start (issue 8). Any use fails
 * with a message saying why, which no socket connection reaches.
 */
final class UnusedTlsContext extends SSLContext {
  UnusedTlsContext() {
    super(new Spi(), null, "TLS");
  }

  private static final class Spi extends SSLContextSpi {
    private static IllegalStateException unused() {
      return new IllegalStateException(
          "TLS is not configured for this Docker host (set DOCKER_TLS_VERIFY and DOCKER_CERT_PATH"
              + " with a tcp:// DOCKER_HOST)");
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) {
      throw unused();
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      throw unused();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      throw unused();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      throw unused();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      throw unused();
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      throw unused();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      throw unused();
    }
  }
}
