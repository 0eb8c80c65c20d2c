#!/usr/bin/env bash
# Builds the database images the integration tests use, without a registry:
#
#   stack-back-test/postgres:15     Debian bookworm postgresql (15) + test-images/postgres-entrypoint.sh
#   stack-back-test/mariadb:10.11   Debian bookworm mariadb-server/-client + test-images/mariadb-entrypoint.sh
#
# One `debootstrap --variant=minbase bookworm` rootfs is made (cached as a tarball under
# $CACHE_DIR) and copied per image; packages come from the mirror the host's apt uses, through
# the host's apt cache. Each image carries the label dev.stackback.test.hash (a hash of this
# script and the entrypoints) and is skipped when that hash is already there. Needs root (chroot);
# installs debootstrap when missing. Called by build-test-images.sh.
set -euo pipefail

LOG_TAG=db-images
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
. "$script_dir/lib.sh"

CACHE_DIR=${STACK_BACK_IMAGE_CACHE:-/var/cache/stack-back-test}
APT_ARCHIVES=/var/cache/apt/archives
SUITE=bookworm
PG_TAG=stack-back-test/postgres:15
MARIADB_TAG=stack-back-test/mariadb:10.11

# image_hash ENTRYPOINT: what goes into an image (this script and its entrypoint).
image_hash() {
  cat "$0" "$script_dir/test-images/$1" | sha256sum | cut -c1-16
}

existing_hash() {
  docker image inspect --format '{{ index .Config.Labels "dev.stackback.test.hash" }}' "$1" 2>/dev/null || true
}

# The Debian mirror the host's apt uses (deb822 or one-line sources), else deb.debian.org.
host_mirror() {
  local uri
  uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }')
  if [ -z "$uri" ]; then
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }')
  fi
  printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

# The shared minbase rootfs as a tarball, made once and kept in $CACHE_DIR.
base_tarball() {
  local mirror tarball tmp start
  mirror=$(host_mirror)
  tarball="$CACHE_DIR/$SUITE-minbase-$(printf '%s' "$mirror" | sha256sum | cut -c1-8).tar"
  if [ -s "$tarball" ]; then
    printf '%s\n' "$tarball"
    return
  fi
  command -v debootstrap >/dev/null || {
    log "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >&2
  }
  start=$(now)
  tmp=$(mktemp -d "$CACHE_DIR/base.XXXXXX")
  log "debootstrap --variant=minbase $SUITE from $mirror"
  mkdir -p "$APT_ARCHIVES"
  debootstrap --variant=minbase --cache-dir="$APT_ARCHIVES" "$SUITE" "$tmp" "$mirror" \
    >"$CACHE_DIR/debootstrap.log" 2>&1 || {
    tail -n 20 "$CACHE_DIR/debootstrap.log" >&2
    rm -rf "$tmp"
    die "debootstrap failed"
  }
  tar -C "$tmp" -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
  rm -rf "$tmp"
  log "base rootfs in $(($(now) - start))s: $tarball"
  printf '%s\n' "$tarball"
}

# Mounts what apt needs inside the chroot; undone by unmount_chroot.
mount_chroot() {
  local root=$1
  mount -t proc proc "$root/proc"
  mkdir -p "$root/var/cache/apt/archives"
  mount --bind "$APT_ARCHIVES" "$root/var/cache/apt/archives"
}

unmount_chroot() {
  local root=$1
  umount "$root/var/cache/apt/archives" 2>/dev/null || true
  umount "$root/proc" 2>/dev/null || true
}

# Unpacks the base, installs packages with apt from the host's sources, trims the result.
prepare_rootfs() {
  local root=$1 base=$2
  shift 2
  tar -C "$root" -xf "$base"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
    : >"$root/etc/apt/sources.list"
    cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/"
  fi
  # no services start in the chroot; no docs, man pages or translations get unpacked
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod +x "$root/usr/sbin/policy-rc.d"
  cat >"$root/etc/dpkg/dpkg.cfg.d/01-lean" <<'CFG'
path-exclude=/usr/share/doc/*
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-exclude=/usr/share/lintian/*
CFG
  mount_chroot "$root"
  local rc=0
  chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive sh -c \
    'apt-get update -q && apt-get install -y -q --no-install-recommends "$@"' sh "$@" \
    >>"$CACHE_DIR/apt.log" 2>&1 || rc=$?
  unmount_chroot "$root"
  if [ "$rc" -ne 0 ]; then
    tail -n 30 "$CACHE_DIR/apt.log" >&2
    die "apt-get install $* failed in the chroot"
  fi
}

trim_rootfs() {
  local root=$1
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/debconf/*-old "$root"/var/log/*.log \
    "$root/usr/sbin/policy-rc.d" "$root"/tmp/* "$root"/usr/share/doc/* "$root"/usr/share/man/* \
    "$root"/usr/share/locale/* "$root"/usr/share/i18n/charmaps "$root"/usr/share/i18n/locales
  : >"$root/etc/resolv.conf"
}

import_rootfs() {
  local root=$1 tag=$2 hash=$3
  shift 3
  local changes=() c
  for c in "$@"; do changes+=(--change "$c"); done
  tar -C "$root" -c . | docker import "${changes[@]}" \
    --change "LABEL dev.stackback.test.hash=$hash" - "$tag" >/dev/null
}

build_postgres() {
  local root=$1 hash=$2
  prepare_rootfs "$root" "$BASE" postgresql-15
  # the package's main cluster is not wanted: the entrypoint makes one in PGDATA
  rm -rf "$root"/var/lib/postgresql/15 "$root"/etc/postgresql/15
  # JIT (LLVM, ~100 MB) is switched off in the entrypoint's config; drop it
  rm -f "$root"/usr/lib/postgresql/15/lib/llvmjit*.so
  rm -rf "$root"/usr/lib/postgresql/15/lib/bitcode
  rm -f "$root"/usr/lib/x86_64-linux-gnu/libLLVM-*.so* "$root"/usr/lib/x86_64-linux-gnu/libz3.so*
  install -m 755 "$script_dir/test-images/postgres-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
  mkdir -p "$root/docker-entrypoint-initdb.d" "$root/var/lib/postgresql/data" "$root/var/run/postgresql"
  chroot "$root" chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
  trim_rootfs "$root"
  import_rootfs "$root" "$PG_TAG" "$hash" \
    'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'ENV PGDATA=/var/lib/postgresql/data' 'ENV LANG=C.UTF-8' \
    'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' 'CMD ["postgres"]'
}

build_mariadb() {
  local root=$1 hash=$2
  prepare_rootfs "$root" "$BASE" mariadb-server mariadb-client
  rm -rf "$root"/var/lib/mysql/*
  # maintenance tools the tests (and the entrypoint) never run, ~5 MB each
  (cd "$root/usr/bin" && rm -f aria_* myisam* mariadb-binlog mariadb-slap mariadb-upgrade \
    mariadb-check mariadb-import mariadb-show mariadb-conv mariadb-plugin mariadb-tzinfo-to-sql \
    mariadb-waitpid mariadbd-safe-helper resolve_stack_dump replace perror innochecksum)
  install -m 755 "$script_dir/test-images/mariadb-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
  mkdir -p "$root/docker-entrypoint-initdb.d" "$root/run/mysqld"
  chroot "$root" chown -R mysql:mysql /var/lib/mysql /run/mysqld
  trim_rootfs "$root"
  import_rootfs "$root" "$MARIADB_TAG" "$hash" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' 'ENV LANG=C.UTF-8' \
    'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' 'CMD ["mariadbd"]'
}

# build TAG FUNCTION HASH: one image in its own copy of the base rootfs, timed.
build() {
  local tag=$1 fn=$2 hash=$3 root start
  start=$(now)
  root=$(mktemp -d "$CACHE_DIR/root.XXXXXX")
  log "building $tag ($hash)"
  "$fn" "$root" "$hash" || { unmount_chroot "$root"; rm -rf "$root"; return 1; }
  rm -rf "$root"
  local size
  size=$(docker image inspect --format '{{.Size}}' "$tag")
  log "built $tag in $(($(now) - start))s, $((size / 1024 / 1024)) MB"
}

# Fills the array todo with "tag:function:hash" of every image whose hash label differs.
outdated() {
  local pg_hash mariadb_hash
  pg_hash=$(image_hash postgres-entrypoint.sh)
  mariadb_hash=$(image_hash mariadb-entrypoint.sh)
  todo=()
  [ "$(existing_hash "$PG_TAG")" = "$pg_hash" ] || todo+=("$PG_TAG:build_postgres:$pg_hash")
  [ "$(existing_hash "$MARIADB_TAG")" = "$mariadb_hash" ] ||
    todo+=("$MARIADB_TAG:build_mariadb:$mariadb_hash")
  [ "${#todo[@]}" -gt 0 ] || log "$PG_TAG ($pg_hash) and $MARIADB_TAG ($mariadb_hash) are up to date"
}

main() {
  local todo
  outdated
  [ "${#todo[@]}" -gt 0 ] || return 0
  is_root || die "building ${todo[*]%%:build_*} needs root (debootstrap, chroot)"
  mkdir -p "$CACHE_DIR"
  # one builder at a time: worktrees and CI share the engine and the cache; whoever waited
  # looks again, the other may have built the same images meanwhile
  exec 9>"$CACHE_DIR/.lock"
  flock 9
  outdated
  [ "${#todo[@]}" -gt 0 ] || return 0
  BASE=$(base_tarball)
  local entry tag fn hash
  for entry in "${todo[@]}"; do
    # entry is repo/name:tag:function:hash; split off the function and the hash
    tag=${entry%%:build_*}
    fn=${entry#"$tag":}
    hash=${fn#*:}
    fn=${fn%%:*}
    build "$tag" "$fn" "$hash"
  done
}

main "$@"
