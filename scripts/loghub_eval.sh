#!/usr/bin/env bash
# Scores logsift's grouping on the Loghub 2k samples (GA/FGA per system and mean).
# Usage: scripts/loghub_eval.sh [LOGHUB_DIR] [BIN]   (BIN defaults to target/release/logsift)
set -euo pipefail
DIR=${1:-/work/shared/data/loghub}
BIN=${2:-./target/release/logsift}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for csv in "$DIR"/*/*_2k.log_structured_corrected.csv; do
    sys=$(basename "$(dirname "$csv")")
    python3 - "$csv" "$OUT/$sys.txt" <<'PY'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as o:
    for row in csv.DictReader(f):
        o.write(row["Content"].replace("\r", " ").replace("\n", " ") + "\n")
PY
    "$BIN" analyze --file "$OUT/$sys.txt" --multiline off --input-format plain \
        --events "$OUT/$sys.jsonl" --fail-on never --max-groups 100000 >/dev/null
done
python3 /work/shared/bench/grouping_eval.py --all "$DIR" "$OUT"
