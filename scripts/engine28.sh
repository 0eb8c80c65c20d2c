#!/bin/bash
# A current Docker engine (Debian sid's docker.io 28.x) next to the main one, for the engine-28
# integration tests (issue 10). It never installs anything and never touches the main engine.
#
#   engine28.sh fetch    download sid's docker.io .deb (private apt configuration, cached under
#                        $STACK_BACK_CACHE) and unpack it with dpkg -x; prints the unpacked root
#   engine28.sh up       fetch, then start its dockerd (idempotent) and load the test images
#   engine28.sh down     stop it and everything it ran; keeps its data root
#   engine28.sh purge    down + remove its data root
#   engine28.sh socket   prints its socket: unix://<dir>/docker.sock
#   engine28.sh version  prints the running engine's version (exit 1 when it does not answer)
#
# The daemon runs through scripts/private-engine.sh (own network, mount and UTS namespace, own
# socket, exec root, pid file, data root and cgroup parent; the host's containerd and runc
# binaries, started privately), with sid's dockerd, docker-proxy and docker-init first on PATH.
# The host's apt sources, lists and dpkg database stay untouched: apt runs with its own
# sources.list (`deb http://deb.debian.org/debian sid main`) and its own lists and cache dirs.
#
# Settings: E28_NAME (default e28-<hash of the checkout's path>: netns pe-<name>, cgroup
# /pe-<name>), E28_DIR (default /tmp/stack-back-engine28-<same hash>), E28_IMAGES (loaded from
# the main engine; default "stack-back-test/busybox:latest stack-back-test/postgres:15"),
# E28_MAJOR (wanted major version, default 28), STACK_BACK_CACHE (default /var/cache/stack-back), E28_APT_SOURCE (the sources.list
# line; default sid on deb.debian.org).
set -euo pipefail
shopt -s inherit_errexit # a die in $(...) ends the script, not just the substitution

LOG_TAG=engine28
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
. "$script_dir/lib.sh"

MAJOR=${E28_MAJOR:-28}
CACHE_DIR=${STACK_BACK_CACHE:-/var/cache/stack-back}
APT_DIR=$CACHE_DIR/apt-sid
SUITE_LINE=${E28_APT_SOURCE:-'deb http://deb.debian.org/debian sid main'}

# one engine per checkout: two worktrees' test runs on one machine never share (or stop) it
checkout=$(cd "$script_dir/.." && pwd -P | sha256sum | cut -c1-6)
export PE_NAME=${E28_NAME:-e28-$checkout}
export PE_DIR=${E28_DIR:-/tmp/stack-back-engine28-$checkout}
export PE_IMAGES=${E28_IMAGES:-stack-back-test/busybox:latest stack-back-test/postgres:15}
# compose files mount /var/run/docker.sock: inside the engine's namespace that is this engine
export PE_DEFAULT_SOCKET=1

cached_deb() {
  find "$CACHE_DIR" -maxdepth 1 -name "docker.io_${MAJOR}.*_amd64.deb" 2>/dev/null | sort -V | tail -n 1
}

# Prints the path of sid's docker.io .deb, downloading it once.
fetch_deb() {
  local deb
  deb=$(cached_deb)
  if [ -n "$deb" ]; then
    printf '%s\n' "$deb"
    return
  fi
  command -v apt-get >/dev/null 2>&1 || die "no apt-get: cannot fetch Debian sid's docker.io"
  mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
  echo "$SUITE_LINE" >"$APT_DIR/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$APT_DIR/sources.list" -o Dir::Etc::SourceParts=/nonexistent
    -o "Dir::State::Lists=$APT_DIR/lists" -o "Dir::Cache=$APT_DIR/cache" -o APT::Sandbox::User=root -q)
  log "fetching docker.io from Debian sid (apt log: $APT_DIR/apt.log)"
  # --error-on=any: an unreachable mirror is an error, not a warning (apt would then offer the
  # host's installed version); docker.io/sid: sid's, whatever else apt knows
  if ! { timeout 300 apt-get "${opts[@]}" --error-on=any update &&
    (cd "$CACHE_DIR" && timeout 300 apt-get "${opts[@]}" download docker.io/sid); } >"$APT_DIR/apt.log" 2>&1; then
    die "could not download docker.io from Debian sid (offline?): $(tail -n 1 "$APT_DIR/apt.log"); set STACKBACK_SKIP_ENGINE28=1 to leave the engine-28 tests out on purpose"
  fi
  rm -rf "$APT_DIR/lists" "$APT_DIR/cache" # ~11 MB of package lists; only the .deb is kept
  deb=$(cached_deb)
  if [ -z "$deb" ]; then
    die "Debian sid's docker.io is not $MAJOR.x any more: $(find "$CACHE_DIR" -maxdepth 1 -name 'docker.io_*.deb' -newer "$APT_DIR/sources.list" -printf '%f ')(set E28_MAJOR)"
  fi
  printf '%s\n' "$deb"
}

# Unpacks the .deb (dpkg -x, never installed) under the cache; prints the root.
unpack() {
  local deb root
  mkdir -p "$CACHE_DIR" || die "cannot create $CACHE_DIR"
  deb=$(fetch_deb)
  root=$CACHE_DIR/$(basename "$deb" .deb)
  if [ ! -x "$root/usr/sbin/dockerd" ]; then
    local tmp
    tmp=$(mktemp -d "$root.XXXXXX") # another checkout may unpack at the same time
    dpkg-deb -x "$deb" "$tmp"
    [ -x "$tmp/usr/sbin/dockerd" ] || die "$deb holds no usr/sbin/dockerd"
    if mv -T "$tmp" "$root" 2>/dev/null; then
      log "unpacked $(basename "$deb") into $root"
    else
      rm -rf "$tmp" # the other one was first
    fi
  fi
  printf '%s\n' "$root"
}

private_engine() {
  local root=$1
  shift
  DOCKERD=$root/usr/sbin/dockerd PATH="$root/usr/sbin:$root/usr/bin:$PATH" \
    bash "$script_dir/private-engine.sh" "$@"
}

socket() { bash "$script_dir/private-engine.sh" socket; }

server_version() {
  docker -H "$(socket)" version -f '{{.Server.Version}}' 2>/dev/null
}

up() {
  local root version
  is_root || die "needs root (network and mount namespaces)"
  root=$(unpack)
  private_engine "$root" up
  version=$(server_version) || die "the engine at $(socket) does not answer"
  [ "${version%%.*}" = "$MAJOR" ] || die "the engine at $(socket) is $version, not $MAJOR.x"
  log "engine $version up at $(socket)"
}

case "${1:-}" in
  fetch) unpack ;;
  up) up ;;
  down) bash "$script_dir/private-engine.sh" down ;;
  purge) bash "$script_dir/private-engine.sh" purge ;;
  socket) socket ;;
  version) server_version ;;
  *) echo "usage: $0 fetch|up|down|purge|socket|version" >&2; exit 2 ;;
esac
