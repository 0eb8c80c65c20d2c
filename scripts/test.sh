#!/usr/bin/env bash
# THE test command (CI runs it through .ci/run): JDK >= 21, a Docker engine with restic and
# busybox, the local test images, the jar (`mvn package`, no tests) and the sidecar image
# (scripts/build-image.sh: SidecarImageIT runs it), then `mvn -B verify` (unit tests, *IT
# integration tests, format check). Extra arguments go to Maven, e.g.
# `scripts/test.sh -o -Dit.test=BackupIT`. Exits with Maven's exit code.
#
# As root it also starts a private Docker engine 28.x (scripts/engine28.sh: Debian sid's docker.io
# in its own namespaces, never touching the main engine) and Maven's engine28 profile runs a named
# subset of the ITs against it a second time (pom.xml: stackback.engine28.tests). When that engine
# cannot be had (sid unreachable, not root), the run FAILS, unless STACKBACK_SKIP_ENGINE28=1 is set
# to leave the subset out on purpose.
#
# As root it also starts the 3-node swarm lab (scripts/swarm-lab.sh: three private dockerds in
# their own namespaces, never touching the main engine) and Maven's swarm profile runs the
# Swarm*IT classes on it (pom.xml: stackback.swarm.lab). When the lab cannot start, the run FAILS,
# unless STACKBACK_SKIP_SWARM=1 is set to leave them out on purpose.
set -euo pipefail

LOG_TAG="test"
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
. "$script_dir/lib.sh"
cd "$script_dir/.."

timings=()
# Runs "$@" as step $1 (a name) and records how long it took.
timed() {
  local name=$1 start
  shift
  start=$(now)
  "$@"
  timings+=("$(printf '%-14s %4ss' "$name" "$(($(now) - start))")")
}

print_timings() {
  local line
  log "timings:"
  for line in "${timings[@]}"; do
    printf '[%s]   %s\n' "$LOG_TAG" "$line" >&2
  done
}

# Environment the tests rely on (see shared/MACHINE-NOTES.md): no registry, engine API 1.41.
test_environment() {
  export TESTCONTAINERS_RYUK_DISABLED=${TESTCONTAINERS_RYUK_DISABLED:-true}
  export TESTCONTAINERS_CHECKS_DISABLE=${TESTCONTAINERS_CHECKS_DISABLE:-true}
  export TESTCONTAINERS_HOST_OVERRIDE=${TESTCONTAINERS_HOST_OVERRIDE:-localhost}
  # Maven 3.8's bundled guava warns about sun.misc.Unsafe on JDK 24+; that is noise, not ours
  if [ "${JDK_MAJOR:-0}" -ge 24 ] && [[ "${MAVEN_OPTS:-}" != *sun-misc-unsafe* ]]; then
    export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow"
  fi
  if [ -n "${DOCKER_API_VERSION:-}" ]; then
    warn "DOCKER_API_VERSION=$DOCKER_API_VERSION is set; docker-java uses it for every call (engine 20.10 speaks 1.41)"
  fi
}

ENGINE28_ARGS=()
ENGINE28_PROBLEM=""
SWARM_ARGS=()
SWARM_PROBLEM=""
CLEANUPS=()

cleanup() {
  local c
  for c in ${CLEANUPS[@]+"${CLEANUPS[@]}"}; do
    bash "scripts/$c" down || warn "$c down failed"
  done
}
trap cleanup EXIT

# Starts engine 28 for the engine28 Maven profile; stopped again (data root kept) on exit.
start_engine28() {
  if [ "${STACKBACK_SKIP_ENGINE28:-}" = 1 ]; then
    warn "STACKBACK_SKIP_ENGINE28=1: the engine-28 subset does not run"
    return 0
  fi
  if bash scripts/engine28.sh up; then
    CLEANUPS+=(engine28.sh)
    ENGINE28_ARGS=("-Dstackback.engine28.host=$(bash scripts/engine28.sh socket)")
  else
    ENGINE28_PROBLEM="engine 28 did not start (see above); STACKBACK_SKIP_ENGINE28=1 leaves its subset out on purpose"
    warn "$ENGINE28_PROBLEM"
  fi
}

# Starts the swarm lab for the swarm Maven profile (Swarm*IT); stopped again (data roots kept) on
# exit. The sidecar image in it is the one scripts/build-image.sh just built.
start_swarm_lab() {
  if [ "${STACKBACK_SKIP_SWARM:-}" = 1 ]; then
    warn "STACKBACK_SKIP_SWARM=1: SwarmIT does not run"
    return 0
  fi
  # postgres: SwarmRestoreIT restores a dump into a database task
  if SWARM_LAB_IMAGES="stack-back:local stack-back-test/busybox:latest stack-back-test/postgres:15" \
    bash scripts/swarm-lab.sh up; then
    CLEANUPS+=(swarm-lab.sh)
    SWARM_ARGS=("-Dstackback.swarm.lab=$(bash scripts/swarm-lab.sh dir)")
  else
    SWARM_PROBLEM="the swarm lab did not start (see above); STACKBACK_SKIP_SWARM=1 leaves SwarmIT out on purpose"
    warn "$SWARM_PROBLEM"
  fi
}

main() {
  local total_start mvn_rc=0
  total_start=$(now)
  timed jdk pick_jdk
  timed docker bash scripts/ensure-docker.sh
  timed images bash scripts/build-test-images.sh
  # the oldest restic host mode supports, for ResticCliOldIT (the host's restic is the image's)
  if [ -z "${STACKBACK_OLD_RESTIC:-}" ]; then
    STACKBACK_OLD_RESTIC=$(bash scripts/ensure-restic.sh --oldest)
    export STACKBACK_OLD_RESTIC
  fi
  test_environment
  # the image copies in target/stack-back.jar, so package first (verify packages again; cheap)
  log "mvn -B -q -DskipTests package $*"
  timed package mvn -B -q -DskipTests package "$@"
  timed image bash scripts/build-image.sh
  timed engine28 start_engine28
  timed swarm-lab start_swarm_lab
  log "mvn -B verify ${ENGINE28_ARGS[*]+${ENGINE28_ARGS[*]} }${SWARM_ARGS[*]+${SWARM_ARGS[*]} }$*"
  local mvn_start
  mvn_start=$(now)
  mvn -B verify ${ENGINE28_ARGS[@]+"${ENGINE28_ARGS[@]}"} ${SWARM_ARGS[@]+"${SWARM_ARGS[@]}"} "$@" || mvn_rc=$?
  timings+=("$(printf '%-14s %4ss' "maven" "$(($(now) - mvn_start))")")
  timings+=("$(printf '%-14s %4ss' "total" "$(($(now) - total_start))")")
  print_timings
  if [ "$mvn_rc" -ne 0 ]; then
    log "FAILED: mvn exited with $mvn_rc"
  elif [ -n "$ENGINE28_PROBLEM" ]; then
    log "FAILED: $ENGINE28_PROBLEM"
    mvn_rc=1
  elif [ -n "$SWARM_PROBLEM" ]; then
    log "FAILED: $SWARM_PROBLEM"
    mvn_rc=1
  else
    log "PASSED"
  fi
  return "$mvn_rc"
}

main "$@"
