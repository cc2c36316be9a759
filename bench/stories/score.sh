#!/usr/bin/env bash
# Scores one replay's stories against every labelled window there is: the window that
# ships with the stream (../shared/data/arabic-news/events-*.json) and ajil's own
# hand-labelled windows (bench/stories/labels/events-*.json, same rules), one row each
# and their mean, so that a change to the clusterer is judged on more than one day.
#
#   bench/stories/score.sh STORIES.jsonl [--json]
#
# STORIES.jsonl is the output of `ajil replay STREAM --out STORIES.jsonl` (or of
# ajil-story's examples/replay.rs) over the whole stream. Needs ../shared beside the
# repo (or AJIL_SHARED) for the stream and the scorer.
set -euo pipefail

cd "$(dirname "$0")/../.."
SHARED="${AJIL_SHARED:-../shared}"
STREAM="$SHARED/data/arabic-news/ant-multisource.jsonl.gz"
SCORER="$SHARED/tools/score-stories"
PRED="${1:?usage: bench/stories/score.sh STORIES.jsonl [--json]}"
JSON="${2:-}"
[[ -e "$PRED" ]] || { echo "bench/stories/score.sh: no such file $PRED: run ajil replay first" >&2; exit 1; }
[[ -x "$SCORER" ]] || { echo "bench/stories/score.sh: $SCORER is missing: put shared/ beside the repo or set AJIL_SHARED" >&2; exit 1; }

LABELS=("$SHARED"/data/arabic-news/events-*.json bench/stories/labels/events-*.json)
RESULTS=()
for labels in "${LABELS[@]}"; do
    [[ -e "$labels" ]] || continue
    RESULTS+=("$labels" "$("$SCORER" --labels "$labels" --pred "$PRED" --stream "$STREAM" --json)")
done

python3 - "$JSON" "${RESULTS[@]}" <<'PY'
import json, os, statistics, sys

as_json, rest = sys.argv[1] == "--json", sys.argv[2:]
rows = [(os.path.basename(rest[i]), json.loads(rest[i + 1])) for i in range(0, len(rest), 2)]
if as_json:
    print(json.dumps({name: r for name, r in rows}))
    sys.exit(0)


def cells(r):
    b = r["breaking"]
    lat = b.get("latency_min_median")
    return [
        r["articles"], r["pairwise"]["f1"], r["bcubed"]["precision"], r["bcubed"]["recall"],
        r["bcubed"]["f1"], f'{round(b["recall"] * b["labelled"])}/{b["labelled"]}'
        if b["labelled"] else "0/0", b["precision"], b["extra_alarms"],
        "-" if lat is None else f"{lat:.1f}",
    ]


head = ["window", "articles", "pair F1", "B3 P", "B3 R", "B3 F1", "brk hit", "brk P", "extra", "lat min"]
print(("{:<24}" + "{:>9}" * (len(head) - 1)).format(*head))
for name, r in rows:
    c = cells(r)
    print(("{:<24}{:>9}" + "{:>9.4f}" * 4 + "{:>9}{:>9}{:>9}{:>9}").format(
        name.removeprefix("events-").removesuffix(".json"), *c[:6],
        "-" if c[6] is None else f"{c[6]:.2f}", *c[7:]))
mean = lambda k, f: statistics.mean(f(r) for _, r in rows)
print(("{:<24}{:>9}" + "{:>9.4f}" * 4).format(
    "mean", "", mean(0, lambda r: r["pairwise"]["f1"]), mean(0, lambda r: r["bcubed"]["precision"]),
    mean(0, lambda r: r["bcubed"]["recall"]), mean(0, lambda r: r["bcubed"]["f1"])))
PY
