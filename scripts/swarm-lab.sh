#!/bin/bash
# A real 3-node Docker Swarm on one machine for the swarm integration tests (issue 11), never
# touching the main engine. Built from the feasibility lab (shared/swarm-lab/lab.sh, NOTES.md).
#
#   swarm-lab.sh up       start (or resume) the lab, load the images, form the swarm; idempotent
#   swarm-lab.sh down     stop every daemon and container of the lab (by pid, netns and cgroup),
#                         delete its namespaces; keeps the data roots (the next up is warm)
#   swarm-lab.sh purge    down + remove the data roots
#   swarm-lab.sh status   what runs
#   swarm-lab.sh env [N]  prints `export DOCKER_HOST=unix://...` for node N (default 1: the manager)
#   swarm-lab.sh dir      prints the lab's directory (node N's socket is <dir>/nodeN/docker.sock)
#
# Layout: netns "<name>-br" holds bridge br0; netns "<name>-nN" holds eth0 = 192.168.77.1N/24 (a
# veth to br0; both ends are created inside our namespaces) and node N's dockerd. Each dockerd
# runs in its own mount namespace (slave of the host's) with a private tmpfs on /run (its own
# containerd; /var/run/docker.sock inside the node is that node's engine, as on a real swarm; the
# host's /run/docker* is never seen), its own UTS namespace (hostname nodeN, so node.hostname
# constraints work) and cgroup parent /<name>-nN. Node 1 is the manager, the others workers.
# The kernel here has no IPVS: service VIPs and the ingress mesh do not work, so test stacks use
# endpoint_mode: dnsrr. Images come from the main engine without a registry (docker save, cached
# by image ids, then a parallel docker load into each node that lacks one).
#
# Settings: SWARM_LAB_NAME (default sl<hash of the checkout's path>: one lab per checkout, two
# worktrees never share or stop each other's), SWARM_LAB_DIR (default /tmp/stack-back-swarm-<same
# hash>), SWARM_LAB_IMAGES (default "stack-back:local stack-back-test/busybox:latest"; scripts/test.sh
# passes the sidecar image it built), SWARM_LAB_NODES (default 3). Needs root.
set -euo pipefail
shopt -s inherit_errexit

LOG_TAG=swarm-lab
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
. "$script_dir/lib.sh"

checkout=$(cd "$script_dir/.." && pwd -P | sha256sum | cut -c1-6)
NAME=${SWARM_LAB_NAME:-sl$checkout}
LAB=${SWARM_LAB_DIR:-/tmp/stack-back-swarm-$checkout}
NODES=${SWARM_LAB_NODES:-3}
IMAGES=${SWARM_LAB_IMAGES:-"stack-back:local stack-back-test/busybox:latest"}
NET=192.168.77
DOCKERD=${DOCKERD:-$(command -v dockerd || echo /usr/sbin/dockerd)}
CLI=${CLI:-$(command -v docker)}
MAIN=${MAIN_DOCKER_HOST:-unix:///var/run/docker.sock}

ndir() { echo "$LAB/node$1"; }
nsock() { echo "unix://$LAB/node$1/docker.sock"; }
nd() {
  local n=$1
  shift
  "$CLI" -H "$(nsock "$n")" "$@"
}
ip_of() { echo "$NET.1$1"; }
netns_of() { echo "$NAME-n$1"; }
BRNS=$NAME-br
has_netns() { ip netns list | awk '{print $1}' | grep -qx "$1"; }

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
daemon_pid() {
  local f p
  f="$(ndir "$1")/docker.pid"
  [ -s "$f" ] || return 1
  p=$(cat "$f")
  pid_alive "$p" && grep -q dockerd "/proc/$p/comm" 2>/dev/null && echo "$p"
}

net_up() {
  has_netns "$BRNS" || ip netns add "$BRNS"
  ip -n "$BRNS" link show br0 >/dev/null 2>&1 || ip -n "$BRNS" link add br0 type bridge
  ip -n "$BRNS" link set lo up
  ip -n "$BRNS" link set br0 up
  local n ns
  for n in $(seq 1 "$NODES"); do
    ns=$(netns_of "$n")
    has_netns "$ns" || ip netns add "$ns"
    if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
      ip -n "$BRNS" link del "v$n" 2>/dev/null || true
      ip -n "$BRNS" link add "v$n" type veth peer name eth0 netns "$ns"
      ip -n "$BRNS" link set "v$n" master br0 up
      ip -n "$ns" addr add "$(ip_of "$n")/24" dev eth0
    fi
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
  done
}

start_daemon() {
  local n=$1 d p
  d=$(ndir "$n")
  if p=$(daemon_pid "$n"); then return 0; fi
  kill_leftovers "$n" # what a killed node left: containerd, shims, container processes
  mkdir -p "$d/docker" "$d/exec" "$d/.cg"
  log "node$n: starting dockerd"
  setsid env DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 unshare --mount --uts --propagation slave \
    nsenter --net="/run/netns/$(netns_of "$n")" \
    sh -c 'set -e; hostname "$0"; cg="$1"; shift
      mount -t tmpfs -o mode=755 swarm-run /run; mkdir -p /run/lock
      mount --rbind /sys/fs/cgroup "$cg"
      mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
      mount --rbind "$cg" /sys/fs/cgroup; umount -l "$cg"
      exec "$@"' \
    "node$n" "$d/.cg" "$DOCKERD" \
    --data-root "$d/docker" --exec-root "$d/exec" --pidfile "$d/docker.pid" \
    -H "$(nsock "$n")" -H unix:///var/run/docker.sock \
    --cgroup-parent "/$(netns_of "$n")" \
    --bip "10.3$n.0.1/24" --default-address-pool "base=10.4$n.0.0/16,size=24" \
    --dns "$NET.254" --shutdown-timeout 5 --log-level warn \
    >>"$d/dockerd.log" 2>&1 </dev/null &
}

wait_daemon() {
  local n=$1 i
  for i in $(seq 1 600); do
    nd "$n" version >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  tail -20 "$(ndir "$n")/dockerd.log" >&2
  die "node$n: dockerd did not answer; see $(ndir "$n")/dockerd.log"
}

load_images() {
  local want=() img id n missing tar jobs=() p
  for img in $IMAGES; do
    id=$("$CLI" -H "$MAIN" image inspect -f '{{.Id}}' "$img") ||
      die "image $img is not on the main engine (scripts/build-image.sh, scripts/build-test-images.sh)"
    want+=("$img=$id")
  done
  mkdir -p "$LAB/cache"
  tar="$LAB/cache/images-$(printf '%s\n' "${want[@]}" | sha256sum | cut -c1-16).tar"
  for n in $(seq 1 "$NODES"); do
    missing=0
    for w in "${want[@]}"; do
      [ "$(nd "$n" image inspect -f '{{.Id}}' "${w%%=*}" 2>/dev/null)" = "${w#*=}" ] || missing=1
    done
    [ $missing = 0 ] && continue
    if [ ! -s "$tar" ]; then
      log "saving $IMAGES from the main engine"
      rm -f "$LAB"/cache/images-*.tar
      # shellcheck disable=SC2086
      "$CLI" -H "$MAIN" save -o "$tar.tmp" $IMAGES && mv "$tar.tmp" "$tar"
    fi
    log "node$n: loading images"
    nd "$n" load -q -i "$tar" >/dev/null &
    jobs+=($!)
  done
  for p in ${jobs[@]+"${jobs[@]}"}; do wait "$p" || die "docker load failed"; done
}

swarm_up() {
  local st n tok i jobs=() p
  for i in $(seq 1 100); do
    st=$(nd 1 info -f '{{.Swarm.LocalNodeState}}')
    [ "$st" = pending ] || break
    sleep 0.2
  done
  if [ "$st" = inactive ]; then
    log "node1: swarm init"
    nd 1 swarm init --advertise-addr "$(ip_of 1)" --listen-addr "$(ip_of 1):2377" \
      --default-addr-pool 10.20.0.0/16 >/dev/null
  fi
  # The lab's data roots outlive a run, and so does its raft log: with swarmkit's default of one
  # snapshot per 10,000 entries it is never compacted, and a node promoted to manager (SwarmLockIT)
  # first replays the whole log. Two managers need both for a quorum, so until then every write
  # of the swarm times out ("DeadlineExceeded", 96 s measured on a lab 9 hours old, longer under
  # load, and a leadership transfer). A snapshot every 200 entries gives the new manager a
  # snapshot instead: its first write then commits in 24 ms.
  if [ "$(nd 1 info -f '{{.Swarm.Cluster.Spec.Raft.SnapshotInterval}}')" != 200 ]; then
    log "node1: raft snapshot every 200 entries"
    nd 1 swarm update --snapshot-interval 200 >/dev/null
  fi
  tok=$(nd 1 swarm join-token -q worker)
  for n in $(seq 2 "$NODES"); do
    st=$(nd "$n" info -f '{{.Swarm.LocalNodeState}}')
    if [ "$st" = inactive ]; then
      log "node$n: swarm join"
      nd "$n" swarm join --advertise-addr "$(ip_of "$n")" --listen-addr "$(ip_of "$n"):2377" \
        --token "$tok" "$(ip_of 1):2377" >/dev/null &
      jobs+=($!)
    fi
  done
  for p in ${jobs[@]+"${jobs[@]}"}; do wait "$p" || die "swarm join failed"; done
  for i in $(seq 1 600); do
    [ "$(nd 1 node ls --format '{{.Status}}' 2>/dev/null | grep -c Ready)" -ge "$NODES" ] && return 0
    sleep 0.2
  done
  nd 1 node ls >&2 || true
  die "the swarm did not become ready"
}

up() {
  local n t0
  is_root || die "needs root (network and mount namespaces)"
  t0=$(date +%s.%N)
  net_up
  for n in $(seq 1 "$NODES"); do start_daemon "$n"; done
  for n in $(seq 1 "$NODES"); do wait_daemon "$n"; done
  load_images
  swarm_up
  log "up in $(echo "$(date +%s.%N) - $t0" | bc)s: manager $(nsock 1)"
}

# every process of node n: its dockerd, its netns members and its cgroups' members, never
# anything else
lab_pids() {
  local n=$1 p
  p=$(daemon_pid "$n" || true)
  [ -n "$p" ] && echo "$p"
  has_netns "$(netns_of "$n")" && ip netns pids "$(netns_of "$n")" 2>/dev/null
  cat /sys/fs/cgroup/pids/"$(netns_of "$n")"/*/cgroup.procs \
    /sys/fs/cgroup/pids/"$(netns_of "$n")"/cgroup.procs 2>/dev/null || true
}

kill_leftovers() {
  local n=$1 p
  for p in $(lab_pids "$n" | sort -u); do
    [ "$p" = $$ ] || kill -KILL "$p" 2>/dev/null || true
  done
  if [ -z "$(lab_pids "$n")" ]; then rm -rf "$(ndir "$n")/exec"; fi
  rm -f "$(ndir "$n")/docker.pid" "$(ndir "$n")/docker.sock"
}

down() {
  local n p pids=() i alive c
  for n in $(seq 1 "$NODES"); do
    if p=$(daemon_pid "$n"); then
      kill -TERM "$p"
      pids+=("$p")
    fi
  done
  for i in $(seq 1 300); do
    alive=0
    for p in ${pids[@]+"${pids[@]}"}; do pid_alive "$p" && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for n in $(seq 1 "$NODES"); do kill_leftovers "$n"; done
  sleep 0.3
  for n in $(seq 1 "$NODES"); do
    for c in /sys/fs/cgroup/*/"$(netns_of "$n")"; do
      [ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
    has_netns "$(netns_of "$n")" && ip netns del "$(netns_of "$n")"
    rm -rf "$(ndir "$n")/.cg"
  done
  has_netns "$BRNS" && ip netns del "$BRNS"
  log "down"
}

status() {
  local n p
  for n in $(seq 1 "$NODES"); do
    if p=$(daemon_pid "$n"); then
      echo "node$n: dockerd $p, $(nd "$n" info -f '{{.Swarm.LocalNodeState}} {{.Swarm.NodeAddr}} containers={{.ContainersRunning}}' 2>/dev/null)"
    else
      echo "node$n: down"
    fi
  done
  if daemon_pid 1 >/dev/null; then nd 1 node ls 2>/dev/null || true; fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  purge)
    down
    rm -rf "$LAB"
    ;;
  status) status ;;
  env) echo "export DOCKER_HOST=$(nsock "${2:-1}")" ;;
  dir) echo "$LAB" ;;
  *)
    echo "usage: $0 up|down|purge|status|env [N]|dir" >&2
    exit 2
    ;;
esac
