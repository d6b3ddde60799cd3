"""Real published notices read as an announcer reads them (tests/data/real_notices.tsv).

Each line of the corpus is a sentence taken from a real published notice
(UBND notices, dengue and vaccination bulletins, conscription, elections, storm
warnings, power and water cuts, citizen-reception calendars, scam warnings),
with its source address, the dialect whose number words the reading uses
("south": ngàn, lẻ, hai mươi tư, mùng; "north": nghìn, linh, hai mươi bốn,
mồng) and the spoken form written by hand. Several acceptable readings are
separated by " || ". Words are compared, not pauses: case, spacing and the
marks , ; : . ? ! are ignored. At least 98 % of the lines must be fully right.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

from broadcaster.speech.normalize import NormalizeOptions, normalize_text

CORPUS = Path(__file__).parent / "data" / "real_notices.tsv"
_MARKS = re.compile(r"[,;:.!?]")
OPTIONS = {"south": NormalizeOptions(dialect="south"), "north": NormalizeOptions(dialect="north")}


def words(text: str) -> str:
    """The words of a reading: lower case, pacing marks and extra spaces dropped."""
    return " ".join(_MARKS.sub(" ", text).casefold().split())


def load() -> list[tuple[str, str, str, list[str]]]:
    with open(CORPUS, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == ["source", "dialect", "text", "spoken"]
    return [(src, dialect, text, spoken.split(" || ")) for src, dialect, text, spoken in rows[1:]]


def failures(rows) -> list[tuple[str, str, list[str]]]:
    bad = []
    for _src, dialect, text, readings in rows:
        got = normalize_text(text, OPTIONS[dialect])
        if words(got) not in {words(r) for r in readings}:
            bad.append((text, got, readings))
    return bad


def test_corpus_shape():
    raw = CORPUS.read_text(encoding="utf-8")
    assert raw == unicodedata.normalize("NFC", raw)
    rows = load()
    assert len(rows) >= 300
    assert len({text for _, _, text, _ in rows}) == len(rows), "duplicate lines"
    for src, dialect, text, readings in rows:
        assert src.startswith(("http://", "https://")), src
        assert dialect in OPTIONS, dialect
        assert text.strip() and all(r.strip() for r in readings), text
        for reading in readings:
            assert not re.search(r"[0-9]", reading), reading


def test_real_notices_are_read_right():
    rows = load()
    bad = failures(rows)
    for text, got, want in bad:
        print(f"FAIL {text}\n   got  {got}\n   want {want[0]}")
    rate = 1 - len(bad) / len(rows)
    print(f"real notices: {len(rows)} lines, {len(rows) - len(bad)} right, {rate:.1%}")
    assert rate >= 0.98
