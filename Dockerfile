# The stack-back sidecar image.
#
# The jar is built OUTSIDE docker (`mvn -B -DskipTests package` makes target/stack-back.jar) and
# copied in: no Maven and no dependency download happen in this build, so it also works offline.
#
#   public bases:  mvn -B -DskipTests package && docker build -t stack-back .
#   offline:       scripts/build-image.sh   (imports local bases and sets the *_IMAGE args)
#
# Build args (base images are args so an offline build can point them at local images):
#   JDK_IMAGE       build stage: a JDK >= 21 with jlink, sh, sha256sum, grep
#   RUNTIME_IMAGE   final stage: glibc + sh; openssh-client, tzdata and ca-certificates are
#                   installed with apt-get when it lacks ssh or /usr/share/zoneinfo
#   RESTIC_VERSION  the restic release the image must contain (checked: `restic version`)
#   RESTIC_IMAGE    image that holds the restic binary at /usr/bin/restic; default: the official
#                   image of that release (a static binary). scripts/build-image.sh points it at
#                   a local image holding Debian's restic instead.
#   RESTIC_SHA256   optional sha256 of that binary, checked when set
#   JAVA_MODULES    modules of the jlinked runtime (jdeps --print-module-deps on the shaded jar;
#                   scripts/build-image.sh recomputes it)
# No `# syntax=` line: it makes BuildKit fetch a frontend image, which breaks offline builds.
# Only the stages the final image needs exist, so the legacy builder (DOCKER_BUILDKIT=0), which
# builds every stage, runs nothing it does not need.
ARG JDK_IMAGE=eclipse-temurin:21-jdk
ARG RUNTIME_IMAGE=debian:bookworm-slim
ARG RESTIC_VERSION=0.19.1
ARG RESTIC_IMAGE=restic/restic:${RESTIC_VERSION}

FROM ${RESTIC_IMAGE} AS restic

FROM ${JDK_IMAGE} AS build
ARG RESTIC_VERSION
ARG RESTIC_SHA256=
ARG JAVA_MODULES=java.base,java.compiler,java.desktop,java.naming,java.security.jgss,java.sql,jdk.crypto.ec,jdk.unsupported
# Everything the final image takes from here goes under /out/root, copied over / in one layer.
COPY --from=restic /usr/bin/restic /out/root/usr/local/bin/restic
RUN set -eu; \
    if [ -n "$RESTIC_SHA256" ]; then \
      echo "$RESTIC_SHA256  /out/root/usr/local/bin/restic" | sha256sum -c -; \
    fi; \
    actual=$(/out/root/usr/local/bin/restic version); \
    case "$actual" in \
      "restic 0.18.0 "*) echo "restic 0.18.0 breaks every database dump (restic#5324); use 0.19.1" >&2; exit 1 ;; \
      "restic $RESTIC_VERSION "*) echo "$actual" ;; \
      *) echo "expected restic $RESTIC_VERSION, got: $actual" >&2; exit 1 ;; \
    esac
# --strip-java-debug-attributes, not --strip-debug: that also strips native symbols with objcopy,
# which a slim JDK image lacks (Temurin's native libraries come stripped anyway).
# --generate-cds-archive: the runtime's base class-data-sharing archive (lib/server/classes.jsa),
# used when the app's own archive (made below, from a training run) cannot be; the variant for
# heaps without compressed oops (> 32 GB) is left out: the sidecar's heap is small.
RUN set -eu; \
    jlink --add-modules "$JAVA_MODULES" --strip-java-debug-attributes --no-man-pages --no-header-files \
      --compress=zip-6 --generate-cds-archive --output /out/root/opt/stack-back/jre; \
    rm -f /out/root/opt/stack-back/jre/lib/server/classes_nocoops.jsa; \
    /out/root/opt/stack-back/jre/bin/java -version; \
    mkdir -p /out/root/etc/ssl/certs /out/root/state; \
    if [ -s /etc/ssl/certs/ca-certificates.crt ]; then \
      cp /etc/ssl/certs/ca-certificates.crt /out/root/etc/ssl/certs/; \
    else \
      echo "WARNING: no CA bundle in the JDK image; restic cannot verify TLS backends" >&2; \
    fi
# The JVM options of the launcher (docker/stack-back), one per line; STACK_BACK_JAVA_OPTS replaces
# them. Sized for a sidecar that is idle most of the time:
#   SerialGC                   no GC threads, smallest footprint; pauses are irrelevant here
#   TieredStopAtLevel=1        C1 only: starts fastest, plenty for short commands and a daemon
#   Xms8m / Xmx64m             a 1 GiB dump streams with < 15 MiB live heap (bench/dump-bench.sh),
#                              a plan of 1,000 containers fits (bench/everyday-bench.sh)
#   Min/MaxHeapFreeRatio       the heap shrinks back after a run (at the daemon's full GC)
#   ReservedCodeCacheSize=24m  C1 code of the whole app is < 10 MiB
#   TrimNativeHeapInterval     returns freed malloc memory to the OS (where the JVM has it)
#   -Xlog ... stderr           the JVM's own warnings (e.g. an archive that options made unusable)
#                              go to stderr, not into the command's output (status --json ...)
# The app's CDS archive is added by the training step of the final stage.
# The daemon's own options (daemon.options; STACK_BACK_DAEMON_JAVA_OPTS replaces them): it only
# waits, every run is a child process with jvm.options. Interpreter only (an idle scheduler needs
# no JIT: no compiler threads, no code cache), a small heap, the JDK's base CDS archive; no AOT
# cache (mapping the app's 37 MB cache costs the idle daemon ~10 MiB RSS; notes/daemon2.md);
# logging through dev.stackback.cli.DaemonLog instead of logback (same lines, ~220 classes less).
# java.locale.providers=SPI: no CLDR locale data (the daemon formats nothing for a locale; the
# dashboard and /metrics format with Locale.ROOT). The JDK's HTTP server writes every response's
# Date header with a zone name, which with CLDR loads its time-zone names: the image's health check
# (/healthz every minute) cost the idle daemon 2.6-2.9 MiB for good; with SPI 1.6-1.9 MiB.
RUN set -eu; \
    java=/out/root/opt/stack-back/jre/bin/java; opts=/out/root/opt/stack-back/jvm.options; \
    printf '%s\n' -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms8m -Xmx64m \
      -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:ReservedCodeCacheSize=24m \
      -Xlog:disable -Xlog:all=warning:stderr:uptime,level,tags >"$opts"; \
    if "$java" -XX:TrimNativeHeapInterval=10000 -version >/dev/null 2>&1; then \
      echo -XX:TrimNativeHeapInterval=10000 >>"$opts"; \
    fi; \
    "$java" "@$opts" -version; cat "$opts"; \
    dopts=/out/root/opt/stack-back/daemon.options; \
    printf '%s\n' -XX:+UseSerialGC -Xint -Xms2m -Xmx32m -XX:MinHeapFreeRatio=10 \
      -XX:MaxHeapFreeRatio=30 -XX:-UsePerfData -Xss256k \
      -Dslf4j.provider=dev.stackback.cli.DaemonLog -Dslf4j.internal.verbosity=WARN \
      -Djava.locale.providers=SPI \
      -Xlog:disable -Xlog:all=warning:stderr:uptime,level,tags >"$dopts"; \
    if "$java" -XX:TrimNativeHeapInterval=10000 -version >/dev/null 2>&1; then \
      echo -XX:TrimNativeHeapInterval=10000 >>"$dopts"; \
    fi; \
    "$java" "@$dopts" -version; cat "$dopts"

# picocli (the whole command line) is built for Java 5: the JVM keeps class files that old out of
# the CDS archive / AOT cache made below and verifies them the slow way on every start. With a
# JDK >= 24 (java.lang.classfile) docker/Retarget.java rewrites them as Java 8 class files with
# stack maps (same bytecode); with an older JDK they stay as they are (~0.1 s more CPU per start).
COPY docker/Retarget.java /build/Retarget.java
COPY target/stack-back.jar /out/jar/stack-back.jar
RUN set -eu; \
    v=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'); \
    if [ "${v%%.*}" -ge 24 ]; then \
      java /build/Retarget.java /out/jar/stack-back.jar; \
    else \
      echo "JDK $v has no java.lang.classfile: picocli's Java 5 class files stay out of the CDS archive"; \
    fi

FROM ${RUNTIME_IMAGE}
COPY --from=build /out/root/ /
COPY docker/stack-back /usr/local/bin/stack-back
# SFTP repositories need ssh, TZ needs the zone database, TLS backends the CA bundle: the local
# base (scripts/build-image.sh) has them; a Debian base (the public default) gets its packages.
RUN set -eu; ln -sf stack-back /usr/local/bin/rcb; \
    if ! command -v ssh >/dev/null || [ ! -d /usr/share/zoneinfo ]; then \
      apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        openssh-client tzdata ca-certificates && rm -rf /var/lib/apt/lists/*; \
    fi; \
    ssh -V; test -f /usr/share/zoneinfo/Europe/Berlin; test -s /etc/ssl/certs/ca-certificates.crt
# The jar last: it is the layer that changes with every code change (retargeted in the build stage).
COPY --from=build /out/jar/stack-back.jar /opt/stack-back/stack-back.jar
# Class-data sharing for the app: a training run (dev.stackback.cli.CdsTraining: version, help,
# status and backup --dry-run against a stand-in Docker engine on 127.0.0.1, in one JVM) records
# the classes those commands load; the launcher then maps them instead of loading and verifying
# them from the jar. JDK >= 25: an AOT cache (JEP 483/514: classes loaded and linked ahead of
# time); older JDKs: a dynamic AppCDS archive on top of the base archive. Made here, from the
# final paths, with the launcher's own options: an archive is only used with the jar it was
# made from (path, size and time checked). Checked below by running `version` with it required.
# ArchiveRelocationMode=0 maps the archive at its own base address, as JDK 17-19 did by default:
# since JDK 20 it is mapped at a random address and every pointer in it patched, which turns
# ~14 MiB of each run's memory from clean, shared page cache into private anonymous memory
# (measured with /proc/<pid>/status: RssAnon 64 -> 50 MiB for one backup, RssFile 29 -> 43).
RUN set -eu; \
    cd /opt/stack-back; java=jre/bin/java; \
    train() { "$java" @jvm.options "$@" -cp stack-back.jar dev.stackback.cli.CdsTraining; }; \
    if train -XX:AOTCacheOutput=/opt/stack-back/stack-back.aot; then \
      rm -f stack-back.aot.config; \
      "$java" @jvm.options -XX:AOTCache=/opt/stack-back/stack-back.aot -XX:AOTMode=on -jar stack-back.jar version; \
      echo -XX:AOTCache=/opt/stack-back/stack-back.aot >>jvm.options; \
    else \
      train -XX:ArchiveClassesAtExit=/opt/stack-back/stack-back.jsa 2>&1 | grep -v 'Skipping .*Old class has been linked' || true; \
      "$java" @jvm.options -XX:SharedArchiveFile=/opt/stack-back/stack-back.jsa -Xshare:on -jar stack-back.jar version; \
      echo -XX:SharedArchiveFile=/opt/stack-back/stack-back.jsa >>jvm.options; \
    fi; \
    if "$java" @jvm.options -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 \
        -jar stack-back.jar version >/dev/null; then \
      printf '%s\n' -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 >>jvm.options; \
    fi; \
    rm -rf /tmp/sb-cds*; ls -l /opt/stack-back; cat jvm.options

# RESTIC_CACHE_DIR on a volume: worker containers get the stack-back container's mounts, so
# every snapshot reuses one restic cache instead of starting cold (matters for remote repos).
# METRICS_PORT: the daemon serves /healthz and /metrics there (inside the container only,
# unless the port is published); the health check asks /healthz.
ENV STATE_DIR=/state \
    RESTIC_CACHE_DIR=/cache \
    METRICS_PORT=9464 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
VOLUME ["/state", "/cache"]
EXPOSE 9464
# /healthz answers 200 while the daemon loop is alive (a failed backup is reported by
# notifications and /metrics, not by restarting the container). Without METRICS_PORT the check
# falls back to proving that the runtime and the jar load.
HEALTHCHECK --interval=1m --timeout=10s --start-period=30s --retries=3 \
    CMD if [ -n "$METRICS_PORT" ]; then wget -q -O /dev/null "http://127.0.0.1:$METRICS_PORT/healthz"; else stack-back version >/dev/null; fi

ARG VERSION=dev
ARG REVISION=unknown
ARG RESTIC_VERSION
ARG RUNTIME_IMAGE
LABEL org.opencontainers.image.title="stack-back" \
      org.opencontainers.image.description="Backup sidecar for Docker Compose stacks: labels say what to back up, restic stores it" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="${RUNTIME_IMAGE}" \
      dev.stackback.restic.version="${RESTIC_VERSION}"
# No ENTRYPOINT: `docker run IMAGE stack-back status`, `... rcb backup` and plain `sh` all work;
# workers replace the command with `restic ...` anyway.
CMD ["stack-back", "daemon"]
