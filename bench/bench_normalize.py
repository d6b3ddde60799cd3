"""Benchmark of the text stage: corpus lines normalised per second on one core.

Run: /work/venv/bin/python bench/bench_normalize.py   (target ≥ 1,000 lines/s)
"""
from __future__ import annotations

import csv
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from broadcaster.speech.normalize import normalize_text  # noqa: E402

TARGET_LINES_PER_SECOND = 1000


def corpus() -> list[str]:
    with open(REPO / "tests" / "data" / "normalize_corpus.tsv", encoding="utf-8", newline="") as fh:
        return [row[0] for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)][1:]


def main() -> int:
    lines = corpus()
    for line in lines:                      # warm up regex caches
        normalize_text(line)
    rates = []
    for _ in range(5):
        start = time.perf_counter()
        for line in lines:
            normalize_text(line)
        rates.append(len(lines) / (time.perf_counter() - start))
    seed = (REPO / "tests" / "data" / "seed_letter.txt").read_text(encoding="utf-8")
    start = time.perf_counter()
    normalize_text(seed)
    seed_ms = (time.perf_counter() - start) * 1000
    big = (seed.replace("\n", " ") * 400)[:1_000_000]
    start = time.perf_counter()
    normalize_text(big)
    big_s = time.perf_counter() - start
    best, median = max(rates), statistics.median(rates)
    print(f"corpus lines           : {len(lines)}")
    print(f"lines per second       : median {median:,.0f}, best {best:,.0f} (target {TARGET_LINES_PER_SECOND:,})")
    print(f"seed letter ({len(seed):,} chars): {seed_ms:.1f} ms")
    print(f"1 MB on one line       : {big_s:.2f} s")
    return 0 if median >= TARGET_LINES_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main())
