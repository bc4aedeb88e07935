#!/usr/bin/env python3
"""Grouping check on labelled Compose logs: do error events of one problem share one group?

For every `<name>.log` with a `<name>.truth.jsonl` beside it (default: ../shared/data/compose),
runs `logsift analyze --file <name>.log --events ... --fail-on never` and joins its events with
the truth by line range. Only events that the truth calls `error` or `critical` are scored.

The truth files carry no template id, so one is derived: an event's *message shape* is the line
that names the problem (the first line after the Compose prefix; for a Python traceback its
exception line; for logfmt its level and msg), with quoted values, paths, booleans, hex runs and
digit runs masked (so timestamps, pids, ports, files and counters do not tell two messages apart). The issue asks that
error events sharing a truth template (same service, same message shape) land in one group and
that different problems never share one; the same shape printed by two services is one problem,
so the shape alone is the truth key.

Score per file, like Loghub's grouping accuracy (GA): an event is grouped correctly when the set
of scored events in its logsift group equals the set of scored events with its message shape.
Events whose truth range logsift split or joined differently are counted apart (they are a
multi-line disagreement, not a grouping one) and left out of the score.

Usage: scripts/compose_grouping_eval.py [--bin target/release/logsift] [--data DIR] [-v]
"""

import argparse
import collections
import json
import pathlib
import re
import subprocess
import sys
import tempfile

PREFIX = re.compile(r"^\S+?[-_]\d+\s*\| ?")
LOGFMT_MSG = re.compile(r'\blevel=(\w+).*?\bmsg="((?:[^"\\]|\\.)*)"')
TRACEBACK_NOISE = ("Traceback ", "During handling", "The above exception")
MASKS = [
    (re.compile(r'"(?:[^"\\]|\\.)*"'), '"<q>"'),
    (re.compile(r"'[^']*'"), "'<q>'"),
    (re.compile(r"‘[^’]*’"), "'<q>'"),
    (re.compile(r"(?<![\w.])(?:[\w.-]*/)+[\w.-]*"), "<path>"),
    (re.compile(r"\b(?:true|false)\b"), "<bool>"),
    (re.compile(r"\b(?:0x)?[0-9a-fA-F]*\d[0-9a-fA-F]*\b"), "<n>"),
    (re.compile(r"\d+"), "<n>"),
]


def content(line: str) -> str:
    return PREFIX.sub("", line, count=1).rstrip()


def message_line(event_lines):
    """The line that names the problem: the first, or a Python traceback's exception line."""
    first = content(event_lines[0]).strip()
    if first.startswith("Traceback ") and len(event_lines) > 1:
        for line in reversed(event_lines[1:]):
            text = content(line)
            if text and not text[0].isspace() and not text.startswith(TRACEBACK_NOISE):
                return text
    return first


def shape(text: str) -> str:
    logfmt = LOGFMT_MSG.search(text)
    if logfmt:  # logfmt: the level and message name the problem; the other keys come in any order
        text = f"level={logfmt.group(1)} msg={logfmt.group(2)}"
    for pattern, placeholder in MASKS:
        text = pattern.sub(placeholder, text)
    return " ".join(text.split())


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def evaluate(binary, log_path, truth_path, verbose):
    lines = log_path.read_text(encoding="utf-8", errors="replace").split("\n")
    truth = read_jsonl(truth_path)
    with tempfile.TemporaryDirectory() as tmp:
        events_path = pathlib.Path(tmp) / "events.jsonl"
        subprocess.run(
            [binary, "analyze", "--file", str(log_path), "--events", str(events_path),
             "--fail-on", "never", "--color", "never"],
            check=True, stdout=subprocess.DEVNULL,
        )
        events = read_jsonl(events_path)
    by_range = {(e["first_line"], e["last_line"]): e for e in events}

    scored, unmatched = [], 0
    for t in truth:
        if t["severity"] not in ("error", "critical"):
            continue
        e = by_range.get((t["first_line"], t["last_line"]))
        if e is None:
            unmatched += 1
            continue
        event_lines = lines[t["first_line"] - 1:t["last_line"]]
        scored.append((t["first_line"], shape(message_line(event_lines)), e["group"], t["service"]))

    members_of_shape = collections.defaultdict(set)
    members_of_group = collections.defaultdict(set)
    groups_of_shape = collections.defaultdict(set)
    shapes_of_group = collections.defaultdict(set)
    for first, shp, group, _ in scored:
        members_of_shape[shp].add(first)
        members_of_group[group].add(first)
        groups_of_shape[shp].add(group)
        shapes_of_group[group].add(shp)
    correct = sum(1 for first, shp, group, _ in scored
                  if members_of_shape[shp] == members_of_group[group])

    splits = {s: g for s, g in groups_of_shape.items() if len(g) > 1}
    merges = {g: s for g, s in shapes_of_group.items() if len(s) > 1}
    if verbose:
        for s, groups in splits.items():
            print(f"  split  {s[:110]!r} -> {len(groups)} groups")
        for g, shapes in merges.items():
            print(f"  merged group {g}:")
            for s in sorted(shapes):
                print(f"      {s[:110]!r}")
    return {
        "scored": len(scored), "correct": correct, "unmatched": unmatched,
        "shapes": len(members_of_shape), "groups": len(members_of_group),
        "splits": len(splits), "merges": len(merges),
    }


def main():
    here = pathlib.Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=str(here / "target/release/logsift"))
    ap.add_argument("--data", default=str(here.parent / "shared/data/compose"))
    ap.add_argument("-v", "--verbose", action="store_true", help="list every split and merge")
    args = ap.parse_args()

    data = pathlib.Path(args.data)
    logs = sorted(p for p in data.glob("*.log") if p.with_suffix(".truth.jsonl").exists())
    if not logs:
        print(f"no labelled logs under {data}", file=sys.stderr)
        return 2
    total = collections.Counter()
    print(f"{'file':34} {'events':>6} {'shapes':>6} {'groups':>6} {'split':>5} {'merge':>5} {'GA':>6}")
    for log in logs:
        if args.verbose:
            print(log.name)
        r = evaluate(args.bin, log, log.with_suffix(".truth.jsonl"), args.verbose)
        total.update(r)
        ga = r["correct"] / r["scored"] if r["scored"] else 1.0
        print(f"{log.stem:34} {r['scored']:6} {r['shapes']:6} {r['groups']:6} "
              f"{r['splits']:5} {r['merges']:5} {ga:6.3f}")
    ga = total["correct"] / total["scored"] if total["scored"] else 1.0
    print(f"{'all (event-weighted)':34} {total['scored']:6} {total['shapes']:6} {total['groups']:6} "
          f"{total['splits']:5} {total['merges']:5} {ga:6.3f}")
    print(f"error events left out (multi-line range differs from the truth): {total['unmatched']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
