#!/usr/bin/env python3
"""Times trafilatura.extract over the scrapinghub pages, the way extract_throughput
times ajil: pages decompressed into memory first, only extraction timed, the whole set
run PASSES times, median pass reported.

usage: trafilatura_extract.py PAGES_DIR PASSES OUT.jsonl
prints: "<pages/s> <MB/s>" of the median pass on stdout
"""
import glob, gzip, json, os, statistics, sys, time

import trafilatura


def main():
    pages_dir, passes, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    paths = sorted(glob.glob(os.path.join(pages_dir, "*.html.gz")))
    pages = [(p, gzip.open(p).read()) for p in paths]
    size = sum(len(b) for _, b in pages)
    texts, times = [], []
    for n in range(passes):
        started = time.perf_counter()
        # Bytes, not str: trafilatura sniffs the charset itself, as ajil does.
        got = [trafilatura.extract(b, include_comments=False) or "" for _, b in pages]
        times.append(time.perf_counter() - started)
        if n == 0:
            texts = got
    with open(out, "w", encoding="utf-8") as f:
        for (p, _), t in zip(pages, texts):
            f.write(json.dumps({"path": p, "text": t}, ensure_ascii=False) + "\n")
    median = statistics.median(times)
    print(f"{len(pages) / median:.1f} {size / 1e6 / median:.2f}")


if __name__ == "__main__":
    main()
