#!/usr/bin/env bash
# Builds the SFTP server image the remote-repository integration tests use, without a registry:
#
#   stack-back-test/sshd:bookworm   Debian bookworm openssh-server + openssh-client + restic
#
# From the bookworm minbase rootfs that build-db-test-images.sh caches (made by it when missing),
# packages from the host's apt sources. Host keys are not baked in: the container makes them at
# start (ssh-keygen -A). Tagged with a hash of this script (label dev.stackback.test.hash) and
# skipped when that hash is there. Needs root (chroot). Called by build-test-images.sh.
set -euo pipefail

LOG_TAG=sshd-image
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
. "$script_dir/lib.sh"

CACHE_DIR=${STACK_BACK_IMAGE_CACHE:-/var/cache/stack-back-test}
APT_ARCHIVES=/var/cache/apt/archives
TAG=stack-back-test/sshd:bookworm
PACKAGES=(openssh-server openssh-sftp-server openssh-client restic)

hash=$(cat "$0" | sha256sum | cut -c1-16)
existing=$(docker image inspect --format '{{ index .Config.Labels "dev.stackback.test.hash" }}' "$TAG" 2>/dev/null || true)
if [ "$existing" = "$hash" ]; then
  log "$TAG is up to date ($hash)"
  exit 0
fi
is_root || die "building $TAG needs root (chroot)"

base() { ls -t "$CACHE_DIR"/bookworm-minbase-*.tar 2>/dev/null | head -n 1; }
if [ -z "$(base)" ]; then
  # the database images' script makes (and caches) the minbase rootfs
  bash "$script_dir/build-db-test-images.sh"
fi
BASE=$(base)
[ -n "$BASE" ] || die "no bookworm minbase rootfs in $CACHE_DIR"

start=$(now)
root=$(mktemp -d "$CACHE_DIR/root.XXXXXX")
cleanup() {
  umount "$root/var/cache/apt/archives" 2>/dev/null || true
  umount "$root/proc" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT
log "building $TAG ($hash) from $BASE"
tar -C "$root" -xf "$BASE"
cp /etc/resolv.conf "$root/etc/resolv.conf"
if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
  : >"$root/etc/apt/sources.list"
  cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/"
fi
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
mkdir -p "$root/var/cache/apt/archives" "$APT_ARCHIVES"
mount --bind "$APT_ARCHIVES" "$root/var/cache/apt/archives"
chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive sh -c \
  'apt-get update -q && apt-get install -y -q --no-install-recommends "$@"' sh "${PACKAGES[@]}" \
  >>"$CACHE_DIR/apt.log" 2>&1 || { tail -n 30 "$CACHE_DIR/apt.log" >&2; die "apt-get install failed"; }
umount "$root/var/cache/apt/archives" "$root/proc"
chroot "$root" apt-get clean
rm -f "$root"/etc/ssh/ssh_host_* "$root/usr/sbin/policy-rc.d"
rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/*
mkdir -p "$root/run/sshd" "$root/root/.ssh"
chmod 700 "$root/root/.ssh"
: >"$root/etc/resolv.conf"
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change "LABEL dev.stackback.test.hash=$hash" \
  --change 'CMD ["sh", "-c", "ssh-keygen -A && exec /usr/sbin/sshd -D -e"]' \
  - "$TAG" >/dev/null
log "built $TAG in $(($(now) - start))s"
