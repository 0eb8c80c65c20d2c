#!/usr/bin/env bash
# Wall time of `java -jar <jar> backup` on a small real stack, two jars interleaved: what the
# start of a run costs (config, Docker, locks, repair, discovery, planning, repository check).
#
#   BEFORE=/path/to/old/stack-back.jar AFTER=target/stack-back.jar R=6 bash bench/run-start-bench.sh
#
# The stack: a container standing for stack-back (STACK_BACK_CONTAINER) and N=3 services with a
# 1 MB volume each, one of them stop-during-backup, plus EXTRA=0 unlabelled containers. One repository on the host; both jars back
# up the same services (incremental after the warm-up run of each). Prints one line per run and
# the median per jar. With LOG_LEVEL=debug a jar that logs its start-up phases shows them too.
# Removes what it made (containers and volumes named rsbench<random>).
set -euo pipefail

R=${R:-6}
N=${N:-3}
EXTRA=${EXTRA:-0} # unlabelled, never started containers in the project (discovery inspects them)
IMAGE=${IMAGE:-stack-back-test/busybox:latest}
BEFORE=${BEFORE:?path of the jar to compare against}
AFTER=${AFTER:-target/stack-back.jar}
java=${JAVA:-java}
project="rsbench$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')"
work=$(mktemp -d "/tmp/${project}.XXXXXX")
containers=()
volumes=()

cleanup() {
  for c in "${containers[@]}"; do docker rm -fv "$c" >/dev/null 2>&1 || true; done
  for v in "${volumes[@]}"; do docker volume rm "$v" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

run_container() { # service, extra args...
  local name="$project-$1"
  shift
  containers+=("$name")
  docker run -d --name "$name" --label "com.docker.compose.project=$project" \
    --label "com.docker.compose.service=${name#"$project"-}" "$@" >/dev/null
}

run_container backup -v "$work:$work" "$IMAGE" sh -c "trap 'exit 0' TERM; sleep 3600 & wait"
for ((i = 1; i <= N; i++)); do
  v="${project}_data$i"
  docker volume create "$v" >/dev/null
  volumes+=("$v")
  stop=false
  [ "$i" = 1 ] && stop=true
  run_container "svc$i" --label stack-back.volumes=true \
    --label "stack-back.volumes.stop-during-backup=$stop" -v "$v:/data" "$IMAGE" \
    sh -c "head -c 1000000 /dev/urandom > /data/f; trap 'exit 0' TERM; sleep 3600 & wait"
done

for ((i = 1; i <= EXTRA; i++)); do
  containers+=("$project-extra$i")
  docker create --name "$project-extra$i" --label "com.docker.compose.project=$project" \
    --label "com.docker.compose.service=extra$i" --network none "$IMAGE" true >/dev/null
done

export RESTIC_REPOSITORY=$work/repo RESTIC_PASSWORD=bench-not-secret
export STACK_BACK_CONTAINER=$project-backup MAINTENANCE_SCHEDULE='0 3 * * *' STOP_TIMEOUT=5s
restic init >/dev/null

declare -A times starts last
diffs=""
one() { # label jar
  local t0 t1
  t0=$(date +%s%N)
  STATE_DIR=$work/state-$1 "$java" -jar "$2" backup >"$work/$1.log" 2>&1 || {
    cat "$work/$1.log" >&2
    exit 1
  }
  t1=$(date +%s%N)
  local ms=$(((t1 - t0) / 1000000))
  # start-up: from exec to the start of the run record; the repository step's time (record)
  local started repo
  read -r started repo < <(python3 - "$work/state-$1/runs" "$t0" <<'PY'
import json, os, sys, datetime
d, t0 = sys.argv[1], int(sys.argv[2])
rec = json.load(open(os.path.join(d, sorted(f for f in os.listdir(d) if f.endswith(".json"))[-1])))
at = datetime.datetime.fromisoformat(rec["startedAt"].replace("Z", "+00:00")).timestamp()
step = next(s for s in rec["steps"] if s["kind"] == "repository")
print(int(at * 1000 - t0 / 1e6), step["durationMs"])
PY
  )
  # ready: from exec until the repository step is done (what the overlap shortens)
  local ready=$((started + repo))
  times[$1]+="$ms "
  starts[$1]+="$ready "
  last[$1]=$ready
  echo "$1 total $ms ms, start-up $started ms, repository step $repo ms, ready $ready ms" \
    "$(grep -o 'locks .*in parallel)' "$work/$1.log" || true)"
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

one before "$BEFORE" >/dev/null # warm-up: first snapshots, page cache, restic cache
one after "$AFTER" >/dev/null
times=() starts=()
for ((r = 1; r <= R; r++)); do
  if ((r % 2)); then
    one before "$BEFORE"
    one after "$AFTER"
  else
    one after "$AFTER"
    one before "$BEFORE"
  fi
  diffs+="$((last[after] - last[before])) "
done
echo "median total before: $(echo "${times[before]}" | median) ms; after: $(echo "${times[after]}" | median) ms"
echo "median ready (exec -> repository step done) before: $(echo "${starts[before]}" | median) ms;" \
  "after: $(echo "${starts[after]}" | median) ms; median of paired differences after-before:" \
  "$(echo "$diffs" | median) ms"
echo "(R=$R, N=$N, EXTRA=$EXTRA, load $(cut -d' ' -f1-3 /proc/loadavg))"
