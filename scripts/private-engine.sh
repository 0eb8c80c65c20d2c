#!/bin/bash
# A private Docker engine for engine-killing tests, never touching the main engine.
#
#   private-engine.sh up       start it (idempotent); kills what a killed engine left first
#   private-engine.sh kill     SIGKILL its dockerd, then everything it ran (containerd, shims,
#                              container processes): the engine dies at once, mid-whatever
#   private-engine.sh down     stop it (SIGTERM, then SIGKILL of its leftovers), remove its netns
#                              and cgroups; keeps the data root (containers survive to the next up)
#   private-engine.sh purge    down + remove the data root
#   private-engine.sh socket   prints its socket: unix://<dir>/docker.sock
#   private-engine.sh pid      prints its dockerd's pid (exit 1 when not running)
#
# Needs root (netns, mount namespaces). Settings: PE_NAME (default sbpe; names the netns
# "pe-<name>", the cgroup parent "/pe-<name>" and the default directory), PE_DIR (default
# /tmp/stack-back-engine-<name>), PE_IMAGES (images copied from the main engine with docker save /
# load; default stack-back:local stack-back-test/busybox:latest), PE_DEFAULT_SOCKET=1 (also serve
# /var/run/docker.sock inside its own mount namespace, where /run is its private tmpfs: a container
# that bind-mounts /var/run/docker.sock, as compose files do, gets this engine; the host's socket
# is never seen or touched).
#
# Isolation (as in /work/shared/swarm-lab/lab.sh): dockerd runs in its own network namespace (only
# lo; its docker0 and iptables live there), its own mount namespace (slave: host mounts such as
# /tmp come in, its mounts never go out) with a private tmpfs on /run (so it starts its own
# containerd, and the host's /run/docker.sock and /run/containerd are never seen), its own UTS
# namespace, its own socket, data root, exec root and pid file, and cgroup parent /pe-<name>. Only
# its own socket is served. Everything it ran is found again by its netns and cgroup, never by
# name.
set -euo pipefail

NAME=${PE_NAME:-sbpe}
DIR=${PE_DIR:-/tmp/stack-back-engine-$NAME}
NETNS=pe-$NAME
CGROUP=pe-$NAME
IMAGES=${PE_IMAGES:-"stack-back:local stack-back-test/busybox:latest"}
DOCKERD=${DOCKERD:-$(command -v dockerd || echo /usr/sbin/dockerd)}
CLI=${CLI:-$(command -v docker)}
MAIN=${MAIN_DOCKER_HOST:-unix:///var/run/docker.sock}
SOCK="unix://$DIR/docker.sock"
HOSTS=(-H "$SOCK")
if [ "${PE_DEFAULT_SOCKET:-0}" = 1 ]; then HOSTS+=(-H unix:///var/run/docker.sock); fi

pe() { "$CLI" -H "$SOCK" "$@"; }
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
dockerd_pid() {
  [ -s "$DIR/docker.pid" ] || return 1
  local p; p=$(cat "$DIR/docker.pid")
  alive "$p" && grep -q dockerd "/proc/$p/comm" 2>/dev/null && echo "$p"
}

# every process of this engine: its netns members and its cgroups' members, never anything else
engine_pids() {
  ip netns list | grep -qw "$NETNS" && ip netns pids "$NETNS" 2>/dev/null || true
  cat /sys/fs/cgroup/pids/"$CGROUP"/*/cgroup.procs /sys/fs/cgroup/pids/"$CGROUP"/cgroup.procs \
    2>/dev/null || true
}

kill_leftovers() {
  local p i
  for i in 1 2 3; do
    for p in $(engine_pids | sort -u); do
      [ "$p" = $$ ] || kill -KILL "$p" 2>/dev/null || true
    done
    [ -z "$(engine_pids)" ] && break
    sleep 0.2
  done
  # the engine's mounts lived in its own mount namespace and went with its processes; its exec
  # root (containerd's socket and pid file, shim state) is stale now and would stop a restart
  if [ -z "$(engine_pids)" ]; then rm -rf "$DIR/exec"; fi
  rm -f "$DIR/docker.pid" "$DIR/docker.sock"
}

remove_cgroups() {
  local c
  for c in /sys/fs/cgroup/*/"$CGROUP"; do
    [ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
}

load_images() {
  local want=() img id missing=0 tar
  for img in $IMAGES; do
    id=$("$CLI" -H "$MAIN" image inspect -f '{{.Id}}' "$img")
    want+=("$img=$id")
    [ "$(pe image inspect -f '{{.Id}}' "$img" 2>/dev/null)" = "$id" ] || missing=1
  done
  [ $missing = 0 ] && return 0
  mkdir -p "$DIR/cache"
  tar="$DIR/cache/images-$(printf '%s\n' "${want[@]}" | sha256sum | cut -c1-16).tar"
  if [ ! -s "$tar" ]; then
    rm -f "$DIR"/cache/images-*.tar
    # shellcheck disable=SC2086
    "$CLI" -H "$MAIN" save -o "$tar.tmp" $IMAGES && mv "$tar.tmp" "$tar"
  fi
  pe load -q -i "$tar" >/dev/null
}

up() {
  if dockerd_pid >/dev/null; then
    load_images
    return 0
  fi
  kill_leftovers # what a killed engine left: containerd, shims, container processes
  remove_cgroups
  ip netns list | grep -qw "$NETNS" || ip netns add "$NETNS"
  ip -n "$NETNS" link set lo up
  mkdir -p "$DIR/docker" "$DIR/exec" "$DIR/.cg"
  setsid unshare --mount --uts --propagation slave nsenter --net="/run/netns/$NETNS" \
    sh -c 'set -e; hostname "$0"; cg="$1"; shift
      mount -t tmpfs -o mode=755 pe-run /run; mkdir -p /run/lock
      mount --rbind /sys/fs/cgroup "$cg"
      mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
      mount --rbind "$cg" /sys/fs/cgroup; umount -l "$cg"
      exec "$@"' \
    "$NETNS" "$DIR/.cg" "$DOCKERD" \
    --data-root "$DIR/docker" --exec-root "$DIR/exec" --pidfile "$DIR/docker.pid" \
    "${HOSTS[@]}" --cgroup-parent "/$CGROUP" \
    --bip 10.251.0.1/24 --default-address-pool base=10.252.0.0/16,size=24 \
    --shutdown-timeout 5 --log-level warn \
    >>"$DIR/dockerd.log" 2>&1 </dev/null &
  local i
  for i in $(seq 1 600); do
    pe version >/dev/null 2>&1 && break
    [ "$i" = 600 ] && { echo "private engine did not answer; $DIR/dockerd.log:" >&2;
      tail -20 "$DIR/dockerd.log" >&2; exit 1; }
    sleep 0.1
  done
  load_images
}

kill_engine() {
  local p
  if p=$(dockerd_pid); then kill -KILL "$p"; fi
  kill_leftovers
}

down() {
  local p i
  if p=$(dockerd_pid); then
    kill -TERM "$p"
    for i in $(seq 1 300); do alive "$p" || break; sleep 0.1; done
  fi
  kill_leftovers
  sleep 0.2
  remove_cgroups
  ip netns list | grep -qw "$NETNS" && ip netns del "$NETNS"
  rm -rf "$DIR/.cg"
}

case "${1:-}" in
  up) up ;;
  kill) kill_engine ;;
  down) down ;;
  purge) down; rm -rf "$DIR" ;;
  socket) echo "$SOCK" ;;
  pid) dockerd_pid ;;
  *) echo "usage: $0 up|kill|down|purge|socket|pid" >&2; exit 2 ;;
esac
