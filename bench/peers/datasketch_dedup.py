#!/usr/bin/env python3
"""Near-duplicate pass with datasketch over the articles' own match keys, the peer of
the copy detection inside `ajil replay`.

The keys come from `examples/replay.rs --dump` of ajil-story (ajil-analyze's keys:
normalized, stemmed, title first). Each article's shingles are the ones ajil hashes: the
body keys (the title keys when the body has none) cut into runs of 4 consecutive keys.
ajil combines the runs' per-key xxh3 hashes; here a run is its keys joined by U+001F,
which names the same set (one member per distinct run). Then datasketch
MinHash(num_perm=128, 128 hash functions; ajil uses one-permutation hashing) over the
shingles' UTF-8 bytes (update_batch on a copy of one template MinHash, as
MinHash.generator does: the library's fastest CPU path) and MinHashLSH with ajil's
banding, 32 bands x 4 rows. One article at a time in publication order: drop articles
older than the window (72 h, ajil's story window), query, keep candidates whose
estimated Jaccard is >= 0.5 (ajil's copy threshold), insert.

usage: datasketch_dedup.py KEYS.jsonl OUT.json
prints one JSON object: articles, seconds per stage, near-duplicate pairs, copies
(articles with at least one earlier near-duplicate); OUT.json gets the same plus each
copy's [copy id, most similar earlier id] for comparing with ajil's output.
"""
import json, sys, time
from collections import deque
from datetime import datetime, timedelta

from datasketch import MinHash, MinHashLSH

SHINGLE_LEN = 4
NUM_PERM = 128
BANDS, ROWS = 32, 4
COPY_THRESHOLD = 0.5
WINDOW = timedelta(hours=72)


def shingles(keys):
    """The shingle set of ajil_analyze::shingle_hashes, as bytes, before hashing."""
    if len(keys) < SHINGLE_LEN:
        # A text shorter than a shingle is one shingle of all its words.
        return {"\x1f".join(keys).encode()} if keys else set()
    runs = zip(*(keys[i:] for i in range(SHINGLE_LEN)))
    return {s.encode() for s in map("\x1f".join, runs)}


def main():
    keys_path, out_path = sys.argv[1], sys.argv[2]
    clock = time.perf_counter

    started = clock()
    articles = []
    with open(keys_path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            title = d["title_keys"]
            body = d["keys"][len(title):]
            published = datetime.fromisoformat(d["published"])
            articles.append((d["id"], published, body or title))
    # ajil replays in publication order, ties in file order (a stable sort).
    articles.sort(key=lambda a: a[1])
    load_s = clock() - started

    # One article at a time, as a stream would be processed; clocks per stage.
    shingle_s = minhash_s = lsh_s = 0.0
    template = MinHash(num_perm=NUM_PERM)  # what MinHash.generator copies per item
    lsh = MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS))
    window = deque()  # (published, index) of the articles in the index
    sigs = {}
    pairs = 0
    copies = []
    for i, (ident, published, keys) in enumerate(articles):
        t0 = clock()
        shingle_set = shingles(keys)
        t1 = clock()
        m = template.copy()
        m.update_batch(shingle_set)
        t2 = clock()
        shingle_s += t1 - t0
        minhash_s += t2 - t1
        if not shingle_set:
            continue  # no text, no fingerprint: resembles nothing, as in ajil
        cutoff = published - WINDOW
        while window and window[0][0] < cutoff:
            gone = window.popleft()[1]
            lsh.remove(gone)
            del sigs[gone]
        best = None
        for j in lsh.query(m):
            sim = m.jaccard(sigs[j])
            if sim >= COPY_THRESHOLD:
                pairs += 1
                if best is None or sim > best[0] or (sim == best[0] and j < best[1]):
                    best = (sim, j)
        if best is not None:
            copies.append([ident, articles[best[1]][0]])
        lsh.insert(i, m)
        sigs[i] = m
        window.append((published, i))
        lsh_s += clock() - t2

    result = {
        "articles": len(articles),
        "load_s": round(load_s, 3),
        "shingle_s": round(shingle_s, 3),
        "minhash_s": round(minhash_s, 3),
        "lsh_s": round(lsh_s, 3),
        "pass_s": round(shingle_s + minhash_s + lsh_s, 3),
        "total_s": round(load_s + shingle_s + minhash_s + lsh_s, 3),
        "pairs": pairs,
        "copies": len(copies),
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({**result, "copy_pairs": copies}, f, ensure_ascii=False)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
