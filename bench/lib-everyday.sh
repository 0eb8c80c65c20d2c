# shellcheck shell=bash
# Helpers of bench/everyday-bench.sh (sourced; uses its globals: work, project, sidecar,
# daemon_name, SB_IMAGE, APP_IMAGE, password, services, R, N, M ...).

clock() { printf '%s\n' "${EPOCHREALTIME/,/.}"; }
epoch_of() { date -u -d "$1" +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", a - b }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f\n", a / b }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
max_of() { printf '%s\n' "$@" | sort -g | tail -1; }
mib() { awk -v k="$1" 'BEGIN { if (k == "n/a") print k; else printf "%.1f\n", k / 1024 }'; }
# "ok" or "MISSED" for value <= limit
verdict() { awk -v v="$1" -v l="$2" 'BEGIN { print (v != "n/a" && v + 0 <= l + 0) ? "ok" : "MISSED" }'; }

# The directory holding the containers' memory cgroups (cgroup v1 or v2 with the systemd or
# cgroupfs driver), and a container's directory in it.
cg_dir_of() {
  local id=$1 d
  for d in /sys/fs/cgroup/memory/docker/"$id" /sys/fs/cgroup/system.slice/docker-"$id".scope \
    /sys/fs/cgroup/docker/"$id"; do
    [ -f "$d/memory.stat" ] && { printf '%s\n' "$d"; return; }
  done
  return 1
}

# Samples every cgroup under the directory of $1 (a container id) that is not in $2 (a file of
# directories to skip) every ~50 ms into $3 as "tick dir KiB" (anon + mapped file memory: what
# the processes hold, like RSS; not the page cache restic's reads and writes leave behind).
sampler() {
  local parent skip_file=$2 out=$3 tick=0 d k n v
  parent=$(dirname "$(cg_dir_of "$1")")
  local -A skip=()
  while read -r d; do skip[$d]=1; done <"$skip_file"
  while :; do
    for d in "$parent"/*/; do
      d=${d%/}
      [ -n "${skip[$d]:-}" ] && continue
      [ -f "$d/memory.stat" ] || continue
      v=0
      while read -r k n; do
        case $k in total_rss | total_mapped_file | anon | file_mapped) v=$((v + n)) ;; esac
      done <"$d/memory.stat" 2>/dev/null || true
      printf '%s %s %s\n' "$tick" "${d##*/}" "$((v / 1024))"
    done >>"$out"
    tick=$((tick + 1))
    sleep 0.05
  done
}

# (c) A daemon sidecar with CRON_SCHEDULE every minute on repository $1 (already holding a full
# backup, so its run is incremental) and cache $2. Sets peak_kib, idle_rss, idle_anon, idle_file,
# idle_s, daemon_run_s, workers_seen. The idle RSS is read after one /healthz request (as the
# image's health check makes every minute).
daemon_run() {
  local repo=$1 cache=$2 state=$work/state-daemon t0 d id image_id deadline rec
  mkdir -p "$state"
  image_id=$(docker image inspect -f '{{.Id}}' "$SB_IMAGE")
  # the engine keeps only its last 256 events: follow them live to see the workers created
  docker events --filter type=container --filter event=create \
    --format '{{.Actor.ID}} {{index .Actor.Attributes "image"}} {{index .Actor.Attributes "stack-back.worker"}}' \
    >"$work/events.txt" &
  events_pid=$!
  local kv
  local -a extra=()
  for kv in $SB_ENV; do extra+=(-e "$kv"); done # the settings of our runs in (a)
  docker run -d --name "$daemon_name" "${extra[@]}" \
    --label "com.docker.compose.project=$project" --label com.docker.compose.service=daemon \
    -e RESTIC_REPOSITORY="$repo" -e RESTIC_PASSWORD="$password" -e RESTIC_CACHE_DIR="$cache" \
    -e STATE_DIR="$state" -e CRON_SCHEDULE='* * * * *' -e MAINTENANCE_SCHEDULE='0 3 1 1 *' \
    -e STOP_TIMEOUT=10s -v /var/run/docker.sock:/var/run/docker.sock -v "$work:$work" \
    "$SB_IMAGE" >"$work/daemon.id"
  id=$(cat "$work/daemon.id")
  t0=$(date +%s)
  cg_dir_of "$id" >/dev/null || die "no memory cgroup found for the daemon container"
  # everything that exists now except the daemon is not ours: skip it
  : >"$work/skip.txt"
  for d in "$(dirname "$(cg_dir_of "$id")")"/*/; do
    d=${d%/}
    [ "${d##*/}" = "${id}" ] || [ "${d##*/}" = "docker-${id}.scope" ] || echo "$d" >>"$work/skip.txt"
  done
  sampler "$id" "$work/skip.txt" "$work/samples.txt" &
  sampler_pid=$!
  log "(c) daemon ${id:0:12} started; waiting for its scheduled run (next minute boundary)"
  deadline=$(($(date +%s) + 150))
  # the record is written when the run starts and again, with its exit code, when it ends
  until rec=$(compgen -G "$state/runs/*.json" | head -1) &&
    [ "$(jq -r '.exitCode // "null"' "$rec" 2>/dev/null)" != null ]; do
    [ "$(date +%s)" -lt "$deadline" ] || die "the daemon finished no run within 150 s: $(docker logs --tail 20 "$id" 2>&1)"
    sleep 0.3
  done
  local run_end
  run_end=$(date +%s.%N)
  # idle 30 s, or until 3 s before the next scheduled run, whichever comes first
  local wait_s
  wait_s=$(awk -v n="$run_end" 'BEGIN { left = 60 - (n % 60) - 3; w = (left < 30) ? left : 30; if (w < 0) w = 0; printf "%.1f\n", w }')
  sleep "$wait_s"
  # the steady state: the image's health check asks /healthz every minute, and the first request
  # costs the daemon ~2.4 MiB for good (the JDK's HTTP server classes, the CLDR time-zone names of
  # its Date header); whether the engine's first check came before this reading depended on the
  # wait for the scheduled minute, so one request is made here, as the check makes it
  docker exec "$daemon_name" sh -c 'wget -q -O /dev/null "http://127.0.0.1:$METRICS_PORT/healthz"' ||
    warn "the daemon did not answer /healthz"
  sleep 2
  local status
  status=$(docker exec "$daemon_name" cat /proc/1/status)
  idle_rss=$(awk '/^VmRSS/ { print $2 }' <<<"$status")
  idle_anon=$(awk '/^RssAnon/ { print $2 }' <<<"$status")
  idle_file=$(awk '/^RssFile/ { print $2 }' <<<"$status")
  idle_s=$wait_s
  kill "$sampler_pid" 2>/dev/null
  wait "$sampler_pid" 2>/dev/null || true
  sampler_pid=""
  docker rm -f "$daemon_name" >/dev/null
  [ "$(compgen -G "$state/runs/*.json" | wc -l)" -eq 1 ] || warn "the daemon made more than one run"
  daemon_run_s=$(jq -r 'def t: sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601;
      (.endedAt | t) - (.startedAt | t)' "$rec" 2>/dev/null || echo n/a)
  [ "$(jq -r '.exitCode' "$rec")" = 0 ] || warn "the daemon's run did not exit 0: $(jq -c . "$rec" | head -c 300)"
  kill "$events_pid" 2>/dev/null
  wait "$events_pid" 2>/dev/null || true
  events_pid=""
  # our workers: created from the sidecar's image id, with the worker label
  awk -v img="$image_id" -v ref="$SB_IMAGE" '($2 == img || $2 == ref) && $3 == "true" { print $1 }' \
    "$work/events.txt" >"$work/workers.txt"
  workers_seen=$(wc -l <"$work/workers.txt")
  # peak over ticks of (daemon + our workers)
  [ "$workers_seen" -gt 0 ] || warn "no worker of ours seen: the peak covers the daemon only"
  peak_kib=$(awk -v d="$id" 'NR == FNR { w[$1] = 1; w["docker-" $1 ".scope"] = 1; next }
      $2 == d || $2 == "docker-" d ".scope" || ($2 in w) { s[$1] += $3 }
      END { m = 0; for (t in s) if (s[t] > m) m = s[t]; print m }' "$work/workers.txt" "$work/samples.txt")
  log "(c) run ${daemon_run_s}s, $workers_seen worker(s), peak $(mib "$peak_kib") MiB; idle ${idle_s}s later: VmRSS $(mib "$idle_rss") MiB"
}

# (d) Adds $1 containers of APP_IMAGE to the project, without stack-back labels; $2 = run
# (started) or create (created only). Their ids go to $work/extra.ids.
add_extra() {
  local count=$1 mode=$2 first
  first=$(($(wc -l <"$work/extra.ids" 2>/dev/null || echo 0) + 1))
  local args=(-d)
  [ "$mode" = create ] && args=()
  log "(d) adding $count unlabelled containers ($mode) to the project"
  seq "$first" $((first + count - 1)) | xargs -P 4 -I{} docker "$mode" "${args[@]}" \
    --name "${project}_extra_{}" --label "com.docker.compose.project=$project" \
    --label "com.docker.compose.service=extra{}" "$APP_IMAGE" sleep 86400 >>"$work/extra.ids"
}

# (d) Medians of 5 `docker exec` calls: true, stack-back version, stack-back status. Prints
# "containers true version status".
latencies() {
  local n=$1 what i t0 a=() b=() c=()
  local total
  total=$(docker ps -aq --filter "label=com.docker.compose.project=$project" | wc -l)
  for i in 1 2 3 4 5; do
    t0=$(clock); docker exec "$sidecar" true; a+=("$(sub "$(clock)" "$t0")")
    t0=$(clock); docker exec "$sidecar" stack-back version >/dev/null; b+=("$(sub "$(clock)" "$t0")")
    t0=$(clock)
    docker exec -e RESTIC_REPOSITORY="$work/repos/ours-$R" "$sidecar" stack-back status >"$work/status-$n.log" 2>&1 ||
      die "status failed with $n extra containers: $(tail -5 "$work/status-$n.log")"
    c+=("$(sub "$(clock)" "$t0")")
  done
  log "(d) $n extra ($total in the project): exec true $(median "${a[@]}") s, version $(median "${b[@]}") s, status $(median "${c[@]}") s"
  printf '%s %s %s %s %s\n' "$n" "$total" "$(median "${a[@]}")" "$(median "${b[@]}")" "$(median "${c[@]}")"
}

report() {
  local mf mi plain_peak downtime_excess downtime_excess_step
  mf=$(median "${r_full[@]}")
  mi=$(median "${r_incr[@]}")
  plain_peak=$(max_of "$plain_peak_incr" "$plain_peak_full")
  downtime_excess=$(max_of "${excess[@]:-n/a}")
  downtime_excess_step=$(max_of "${excess_step[@]:-n/a}")
  [ "${peak_kib:-0}" -gt 0 ] || peak_kib=n/a
  local limit_kib
  limit_kib=$(awk -v p="$plain_peak_incr" 'BEGIN { printf "%d\n", 1.1 * p + 40 * 1024 }')
  read -r _ n0 e0 v0 s0 <<<"$lat0"
  read -r _ n1 e1 v1 s1 <<<"$lat_extra"
  cat <<EOF

==== stack-back everyday benchmark  $(date -u +%Y-%m-%dT%H:%MZ)  $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) ====
sidecar image $SB_IMAGE ($(docker image inspect -f '{{.Id}}' "$SB_IMAGE" | cut -c8-19)), restic $restic_version (the same binary on both sides)${SB_ENV:+; our runs with $SB_ENV}
N=$N $([ "$STOP" = true ] && echo stop-during-backup || echo running, not stopped,) services x M=$M MB random data, R=$R rounds; engine $(docker version -f '{{.Server.Version}}')

(a) wall time [s]: ours = docker exec <sidecar> stack-back backup; plain = restic backup per service
round  ours full  plain full  ratio  ours incr  plain incr  ratio
EOF
  printf '%s\n' "${rows_a[@]}"
  cat <<EOF
median ratio: full $mf, incremental $mi

(b) downtime per container [s] (docker inspect FinishedAt -> StartedAt) vs its restic snapshot
round  kind  svc    down [s]  restic [s]  excess  step [s]  excess
(restic = restic's total_duration; step = the snapshot step: the whole restic call in the worker)
EOF
  printf '%s\n' "${rows_b[@]}"
  cat <<EOF

(c) daemon sidecar, one scheduled incremental run: ${daemon_run_s} s, $workers_seen worker container(s)
    peak of the run (daemon + workers, anon + mapped file, sampled):  $(mib "$peak_kib") MiB
    plain restic's own peak (max RSS of one call): full $(mib "$plain_peak_full") MiB, incremental $(mib "$plain_peak_incr") MiB
    daemon idle ${idle_s} s after the run: VmRSS $(mib "$idle_rss") MiB (anon $(mib "$idle_anon"), file $(mib "$idle_file"))

(d) latency of docker exec <sidecar> ... [s], medians of 5 (containers in the project in brackets)
extra  true   version  status
EOF
  printf '%5s  %5s  %7s  %6s   (%s)\n' 0 "$e0" "$v0" "$s0" "$n0"
  printf '%5s  %5s  %7s  %6s   (%s)\n' "$EXTRA" "$e1" "$v1" "$s1" "$n1"
  if [ -n "$lat_big" ]; then
    read -r _ n2 e2 v2 s2 <<<"$lat_big"
    printf '%5s  %5s  %7s  %6s   (%s; beyond %s created, not started)\n' "$EXTRA_BIG" "$e2" "$v2" "$s2" "$n2" "$EXTRA"
  fi
  cat <<EOF

targets (issue 8)                                     measured        target      verdict
incremental run, ours/plain                           $mi            <= 2.0      $(verdict "$mi" 2.0)
full run, ours/plain                                  $mf            <= 1.3      $(verdict "$mf" 1.3)
downtime - own restic snapshot time (max)             $downtime_excess s     <= 0.5 s    $(verdict "$downtime_excess" 0.5)
downtime - own snapshot step, restic call (max)       $downtime_excess_step s     <= 0.5 s    $(verdict "$downtime_excess_step" 0.5)
version via docker exec                               $v0 s       <= 0.5 s    $(verdict "$v0" 0.5)
status via docker exec, $EXTRA extra containers          $s1 s       <= 1.0 s    $(verdict "$s1" 1.0)
daemon idle RSS                                       $(mib "$idle_rss") MiB     <= 48 MiB   $(verdict "$(mib "$idle_rss")" 48)
run peak vs 1.1 x restic incr peak + 40 MiB            $(mib "$peak_kib") MiB     <= $(mib "$limit_kib") MiB $(verdict "$peak_kib" "$limit_kib")

bench time: $(sub "$(clock)" "$t_start") s ((a)+(b) $(sub "$t_c" "$t_start") s, (c) $(sub "$t_d" "$t_c") s, (d) $(sub "$(clock)" "$t_d") s)
EOF
}
