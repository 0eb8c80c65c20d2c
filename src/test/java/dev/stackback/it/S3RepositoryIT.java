package dev.stackback.it;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An S3 repository: S3Proxy (filesystem backend, AWS v2/v4 signatures) runs in this JVM on the
 * address of Docker's default bridge, so the host jar's restic and the worker container's restic
 * both reach it. The credentials travel as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: that the
 * worker's snapshot succeeds shows they reached it.
 */
class S3RepositoryIT {
  static final String ACCESS = "AKIA" + Long.toHexString(System.nanoTime());
  static final String SECRET = "s3-secret-" + Long.toHexString(System.nanoTime());

  DockerFixture fx;
  S3Proxy s3;
  BlobStoreContext store;

  @AfterEach
  void tearDown() throws Exception {
    if (s3 != null) {
      s3.stop();
    }
    if (store != null) {
      store.close();
    }
    if (fx != null) {
      fx.close();
    }
  }

  S3Proxy start(Path dir, String host) throws Exception {
    Properties props = new Properties();
    props.setProperty("jclouds.filesystem.basedir", dir.toString());
    store =
        ContextBuilder.newBuilder("filesystem")
            .credentials("unused", "unused")
            .overrides(props)
            .build(BlobStoreContext.class);
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(store.getBlobStore())
            .endpoint(URI.create("http://" + host + ":0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET)
            .build();
    proxy.start();
    long end = System.nanoTime() + 30_000_000_000L;
    while (!AbstractLifeCycle.STARTED.equals(proxy.getState())) {
      if (System.nanoTime() > end) {
        throw new AssertionError("S3Proxy did not start: " + proxy.getState());
      }
      Thread.sleep(20);
    }
    return proxy;
  }

  @Test
  void backupRestoreCheck_throughS3_thenServerStopped_cannotReach() throws Exception {
    fx = DockerFixture.create("s3");
    String host = DockerFixture.bridgeGateway();
    s3 = start(fx.hostDir("s3"), host);
    String repository = "s3:http://" + host + ":" + s3.getPort() + "/" + fx.run + "/repo";
    RemoteScenario sc =
        new RemoteScenario(
            fx,
            Map.of(
                "RESTIC_REPOSITORY", repository,
                "AWS_ACCESS_KEY_ID", ACCESS,
                "AWS_SECRET_ACCESS_KEY", SECRET),
            DockerFixture.IMAGE);

    sc.backupRestoreCheck();

    s3.stop();
    s3 = null;
    sc.unreachable(repository);
    sc.assertSecretsAbsent(SECRET, ACCESS);
  }
}
