#!/usr/bin/env bash
# Builds the stack-back sidecar image offline (no registry): imports local base images, then
# `docker build` with the Dockerfile's *_IMAGE args pointing at them. Tags stack-back:local and
# stack-back:<version>. Idempotent; prints timings.
#
#   stack-back-base/runtime:local   busybox-static + the host's glibc + CA bundle + ssh client
#                                   + /usr/share/zoneinfo (the final base)
#   stack-back-base/jdk:local       the same + the host's JDK (>= 21, for jlink; build stage only)
#   stack-back-base/restic:<ver>    just /usr/bin/restic: the host's restic if it is the wanted
#                                   release, else Debian sid's restic .deb (cached under $CACHE_DIR)
#
# Base images carry a hash of their inputs in the label dev.stackback.base.hash and are skipped
# when it matches. Environment: RESTIC_VERSION (wanted, default 0.19.1), RESTIC_BIN (use this
# restic binary), STACK_BACK_CACHE (default /var/cache/stack-back), IMAGE_NAME (default
# stack-back), JAVA_MODULES_EXCLUDE (comma-separated modules to leave out although jdeps lists
# them: `java.desktop,java.compiler` saves 15 MB; only java.beans / javax.lang.model references
# in libraries need them and SidecarImageIT passes without, but that is not proof enough yet).
# The jar is (re)built with `mvn package` first when missing or older than src/.
set -euo pipefail

LOG_TAG=image
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
. "$script_dir/lib.sh"
cd "$script_dir/.."

export DOCKER_BUILDKIT=0 # the legacy builder: no buildx here, and no frontend image to pull
CACHE_DIR=$(stack_back_cache_dir)
IMAGE_NAME=${IMAGE_NAME:-stack-back}
RESTIC_WANTED=$RESTIC_RELEASE # lib.sh: 0.19.1 unless RESTIC_VERSION says otherwise; never 0.18.0
HASH_LABEL=dev.stackback.base.hash
RUNTIME_BASE=stack-back-base/runtime:local
JDK_BASE=stack-back-base/jdk:local
JAR=target/stack-back.jar
# glibc pieces a jlinked JDK and restic need (ldd of libjvm.so, libjava.so, ..., restic);
# libgcc_s because glibc loads it to unwind a thread that calls pthread_exit
GLIBC_LIBS=(libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libgcc_s.so.1)
LIB_DIR=/lib/x86_64-linux-gnu

timings=()
timed() {
  local name=$1 start
  shift
  start=$(now)
  "$@"
  timings+=("$(printf '%-14s %4ss' "$name" "$(($(now) - start))")")
}

label_of() {
  docker image inspect --format "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true
}

hash_of() { cat "$@" | sha256sum | cut -c1-16; }

busybox_bin() {
  local b
  b=$(command -v busybox || true)
  [ -x /bin/busybox ] && b=/bin/busybox
  [ -n "$b" ] || die "busybox not found (apt-get install busybox-static)"
  printf '%s\n' "$b"
}

glibc_files() {
  local lib
  for lib in "${GLIBC_LIBS[@]}"; do
    [ -e "$LIB_DIR/$lib" ] || die "$LIB_DIR/$lib not found (this script expects Debian/Ubuntu amd64)"
    readlink -f "$LIB_DIR/$lib"
  done
  readlink -f /lib64/ld-linux-x86-64.so.2
}

ca_bundle() {
  if [ -s /etc/ssl/certs/ca-certificates.crt ]; then
    printf '%s\n' /etc/ssl/certs/ca-certificates.crt
  fi
}

# The ssh client (SFTP repositories: restic runs `ssh`) and every library it links that is not
# one of GLIBC_LIBS; Debian's openssh-client. Prints paths as ldd resolves them.
ssh_files() {
  local ssh
  ssh=$(command -v ssh || true)
  [ -n "$ssh" ] || die "ssh not found (apt-get install openssh-client): the image needs it for SFTP repositories"
  printf '%s\n' "$ssh"
  ldd "$ssh" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | while read -r lib; do
    [[ " ${GLIBC_LIBS[*]} " == *" $(basename "$lib") "* ]] || printf '%s\n' "$lib"
  done
}

# tzdata's version file: stands for /usr/share/zoneinfo in the base's hash.
tzdata_stamp() {
  [ -f /usr/share/zoneinfo/tzdata.zi ] || die "/usr/share/zoneinfo not found (apt-get install tzdata): the image needs it for TZ"
  printf '%s\n' /usr/share/zoneinfo/tzdata.zi
}

# A minimal root: busybox as sh and coreutils, glibc, passwd/group, CA bundle, the ssh client,
# the time zone database.
make_rootfs() {
  local root=$1 bb applet lib
  bb=$(busybox_bin)
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc/ssl/certs,tmp,root,lib64,var/run} "$root$LIB_DIR"
  chmod 1777 "$root/tmp"
  cp "$bb" "$root/bin/busybox"
  for applet in $("$bb" --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  for lib in "${GLIBC_LIBS[@]}"; do
    cp "$(readlink -f "$LIB_DIR/$lib")" "$root$LIB_DIR/$lib"
  done
  cp "$(readlink -f /lib64/ld-linux-x86-64.so.2)" "$root/lib64/ld-linux-x86-64.so.2"
  ln -s /lib64/ld-linux-x86-64.so.2 "$root$LIB_DIR/ld-linux-x86-64.so.2"
  local ssh_bin=1 file
  while read -r file; do
    if [ "$ssh_bin" = 1 ]; then
      cp "$file" "$root/usr/bin/ssh"
      ssh_bin=0
    else
      cp "$(readlink -f "$file")" "$root$LIB_DIR/$(basename "$file")"
    fi
  done < <(ssh_files)
  mkdir -p "$root/usr/share" "$root/root/.ssh"
  chmod 700 "$root/root/.ssh"
  cp -r /usr/share/zoneinfo "$root/usr/share/zoneinfo"
  if [ -n "$(ca_bundle)" ]; then
    cp "$(ca_bundle)" "$root/etc/ssl/certs/ca-certificates.crt"
  else
    warn "no /etc/ssl/certs/ca-certificates.crt on this host; the image gets no CA bundle"
  fi
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
}

import_rootfs() {
  local root=$1 tag=$2 hash=$3
  shift 3
  local changes=(--change "LABEL $HASH_LABEL=$hash" --change 'CMD ["sh"]')
  local env old
  for env in "$@"; do
    changes+=(--change "ENV $env")
  done
  old=$(image_id "$tag")
  tar -C "$root" -c . | docker import "${changes[@]}" - "$tag" >/dev/null
  remove_replaced "$old" "$tag"
}

build_bases() {
  local base_hash runtime_hash jdk_hash inputs
  mapfile -t inputs < <(printf '%s\n' "$(busybox_bin)"; glibc_files; ca_bundle; ssh_files; tzdata_stamp)
  # the recipe is the code of the functions that make the bases, not the whole script
  base_hash=$(hash_of "${inputs[@]}" <(declare -f make_rootfs import_rootfs build_bases))
  runtime_hash=$base_hash
  jdk_hash=$(printf '%s %s\n' "$base_hash" "$(sha256sum "$JAVA_HOME/release" "$JAVA_HOME/lib/modules" "$JAVA_HOME/lib/security/cacerts")" | sha256sum | cut -c1-16)
  local need_runtime=1 need_jdk=1
  [ "$(label_of "$RUNTIME_BASE" "$HASH_LABEL")" = "$runtime_hash" ] && need_runtime=0
  [ "$(label_of "$JDK_BASE" "$HASH_LABEL")" = "$jdk_hash" ] && need_jdk=0
  if [ "$need_runtime" = 0 ] && [ "$need_jdk" = 0 ]; then
    log "$RUNTIME_BASE ($runtime_hash) and $JDK_BASE ($jdk_hash) are up to date"
    return
  fi
  local root=$WORK/rootfs
  make_rootfs "$root"
  local path=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  if [ "$need_runtime" = 1 ]; then
    log "importing $RUNTIME_BASE ($runtime_hash)"
    import_rootfs "$root" "$RUNTIME_BASE" "$runtime_hash" "$path"
  fi
  if [ "$need_jdk" = 1 ]; then
    log "importing $JDK_BASE ($jdk_hash) with the JDK from $JAVA_HOME"
    mkdir -p "$root/opt/java/openjdk"
    # all of it: a JDK without jmods (JEP 493) jlinks from its own files and checks their hashes
    tar -C "$JAVA_HOME" -c . | tar -C "$root/opt/java/openjdk" -x
    # Debian-packaged JDKs link lib/security/cacerts into the system's Java trust store
    local cacerts
    cacerts=$(readlink -f "$JAVA_HOME/lib/security/cacerts")
    if [ -L "$JAVA_HOME/lib/security/cacerts" ] && [ -f "$cacerts" ]; then
      mkdir -p "$root$(dirname "$cacerts")"
      cp "$cacerts" "$root$cacerts"
    fi
    import_rootfs "$root" "$JDK_BASE" "$jdk_hash" \
      JAVA_HOME=/opt/java/openjdk "PATH=/opt/java/openjdk/bin:${path#PATH=}"
    docker run --rm "$JDK_BASE" jlink --version >/dev/null ||
      die "$JDK_BASE cannot run jlink (a glibc library missing?)"
  fi
}

# Sets RESTIC_IMAGE and RESTIC_IMAGE_VERSION: a FROM-scratch image holding /usr/bin/restic.
# The binary: RESTIC_BIN if set, else the host's restic when it is the wanted release (what
# scripts/ensure-restic.sh installs), else Debian sid's package (cached). Never a refused release,
# and never silently another version: that is an error naming RESTIC_BIN / RESTIC_VERSION.
build_restic_base() {
  local existing="stack-back-base/restic:$RESTIC_WANTED"
  if [ -z "${RESTIC_BIN:-}" ] && [[ "$RESTIC_REFUSED" != *" $RESTIC_WANTED "* ]] &&
    [ -n "$(label_of "$existing" "$HASH_LABEL")" ]; then
    RESTIC_IMAGE=$existing RESTIC_IMAGE_VERSION=$RESTIC_WANTED
    log "$existing is present ($(label_of "$existing" dev.stackback.restic.source))"
    return
  fi
  local root=$WORK/restic bin='' source deb host
  mkdir -p "$root"
  host=$(command -v restic || true)
  if [ -n "${RESTIC_BIN:-}" ]; then
    bin=$RESTIC_BIN source="$RESTIC_BIN"
  elif [ -n "$host" ] && [ "$(restic_version_of "$host")" = "$RESTIC_WANTED" ]; then
    bin=$host source="host $host ($(dpkg-query -W -f='${Package} ${Version}' restic 2>/dev/null || echo unpackaged))"
  else
    deb=$(fetch_debian_deb sid restic "$RESTIC_WANTED" "$CACHE_DIR")
    [ -n "$deb" ] || die "restic $RESTIC_WANTED is neither the host's restic nor could it be fetched from Debian sid; set RESTIC_BIN to a restic $RESTIC_WANTED binary (or RESTIC_VERSION to the release to use)"
    dpkg-deb -x "$deb" "$root/deb"
    bin=$root/deb/usr/bin/restic source="debian sid $(basename "$deb")"
  fi
  local version hash tag
  version=$(restic_version_of "$bin")
  [ -n "$version" ] || die "$bin does not run"
  [[ "$RESTIC_REFUSED" != *" $version "* ]] ||
    die "restic $version ($source) breaks every database dump (restic#5324: backup --stdin-filename with a directory); use $RESTIC_RELEASE"
  [ "$version" = "$RESTIC_WANTED" ] || warn "wanted restic $RESTIC_WANTED, using $version from $source"
  hash=$(hash_of "$bin")
  tag="stack-back-base/restic:$version"
  RESTIC_IMAGE=$tag RESTIC_IMAGE_VERSION=$version
  if [ "$(label_of "$tag" "$HASH_LABEL")" = "$hash" ]; then
    log "$tag is up to date ($source)"
    return
  fi
  mkdir -p "$root/img/usr/bin"
  cp "$bin" "$root/img/usr/bin/restic"
  local old
  old=$(image_id "$tag")
  tar -C "$root/img" -c . | docker import --change "LABEL $HASH_LABEL=$hash" \
    --change "LABEL dev.stackback.restic.source=\"$source\"" - "$tag" >/dev/null
  remove_replaced "$old" "$tag"
  log "imported $tag ($source)"
}

build_jar() {
  if [ ! -f "$JAR" ] || [ -n "$(find src pom.xml -newer "$JAR" -print -quit)" ]; then
    log "building $JAR (mvn package, no tests)"
    mvn -B -q -DskipTests package
  fi
}

# Modules of the jlinked runtime: jdeps on the shaded jar (slow: ~20 s, so cached per pom.xml,
# i.e. per dependency set), united with jdeps on our own classes (fast, every time), plus
# jdk.crypto.ec for TLS with EC keys (restic does TLS itself; this is for the JVM's own clients).
java_modules() {
  local cache deps own
  mkdir -p "$CACHE_DIR"
  cache="$CACHE_DIR/modules-$(hash_of pom.xml "$JAVA_HOME/release")"
  if [ ! -s "$cache" ]; then
    log "jdeps on $JAR (cached as $cache)"
    jdeps --print-module-deps --ignore-missing-deps --multi-release 21 "$JAR" >"$cache.tmp"
    mv "$cache.tmp" "$cache"
  fi
  deps=$(cat "$cache")
  own=$(jdeps --print-module-deps --ignore-missing-deps --multi-release 21 target/classes)
  printf '%s,%s,jdk.crypto.ec\n' "$deps" "$own" | tr ',' '\n' | sed '/^$/d' | sort -u |
    grep -vxF -f <(tr ',' '\n' <<<"${JAVA_MODULES_EXCLUDE:-}") | paste -sd, -
}

image_id() { docker image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }

# Removes image $1 that this script just replaced under tag $2, with the build cache grown on it
# (the legacy builder's untagged intermediate images), deepest first. Anything tagged or in use
# by a container stays (docker rmi refuses); we never remove images by a broad filter.
remove_replaced() {
  local old=$1 tag=$2
  [ -n "$old" ] && [ "$old" != "$(image_id "$tag")" ] || return 0
  [ "$(docker image inspect --format '{{len .RepoTags}}' "$old" 2>/dev/null)" = 0 ] || return 0
  local -A children=()
  local id parent
  while read -r id parent; do
    [ -n "$parent" ] && children[$parent]+="$id "
  done < <(docker image ls -aq --no-trunc | sort -u | xargs -r docker image inspect --format '{{.Id}} {{.Parent}}')
  local order=("$old") i=0
  while [ "$i" -lt "${#order[@]}" ]; do
    for id in ${children[${order[$i]}]:-}; do order+=("$id"); done
    i=$((i + 1))
  done
  local tags
  for ((i = ${#order[@]} - 1; i >= 0; i--)); do
    # gone already: removing a child also removes its untagged parents
    tags=$(docker image inspect --format '{{len .RepoTags}}' "${order[$i]}" 2>/dev/null) || continue
    if [ "$tags" != 0 ]; then
      log "keeping the replaced ${old:7:12} of $tag: ${order[$i]:7:12} (tagged) derives from it"
      return 0
    fi
    docker rmi "${order[$i]}" >/dev/null 2>&1 || true
  done
  log "removed the replaced ${old:7:12} of $tag ($((${#order[@]} - 1)) cached layer(s) on it)"
}

build_image() {
  local version revision modules
  version=$(java -jar "$JAR" version | awk '{print $2}')
  revision=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
  if [ -n "$(git status --porcelain 2>/dev/null)" ]; then revision="$revision-dirty"; fi
  modules=$(java_modules)
  local old
  old=$(image_id "$IMAGE_NAME:local")
  log "docker build: $IMAGE_NAME:local, $IMAGE_NAME:$version (restic $RESTIC_IMAGE_VERSION; modules $modules)"
  docker build -q --force-rm \
    --build-arg "JDK_IMAGE=$JDK_BASE" \
    --build-arg "RUNTIME_IMAGE=$RUNTIME_BASE" \
    --build-arg "RESTIC_IMAGE=$RESTIC_IMAGE" \
    --build-arg "RESTIC_VERSION=$RESTIC_IMAGE_VERSION" \
    --build-arg "JAVA_MODULES=$modules" \
    --build-arg "VERSION=$version" \
    --build-arg "REVISION=$revision" \
    -t "$IMAGE_NAME:local" -t "$IMAGE_NAME:$version" . >"$WORK/build.log" 2>&1 || {
    cat "$WORK/build.log" >&2
    die "docker build failed"
  }
  remove_replaced "$old" "$IMAGE_NAME:local"
  local size smoke
  size=$(docker image inspect --format '{{.Size}}' "$IMAGE_NAME:local" | awk '{printf "%.1f MB", $1/1e6}')
  smoke=$(docker run --rm "$IMAGE_NAME:local" sh -c 'stack-back version && restic version' |
    cut -d' ' -f1-2 | paste -sd, -) || die "$IMAGE_NAME:local does not run stack-back or restic"
  log "built $IMAGE_NAME:local: $size; $smoke"
  # with a JDK >= 24 in the build stage picocli comes from the AOT cache, not the jar (docker/Retarget.java)
  [ "$JDK_MAJOR" -ge 24 ] || return 0
  local from_jar
  from_jar=$(docker run --rm -e STACK_BACK_JAVA_OPTS='@/opt/stack-back/jvm.options -Xlog:class+load' \
    "$IMAGE_NAME:local" stack-back backup --help | grep -c 'picocli.*source: .*stack-back.jar' || true)
  [ "$from_jar" -eq 0 ] || die "$IMAGE_NAME:local loads $from_jar picocli classes from the jar, not its AOT cache"
}

main() {
  local start
  start=$(now)
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
  pick_jdk
  docker info >/dev/null 2>&1 || die "no Docker engine answers (run scripts/ensure-docker.sh)"
  timed jar build_jar
  timed bases build_bases
  timed restic build_restic_base
  timed build build_image
  timings+=("$(printf '%-14s %4ss' total "$(($(now) - start))")")
  log "timings:"
  local line
  for line in "${timings[@]}"; do
    printf '[%s]   %s\n' "$LOG_TAG" "$line" >&2
  done
}

main "$@"
