#!/usr/bin/env bash
# Benchmark: a >= 1 GB Postgres dump streamed by stack-back (docker exec -> restic backup --stdin
# inside the JVM) against the shell pipe `docker exec ... pg_dump | restic backup --stdin`, in the
# same run, interleaved (A B A B ...) after one warm-up run of each, into one repository (so every
# measured run deduplicates against the warm-up: it measures the streaming path, not disk writes).
# stack-back runs with -Xmx64m (or SB_JAVA_OPTS) and GC logging; the peak heap in use is printed.
#
#   bash bench/dump-bench.sh            # ROUNDS=2 ROWS=1200000 (about 1 GiB of dump)
#   SB_JAVA_OPTS="$(docker run --rm stack-back:local cat /opt/stack-back/jvm.options | grep -v AOTCache)" \
#     ROWS=240000 ROUNDS=1 bash bench/dump-bench.sh   # the image's JVM options, a ~200 MiB dump
#   ROUNDS=3 JAR=/path/stack-back.jar bash bench/dump-bench.sh
#
# Needs: a Docker engine, restic, the test images (scripts/build-test-images.sh), a JDK 21+.
# Everything it creates carries a unique project name and is removed at the end.
set -euo pipefail

LOG_TAG=bench
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
. "$script_dir/../scripts/lib.sh"
cd "$script_dir/.."

ROUNDS=${ROUNDS:-2}
ROWS=${ROWS:-1200000}
project=sbbench$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
work=$(mktemp -d /tmp/stack-back-bench.XXXXXX)
export RESTIC_REPOSITORY=$work/repo
export RESTIC_PASSWORD=bench-password-not-secret
export STATE_DIR=$work/state
# no forget/prune after each backup: only the dump is measured
export MAINTENANCE_SCHEDULE="0 3 1 1 *"
JAR=${JAR:-target/stack-back.jar}
# the containers this run creates (start() runs in a subshell, so the names are fixed here)
containers=("${project}_backup" "${project}_pg")

cleanup() {
  docker rm -f -v "${containers[@]}" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start() { # service image [docker run options...] [-- command...]
  local service=$1 image=$2 name opts=()
  shift 2
  while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
    opts+=("$1")
    shift
  done
  [ "$#" -eq 0 ] || shift
  name=${project}_${service}
  case " ${containers[*]} " in *" $name "*) ;; *) die "start: $name is not in containers" ;; esac
  docker run -d --name "$name" --label "com.docker.compose.project=$project" \
    --label "com.docker.compose.service=$service" --stop-timeout 5 "${opts[@]}" "$image" "$@" >/dev/null
  printf '%s\n' "$name"
}

ms() { date +%s%3N; }

# A: stack-back; prints "<wall ms> <dump step ms>"
run_stack_back() {
  local out start end gclog=$work/gc-$1.log
  start=$(ms)
  # shellcheck disable=SC2086 # options are split into words
  out=$(java ${SB_JAVA_OPTS:--Xmx64m} "-Xlog:gc:file=$gclog" -jar "$JAR" backup 2>"$work/err.log") || {
    printf '%s\n' "$out" >&2
    tail -20 "$work/err.log" >&2
    die "stack-back backup failed"
  }
  end=$(ms)
  local step
  # summary line: "  dump  ok  dump pg  8123ms  snapshot ..."
  step=$(printf '%s\n' "$out" | awk '$1 == "dump" && $2 == "ok" {
    for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+ms$/) { sub(/ms$/, "", $i); print $i; exit } }')
  [ -n "$step" ] || die "no dump step in the output: $out"
  printf '%s %s\n' "$((end - start))" "$step"
}

# B: the shell pipe with the same dump command, host, tags and file name; prints "<wall ms>"
run_pipe() {
  local start end
  start=$(ms)
  docker exec "$pg" pg_dump -U postgres -d bench --clean --if-exists |
    restic backup --stdin --stdin-filename "/databases/pg/bench.sql" --host "$project" \
      --tag stack-back --tag "project=$project" --tag service=pg --json -q >/dev/null
  end=$(ms)
  printf '%s\n' "$((end - start))"
}

# peak heap in use before a GC and the largest heap after one, from -Xlog:gc lines "12M->3M(64M)"
heap_peak() {
  cat "$work"/gc-*.log | grep -o '[0-9]*M->[0-9]*M([0-9]*M)' |
    awk -F'[M>(-]+' '{ if ($1 > b) b = $1; if ($2 > a) a = $2; t = $3 } END { printf "%sM before GC, %sM after GC, heap capacity %sM", b, a, t }'
}

main() {
  pick_jdk
  bash scripts/build-test-images.sh
  if [ "$JAR" = target/stack-back.jar ] && { [ ! -f "$JAR" ] || [ -n "$(find src pom.xml -newer "$JAR" -print -quit)" ]; }; then
    log "building target/stack-back.jar"
    mvn -B -q package -DskipTests -Dspotless.check.skip=true
  fi
  mkdir -p "$RESTIC_REPOSITORY" "$STATE_DIR"
  export STACK_BACK_CONTAINER
  STACK_BACK_CONTAINER=$(start backup stack-back-test/busybox:latest \
    -v "$RESTIC_REPOSITORY:$RESTIC_REPOSITORY" -- sh -c "trap 'exit 0' TERM; sleep 3600 & wait")
  pg=$(start pg stack-back-test/postgres:15 --label stack-back.postgres=true \
    -e POSTGRES_PASSWORD=bench -e POSTGRES_DB=bench)
  until docker exec "$pg" pg_isready -q 2>/dev/null; do sleep 0.5; done
  log "generating $ROWS rows (896 hex chars each) in $pg"
  local gen_start
  gen_start=$(ms)
  docker exec "$pg" psql -q -U postgres -d bench -c "CREATE TABLE big AS SELECT g AS id,
    (SELECT string_agg(md5((g * 31 + k)::text), '') FROM generate_series(1, 28) k) AS pad
    FROM generate_series(1, $ROWS) g"
  local bytes
  bytes=$(docker exec "$pg" pg_dump -U postgres -d bench --clean --if-exists | wc -c)
  log "dump size: $bytes bytes ($((bytes / 1024 / 1024)) MiB), generated in $(($(ms) - gen_start)) ms"
  restic init -q >/dev/null

  log "warm-up (not counted)"
  run_stack_back warmup >/dev/null
  run_pipe >/dev/null
  rm -f "$work"/gc-warmup.log

  local i a b step sum_a=0 sum_b=0 sum_step=0
  for i in $(seq 1 "$ROUNDS"); do
    read -r a step < <(run_stack_back "$i")
    b=$(run_pipe)
    log "round $i: stack-back ${a} ms (dump step ${step} ms), shell pipe ${b} ms"
    sum_a=$((sum_a + a))
    sum_b=$((sum_b + b))
    sum_step=$((sum_step + step))
  done
  local mib=$((bytes / 1024 / 1024))
  log "result over $ROUNDS interleaved rounds, $mib MiB per dump:"
  awk -v a="$sum_a" -v b="$sum_b" -v s="$sum_step" -v n="$ROUNDS" -v mib="$mib" 'BEGIN {
    printf "[bench]   stack-back wall  %6.1f s  %6.1f MiB/s  (JVM start and repository check included)\n", a/n/1000, mib/(a/n/1000)
    printf "[bench]   stack-back dump  %6.1f s  %6.1f MiB/s  (the dump step alone)\n", s/n/1000, mib/(s/n/1000)
    printf "[bench]   shell pipe       %6.1f s  %6.1f MiB/s\n", b/n/1000, mib/(b/n/1000)
    printf "[bench]   time ratio stack-back/pipe: wall %.2f, dump step %.2f\n", a/b, s/b
  }' >&2
  log "stack-back heap (${SB_JAVA_OPTS:--Xmx64m}): $(heap_peak)"
  log "snapshots made: $(restic snapshots --json | grep -o '"short_id"' | wc -l) (2 per round + 2 warm-up)"
}

main "$@"
