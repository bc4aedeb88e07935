#!/usr/bin/env bash
# One command: logsift reading a Compose project through the Docker Engine, against `docker logs`
# and `docker-compose logs` on the same container, plus logsift's peak RSS. Prints a table.
#
# The project (lseng_bench) has one FROM-scratch busybox container that `cat`s a pre-generated
# file of realistic log lines (../shared/bench/gen_corpus.py --no-prefix: mostly info, some
# warnings, errors and multi-line traces, a few lines over 16 KiB) and exits. json-file logging
# with max-size 1g, so nothing rotates. Everything is torn down at the end, even on failure.
#
#   bash benches/engine.sh                     # 1M lines, 3 timed runs of each command
#   LINES=200000 RUNS=1 bash benches/engine.sh
#   KEEP=1 bash benches/engine.sh              # leave the project up (to profile), print how to remove it
#
# Goals (issue 5): logsift <= 1.3x `docker logs` wall time, faster than docker-compose, peak
# RSS <= 40 MiB. The commands run round-robin so that load from elsewhere hits them alike.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench="${SHARED_BENCH:-$here/../shared/bench}"
lines="${LINES:-1000000}"
runs="${RUNS:-3}"
project="${PROJECT:-lseng_bench}"
image="logsift-bench-busybox:$project"
busybox=/bin/busybox

[[ -f $bench/gen_corpus.py ]] || { echo "engine.sh: needs $bench/gen_corpus.py (the shared bench folder)" >&2; exit 2; }
[[ -x $busybox ]] || { echo "engine.sh: needs $busybox (apt-get install busybox-static)" >&2; exit 2; }
command -v docker-compose >/dev/null || { echo "engine.sh: needs docker-compose" >&2; exit 2; }

tmp="$(mktemp -d)"
compose() { docker-compose -p "$project" -f "$tmp/docker-compose.yml" "$@"; }
cleanup() {
  if [[ ${KEEP:-0} == 1 ]]; then
    echo "kept: docker-compose -p $project -f $tmp/docker-compose.yml down -v -t 0; docker rmi $image"
    return
  fi
  compose down -v -t 0 >/dev/null 2>&1 || true
  docker rmi -f "$image" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="$here/target/release/logsift"

mkdir -p "$tmp/ctx"
cp "$busybox" "$tmp/ctx/busybox"
python3 "$bench/gen_corpus.py" --lines "$lines" --seed 42 --no-prefix --out "$tmp/ctx/corpus.log"
printf 'FROM scratch\nCOPY busybox /busybox\nCOPY corpus.log /corpus.log\nCMD ["/busybox", "cat", "/corpus.log"]\n' >"$tmp/ctx/Dockerfile"
cat >"$tmp/docker-compose.yml" <<EOF
version: "2.4"
services:
  app:
    image: $image
    logging:
      driver: json-file
      options:
        max-size: 1g
EOF
docker build -q -t "$image" "$tmp/ctx" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 1; }
compose up -d >"$tmp/up.log" 2>&1 || { cat "$tmp/up.log" >&2; exit 1; }
container="$(compose ps -q app)"
docker wait "$container" >/dev/null
got="$(docker logs "$container" 2>&1 | wc -l)"
[[ $got -ge $lines ]] || { echo "engine.sh: the container logged $got lines, expected $lines" >&2; exit 1; }

echo "machine: $(nproc) cores, $(uptime | sed 's/.*load/load/')"
echo "corpus: $lines lines, $(du -h "$tmp/ctx/corpus.log" | cut -f1), one container ($project)"
python3 - "$runs" "$bin" "$project" "$container" "$tmp/docker-compose.yml" <<'PY'
import resource, statistics, subprocess, sys, time

runs, bin_, project, container, compose_file = int(sys.argv[1]), *sys.argv[2:]
commands = [
    ("logsift analyze", [bin_, "analyze", "-p", project, "--fail-on", "never"]),
    ("docker logs", ["docker", "logs", container]),
    ("docker-compose logs", ["docker-compose", "-p", project, "-f", compose_file, "logs", "--no-color"]),
]
wall = {name: [] for name, _ in commands}
cpu = {name: [] for name, _ in commands}
for _ in range(runs):
    for name, argv in commands:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall[name].append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)

rss = subprocess.run(
    ["/usr/bin/time", "-f", "%M", bin_, "analyze", "-p", project, "--fail-on", "never"],
    check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
).stderr.strip().splitlines()[-1]

base = statistics.median(wall["docker logs"])
print(f"{'command (stdout to /dev/null)':<30} {'median s':>9} {'min s':>7} {'max s':>7} {'client cpu s':>12} {'x docker logs':>13}")
for name, _ in commands:
    w = wall[name]
    print(f"{name:<30} {statistics.median(w):>9.2f} {min(w):>7.2f} {max(w):>7.2f} "
          f"{statistics.median(cpu[name]):>12.2f} {statistics.median(w) / base:>13.2f}")
print(f"logsift peak RSS: {int(rss) / 1024:.1f} MiB")
ratio = statistics.median(wall["logsift analyze"]) / base
faster = statistics.median(wall["logsift analyze"]) < statistics.median(wall["docker-compose logs"])
print(f"goals: <= 1.3x docker logs: {'yes' if ratio <= 1.3 else 'NO'} ({ratio:.2f}x); "
      f"faster than docker-compose: {'yes' if faster else 'NO'}; "
      f"RSS <= 40 MiB: {'yes' if int(rss) <= 40 * 1024 else 'NO'}")
PY
echo "after: $(uptime | sed 's/.*load/load/')"
