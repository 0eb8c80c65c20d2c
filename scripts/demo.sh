#!/usr/bin/env bash
# THE main job: builds the stack-back image, brings up the demo stack (compose-examples/demo)
# with stack-back as its `backup` sidecar, has the sidecar back the stack up end to end
# (`docker exec <backup> stack-back backup`), shows the snapshots restic holds and what the run
# recorded, then takes the stack down again (volumes included). Safe to run again; `KEEP=1`
# leaves the stack running.
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
  log "building the stack-back image (offline, cached)"
  bash scripts/build-image.sh
  export STACK_BACK_IMAGE=stack-back:local
  mkdir -p "$DEMO_REPO"
  trap cleanup EXIT
  log "starting the demo stack ($compose_file, project $project)"
  compose up -d
  sleep 2
  local backup
  backup=$(docker ps -q --filter "label=com.docker.compose.project=$project" \
    --filter "label=com.docker.compose.service=backup")
  sb() { docker exec "$backup" stack-back "$@"; }

  log "stack-back status (in the sidecar: it finds its own container)"
  sb status
  log "stack-back backup (in the sidecar)"
  local rc=0
  sb backup || rc=$?
  log "backup exited with $rc"

  log "our snapshots"
  sb snapshots
  log "files in the latest snapshot of service 'app'"
  docker exec "$backup" restic ls latest --host "$project" --tag "service=app" | head -20
  log "stack-back runs"
  sb runs --limit 5
  log "containers after the run (all running again):"
  docker ps --filter "label=com.docker.compose.project=$project" --format '  {{.Names}}  {{.Status}}'
  return "$rc"
}

main "$@"
