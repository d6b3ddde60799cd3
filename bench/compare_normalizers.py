"""Compare our text stage with two optional libraries on the hand-written corpus.

Run: /work/venv/bin/python bench/compare_normalizers.py
(needs `pip install g2p-hamster vn-numberwords`; a library that is not
installed is reported as skipped). Neither library is a dependency of
broadcaster: this script only measures whether one would read better.

* vn-numberwords: only on corpus lines that are a bare number (2.300, 3,5 …),
  with its southern dictionary.
* g2p-hamster: every line, `normalize(text)["read_string"]`; outputs compared
  after lower-casing and removing punctuation. It reads the northern way
  ("nghìn", "linh", "hai mươi bốn"), so a second score folds those variants
  into the southern ones, and a third also ignores our house style ("phút"
  after minutes, "mùng" before days 1-10, "tháng tư").
"""
from __future__ import annotations

import csv
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from broadcaster.speech.normalize import normalize_text  # noqa: E402

BARE_NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?")
NORTH_TO_SOUTH = [(r"\bnghìn\b", "ngàn"), (r"\blinh\b", "lẻ"), (r"\bmồng\b", "mùng"),
                  (r"\b(mươi) bốn\b", r"\1 tư")]
# House-style choices a listener would accept either way: "phút" after minutes, "mùng".
STYLE = [(r"\bphút\b", ""), (r"\bmùng\b", ""), (r"\btháng bốn\b", "tháng tư")]


def corpus() -> list[tuple[str, str]]:
    with open(REPO / "tests" / "data" / "normalize_corpus.tsv", encoding="utf-8", newline="") as fh:
        return [(a, b) for a, b in list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]]


def plain(text: str) -> str:
    """Lower case, no punctuation, single spaces."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def southern(text: str) -> str:
    for pattern, repl in NORTH_TO_SOUTH:
        text = re.sub(pattern, repl, text)
    return text


def lenient(text: str) -> str:
    text = southern(text)
    for pattern, repl in STYLE:
        text = re.sub(pattern, repl, text)
    return " ".join(text.split())


def score(name: str, rows, reader, fold=False) -> None:
    right = right_folded = right_lenient = errors = 0
    start = time.perf_counter()
    for text, want in rows:
        try:
            got = plain(reader(text))
        except Exception:                       # a library may raise on odd input
            errors += 1
            continue
        right += got == plain(want)
        right_folded += southern(got) == plain(want)
        right_lenient += lenient(got) == lenient(plain(want))
    took = time.perf_counter() - start
    line = f"{name:28s} {right:4d}/{len(rows):<4d} ({right / len(rows):6.1%})"
    if fold:
        line += (f"   dialect-folded {right_folded:4d} ({right_folded / len(rows):6.1%})"
                 f"   + style-folded {right_lenient:4d} ({right_lenient / len(rows):6.1%})")
    line += f"   errors {errors}   {len(rows) / took:,.0f} lines/s"
    print(line)


def main() -> int:
    rows = corpus()
    numbers = [(a, b) for a, b in rows if BARE_NUMBER.fullmatch(a)]
    print(f"corpus: {len(rows)} lines, of which {len(numbers)} bare numbers\n")

    print("Bare numbers:")
    score("broadcaster (ours)", numbers, normalize_text)
    try:
        import vn_numberwords as vnw
    except ImportError:
        print("vn-numberwords               skipped (not installed)")
    else:
        south = vnw.SouthDictionary()
        score("vn-numberwords (south)", numbers,
              lambda t: vnw.vietnamese_string_to_words(t, south))

    print("\nWhole lines:")
    score("broadcaster (ours)", rows, normalize_text)
    try:
        from g2p_hamster.t0.pipeline import normalize as hamster
    except ImportError:
        print("g2p-hamster                  skipped (not installed)")
    else:
        score("g2p-hamster", rows, lambda t: hamster(t)["read_string"], fold=True)
        if len(sys.argv) > 1 and sys.argv[1] == "-v":
            for text, want in rows:
                got = plain(hamster(text)["read_string"])
                if lenient(got) != lenient(plain(want)):
                    print(f"  {text!r}\n    hamster {got!r}\n    want    {plain(want)!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
