#!/usr/bin/env bash
# Benchmarks stack-back's `backup` on one throwaway compose stack, in ONE run on the SAME data:
#
#  (a) wall time of `java -jar target/stack-back.jar backup` for N services x M MB vs plain
#      `restic backup` of the same files read on the host from the volumes' mountpoints (one
#      restic call per service, same --host/--tag shape, separate repository), interleaved
#      ours/plain for R rounds -> ratio ours/plain per round and the median.
#  (b) how long each stop-during-backup container was down with STOP_SCOPE=service vs
#      STOP_SCOPE=run (from `docker inspect` State.FinishedAt -> State.StartedAt), interleaved
#      for R rounds -> mean per scope and the ratio run/service.
#
# Every measured run gets a fresh repository, initialised with `restic init` BEFORE its clock
# starts (so both sides do a full initial backup and neither times `init`). Maintenance is
# disabled in our runs (MAINTENANCE_SCHEDULE='0 3 * * *'), so no forget/prune after the run.
#
#   bash bench/backup-bench.sh                 # N=4 M=64 R=3, about 2-3 minutes on 2 cores
#   N=2 M=16 R=1 bash bench/backup-bench.sh    # quick smoke run
#   SKIP_BUILD=1 ...                           # use target/stack-back.jar as it is
#   BENCH_LOGS=/tmp/bench-logs ...             # keep the logs and run records of every run
#
# Needs: a running Docker engine, docker-compose (v1), restic, jq, a JDK >= 21, and the local
# image stack-back-test/busybox:latest (built by scripts/build-test-images.sh if missing).
# Everything it creates (compose project sbbench<random>, its volumes, a temp dir) is removed
# on exit, also on failure or Ctrl-C.
set -euo pipefail

N=${N:-4}
M=${M:-64}
R=${R:-3}
IMAGE=${IMAGE:-stack-back-test/busybox:latest}
LOG_TAG=bench

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$repo_root/scripts/lib.sh"

for v in N M R; do
  case ${!v} in
    '' | *[!0-9]* | 0) die "$v must be a positive integer (got '${!v}')" ;;
  esac
done

project="sbbench$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')"
work=$(mktemp -d "/tmp/${project}.XXXXXX")
compose_file=$work/docker-compose.yml
jar=$repo_root/target/stack-back.jar
password=bench-password-not-secret
services=()
for ((i = 1; i <= N; i++)); do services+=("svc$i"); done

compose() { docker-compose -p "$project" -f "$compose_file" "$@"; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  log "cleaning up project $project"
  if [ -f "$compose_file" ]; then
    # a worker left behind by an interrupted run would keep our volumes in use: remove the
    # worker containers that mount one of OUR volumes (and nothing else)
    local svc ids
    for svc in "${services[@]}"; do
      ids=$(docker ps -aq --filter "label=stack-back.worker" --filter "volume=${project}_data_${svc}" 2>/dev/null || true)
      if [ -n "$ids" ]; then
        # shellcheck disable=SC2086 # one id per word
        docker rm -f $ids >/dev/null 2>&1 || true
      fi
    done
    compose down -v --remove-orphans >/dev/null 2>&1 || warn "docker-compose down failed for $project"
  fi
  if [ -n "${BENCH_LOGS:-}" ]; then
    mkdir -p "$BENCH_LOGS"
    cp -r "$work"/*.log "$work"/state-* "$compose_file" "$BENCH_LOGS"/ 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- helpers ---------------------------------------------------------------------------------

# seconds (with fraction) since the epoch
clock() { printf '%s\n' "${EPOCHREALTIME/,/.}"; }
# RFC 3339 timestamp (docker, Java Instant) -> seconds since the epoch with fraction
epoch_of() { date -u -d "$1" +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", a - b }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f\n", a / b }'; }
# median / mean of the numbers given as arguments
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mean() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.3f\n", s / NR }'; }

write_compose() {
  local svc
  {
    printf 'version: "3.7"\nservices:\n'
    for svc in "${services[@]}"; do
      cat <<EOF
  $svc:
    image: $IMAGE
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 86400 & wait"]
    volumes:
      - data_$svc:/data
    labels:
      stack-back.volumes: "true"
      stack-back.volumes.stop-during-backup: "\${SBBENCH_STOP}"
EOF
    done
    cat <<EOF
  backup:
    image: $IMAGE
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 86400 & wait"]
    volumes:
      - $work:$work
volumes:
EOF
    for svc in "${services[@]}"; do printf '  data_%s:\n' "$svc"; done
  } >"$compose_file"
}

container_of() {
  docker ps -q --filter "label=com.docker.compose.project=$project" \
    --filter "label=com.docker.compose.service=$1"
}

# brings the stack up with stop-during-backup = $1 (recreates the services when it changes)
stack_up() {
  SBBENCH_STOP=$1 compose up -d >"$work/compose-up.log" 2>&1 || {
    cat "$work/compose-up.log" >&2
    die "docker-compose up failed"
  }
  local svc flag
  for svc in "${services[@]}"; do
    flag=$(docker inspect -f '{{ index .Config.Labels "stack-back.volumes.stop-during-backup" }}' "$(container_of "$svc")")
    [ "$flag" = "$1" ] || die "$svc has stop-during-backup=$flag, wanted $1"
  done
  STACK_BACK_CONTAINER=$(container_of backup)
  [ -n "$STACK_BACK_CONTAINER" ] || die "the backup container is not running"
  export STACK_BACK_CONTAINER
}

new_repo() {
  local repo=$1
  RESTIC_PASSWORD=$password restic -r "$repo" init >"$work/init.log" 2>&1 || {
    cat "$work/init.log" >&2
    die "restic init $repo failed"
  }
}

snapshot_count() {
  RESTIC_PASSWORD=$password restic -r "$1" --no-cache snapshots --json | jq length
}

# one run of our tool; prints its wall time in seconds. $1 label, $2 repo (initialised),
# $3 STOP_SCOPE. Leaves the state dir in $work/state-$1.
ours() {
  local label=$1 repo=$2 scope=$3 t0 t1 rc=0
  local state=$work/state-$label
  mkdir -p "$state"
  t0=$(clock)
  # RESTIC_CACHE_DIR: a fresh cache in $work (stack-back hands RESTIC_* to its workers, and
  # $work is mounted at the same path in them), like plain restic's; nothing lands in ~/.cache
  RESTIC_REPOSITORY=$repo RESTIC_PASSWORD=$password STATE_DIR=$state STOP_SCOPE=$scope \
    RESTIC_CACHE_DIR=$work/cache-$label MAINTENANCE_SCHEDULE='0 3 * * *' STOP_TIMEOUT=10s \
    LOG_LEVEL=info \
    java -jar "$jar" backup >"$work/$label.log" 2>&1 || rc=$?
  t1=$(clock)
  if [ "$rc" -ne 0 ]; then
    tail -40 "$work/$label.log" >&2
    die "stack-back backup ($label) exited with $rc"
  fi
  sub "$t1" "$t0"
}

# the run record of a run of ours: $1 label
run_record() {
  local files=("$work/state-$1"/runs/*.json)
  if [ "${#files[@]}" -ne 1 ] || [ ! -f "${files[0]}" ]; then
    die "expected one run record in $work/state-$1/runs"
  fi
  printf '%s\n' "${files[0]}"
}

# sum of the snapshot steps' durations (s) in a run record
snapshot_steps_s() {
  jq '[.steps[] | select(.kind == "snapshot") | .durationMs] | add / 1000' "$(run_record "$1")"
}

# sum of restic's own "total_duration" (s) over the backup summaries in a log
restic_s() {
  grep -o '"total_duration":[0-9.e+-]*' "$work/$1.log" | awk -F: '{ s += $2 } END { printf "%.3f\n", s }'
}

# plain restic, one call per service from the host mountpoints; prints wall time in seconds
plain() {
  local label=$1 repo=$2 t0 t1 svc
  local cache=$work/cache-$label
  t0=$(clock)
  for svc in "${services[@]}"; do
    RESTIC_PASSWORD=$password RESTIC_CACHE_DIR=$cache restic -r "$repo" backup --json \
      --host "$project" --tag stack-back --tag "project=$project" --tag "service=$svc" \
      -- "${mountpoint[$svc]}" >>"$work/$label.log" 2>&1 || {
      tail -20 "$work/$label.log" >&2
      die "plain restic backup of $svc failed"
    }
  done
  t1=$(clock)
  local n
  n=$(snapshot_count "$repo")
  [ "$n" -eq "$N" ] || die "$label: expected $N snapshots in $repo, found $n"
  sub "$t1" "$t0"
}

# --- set-up ----------------------------------------------------------------------------------

main() {
  cd "$repo_root"
  pick_jdk
  command -v docker-compose >/dev/null || die "docker-compose not found"
  command -v restic >/dev/null || die "restic not found"
  command -v jq >/dev/null || die "jq not found"
  docker image inspect "$IMAGE" >/dev/null 2>&1 || bash scripts/build-test-images.sh
  if [ "${SKIP_BUILD:-0}" != 1 ] && { [ ! -f "$jar" ] || [ -n "$(find src pom.xml -newer "$jar" -print -quit)" ]; }; then
    log "building $jar"
    mvn -B -q package -DskipTests -Dspotless.check.skip=true
  fi
  [ -f "$jar" ] || die "$jar is missing"

  local t_start t_a t_b
  t_start=$(clock)
  log "project $project: $N services x $M MB, $R rounds, work dir $work"
  write_compose
  stack_up false

  declare -gA mountpoint=()
  local svc mp f
  for svc in "${services[@]}"; do
    mp=$(docker volume inspect -f '{{.Mountpoint}}' "${project}_data_$svc")
    [ -d "$mp" ] || die "mountpoint of ${project}_data_$svc not found: $mp"
    mountpoint[$svc]=$mp
    # M MB of incompressible data in 4 files (written once, used by every run)
    for f in 1 2 3 4; do
      head -c $((M * 1024 * 1024 / 4)) /dev/urandom >"$mp/blob$f.bin"
    done
  done
  sync
  log "wrote $((N * M)) MB of random data into $N volumes"

  # warm-up, not timed: JVM + jar from disk, docker discovery, restic binary
  new_repo "$work/repos/warmup"
  RESTIC_REPOSITORY=$work/repos/warmup RESTIC_PASSWORD=$password STATE_DIR=$work/state-warmup \
    RESTIC_CACHE_DIR=$work/cache-warmup \
    MAINTENANCE_SCHEDULE='0 3 * * *' java -jar "$jar" status >"$work/warmup.log" 2>&1 || {
    cat "$work/warmup.log" >&2
    die "stack-back status failed"
  }
  restic version >/dev/null

  # --- (a) ours vs plain restic ----------------------------------------------------------------
  t_a=$(clock)
  local k n ours_s plain_s steps_s ratio
  local -a ratios=() ours_all=() plain_all=()
  local -a rows_a=()
  for ((k = 1; k <= R; k++)); do
    new_repo "$work/repos/ours-$k"
    ours_s=$(ours "ours-$k" "$work/repos/ours-$k" service)
    n=$(snapshot_count "$work/repos/ours-$k")
    [ "$n" -eq "$N" ] || die "ours-$k: expected $N snapshots, found $n"
    steps_s=$(snapshot_steps_s "ours-$k")
    new_repo "$work/repos/plain-$k"
    plain_s=$(plain "plain-$k" "$work/repos/plain-$k")
    ratio=$(div "$ours_s" "$plain_s")
    ratios+=("$ratio") ours_all+=("$ours_s") plain_all+=("$plain_s")
    rows_a+=("$(printf '%5d  %8.2f  %9.2f  %9.2f  %9.2f  %9.2f  %10s' "$k" "$ours_s" "$steps_s" \
      "$(restic_s "ours-$k")" "$plain_s" "$(restic_s "plain-$k")" "$ratio")")
    log "(a) round $k: ours ${ours_s}s (snapshot steps ${steps_s}s), plain restic ${plain_s}s, ours/plain $ratio"
  done

  # --- (b) downtime, STOP_SCOPE=service vs run -------------------------------------------------
  t_b=$(clock)
  stack_up true
  local scope label c before fin sta down rec_down rec
  local -a down_service=() down_run=() rows_b=() round_ratio=()
  local -A round_mean=()
  for ((k = 1; k <= R; k++)); do
    for scope in service run; do
      label="$scope-$k"
      declare -A cid=() started_before=()
      for svc in "${services[@]}"; do
        c=$(container_of "$svc")
        cid[$svc]=$c
        started_before[$svc]=$(epoch_of "$(docker inspect -f '{{.State.StartedAt}}' "$c")")
      done
      new_repo "$work/repos/$label"
      ours "$label" "$work/repos/$label" "$scope" >/dev/null
      rec=$(run_record "$label")
      local -a downs=()
      for svc in "${services[@]}"; do
        c=${cid[$svc]}
        [ "$(docker inspect -f '{{.State.Running}}' "$c")" = true ] || die "$svc is not running after $label"
        fin=$(epoch_of "$(docker inspect -f '{{.State.FinishedAt}}' "$c")")
        sta=$(epoch_of "$(docker inspect -f '{{.State.StartedAt}}' "$c")")
        before=${started_before[$svc]}
        awk -v f="$fin" -v b="$before" -v s="$sta" 'BEGIN { exit !(f > b && s > f) }' ||
          die "$svc was not stopped and started again during $label"
        down=$(sub "$sta" "$fin")
        # the same from the run record: stop step begins -> start step ends (an upper bound)
        rec_down=$(jq -r --arg s "$svc" '
            def t: sub("\\.[0-9]+Z$"; "Z") as $w | ($w | fromdateiso8601)
              + ((capture("\\.(?<f>[0-9]+)Z$").f // "0") | ("0." + .) | tonumber);
            ([.steps[] | select(.kind == "stop" and .service == $s)][0].startedAt | t) as $a
            | ([.steps[] | select(.kind == "start" and .service == $s)][0] as $e
               | ($e.startedAt | t) + $e.durationMs / 1000) as $b
            | $b - $a | . * 1000 | round / 1000' "$rec")
        downs+=("$down")
        if [ "$scope" = service ]; then down_service+=("$down"); else down_run+=("$down"); fi
        rows_b+=("$(printf '%5d  %-8s %-6s %9.3f  %12.3f' "$k" "$scope" "$svc" "$down" "$rec_down")")
      done
      round_mean[$scope]=$(mean "${downs[@]}")
      log "(b) round $k STOP_SCOPE=$scope: mean downtime ${round_mean[$scope]}s (${downs[*]})"
      unset cid started_before
    done
    round_ratio+=("$(div "${round_mean[run]}" "${round_mean[service]}")")
  done

  # --- report ----------------------------------------------------------------------------------
  local mean_service mean_run
  mean_service=$(mean "${down_service[@]}")
  mean_run=$(mean "${down_run[@]}")
  cat <<EOF

==== stack-back backup benchmark  $(date -u +%Y-%m-%dT%H:%MZ)  $(nproc) cores ====
N=$N services x M=$M MB random data, R=$R rounds, restic $(restic version | awk '{ print $2 }')
repositories: fresh per measured run, initialised with 'restic init' outside the timed section

(a) backup wall time, interleaved ours / plain
    ours  = java -jar target/stack-back.jar backup (JVM start, discovery, repo check, one worker
            container per service, run record), STOP_SCOPE=service, no stop-during-backup,
            MAINTENANCE_SCHEDULE='0 3 * * *' (no forget/prune)
    plain = restic backup --host/--tag like ours, one call per service, host mountpoints
    steps = sum of our snapshot steps (worker container create/start/wait/remove + restic);
    restic = sum of restic's own summary total_duration, inside the workers / on the host
round  ours [s]  steps [s]  restic[s]  plain [s]  restic[s]  ours/plain
EOF
  printf '%s\n' "${rows_a[@]}"
  cat <<EOF
median: ours $(median "${ours_all[@]}") s, plain $(median "${plain_all[@]}") s, ratio ours/plain (median of rounds) $(median "${ratios[@]}")

(b) downtime of each stop-during-backup container (docker inspect FinishedAt -> StartedAt;
    'record' = run record: stop step start -> start step end, an upper bound)
round  scope    svc     down [s]  record [s]
EOF
  printf '%s\n' "${rows_b[@]}"
  cat <<EOF
mean downtime: STOP_SCOPE=service $mean_service s, STOP_SCOPE=run $mean_run s
ratio run/service: $(div "$mean_run" "$mean_service") (of the means); per round: ${round_ratio[*]}

bench time: set-up $(sub "$t_a" "$t_start") s, (a) $(sub "$t_b" "$t_a") s, (b) $(sub "$(clock)" "$t_b") s
EOF
}

main "$@"
