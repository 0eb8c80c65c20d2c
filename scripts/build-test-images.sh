#!/usr/bin/env bash
# Builds the local images the integration tests use (no registry exists on our machines).
# Idempotent: each image is tagged with a hash of its inputs and skipped when that tag exists.
#
#   stack-back-test/busybox:latest   busybox-static + restic (+ the glibc it links) + sh
#   stack-back-test/postgres:15, stack-back-test/mariadb:10.11   see build-db-test-images.sh
#   stack-back-test/sshd:bookworm    see build-sshd-test-image.sh (SFTP repositories)
#
# The content hash is stored as the label dev.stackback.test.hash; a changed input rebuilds.
set -euo pipefail

log() { printf '[images] %s\n' "$*" >&2; }

busybox_bin=$(command -v busybox || true)
restic_bin=$(command -v restic || true)
[ -x /bin/busybox ] && busybox_bin=/bin/busybox
[ -n "$busybox_bin" ] || { log "busybox not found (apt-get install busybox-static)"; exit 1; }
[ -n "$restic_bin" ] || { log "restic not found (apt-get install restic)"; exit 1; }

image_hash() {
  # inputs: this script + the binaries that go in
  cat "$0" "$@" | sha256sum | cut -c1-16
}

existing_hash() {
  docker image inspect --format '{{ index .Config.Labels "dev.stackback.test.hash" }}' "$1" 2>/dev/null || true
}

build_busybox() {
  local tag=stack-back-test/busybox:latest
  local libc ld
  libc=$(ldd "$restic_bin" | awk '/libc.so.6/ {print $3}')
  ld=$(ldd "$restic_bin" | awk '/ld-linux/ {print $1}')
  local hash
  hash=$(image_hash "$busybox_bin" "$restic_bin" "$libc")
  if [ "$(existing_hash "$tag")" = "$hash" ]; then
    log "$tag is up to date ($hash)"
    return
  fi
  log "building $tag ($hash)"
  local root
  root=$(mktemp -d)
  trap 'rm -rf "$root"' RETURN
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,lib/x86_64-linux-gnu,lib64,var/run,data}
  chmod 1777 "$root/tmp"
  cp "$busybox_bin" "$root/bin/busybox"
  for applet in $("$busybox_bin" --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  cp "$restic_bin" "$root/usr/bin/restic"
  cp "$libc" "$root/lib/x86_64-linux-gnu/libc.so.6"
  cp "$(readlink -f "$ld")" "$root/lib64/ld-linux-x86-64.so.2"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  tar -C "$root" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL dev.stackback.test.hash=$hash" \
    --change 'CMD ["sh"]' \
    - "$tag" >/dev/null
  log "built $tag"
}

build_busybox

# the database images (postgres, mariadb) are built from a debootstrap rootfs by their own script
bash "$(dirname "${BASH_SOURCE[0]}")/build-db-test-images.sh"

# the SFTP server image (openssh from Debian) for the remote repository tests
bash "$(dirname "${BASH_SOURCE[0]}")/build-sshd-test-image.sh"
