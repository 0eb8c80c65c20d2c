#!/usr/bin/env bash
# Two sidecar images side by side, interleaved, on one small compose stack: where the start of an
# everyday run goes, finer than everyday-bench.sh's rounds (which vary by more than a change of a
# few hundred ms on 2 cores).
#
#   BEFORE=stack-back-base-run:local AFTER=stack-back:local R=8 bash bench/sidecar-ab-bench.sh
#
# The stack: N=2 services (APP_IMAGE, M=20 MB of random data in a named volume each, labelled
# stop-during-backup) and two sidecars, `a` running BEFORE and `b` running AFTER (command `sleep`,
# the Docker socket, a repository volume each, no schedule firing). After one full run each, R
# rounds of `docker exec <sidecar> stack-back backup` with LOG_LEVEL=debug, a then b. Per run, from
# the exec's start: own container found, engine lock taken, worker started, first stop done (the
# log's timestamps; host and containers share the clock), and the whole exec. Prints each run and
# the medians per image. Removes the compose project and its volumes.
set -euo pipefail

BEFORE=${BEFORE:?the sidecar image to compare against}
AFTER=${AFTER:-stack-back:local}
R=${R:-8}
N=${N:-2}
M=${M:-20}
APP_IMAGE=${APP_IMAGE:-stack-back-test/busybox:latest}
project="sbab$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')"
work=$(mktemp -d "/tmp/${project}.XXXXXX")

cleanup() {
  docker-compose -p "$project" -f "$work/docker-compose.yml" down -v >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

{
  echo 'version: "2.4"'
  echo 'services:'
  for i in $(seq 1 "$N"); do
    cat <<EOF
  app$i:
    image: $APP_IMAGE
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 100000 & wait"]
    labels:
      stack-back.volumes: "true"
      stack-back.volumes.stop-during-backup: "true"
    volumes: ["d$i:/data"]
EOF
  done
  for side in a b; do
    image=$BEFORE
    [ "$side" = b ] && image=$AFTER
    cat <<EOF
  $side:
    image: $image
    command: ["sleep", "100000"]
    environment:
      RESTIC_REPOSITORY: /repo
      RESTIC_PASSWORD: bench
      CRON_SCHEDULE: "0 3 1 1 *"
      MAINTENANCE_SCHEDULE: "0 3 1 1 *"
    volumes: ["/var/run/docker.sock:/var/run/docker.sock", "repo_$side:/repo"]
EOF
  done
  printf 'volumes:\n'
  for i in $(seq 1 "$N"); do printf '  d%s: {}\n' "$i"; done
  printf '  repo_a: {}\n  repo_b: {}\n'
} >"$work/docker-compose.yml"

docker-compose -p "$project" -f "$work/docker-compose.yml" up -d >/dev/null 2>&1
for i in $(seq 1 "$N"); do
  docker exec "${project}_app${i}_1" sh -c "head -c $((M * 1000000)) /dev/urandom > /data/f"
done
for side in a b; do
  docker exec "${project}_${side}_1" stack-back backup >"$work/full-$side.log" 2>&1 ||
    { cat "$work/full-$side.log"; exit 1; }
done

ms() { date -u -d "$1" +%s%3N; }
# milliseconds from $2 (epoch ms) to the first log line of $1 matching $3, or n/a
at() {
  local line
  line=$(grep -m1 -E "$3" "$1" | awk '{ print $1 }') || true
  [ -n "$line" ] && echo $(($(ms "$line") - $2)) || echo n/a
}

echo "run  image   self  lock  worker  first-stop  total   [ms from the exec's start]"
for r in $(seq 1 "$R"); do
  for side in a b; do
    log=$work/incr-$side-$r.log
    t0=$(date +%s%3N)
    docker exec -e LOG_LEVEL=debug "${project}_${side}_1" stack-back backup >"$log" 2>&1 ||
      { cat "$log"; exit 1; }
    total=$(($(date +%s%3N) - t0))
    printf '%3s  %-6s %5s %5s %7s %11s %6s\n' "$r" "$side" \
      "$(at "$log" "$t0" "own container was found")" "$(at "$log" "$t0" "took the engine lock")" \
      "$(at "$log" "$t0" "worker [0-9a-f]+ started")" "$(at "$log" "$t0" "INFO  run - stop +ok")" \
      "$total"
  done
done | tee "$work/runs.txt"

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo
echo "medians   self  lock  worker  first-stop  total"
for side in a b; do
  line=""
  for col in 3 4 5 6 7; do
    line="$line $(awk -v s="$side" -v c="$col" '$2 == s && $c != "n/a" { print $c }' "$work/runs.txt" | median)"
  done
  image=$BEFORE
  [ "$side" = b ] && image=$AFTER
  printf '%-6s %s   (%s)\n' "$side" "$line" "$image"
done
