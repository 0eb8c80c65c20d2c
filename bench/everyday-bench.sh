#!/usr/bin/env bash
# The everyday run, measured against the targets of issue 8, in ONE run on ONE compose stack:
#
#  (a) wall time of a backup of N stop-during-backup services, full (fresh repository) and
#      incremental (the same repository again, nothing changed): ours = `docker exec <sidecar>
#      stack-back backup` in a sidecar container of SB_IMAGE; plain = one `restic backup` per
#      service on the host (the SAME restic binary, copied out of SB_IMAGE; same --host and tags)
#      -> ratios ours/plain; interleaved ours-full, plain-full, ours-incr, plain-incr per round.
#  (b) each container's downtime in our runs (docker inspect State.FinishedAt -> StartedAt),
#      against its own restic snapshot time (restic's total_duration in our log) + 0.5 s.
#  (c) a daemon sidecar (SB_IMAGE's default command, CRON_SCHEDULE every minute) does one
#      scheduled, incremental run: peak memory of that run sampled from cgroups (the sidecar's
#      and its workers' anon + mapped-file memory, every ~50 ms), then its idle VmRSS 30 s after
#      the run; against plain restic's own peak (max RSS of its calls in (a)).
#  (d) `docker exec <sidecar> stack-back version` and `status` latency with EXTRA unlabelled
#      running containers in the project (and, with EXTRA_BIG, up to that many, the ones beyond
#      EXTRA created but not started), `docker exec <sidecar> true` as the exec's own cost.
#
#   bash bench/everyday-bench.sh                      # N=3 M=150 R=3 EXTRA=200, ~6-10 min
#   N=3 M=16 R=1 EXTRA=20 bash bench/everyday-bench.sh   # quick smoke run
#   SB_IMAGE=stack-back-jvm:local EXTRA_BIG=1000 bash bench/everyday-bench.sh
#   SB_ENV="STOP_SCOPE=run BACKUP_CONCURRENCY=3" bash bench/everyday-bench.sh
#   N=10 M=5 STOP=false bash bench/everyday-bench.sh  # 10 small apps that are not stopped ((b) empty)
#   BENCH_LOGS=/tmp/bench-logs ...                    # keep the logs and run records
#
# Needs: a running Docker engine, docker-compose (v1), jq, /usr/bin/time, the sidecar image
# SB_IMAGE (default stack-back:local, see scripts/build-image.sh) and stack-back-test/busybox.
# Everything it creates (compose project sbday<random>, its volumes, its extra containers, its
# daemon container, workers mounting its volumes, a temp dir) is removed on exit, also on failure
# or Ctrl-C; nothing else is touched. Run as root (it reads the containers' cgroups and volumes).
set -euo pipefail

N=${N:-3}
M=${M:-150}
R=${R:-3}
EXTRA=${EXTRA:-200}
EXTRA_BIG=${EXTRA_BIG:-0}
SB_IMAGE=${SB_IMAGE:-stack-back:local}
# extra settings of our runs, e.g. SB_ENV="STOP_SCOPE=run BACKUP_CONCURRENCY=3"
SB_ENV=${SB_ENV:-}
# the services' stack-back.volumes.stop-during-backup label: false = apps backed up while they run
STOP=${STOP:-true}
APP_IMAGE=${APP_IMAGE:-stack-back-test/busybox:latest}
LOG_TAG=bench

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$repo_root/scripts/lib.sh"
# shellcheck source=bench/lib-everyday.sh
. "$script_dir/lib-everyday.sh"

case $STOP in true | false) ;; *) die "STOP must be true or false (got '$STOP')" ;; esac
for v in N M R EXTRA; do
  case ${!v} in
    '' | *[!0-9]* | 0) die "$v must be a positive integer (got '${!v}')" ;;
  esac
done

project="sbday$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')"
work=$(mktemp -d "/tmp/${project}.XXXXXX")
compose_file=$work/docker-compose.yml
password=bench-password-not-secret
restic_bin=$work/restic
daemon_name=${project}_daemon
services=()
for ((i = 1; i <= N; i++)); do services+=("svc$i"); done

compose() { docker-compose -p "$project" -f "$compose_file" "$@"; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "${sampler_pid:-}" ] && kill "$sampler_pid" 2>/dev/null
  [ -n "${events_pid:-}" ] && kill "$events_pid" 2>/dev/null
  log "cleaning up project $project"
  docker rm -f "$daemon_name" >/dev/null 2>&1 || true
  if [ -s "$work/extra.ids" ]; then
    xargs -r -n 50 docker rm -f <"$work/extra.ids" >/dev/null 2>&1 || warn "could not remove some extra containers"
  fi
  if [ -f "$compose_file" ]; then
    local svc ids
    for svc in "${services[@]}"; do
      ids=$(docker ps -aq --filter "label=stack-back.worker" --filter "volume=${project}_data_${svc}" 2>/dev/null || true)
      # shellcheck disable=SC2086 # one id per word
      [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
    done
    compose down -v --remove-orphans >/dev/null 2>&1 || warn "docker-compose down failed for $project"
  fi
  if [ -n "${BENCH_LOGS:-}" ]; then
    mkdir -p "$BENCH_LOGS"
    cp -r "$work"/*.log "$work"/*.txt "$work"/state-* "$compose_file" "$BENCH_LOGS"/ 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

write_compose() {
  local svc
  {
    printf 'version: "3.7"\nservices:\n'
    for svc in "${services[@]}"; do
      cat <<EOF
  $svc:
    image: $APP_IMAGE
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 86400 & wait"]
    volumes:
      - data_$svc:/data
    labels:
      stack-back.volumes: "true"
      stack-back.volumes.stop-during-backup: "$STOP"
EOF
    done
    cat <<EOF
  backup:
    image: $SB_IMAGE
    environment:
      RESTIC_REPOSITORY: $work/repos/none
      RESTIC_PASSWORD: $password
      CRON_SCHEDULE: "0 3 1 1 *"
      MAINTENANCE_SCHEDULE: "0 3 1 1 *"
      STOP_TIMEOUT: 10s
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
      - $work:$work
volumes:
EOF
    for svc in "${services[@]}"; do printf '  data_%s:\n' "$svc"; done
  } >"$compose_file"
}

container_of() {
  docker ps -aq --filter "label=com.docker.compose.project=$project" \
    --filter "label=com.docker.compose.service=$1"
}

new_repo() {
  "$restic_bin" -r "$1" init >"$work/init.log" 2>&1 || {
    cat "$work/init.log" >&2
    die "restic init $1 failed"
  }
}

snapshot_count() { "$restic_bin" -r "$1" --no-cache snapshots --json | jq length; }

# ours: one backup run in the sidecar. $1 label, $2 repo, $3 cache. Prints its wall time (s).
ours() {
  local label=$1 repo=$2 cache=$3 t0 t1 rc=0 kv
  local -a extra=()
  for kv in $SB_ENV; do extra+=(-e "$kv"); done
  t0=$(clock)
  docker exec "${extra[@]}" -e RESTIC_REPOSITORY="$repo" -e STATE_DIR="$work/state-$label" \
    -e RESTIC_CACHE_DIR="$cache" -e LOG_LEVEL=debug "$sidecar" stack-back backup \
    >"$work/$label.log" 2>&1 || rc=$?
  t1=$(clock)
  [ "$rc" -eq 0 ] || {
    tail -40 "$work/$label.log" >&2
    die "stack-back backup ($label) exited with $rc"
  }
  sub "$t1" "$t0"
}

# plain restic, one call per service; $1 label, $2 repo, $3 cache. Prints wall time (s);
# appends each call's max RSS (KiB) to $work/$label.rss.
plain() {
  local label=$1 repo=$2 cache=$3 t0 t1 svc
  t0=$(clock)
  for svc in "${services[@]}"; do
    RESTIC_CACHE_DIR=$cache /usr/bin/time -a -o "$work/$label.rss" -f '%M' \
      "$restic_bin" -r "$repo" backup --json --host "$project" --tag stack-back \
      --tag "project=$project" --tag "service=$svc" -- "${mountpoint[$svc]}" >>"$work/$label.log" 2>&1 || {
      tail -20 "$work/$label.log" >&2
      die "plain restic backup of $svc failed"
    }
  done
  t1=$(clock)
  sub "$t1" "$t0"
}

# downtime rows for run $1 (label): "svc down restic_s" per service; checks each was restarted
# (with STOP=false: checks none was, and prints nothing).
downtimes() {
  local label=$1 svc c fin sta down rs st
  for svc in "${services[@]}"; do
    c=$(container_of "$svc")
    [ "$(docker inspect -f '{{.State.Running}}' "$c")" = true ] || die "$svc is not running after $label"
    if [ "$STOP" = false ]; then
      sta=$(epoch_of "$(docker inspect -f '{{.State.StartedAt}}' "$c")")
      awk -v b="${run_start[$label]}" -v s="$sta" 'BEGIN { exit !(s < b) }' ||
        die "$svc was restarted during $label, though not labelled stop-during-backup"
      continue
    fi
    fin=$(epoch_of "$(docker inspect -f '{{.State.FinishedAt}}' "$c")")
    sta=$(epoch_of "$(docker inspect -f '{{.State.StartedAt}}' "$c")")
    awk -v f="$fin" -v b="${run_start[$label]}" -v s="$sta" 'BEGIN { exit !(f > b && s > f) }' ||
      die "$svc was not stopped and started again during $label"
    down=$(sub "$sta" "$fin")
    # restic's summary line is logged at debug (the run's LOG_LEVEL in ours())
    rs=$({ grep -F "[snapshot $svc]" "$work/$label.log" || true; } |
      { grep -o '"total_duration":[0-9.e+-]*' || true; } |
      awk -F: '{ s += $2 } END { if (NR) printf "%.3f\n", s; else print "n/a" }')
    # the snapshot step of the run record: the whole restic call in the worker (exec, restic's
    # start-up: repository open, key derivation, index load; then the backup itself)
    st=$({ grep -E "^  snapshot +(ok|incomplete) +snapshot $svc +[0-9]+ms" "$work/$label.log" || true; } | tail -1 |
      awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+ms$/) { sub(/ms/, "", $i); printf "%.3f\n", $i / 1000; exit } }')
    printf '%s %s %s %s\n' "$svc" "$down" "$rs" "${st:-n/a}"
  done
}

main() {
  cd "$repo_root"
  is_root || die "run as root (cgroups, volume mountpoints)"
  command -v docker-compose >/dev/null || die "docker-compose not found"
  command -v jq >/dev/null || die "jq not found"
  [ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
  docker image inspect "$SB_IMAGE" >/dev/null 2>&1 || die "no image $SB_IMAGE (scripts/build-image.sh)"
  docker image inspect "$APP_IMAGE" >/dev/null 2>&1 || bash scripts/build-test-images.sh

  local t_start
  t_start=$(clock)
  log "project $project: $N services x $M MB, $R rounds, sidecar $SB_IMAGE, work dir $work"
  write_compose
  mkdir -p "$work/repos"
  : >"$work/extra.ids"
  compose up -d >"$work/compose-up.log" 2>&1 || {
    cat "$work/compose-up.log" >&2
    die "docker-compose up failed"
  }
  sidecar=$(container_of backup)
  [ -n "$sidecar" ] || die "the sidecar is not running"
  docker cp "$sidecar:/usr/local/bin/restic" "$restic_bin"
  export RESTIC_PASSWORD=$password
  local restic_version
  restic_version=$("$restic_bin" version | awk '{ print $2 }')

  declare -gA mountpoint=() run_start=()
  local svc mp f
  for svc in "${services[@]}"; do
    mp=$(docker volume inspect -f '{{.Mountpoint}}' "${project}_data_$svc")
    mountpoint[$svc]=$mp
    for f in 1 2 3 4; do head -c $((M * 1024 * 1024 / 4)) /dev/urandom >"$mp/blob$f.bin"; done
  done
  sync
  log "wrote $((N * M)) MB of random data into $N volumes; restic $restic_version from $SB_IMAGE"
  docker exec -e RESTIC_REPOSITORY="$work/repos/none" "$sidecar" stack-back status >"$work/warmup.log" 2>&1 ||
    die "stack-back status failed in the sidecar: $(tail -5 "$work/warmup.log")"

  # --- (a) + (b) -----------------------------------------------------------------------------
  local k kind label s
  local -a rows_a=() rows_b=() r_full=() r_incr=() excess=() excess_step=()
  local -A t=()
  for ((k = 1; k <= R; k++)); do
    new_repo "$work/repos/ours-$k"
    new_repo "$work/repos/plain-$k"
    for kind in full incr; do
      label=ours-$kind-$k
      run_start[$label]=$(clock)
      t[$label]=$(ours "$label" "$work/repos/ours-$k" "$work/cache-ours-$k")
      while read -r svc down s st; do
        rows_b+=("$(printf '%5d  %-5s %-6s %8.3f  %9s  %7s  %8s  %7s' "$k" "$kind" "$svc" "$down" "$s" \
          "$([ "$s" = n/a ] && echo n/a || sub "$down" "$s")" "$st" \
          "$([ "$st" = n/a ] && echo n/a || sub "$down" "$st")")")
        [ "$s" = n/a ] || excess+=("$(sub "$down" "$s")")
        [ "$st" = n/a ] || excess_step+=("$(sub "$down" "$st")")
      done < <(downtimes "$label")
      t[plain-$kind-$k]=$(plain "plain-$kind-$k" "$work/repos/plain-$k" "$work/cache-plain-$k")
      log "(a) round $k $kind: ours ${t[$label]} s, plain ${t[plain-$kind-$k]} s"
    done
    [ "$(snapshot_count "$work/repos/ours-$k")" -eq $((2 * N)) ] || die "ours-$k: expected $((2 * N)) snapshots"
    [ "$(snapshot_count "$work/repos/plain-$k")" -eq $((2 * N)) ] || die "plain-$k: expected $((2 * N)) snapshots"
    r_full+=("$(div "${t[ours-full-$k]}" "${t[plain-full-$k]}")")
    r_incr+=("$(div "${t[ours-incr-$k]}" "${t[plain-incr-$k]}")")
    rows_a+=("$(printf '%5d  %9.2f  %9.2f  %6s  %9.2f  %9.2f  %6s' "$k" "${t[ours-full-$k]}" \
      "${t[plain-full-$k]}" "${r_full[-1]}" "${t[ours-incr-$k]}" "${t[plain-incr-$k]}" "${r_incr[-1]}")")
  done
  local plain_peak_full plain_peak_incr
  plain_peak_full=$(cat "$work"/plain-full-*.rss | sort -n | tail -1)
  plain_peak_incr=$(cat "$work"/plain-incr-*.rss | sort -n | tail -1)

  # --- (c) daemon: one scheduled incremental run, its peak, then idle RSS --------------------
  local t_c daemon_id peak_kib idle_rss idle_anon runs
  t_c=$(clock)
  daemon_run "$work/repos/ours-$R" "$work/cache-ours-$R"

  # --- (d) version / status latency ----------------------------------------------------------
  local t_d lat0 lat_extra lat_big=""
  t_d=$(clock)
  lat0=$(latencies 0)
  add_extra "$EXTRA" run
  lat_extra=$(latencies "$EXTRA")
  if [ "$EXTRA_BIG" -gt "$EXTRA" ]; then
    add_extra $((EXTRA_BIG - EXTRA)) create
    lat_big=$(latencies "$EXTRA_BIG")
  fi

  report
}

main "$@"
