package dev.stackback.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.core.RemoteApiVersion;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.SSLConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Builds the docker-java client from the environment we pass in only: no {@code
 * ~/.docker-java.properties}, no system properties (docker-java's default builder reads them all).
 * The API version is {@code DOCKER_API_VERSION} when set, else negotiated with the engine on the
 * first call (see {@link ApiVersions}): engines from 20.10 (API 1.41) to 29 (which refuses anything
 * below 1.44) get a version both sides speak.
 */
final class DockerClients {

  static final String DEFAULT_HOST = "unix:///var/run/docker.sock";

  /**
   * Where the Python stack-back's docs mount the socket (its default {@code DOCKER_HOST} is {@code
   * unix://tmp/docker.sock}): used when DOCKER_HOST is unset and the default socket is absent.
   */
  static final String PYTHON_HOST = "unix:///tmp/docker.sock";

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Long: measured here, it does not cut quiet execs or slow stops, but where a transport applies
   * it as a read timeout it must exceed the longest quiet phase of a dump. Our own waits are the
   * real bounds.
   */
  static final Duration RESPONSE_TIMEOUT = Duration.ofMinutes(30);

  private static final Set<String> SCHEMES = Set.of("unix", "tcp", "npipe");
  private static final Set<String> TRUE = Set.of("1", "true", "yes", "on");

  private DockerClients() {}

  static DockerClient fromEnvironment(Map<String, String> env) {
    URI host = resolveHost(env.get("DOCKER_HOST"), p -> Files.exists(Path.of(p)));
    Optional<RemoteApiVersion> pinned = ApiVersions.fromVariable(env.get("DOCKER_API_VERSION"));
    DefaultDockerClientConfig.Builder config =
        new DefaultDockerClientConfig.Builder().withDockerHost(host.toString());
    String tlsVerify = env.get("DOCKER_TLS_VERIFY");
    String certPath = env.get("DOCKER_CERT_PATH");
    if (tlsVerify != null && TRUE.contains(tlsVerify.trim().toLowerCase(Locale.ROOT))) {
      if (certPath == null || certPath.isBlank()) {
        throw new IllegalArgumentException(
            "DOCKER_TLS_VERIFY is set but DOCKER_CERT_PATH is not: need the client certificates");
      }
      config.withDockerTlsVerify(true).withDockerCertPath(certPath);
    }
    DockerClientConfig built = config.build();
    // a context makes docker-java speak https to a tcp:// host: only for sockets, which never do
    SSLConfig ssl =
        built.getSSLConfig() == null && !"tcp".equals(host.getScheme())
            ? NO_TLS
            : built.getSSLConfig();
    ApacheDockerHttpClient http =
        new ApacheDockerHttpClient.Builder()
            .dockerHost(built.getDockerHost())
            .sslConfig(ssl)
            .maxConnections(32)
            .connectionTimeout(CONNECT_TIMEOUT)
            .responseTimeout(RESPONSE_TIMEOUT)
            .build();
    if (pinned.isPresent()) {
      return DockerClientImpl.getInstance(config.withApiVersion(pinned.get()).build(), http);
    }
    // both clients share the one transport; closing the one in use closes it
    return ApiVersions.negotiating(
        DockerClientImpl.getInstance(built, http),
        version -> DockerClientImpl.getInstance(config.withApiVersion(version).build(), http),
        host.toString());
  }

  /**
   * Without TLS settings the transport still builds a TLS strategy, from the JVM's default trust
   * store unless given a context: parsing ~150 CA certificates on every start for a socket that
   * never does TLS (https is only chosen with DOCKER_TLS_VERIFY, i.e. with a real SSLConfig).
   */
  private static final SSLConfig NO_TLS = UnusedTlsContext::new;

  /**
   * The engine to talk to. DOCKER_HOST unset: {@code /var/run/docker.sock}, or {@code
   * /tmp/docker.sock} when only that one exists (the Python tool's mount). A unix socket that does
   * not exist is an error naming the path(s) tried and DOCKER_HOST; tcp:// is not probed.
   */
  static URI resolveHost(String value, Predicate<String> exists) {
    URI uri = dockerHost(value);
    if (!"unix".equals(uri.getScheme())) {
      return uri;
    }
    if (value != null && !value.isBlank()) {
      if (!exists.test(uri.getPath())) {
        throw new IllegalArgumentException(
            "no Docker socket at "
                + uri.getPath()
                + " (DOCKER_HOST="
                + value.trim()
                + "): mount the engine's socket there or correct DOCKER_HOST");
      }
      return uri;
    }
    URI python = URI.create(PYTHON_HOST);
    if (exists.test(uri.getPath())) {
      return uri;
    }
    if (exists.test(python.getPath())) {
      return python;
    }
    throw new IllegalArgumentException(
        "no Docker socket at "
            + uri.getPath()
            + " or "
            + python.getPath()
            + " (DOCKER_HOST is not set): mount the engine's socket"
            + " (- /var/run/docker.sock:/var/run/docker.sock:ro) or set DOCKER_HOST");
  }

  /**
   * DOCKER_HOST as a URI; unset or blank means the local socket. {@code unix://tmp/docker.sock}
   * (two slashes, the Python tool's default) means {@code /tmp/docker.sock}, as docker-py reads it.
   */
  static URI dockerHost(String value) {
    if (value == null || value.isBlank()) {
      return URI.create(DEFAULT_HOST);
    }
    URI uri;
    try {
      uri = URI.create(value.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("DOCKER_HOST: '" + value + "' is not a URI", e);
    }
    if (uri.getScheme() == null || !SCHEMES.contains(uri.getScheme())) {
      throw new IllegalArgumentException(
          "DOCKER_HOST: '" + value + "' must start with unix://, tcp:// or npipe://");
    }
    if ("unix".equals(uri.getScheme()) && uri.getRawAuthority() != null) {
      String path =
          "/" + uri.getRawAuthority() + (uri.getRawPath() == null ? "" : uri.getRawPath());
      return URI.create("unix://" + path);
    }
    return uri;
  }
}
