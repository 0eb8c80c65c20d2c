#!/usr/bin/env bash
# THE main job: brings up the demo stack (compose-examples/demo), backs it up end to end with
# stack-back, shows the snapshots restic holds and what the run recorded, then takes the stack
# down again (volumes included). Safe to run again; `KEEP=1` leaves the stack running.
#
# stack-back runs on the host here and the demo's `backup` service stands for its container
# (STACK_BACK_CONTAINER): its labels, image and mounts are used, so workers see the same
# repository path.
set -euo pipefail

LOG_TAG="demo"
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
. "$script_dir/lib.sh"
cd "$script_dir/.."

project=stackbackdemo
compose_file=compose-examples/demo/docker-compose.yml
export DEMO_REPO=${DEMO_REPO:-/tmp/stack-back-demo/repo}
export RESTIC_REPOSITORY=$DEMO_REPO
export RESTIC_PASSWORD=${RESTIC_PASSWORD:-demo-password-not-secret}
export STATE_DIR=${STATE_DIR:-/tmp/stack-back-demo/state}

compose() { docker-compose -p "$project" -f "$compose_file" "$@"; }

cleanup() {
  if [ "${KEEP:-0}" != 1 ]; then
    log "taking the demo stack down"
    compose down -v --remove-orphans >/dev/null 2>&1 || true
  fi
}

main() {
  pick_jdk
  bash scripts/ensure-docker.sh
  bash scripts/build-test-images.sh
  if [ ! -f target/stack-back.jar ] || [ -n "$(find src pom.xml -newer target/stack-back.jar -print -quit)" ]; then
    log "building target/stack-back.jar"
    mvn -B -q package -DskipTests -Dspotless.check.skip=true
  fi
  mkdir -p "$DEMO_REPO" "$STATE_DIR"
  trap cleanup EXIT
  log "starting the demo stack ($compose_file, project $project)"
  compose up -d
  sleep 3
  local backup_container
  backup_container=$(docker ps -q --filter "label=com.docker.compose.project=$project" \
    --filter "label=com.docker.compose.service=backup")
  export STACK_BACK_CONTAINER=$backup_container

  log "stack-back status"
  java -jar target/stack-back.jar status
  log "stack-back backup"
  local rc=0
  java -jar target/stack-back.jar backup || rc=$?
  log "backup exited with $rc"

  log "restic snapshots in $DEMO_REPO"
  restic snapshots --host "$project"
  log "files in the latest snapshot of service 'app'"
  restic ls latest --host "$project" --tag "service=app" | head -20
  log "stack-back runs"
  java -jar target/stack-back.jar runs --limit 5
  log "containers after the run (all running again):"
  docker ps --filter "label=com.docker.compose.project=$project" --format '  {{.Names}}  {{.Status}}'
  return "$rc"
}

main "$@"
