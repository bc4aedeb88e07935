#!/usr/bin/env bash
# Live figures of `logsift monitor` against the real Docker Engine (Compose v1 or v2), with a
# FROM-scratch busybox image (no registry needed):
#
#   latency  time from a line's engine timestamp to logsift printing it (p50/p99 over 250 new
#            errors, one service printing 20 lines/s)
#   attach   time from a container's `start` event to logsift printing that run's first line
#            (20 restarts of one container, then a scale 1 -> 5), an upper bound of the attach time
#   soak     20 services printing 2,000 lines/s in total, 10,000 distinct errors among them; RSS of
#            the monitor every minute, its CPU share, events seen
#
#   bash benches/monitor.sh                     # latency + attach + a 30-minute soak
#   bash benches/monitor.sh latency attach
#   bash benches/monitor.sh soak --minutes 5
#   OUT=/tmp/soak.txt bash benches/monitor.sh soak   # figures also appended to $OUT
#   MONITOR_ARGS="--max-groups 20000" bash benches/monitor.sh soak --minutes 5
#
# Every project is named lsmonbench<pid><mode> and taken down on exit, with its image.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
minutes=30
modes=()
while (($#)); do
  case $1 in
    --minutes) minutes=$2; shift 2 ;;
    latency|attach|soak) modes+=("$1"); shift ;;
    *) echo "monitor.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
((${#modes[@]})) || modes=(latency attach soak)
out="${OUT:-/dev/null}"
say() { echo "$@" | tee -a "$out"; }

if [[ -z ${LOGSIFT:-} ]]; then
  cargo build --release --quiet --manifest-path "$here/Cargo.toml"
  LOGSIFT="$here/target/release/logsift"
fi
compose=(docker-compose)
command -v docker-compose >/dev/null || compose=(docker compose)

work="$(mktemp -d /tmp/lsmon-bench.XXXXXX)"
image="lsmon-bench-busybox:$$"
projects=()
monitor_pid=""
cleanup() {
  [[ -n $monitor_pid ]] && kill "$monitor_pid" 2>/dev/null || true
  for p in "${projects[@]}"; do
    "${compose[@]}" -p "$p" -f "$work/$p.yml" down -v -t 0 >/dev/null 2>&1 || true
  done
  docker rmi -f "$image" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/ctx/bin"
cp /bin/busybox "$work/ctx/bin/busybox"
ln -s busybox "$work/ctx/bin/sh"
printf 'FROM scratch\nCOPY bin /bin\nENV PATH=/bin\n' >"$work/ctx/Dockerfile"
docker build -q -t "$image" "$work/ctx" >/dev/null 2>&1

# Stamps each line of stdin with the wall-clock time it was read (seconds, float).
cat >"$work/stamp.py" <<'PY'
import sys, time
out = open(sys.argv[1], "w", buffering=1)
for line in sys.stdin:
    out.write(f"{time.time():.6f} {line}")
PY

# up NAME YAML: writes the compose file and starts the project.
up() {
  projects+=("$1")
  printf '%s' "$2" | sed "s|IMAGE|$image|g" >"$work/$1.yml"
  "${compose[@]}" -p "$1" -f "$work/$1.yml" up -d >/dev/null 2>&1
}

# start_monitor PROJECT: logsift monitor in the background, its stdout stamped into $work/PROJECT.out.
start_monitor() {
  "$LOGSIFT" monitor -p "$1" --interval 60 --color never --fail-on never </dev/null \
    > >(python3 "$work/stamp.py" "$work/$1.out") 2>"$work/$1.err" &
  monitor_pid=$!
  sleep 1.5
}

stop_monitor() {
  kill -TERM "$monitor_pid" 2>/dev/null || true
  wait "$monitor_pid" 2>/dev/null || true
  monitor_pid=""
  sleep 0.5
}

latency() {
  local p="lsmonbench$$latency"
  # 250 distinct errors (ERROR latency probe <word> failed), 20 a second, after 3 s.
  up "$p" 'version: "2.4"
services:
  lat:
    image: IMAGE
    command:
      - sh
      - -c
      - |
        L=abcdefghij
        sleep 3
        i=0
        while [ $$i -lt 250 ]; do
          i=$$((i+1))
          w=w$${L:$$((i/100%10)):1}$${L:$$((i/10%10)):1}$${L:$$((i%10)):1}
          echo "ERROR latency probe $$w failed"
          usleep 50000
        done
        sleep 3600
'
  start_monitor "$p"
  local deadline=$((SECONDS + 60))
  until [[ $(grep -c 'latency probe' "$work/$p.out" 2>/dev/null || true) -ge 250 ]] || ((SECONDS > deadline)); do
    sleep 1
  done
  sleep 1
  stop_monitor
  docker logs -t "${p}_lat_1" >"$work/lat.engine" 2>&1
  say "latency: container's engine timestamp -> logsift printed the line ($(date -u +%FT%TZ))"
  python3 - "$work/lat.engine" "$work/$p.out" <<'PY' | tee -a "$out"
import re, statistics, sys, calendar, time
def ns(ts):
    sec, frac = ts.rstrip("Z").split(".")
    return calendar.timegm(time.strptime(sec, "%Y-%m-%dT%H:%M:%S")) * 10**9 + int(frac.ljust(9, "0")[:9])
engine = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\S+) ERROR latency probe (\w+) failed", line)
    if m:
        engine[m.group(2)] = ns(m.group(1))
lat = []
for line in open(sys.argv[2]):
    m = re.match(r"([\d.]+) .*\[new\] ERROR latency probe (\w+) failed", line)
    if m and m.group(2) in engine:
        lat.append(float(m.group(1)) * 1000 - engine[m.group(2)] / 1e6)
lat.sort()
if not lat:
    print("  no line matched"); sys.exit(1)
q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))]
print(f"  {len(lat)} of {len(engine)} errors printed; p50 {q(0.50):.0f} ms, p90 {q(0.90):.0f} ms, p99 {q(0.99):.0f} ms, max {lat[-1]:.0f} ms")
PY
}

attach() {
  local p="lsmonbench$$attach"
  # Each run prints one error made unique by the host's uptime and the container's id.
  up "$p" 'version: "2.4"
services:
  att:
    image: IMAGE
    command:
      - sh
      - -c
      - |
        read up rest < /proc/uptime
        echo "ERROR attach probe u$$(echo $$up | tr 0-9. a-jk) h$$(echo $$HOSTNAME | tr 0-9a-f g-v) failed"
        echo "attach probe ready"
        sleep 3600
'
  start_monitor "$p"
  local since; since=$(date +%s)
  for _ in $(seq 20); do
    "${compose[@]}" -p "$p" -f "$work/$p.yml" restart -t 0 att >/dev/null 2>&1
    sleep 1.5
  done
  "${compose[@]}" -p "$p" -f "$work/$p.yml" up -d --scale att=5 >/dev/null 2>&1
  sleep 3
  stop_monitor
  docker events --since "$since" --until "$(date +%s)" --filter "label=com.docker.compose.project=$p" \
    --filter event=start --format '{{.TimeNano}}' >"$work/att.events"
  say "attach: container start event -> logsift printed the run's first line ($(date -u +%FT%TZ))"
  python3 - "$work/att.events" "$work/$p.out" <<'PY' | tee -a "$out"
import re, sys
starts = sorted(int(l) / 1e6 for l in open(sys.argv[1]) if l.strip())
printed = sorted(float(l.split()[0]) * 1000 for l in open(sys.argv[2]) if "[new] ERROR attach probe" in l)
lat = []
for s in starts:
    after = [p for p in printed if p >= s - 5]
    if after:
        lat.append(after[0] - s)
        printed.remove(after[0])
lat.sort()
if not lat:
    print("  no start matched"); sys.exit(1)
q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))]
print(f"  {len(lat)} of {len(starts)} starts (20 restarts, 4 scaled up); p50 {q(0.5):.0f} ms, p99 {q(0.99):.0f} ms, max {lat[-1]:.0f} ms")
PY
}

soak() {
  local p="lsmonbench$$soak"
  local yml='version: "2.4"
services:'
  # 20 services x 100 lines/s; every 5th line is an error, one of 500 per service (10,000 in all).
  for s in $(seq 1 20); do
    local tag; tag=q$(echo "$s" | tr 0-9 a-j)
    yml+="
  s$s:
    image: IMAGE
    command:
      - sh
      - -c
      - |
        L=abcdefghij
        i=0
        while true; do
          for k in 0 1 2 3 4 5 6 7 8 9; do
            i=\$\$((i+1))
            if [ \$\$((i % 5)) -eq 0 ]; then
              n=\$\$((i / 5 % 500))
              echo \"ERROR $tag handler x\$\${L:\$\$((n/100)):1}\$\${L:\$\$((n/10%10)):1}\$\${L:\$\$((n%10)):1} failed for request \$\$i\"
            else
              echo \"INFO request \$\$i served in \$\$((i % 97)) ms\"
            fi
          done
          usleep 100000
        done"
  done
  up "$p" "$yml"
  local state="$work/soak.state"
  # shellcheck disable=SC2086 # MONITOR_ARGS is split on purpose
  "$LOGSIFT" monitor -p "$p" --interval 30 --color never --fail-on never --state "$state" ${MONITOR_ARGS:-} </dev/null \
    >"$work/soak.out" 2>"$work/soak.err" &
  monitor_pid=$!
  local hz; hz=$(getconf CLK_TCK)
  local t0=$SECONDS
  say "soak: 20 services, $minutes min, extra args '${MONITOR_ARGS:-}', monitor pid $monitor_pid ($(date -u +%FT%TZ)); load: $(cut -d' ' -f1-3 /proc/loadavg)"
  say "  min  rss_MiB  cpu_%_last_min  cpu_%_total  events_in_last_summary"
  local last_ticks=0 last_t=$SECONDS
  for m in $(seq 1 "$minutes"); do
    sleep $((t0 + m * 60 - SECONDS))
    [[ -d /proc/$monitor_pid ]] || { say "  monitor died; stderr: $(tail -3 "$work/soak.err")"; return 1; }
    local rss ticks now
    rss=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$monitor_pid/status")
    ticks=$(awk '{print $14 + $15}' "/proc/$monitor_pid/stat")
    now=$SECONDS
    local cpu_last cpu_total events
    cpu_last=$(awk -v a="$ticks" -v b="$last_ticks" -v hz="$hz" -v dt=$((now - last_t)) 'BEGIN {printf "%.1f", (a - b) / hz / dt * 100}')
    cpu_total=$(awk -v a="$ticks" -v hz="$hz" -v dt=$((now - t0)) 'BEGIN {printf "%.1f", a / hz / dt * 100}')
    events=$( (grep -o "in [0-9]* events" "$work/soak.out" || true) | tail -1 | tr -dc 0-9)
    say "  $m  $rss  $cpu_last  $cpu_total  ${events:-0}"
    last_ticks=$ticks last_t=$now
  done
  stop_monitor
  local groups; groups=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['groups']))" "$state")
  say "  end: $(tail -1 "$work/soak.out"); groups in the state: $groups; load: $(cut -d' ' -f1-3 /proc/loadavg)"
}

for m in "${modes[@]}"; do "$m"; done
