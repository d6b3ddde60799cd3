"""Benchmark of the text stage: throughput of the normaliser on real notice sentences, against the main branch.

Measures, in the same run and on the same 20,000-line file of real sentences
(built from tests/data/real_notices.tsv, normalize_corpus.tsv and the seed letter,
every line made different by a numbered prefix so nothing is served from a cache):

* characters per second through ``broadcaster normalize -`` (a subprocess, stdin
  to stdout, as staff use it), for this tree and for the earlier tree;
* characters and bytes per second of the library call ``normalize_text`` on one
  core (CPU time of the process), for both trees; the target is ≥ 1 MB/s;
* lines per second on the hand-written corpus (target ≥ 1,000 lines/s).

The earlier tree is BENCH_OLD_TREE, or /work/main when it exists, or ``git archive
main`` of this repository in a temporary folder. Timings are CPU seconds where the
process can report them, so other work on the machine disturbs them less.

Run: python bench/bench_normalize.py
"""
from __future__ import annotations

import csv
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from broadcaster.speech.normalize import normalize_text  # noqa: E402

TARGET_LINES_PER_SECOND = 1000
TARGET_BYTES_PER_SECOND = 1_000_000
FILE_LINES = 20_000

# Runs inside a subprocess with the tree to measure first on sys.path; prints "cpu_seconds".
LIBRARY_PROBE = """
import sys, time
sys.path.insert(0, sys.argv[1])
from broadcaster.speech.normalize import normalize_text
text = open(sys.argv[2], encoding="utf-8").read()
normalize_text(text[:20000])
start = time.process_time()
normalize_text(text)
print(time.process_time() - start)
"""
CLI_PROBE = "import sys; sys.path.insert(0, sys.argv.pop(1)); from broadcaster.cli import main; sys.exit(main())"


def _column(path: Path, index: int) -> list[str]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [row[index] for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)][1:]


def sentences() -> list[str]:
    data = REPO / "tests" / "data"
    lines = _column(data / "real_notices.tsv", 2) + _column(data / "normalize_corpus.tsv", 0)
    lines += [line for line in (data / "seed_letter.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines


def build_file(path: Path) -> str:
    """FILE_LINES lines of real sentences, each one made unique by its number."""
    base = sentences()
    text = "\n".join(f"Tin số {i + 1}: {base[i % len(base)]}" for i in range(FILE_LINES)) + "\n"
    path.write_text(text, encoding="utf-8")
    return text


def old_tree(tmp: Path) -> Path | None:
    """The earlier code to compare with, or None when there is none."""
    env = os.environ.get("BENCH_OLD_TREE")
    if env:
        return Path(env)
    if (Path("/work/main") / "broadcaster").is_dir():
        return Path("/work/main")
    archive = tmp / "main.tar"
    done = subprocess.run(["git", "-C", str(REPO), "archive", "-o", str(archive), "main"], capture_output=True)
    if done.returncode != 0:
        return None
    target = tmp / "main"
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target


def cli_seconds(tree: Path, file: Path, workdir: Path) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of `broadcaster normalize -` on the file, run from a folder with no project."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(file, "rb") as stdin:
        done = subprocess.run([sys.executable, "-c", CLI_PROBE, str(tree), "normalize", "-"], stdin=stdin,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=workdir)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"normalize failed in {tree}")
    lines_out = done.stdout.count(b"\n")
    if lines_out != FILE_LINES:
        raise RuntimeError(f"{tree}: {lines_out} lines out for {FILE_LINES} in")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def library_seconds(tree: Path, file: Path) -> float:
    done = subprocess.run([sys.executable, "-c", LIBRARY_PROBE, str(tree), str(file)],
                          capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def corpus_lines_per_second() -> float:
    lines = _column(REPO / "tests" / "data" / "normalize_corpus.tsv", 0)
    for line in lines:
        normalize_text(line)
    rates = []
    for _ in range(3):
        start = time.process_time()
        for line in lines:
            normalize_text(line)
        rates.append(len(lines) / (time.process_time() - start))
    return statistics.median(rates)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        file = tmp / "notices.txt"
        text = build_file(file)
        chars, size = len(text), len(text.encode("utf-8"))
        old = old_tree(tmp)
        print(f"file: {FILE_LINES:,} lines, {chars:,} characters, {size / 1e6:.2f} MB (UTF-8)")
        rows = []
        for name, tree in (("this tree", REPO), ("earlier (main)", old)):
            if tree is None:
                print(f"{name}: not available")
                continue
            lib = library_seconds(tree, file)
            cpu, wall = cli_seconds(tree, file, tmp)
            rows.append((name, lib, cpu, wall))
            print(f"{name:15s} library: {chars / lib:12,.0f} chars/s = {size / lib / 1e6:5.2f} MB/s   "
                  f"normalize -: {chars / cpu:12,.0f} chars/s CPU ({chars / wall:,.0f} chars/s wall)")
        if len(rows) == 2:
            (_, lib_new, cpu_new, _), (_, lib_old, cpu_old, _) = rows
            print(f"speed-up: library ×{lib_old / lib_new:.2f}, normalize - ×{cpu_old / cpu_new:.2f}")
        rate = corpus_lines_per_second()
        print(f"corpus lines per second (this tree): {rate:,.0f} (target {TARGET_LINES_PER_SECOND:,})")
        library_rate = size / rows[0][1]
        print(f"library target {TARGET_BYTES_PER_SECOND / 1e6:.0f} MB/s: "
              f"{'met' if library_rate >= TARGET_BYTES_PER_SECOND else 'NOT met'} ({library_rate / 1e6:.2f} MB/s)")
        return 0 if rate >= TARGET_LINES_PER_SECOND and library_rate >= TARGET_BYTES_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main())
