#!/usr/bin/env bash
# Incremental runs of N (default 3) services, stop-during-backup unless STOP=false, interleaved
# between jars (e.g. before/after):
#   JARS="/tmp/old.jar target/stack-back.jar" R=5 M=20 bash notes/worker-bench.sh
#   JARS="..." N=10 M=5 STOP=false R=3 bash notes/worker-bench.sh
# The JARS entry "plain" runs plain restic on the host instead: one `restic backup` per service of
# the volume's mountpoint, same --host/--tag shape (its own host, so its own parents).
# Prints per run: wall time of `java -jar <jar> backup`, the sum of the run record's step
# durations, the sum of its stop/snapshot/start steps (the backup phase), each container's
# downtime (docker inspect FinishedAt -> StartedAt) and each snapshot step's duration. Everything it creates carries the label sbbench.worker=<run> and is removed on exit.
set -euo pipefail
R=${R:-5}
M=${M:-20}
N=${N:-3}
STOP=${STOP:-true}
svcs=$(for ((i = 0; i < N; i++)); do printf "s%02d " $i; done)
JARS=${JARS:-target/stack-back.jar}
IMAGE=stack-back-test/busybox:latest
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
run=wb$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
work=$(mktemp -d /tmp/$run.XXXX)
cleanup() {
  docker ps -aq --filter label=sbbench.worker=$run | xargs -r docker rm -f >/dev/null
  docker volume ls -q --filter label=sbbench.worker=$run | xargs -r docker volume rm >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/repo"
common=(--label sbbench.worker=$run --label com.docker.compose.project=$run)
docker run -d --name $run-backup "${common[@]}" --label com.docker.compose.service=backup \
  -v "$work/repo:$work/repo" $IMAGE sh -c "trap 'exit 0' TERM; sleep 3600 & wait" >/dev/null
for s in $svcs; do
  docker volume create --label sbbench.worker=$run $run-$s >/dev/null
  docker run -d --name $run-$s "${common[@]}" --label com.docker.compose.service=$s \
    --label stack-back.volumes=true --label stack-back.volumes.stop-during-backup=$STOP \
    -v $run-$s:/data $IMAGE sh -c "trap 'exit 0' TERM; sleep 3600 & wait" >/dev/null
  docker exec $run-$s sh -c "head -c $((M * 1048576)) /dev/urandom > /data/blob; for i in \$(seq 200); do echo \$i > /data/f\$i; done"
done
export RESTIC_REPOSITORY=$work/repo RESTIC_PASSWORD=bench STACK_BACK_CONTAINER=$run-backup \
  STOP_TIMEOUT=5s MAINTENANCE_SCHEDULE='0 3 * * *' EXCLUDE_BIND_MOUNTS=true
restic init -q >/dev/null 2>&1 || true
first=$(echo $JARS | cut -d' ' -f1)
STATE_DIR=$work/state-full "$JAVA" -jar "$first" backup >/dev/null 2>&1 || { echo "full run failed"; exit 1; }
downtime() { # seconds between FinishedAt and StartedAt of a container
  docker inspect -f '{{.State.FinishedAt}} {{.State.StartedAt}}' "$1" | {
    read -r f s; echo "$(date -d "$s" +%s.%N) - $(date -d "$f" +%s.%N)" | bc; }
}
printf '%-10s %5s %7s %7s %7s  %-17s %s\n' jar round wall_s steps_s phase_s "downtime s" "snapshots s"
plain() {
  for s in $svcs; do
    restic backup -q --host plain-$run --tag stack-back --tag project=$run --tag service=$s \
      "$(docker volume inspect -f '{{.Mountpoint}}' $run-$s)" >/dev/null
  done
}
case " $JARS " in *" plain "*) plain ;; esac # its first (full) run
for ((r = 1; r <= R; r++)); do
  for jar in $JARS; do
    for s in $svcs; do docker exec $run-$s sh -c "date > /data/f1"; done
    if [ "$jar" = plain ]; then
      t0=$(date +%s.%N); plain; t1=$(date +%s.%N)
      printf '%-10s %5s %7.2f\n' plain $r "$(echo "$t1 - $t0" | bc)"
      continue
    fi
    st=$work/state-$r-$(basename "$jar")
    t0=$(date +%s.%N)
    STATE_DIR=$st "$JAVA" -jar "$jar" backup > "$st.out" 2>&1 || { echo "run failed:"; cat "$st.out"; exit 1; }
    t1=$(date +%s.%N)
    rec=$(ls "$st"/runs/*.json | head -1)
    runms=$(jq -r '[.steps[].durationMs]|add' "$rec")
    steps=$(jq -r '[.steps[]|select(.kind=="stop" or .kind=="snapshot" or .kind=="start")|.durationMs]|add' "$rec")
    snaps=$(jq -r '[.steps[]|select(.kind=="snapshot")|.durationMs/1000]|map(tostring)|join("/")' "$rec")
    printf '%-10s %5s %7.2f %7.2f %7.2f  %-17s %s\n' "$(basename "$jar")" $r "$(echo "$t1 - $t0" | bc)" \
      "$(echo "scale=2; $runms/1000" | bc)" "$(echo "scale=2; $steps/1000" | bc)" \
      "$(if [ "$STOP" = true ]; then for s in $svcs; do printf '%.2f/' "$(downtime $run-$s)"; done; else echo -; fi)" "$snaps"
  done
done
