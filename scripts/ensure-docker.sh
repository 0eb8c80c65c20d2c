#!/usr/bin/env bash
# Makes sure a Docker engine answers and the tools the tests need are installed.
# Idempotent: an engine that already answers `docker info` (DOCKER_HOST is respected) is reused;
# a second daemon is never started. As root on Debian it installs what is missing and starts
# dockerd in the background (it outlives this script); otherwise it says what to install.
set -euo pipefail

LOG_TAG=docker
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PIDFILE=/var/run/docker.pid
SOCKET=/var/run/docker.sock
CONTAINERD_PIDFILE=/var/run/docker/containerd/containerd.pid
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/stack-back-dockerd.log}
START_TIMEOUT=${DOCKER_START_TIMEOUT:-60}
APT_LOG=${APT_LOG:-/tmp/stack-back-apt.log}

# Debian package and the command that shows it (or an alternative) is present.
ENGINE_PACKAGES=(docker.io:dockerd docker-compose:docker-compose iproute2:ip)
# restic itself: scripts/ensure-restic.sh (the image's release, not bookworm's 0.14)
# rclone: `rclone serve restic` is the REST repository server of the remote repository tests
TOOL_PACKAGES=(busybox-static:busybox rclone:rclone)
# chromium (+ a font for its screenshots): the dashboard's real-browser test (DashboardIT skips
# with a message when it cannot be had, so a failed install only warns)
BROWSER_PACKAGES=(chromium:chromium fonts-dejavu-core:fc-match)

engine_answers() { timeout 15 docker info >/dev/null 2>&1; }

is_installed() {
  local pkg=${1%%:*} cmd=${1#*:}
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' && return 0
  command -v "$cmd" >/dev/null 2>&1
}

# Installs the missing ones of the given pkg:cmd pairs (apt-get update only when needed).
install_missing() {
  local missing=() entry
  for entry in "$@"; do
    is_installed "$entry" || missing+=("${entry%%:*}")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if ! is_root || ! command -v apt-get >/dev/null 2>&1; then
    return 1
  fi
  log "installing ${missing[*]} (apt log: $APT_LOG)"
  export DEBIAN_FRONTEND=noninteractive
  # explicit checks: callers may run this inside an `if`, where set -e does not apply
  if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } >>"$APT_LOG" 2>&1; then
    tail -n 20 "$APT_LOG" >&2
    die "apt-get could not install ${missing[*]}"
  fi
  log "installed ${missing[*]}"
}

# Prints the pid in a pid file if that process is alive and named $2; nothing otherwise.
live_pid() {
  local file=$1 name=$2 pid
  [ -f "$file" ] || return 0
  pid=$(tr -dc '0-9' <"$file")
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 0
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] && printf '%s\n' "$pid"
  return 0
}

clean_stale_files() {
  if [ -f "$PIDFILE" ] && [ -z "$(live_pid "$PIDFILE" dockerd)" ]; then
    log "removing stale $PIDFILE ($(cat "$PIDFILE" 2>/dev/null || true))"
    rm -f "$PIDFILE"
  fi
  if [ -f "$CONTAINERD_PIDFILE" ] && [ -z "$(live_pid "$CONTAINERD_PIDFILE" containerd)" ]; then
    log "removing stale $CONTAINERD_PIDFILE"
    rm -f "$CONTAINERD_PIDFILE"
  fi
  if [ -e "$SOCKET" ]; then
    log "removing stale $SOCKET"
    rm -f "$SOCKET"
  fi
}

# Polls `docker info` until it answers; fails early if the daemon $1 dies.
wait_for_engine() {
  local pid=$1 waited=0
  while ! engine_answers; do
    if [ -n "$pid" ] && [ ! -d "/proc/$pid" ]; then
      return 1
    fi
    if [ "$waited" -ge "$START_TIMEOUT" ]; then
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  log "engine answers after ${waited}s"
}

fail_with_log() {
  warn "$1"
  if [ -f "$DOCKERD_LOG" ]; then
    warn "last lines of $DOCKERD_LOG:"
    tail -n 30 "$DOCKERD_LOG" >&2
  fi
  exit 1
}

start_dockerd() {
  local pid
  pid=$(live_pid "$PIDFILE" dockerd)
  if [ -n "$pid" ]; then
    # A daemon owns the pid file but does not answer yet (still starting?): wait, never start another.
    log "dockerd $pid is running but not answering yet; waiting up to ${START_TIMEOUT}s"
    wait_for_engine "$pid" || fail_with_log "dockerd $pid does not answer on its socket"
    return
  fi
  clean_stale_files
  mkdir -p "$(dirname "$DOCKERD_LOG")"
  log "starting dockerd (log: $DOCKERD_LOG)"
  printf '\n=== %s: started by %s ===\n' "$(date -Is)" "$0" >>"$DOCKERD_LOG"
  # setsid -f: own session, so it survives this script and its process group
  setsid -f dockerd --pidfile "$PIDFILE" </dev/null >>"$DOCKERD_LOG" 2>&1
  local waited=0
  until pid=$(live_pid "$PIDFILE" dockerd) && [ -n "$pid" ]; do
    [ "$waited" -ge 20 ] && fail_with_log "dockerd did not write $PIDFILE"
    sleep 0.5
    waited=$((waited + 1))
  done
  wait_for_engine "$pid" || fail_with_log "dockerd ($pid) did not answer within ${START_TIMEOUT}s"
}

explain_and_die() {
  local err
  err=$(timeout 15 docker info 2>&1 >/dev/null | tail -n 3 || true)
  die "no Docker engine answers 'docker info'${DOCKER_HOST:+ at DOCKER_HOST=$DOCKER_HOST}: ${err:-docker client not found}
  Start one (e.g. 'sudo systemctl start docker'; your user needs to be in group 'docker'),
  or run this as root on Debian, which installs: apt-get install docker.io busybox-static docker-compose iproute2 (and restic $RESTIC_RELEASE from Debian sid)"
}

default_socket() {
  [ -z "${DOCKER_HOST:-}" ] || [ "$DOCKER_HOST" = "unix://$SOCKET" ] || [ "$DOCKER_HOST" = "unix:///run/docker.sock" ]
}

# restic and busybox go into the test images; compose is wanted by tests of compose stacks.
ensure_tools() {
  bash "$(dirname "${BASH_SOURCE[0]}")/ensure-restic.sh"
  (install_missing "${BROWSER_PACKAGES[@]}") ||
    warn "chromium not installed (apt-get install chromium fonts-dejavu-core); DashboardIT skips"
  install_missing "${TOOL_PACKAGES[@]}" docker-compose:docker-compose && return 0
  install_missing "${TOOL_PACKAGES[@]}" ||
    die "missing busybox and/or rclone; install them (Debian: apt-get install busybox-static rclone)"
  warn "docker-compose (v1) not found; tests of compose stacks need it (apt-get install docker-compose)"
}

main() {
  if engine_answers; then
    log "engine answers$(docker version --format ' (server {{.Server.Version}})' 2>/dev/null || true)"
  elif is_root && command -v apt-get >/dev/null 2>&1 && default_socket; then
    install_missing "${ENGINE_PACKAGES[@]}"
    start_dockerd
  else
    explain_and_die
  fi
  ensure_tools
}

main "$@"
