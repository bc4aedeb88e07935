#!/usr/bin/env bash
# One command: logsift side by side with the Python baseline, grep and rg on one generated corpus
# (../shared/bench/run_bench.sh), plus start-up time and peak RSS at 1M and 10M lines.
#
#   bash benches/compare.sh              # 1M lines, 3 runs each (the baseline takes minutes)
#   bash benches/compare.sh --lines 200000 --runs 1
#   LINES_10M=1 bash benches/compare.sh  # also logsift alone on 10M lines (flat memory check)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench="${SHARED_BENCH:-$here/../shared/bench}"
[[ -f $bench/run_bench.sh ]] || { echo "compare.sh: needs $bench/run_bench.sh (the shared bench folder)" >&2; exit 2; }
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="$here/target/release/logsift"

bash "$bench/run_bench.sh" "$@" -- "$bin" analyze --file '{corpus}' --fail-on never

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
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  for n in 1000000 10000000; do
    python3 "$bench/gen_corpus.py" --lines "$n" --seed 42 --out "$tmp/c.log"
    /usr/bin/time -f "  $n lines: %e s, peak RSS %M KiB" "$bin" analyze --file "$tmp/c.log" --fail-on never >/dev/null
  done
fi
