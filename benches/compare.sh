#!/usr/bin/env bash
# One command: logsift side by side with the Python baseline, grep and rg on one generated corpus
# (../shared/bench/run_bench.sh), then logsift with grouping on and off (LOGSIFT_GROUPING=off) on
# the same corpus (what grouping costs over classification alone), start-up time, and peak RSS at
# 1M and 10M lines.
#
#   bash benches/compare.sh              # 1M lines, 3 runs each (the baseline takes minutes)
#   bash benches/compare.sh --lines 200000 --runs 1
#   NO_BASELINE=1 bash benches/compare.sh --lines 200000   # skip run_bench.sh (grouping table only)
#   LINES_10M=1 bash benches/compare.sh  # also logsift alone on 10M lines (flat memory check)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench="${SHARED_BENCH:-$here/../shared/bench}"
[[ -f $bench/run_bench.sh ]] || { echo "compare.sh: needs $bench/run_bench.sh (the shared bench folder)" >&2; exit 2; }
lines=1000000 runs=3
args=("$@")
while [[ $# -gt 0 ]]; do
  case $1 in
    --lines) lines=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) shift ;;
  esac
done
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="$here/target/release/logsift"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
python3 "$bench/gen_corpus.py" --lines "$lines" --seed 42 --out "$tmp/c.log"

if [[ ${NO_BASELINE:-0} != 1 ]]; then
  bash "$bench/run_bench.sh" "${args[@]}" --corpus "$tmp/c.log" -- "$bin" analyze --file '{corpus}' --fail-on never
fi

echo
echo "grouping on vs off, $lines lines, median of $runs:"
python3 - "$bin" "$tmp/c.log" "$lines" "$runs" <<'PY'
import os, statistics, subprocess, sys
binary, corpus, lines, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rows = {}
for grouping in ["off", "on"]:
    times, rss = [], []
    for _ in range(runs):
        out = subprocess.run(["/usr/bin/time", "-f", "%e %U %M", binary, "analyze", "--file", corpus,
                              "--fail-on", "never"], env={**os.environ, "LOGSIFT_GROUPING": grouping},
                             check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall, user, kib = out.stderr.strip().splitlines()[-1].split()
        times.append(float(user)); rss.append(int(kib))
    rows[grouping] = (statistics.median(times), max(rss))
print(f"  {'grouping':<9}{'user s':>8}{'lines/s':>12}{'peak RSS MiB':>14}")
for g, (t, kib) in rows.items():
    print(f"  {g:<9}{t:>8.2f}{lines / t:>12,.0f}{kib / 1024:>14.1f}")
print(f"  grouping costs {100 * (rows['on'][0] / rows['off'][0] - 1):.0f}% over classification alone")
PY

echo
echo "start-up: logsift analyze of an empty input, every pack compiled (median of 10):"
python3 - "$bin" <<'PY'
import statistics, subprocess, sys, time
runs = []
for _ in range(10):
    t = time.perf_counter()
    subprocess.run([sys.argv[1], "analyze", "--file", "/dev/null", "--fail-on", "never"], check=True, stdout=subprocess.DEVNULL)
    runs.append((time.perf_counter() - t) * 1000)
print(f"  median {statistics.median(runs):.1f} ms (min {min(runs):.1f}, max {max(runs):.1f})")
PY

if [[ ${LINES_10M:-0} == 1 ]]; then
  for n in 1000000 10000000; do
    python3 "$bench/gen_corpus.py" --lines "$n" --seed 42 --out "$tmp/c.log"
    /usr/bin/time -f "  $n lines: %e s, peak RSS %M KiB" "$bin" analyze --file "$tmp/c.log" --fail-on never >/dev/null
  done
fi
