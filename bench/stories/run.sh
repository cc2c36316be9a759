#!/usr/bin/env bash
# Stories benchmark: `ajil replay` (read, analyze, cluster, breaking, write) beside a
# Python datasketch MinHashLSH near-duplicate pass over the same 31,525 articles and
# the same shingles, in one run, each process alone on one core.
#
#   bench/stories/run.sh [--runs N] [--cpu N]
#
# Contenders, one after another in each round, pinned with `taskset -c $CPU` (default 1);
# the round repeats --runs times (default 3) so that a change in machine load hits both:
#   ajil        ajil replay STREAM --out stories.jsonl --lang ar --threads 1
#   ajil, two   the same with --threads 2, unpinned (both cores), reported apart: datasketch
#               runs on one thread, so only the one-core rows compare like with like
#   datasketch  bench/peers/datasketch_dedup.py: MinHash(num_perm=128) + MinHashLSH
#               params=(32, 4), Jaccard >= 0.5, 72 h window, over ajil's own keys
# The keys (ajil-analyze's normalized, stemmed tokens) come from one run of ajil-story's
# `examples/replay.rs --dump` before the rounds; that step is timed and reported but
# not counted against datasketch. datasketch comes from PyPI into the venv $BENCH_VENV
# (default /var/tmp/ajil-stories-venv) on first use.
#
# Run from the repo root or anywhere; ../shared must sit beside the repo (or set
# AJIL_SHARED). Raw outputs land in $BENCH_OUT/stories (default /var/tmp/ajil-bench).
set -euo pipefail

cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/ajil-target}"
DATA="${AJIL_SHARED:-../shared}/data/arabic-news/ant-multisource.jsonl.gz"
OUT="${BENCH_OUT:-/var/tmp/ajil-bench}/stories"
VENV="${BENCH_VENV:-/var/tmp/ajil-stories-venv}"
RUNS=3
CPU=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --cpu) CPU="$2"; shift 2 ;;
        *) echo "bench/stories: unknown option $1 (known: --runs N, --cpu N)" >&2; exit 2 ;;
    esac
done
[[ -e "$DATA" ]] || { echo "bench/stories: $DATA is missing: put shared/ beside the repo or set AJIL_SHARED" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "bench/stories: needs GNU time (/usr/bin/time): apt-get install time" >&2; exit 1; }
mkdir -p "$OUT"
PIN=()
if command -v taskset >/dev/null && [[ "$(nproc --all)" -gt "$CPU" ]]; then
    PIN=(taskset -c "$CPU")
else
    echo "bench/stories: no taskset or no cpu $CPU: running unpinned" >&2
fi

# Which code was measured: the commit, and whether crates/ differed from it.
REVISION="${AJIL_REVISION:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}"
if [[ -z "${AJIL_REVISION:-}" && -n "$(git status --porcelain -- crates 2>/dev/null)" ]]; then
    REVISION="$REVISION + uncommitted edits in crates/"
fi

DATASKETCH_VERSION=2.0.0
if ! "$VENV/bin/python" -c "import datasketch" 2>/dev/null; then
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install -q "datasketch==$DATASKETCH_VERSION" "numpy==2.4.6" "scipy==1.17.1" >&2
fi

echo "building ajil and ajil-story's replay example (release) ..." >&2
cargo build --release -q -p ajil >&2
cargo build --release -q -p ajil-story --example replay >&2
AJIL="$CARGO_TARGET_DIR/release/ajil"

# Runs "$@" pinned under GNU time: "<wall s> <user s> <peak RSS KiB>" into $OUT/<name>.time.
measured() {
    local name="$1"; shift
    /usr/bin/time -f "%e %U %M" -o "$OUT/$name.time" ${PIN[@]+"${PIN[@]}"} "$@"
}

echo "dumping every article's keys (ajil-story examples/replay.rs --dump) ..." >&2
measured dump "$CARGO_TARGET_DIR/release/examples/replay" --data "$DATA" --limit 100000000 \
    --dump "$OUT/keys.jsonl" >"$OUT/dump.log"

for run in $(seq 1 "$RUNS"); do
    echo "round $run/$RUNS: ajil replay ..." >&2
    measured "ajil.$run" "$AJIL" replay "$DATA" --out "$OUT/stories.jsonl" --lang ar --threads 1 \
        >"$OUT/ajil.$run.log"
    if [[ "$(nproc)" -ge 2 ]]; then
        echo "round $run/$RUNS: ajil replay, two threads on both cores ..." >&2
        /usr/bin/time -f "%e %U %M" -o "$OUT/ajil2.$run.time" "$AJIL" replay "$DATA" \
            --out "$OUT/stories2.jsonl" --lang ar --threads 2 >"$OUT/ajil2.$run.log"
    fi
    echo "round $run/$RUNS: datasketch ..." >&2
    measured "datasketch.$run" "$VENV/bin/python" bench/peers/datasketch_dedup.py \
        "$OUT/keys.jsonl" "$OUT/datasketch.$run.json" >"$OUT/datasketch.$run.log"
done

echo
echo "at $REVISION, datasketch $DATASKETCH_VERSION, $(nproc) cores, each contender alone on cpu $CPU, $RUNS rounds"
"$VENV/bin/python" - "$OUT" "$RUNS" <<'PY'
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
med = statistics.median


def timed(name):
    wall, user, rss = open(f"{out}/{name}.time").read().split()[-3:]
    return float(wall), float(user), int(rss) / 1024


ajil = [timed(f"ajil.{r}") for r in range(1, runs + 1)]
ds = [json.load(open(f"{out}/datasketch.{r}.json")) for r in range(1, runs + 1)]
ds_proc = [timed(f"datasketch.{r}") for r in range(1, runs + 1)]
n = ds[0]["articles"]
dump_wall, dump_user, dump_rss = timed("dump")

fmt = lambda xs: " / ".join(f"{x:.2f}" for x in xs)
print(f"articles {n}")
print(f"{'contender':<34}{'seconds (runs)':>26}{'median s':>10}{'articles/s':>12}")
rows = [
    ("ajil replay --threads 1 (wall)", [a[0] for a in ajil]),
    ("datasketch: load keys + pass", [d["total_s"] for d in ds]),
    ("datasketch: pass (no load)", [d["pass_s"] for d in ds]),
    ("  shingles", [d["shingle_s"] for d in ds]),
    ("  MinHash (update_batch)", [d["minhash_s"] for d in ds]),
    ("  LSH query + verify + insert", [d["lsh_s"] for d in ds]),
    ("  load keys.jsonl", [d["load_s"] for d in ds]),
    ("datasketch process (wall)", [p[0] for p in ds_proc]),
    ("ajil replay (user CPU)", [a[1] for a in ajil]),
    ("datasketch process (user CPU)", [p[1] for p in ds_proc]),
]
for label, xs in rows:
    print(f"{label:<34}{fmt(xs):>26}{med(xs):>10.2f}{n / med(xs):>12.0f}")
print(f"keys dump (examples/replay.rs, analysis + its own clustering): {dump_wall:.2f} s wall, once")
print(f"peak RSS MiB (median): ajil {med(a[2] for a in ajil):.0f}, datasketch {med(p[2] for p in ds_proc):.0f}")
# Ratios within each round, where load drift cancels best; medians over rounds.
r_total = [d["total_s"] / a[0] for a, d in zip(ajil, ds)]
r_pass = [d["pass_s"] / a[0] for a, d in zip(ajil, ds)]
r_proc = [p[0] / a[0] for a, p in zip(ajil, ds_proc)]
print(f"ajil is {med(r_total):.1f}x datasketch load + pass (rounds {fmt(r_total)}), "
      f"{med(r_pass):.1f}x its pass alone ({fmt(r_pass)}), {med(r_proc):.1f}x its whole process ({fmt(r_proc)})")
r_cpu = [p[1] / a[1] for a, p in zip(ajil, ds_proc)]
print(f"in user CPU seconds (less hurt by waiting for the core), whole process: {med(r_cpu):.1f}x ({fmt(r_cpu)})")

# Two threads on both cores: not like for like (datasketch has one thread), shown apart.
import os
if all(os.path.exists(f"{out}/ajil2.{r}.time") for r in range(1, runs + 1)):
    two = [timed(f"ajil2.{r}") for r in range(1, runs + 1)]
    r_two = [d["total_s"] / a[0] for a, d in zip(two, ds)]
    same = open(f"{out}/stories2.jsonl").read() == open(f"{out}/stories.jsonl").read()
    print(f"ajil replay --threads 2, both cores (wall): {fmt([a[0] for a in two])}, median "
          f"{med(a[0] for a in two):.2f} s, {n / med(a[0] for a in two):.0f} articles/s, "
          f"peak RSS {med(a[2] for a in two):.0f} MiB; stories {'identical to' if same else 'DIFFERENT from'} one thread's")
    print(f"  = {med(r_two):.1f}x datasketch load + pass on its one core ({fmt(r_two)}): not like for like")

# Sanity check: the copies each side found.
ajil_copies = {}
for line in open(f"{out}/stories.jsonl"):
    for copy, original in json.loads(line)["copies"]:
        ajil_copies[str(copy)] = str(original)
ds_copies = {c: o for c, o in ds[-1]["copy_pairs"]}
both = ajil_copies.keys() & ds_copies.keys()
same = sum(ajil_copies[c] == ds_copies[c] for c in both)
print(f"copies: ajil {len(ajil_copies)}, datasketch {len(ds_copies)} (near-duplicate pairs {ds[-1]['pairs']}); "
      f"both {len(both)} (same original {same}), ajil only {len(ajil_copies) - len(both)}, "
      f"datasketch only {len(ds_copies) - len(both)}")
PY
