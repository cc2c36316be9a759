#!/usr/bin/env python3
"""Writes a two-script version of the Arabic stream: every third article with its
title, summary and text written in Latin letters (a letter-by-letter romanization,
not a translation), under its outlet's name with "-en" and `"lang": "en"`.

It stands in for a multilingual stream, which the repo has no data for: replaying it
exercises ajil's joining across scripts (sound keys) on real happenings at full
volume, and the labelled windows still score it (ids are kept). Romanized text keeps
every name's consonants, so it is an easier case for names than a real translation,
and a harder one for everything else (no shared word at all).

    bench/stories/romanize.py STREAM.jsonl.gz OUT.jsonl.gz
"""
import gzip
import json
import sys

LETTERS = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "j",
    "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh",
    "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "a", "غ": "gh", "ف": "f", "ق": "q",
    "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ة": "a", "و": "u", "ي": "i",
    "ى": "a", "ء": "", "ئ": "i", "ؤ": "u",
}


def romanize(text):
    return "".join(LETTERS.get(c, c) for c in text)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with gzip.open(sys.argv[1], "rt", encoding="utf-8") as src, gzip.open(
        sys.argv[2], "wt", encoding="utf-8"
    ) as out:
        for i, line in enumerate(src):
            record = json.loads(line)
            if i % 3 == 0:
                for field in ("title", "text", "summary"):
                    if record.get(field):
                        record[field] = romanize(record[field])
                record["source"] += "-en"
                record["lang"] = "en"
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
