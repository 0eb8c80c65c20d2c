package dev.stackback.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.RemoteApiVersion;
import dev.stackback.port.ContainerRuntimeException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which Docker API version we speak. docker-java unpinned calls unversioned paths, which an engine
 * answers with its newest API: on Docker 28/29 that is newer than anything docker-java knows. So we
 * ask the engine's {@code /version} and speak min(its ApiVersion, {@link #CLIENT_MAX}), never below
 * its MinAPIVersion (Docker 29 refuses anything below 1.44). {@code DOCKER_API_VERSION}, when set,
 * wins.
 */
final class ApiVersions {
  private static final Logger LOG = LoggerFactory.getLogger(ApiVersions.class);

  /** The newest API version docker-java 3.7.1 has a constant for (and was written against). */
  static final RemoteApiVersion CLIENT_MAX = RemoteApiVersion.VERSION_1_44;

  private static final Pattern VERSION = Pattern.compile("v?(\\d+)\\.(\\d+)");

  private ApiVersions() {}

  /** {@code DOCKER_API_VERSION}: empty when unset or blank; a clear error when malformed. */
  static Optional<RemoteApiVersion> fromVariable(String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(
        parse(value)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "DOCKER_API_VERSION: '" + value + "' is not an API version like 1.44")));
  }

  static Optional<RemoteApiVersion> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    Matcher m = VERSION.matcher(value.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          RemoteApiVersion.create(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * The version to speak with an engine that reports {@code engineApi} (its newest) and {@code
   * engineMin} (its oldest); empty (stay unpinned) when the engine does not say which it speaks.
   *
   * @throws ContainerRuntimeException when the engine's oldest is newer than our newest
   */
  static Optional<RemoteApiVersion> choose(String engineApi, String engineMin, String host) {
    Optional<RemoteApiVersion> engine = parse(engineApi);
    if (engine.isEmpty()) {
      return Optional.empty();
    }
    RemoteApiVersion chosen = engine.get().isGreater(CLIENT_MAX) ? CLIENT_MAX : engine.get();
    Optional<RemoteApiVersion> min = parse(engineMin);
    if (min.isPresent() && min.get().isGreater(chosen)) {
      throw new ContainerRuntimeException(
          "the Docker engine at "
              + host
              + " speaks API "
              + min.get().getVersion()
              + " to "
              + engine.get().getVersion()
              + ", this stack-back at most "
              + CLIENT_MAX.getVersion()
              + ": use a newer stack-back (setting DOCKER_API_VERSION does not help: the"
              + " client cannot speak it)");
    }
    return Optional.of(chosen);
  }

  /**
   * A client that asks the engine's {@code /version} on its first call and then delegates to a
   * client pinned to the {@link #choose chosen} version. While the engine does not answer, calls go
   * to {@code unpinned} (and fail there with the engine's own error) and the next call asks again;
   * an engine that answers {@code /version} with an error (a proxy refusing it) stays unpinned.
   */
  static DockerClient negotiating(
      DockerClient unpinned, Function<RemoteApiVersion, DockerClient> pinnedTo, String host) {
    return (DockerClient)
        Proxy.newProxyInstance(
            DockerClient.class.getClassLoader(),
            new Class<?>[] {DockerClient.class},
            new Negotiating(unpinned, pinnedTo, host));
  }

  /**
   * The API version {@code client} (made by {@link #negotiating}) speaks, negotiating first when it
   * has not yet: for requests made beside docker-java ({@link RawInspect}). Empty for unversioned
   * paths (the engine did not say, or refused {@code /version}) and for any other client.
   */
  static Optional<String> versionOf(DockerClient client) {
    if (Proxy.isProxyClass(client.getClass())
        && Proxy.getInvocationHandler(client) instanceof Negotiating n) {
      return n.version();
    }
    return Optional.empty();
  }

  private static final class Negotiating implements InvocationHandler {
    private final DockerClient unpinned;
    private final Function<RemoteApiVersion, DockerClient> pinnedTo;
    private final String host;
    private volatile DockerClient negotiated;
    private volatile Optional<String> version = Optional.empty();

    /** The negotiated version (negotiating first if needed); empty: unversioned paths. */
    Optional<String> version() {
      client();
      return version;
    }

    Negotiating(
        DockerClient unpinned, Function<RemoteApiVersion, DockerClient> pinnedTo, String host) {
      this.unpinned = unpinned;
      this.pinnedTo = pinnedTo;
      this.host = host;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (method.getDeclaringClass() == Object.class) {
        return switch (method.getName()) {
          case "equals" -> proxy == args[0];
          case "hashCode" -> System.identityHashCode(proxy);
          default -> "negotiating Docker client for " + host;
        };
      }
      DockerClient target;
      if (method.getName().equals("close")) {
        DockerClient n = negotiated;
        target = n != null ? n : unpinned;
      } else {
        target = client();
      }
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }

    private DockerClient client() {
      DockerClient n = negotiated;
      if (n != null) {
        return n;
      }
      synchronized (this) {
        if (negotiated != null) {
          return negotiated;
        }
        Version v;
        try {
          v = unpinned.versionCmd().exec();
        } catch (DockerException e) {
          // it answered, but not /version (e.g. a socket proxy with VERSION=0): ask no more
          LOG.debug("Docker API version not negotiated ({}): {}", host, e.toString());
          negotiated = unpinned;
          return unpinned;
        } catch (RuntimeException e) {
          LOG.debug("Docker API version not negotiated yet ({}): {}", host, e.toString());
          return unpinned;
        }
        Optional<RemoteApiVersion> chosen = choose(v.getApiVersion(), v.getMinAPIVersion(), host);
        version = chosen.map(RemoteApiVersion::getVersion);
        negotiated = chosen.map(pinnedTo).orElse(unpinned);
        LOG.debug(
            "Docker engine {} at {} speaks API {} to {}; using {}",
            v.getVersion(),
            host,
            v.getMinAPIVersion(),
            v.getApiVersion(),
            chosen.map(RemoteApiVersion::getVersion).orElse("unversioned paths"));
        return negotiated;
      }
    }
  }
}
