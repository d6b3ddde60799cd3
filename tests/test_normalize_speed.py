"""The normaliser's speed devices change nothing that is read (issue 9, part A).

The text stage is made fast by scanning less: `sub_lines` runs a pattern only on the lines
its finder picks, word passes skip the words that cannot change, loan words are found in the
lower-cased text. Each device rests on an assumption about the patterns; these tests check the
assumptions themselves, so a later pattern change that breaks one fails here, not only as a
slow or subtly different reading somewhere else. The speed is measured by
bench/bench_normalize.py (≥ 1 MB of text per second on one core), never here.
"""
from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import pytest

from broadcaster.speech import normalize as N
from broadcaster.speech.norm import codes, dates, foreign, legacy, numbers, symbols, text as T, words

DATA = Path(__file__).parent / "data"
STEP_MODULES = (codes, dates, numbers, symbols, words, foreign)


def _column(name: str, index: int) -> list[str]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return [row[index] for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)][1:]


def corpus_lines() -> list[str]:
    lines = _column("real_notices.tsv", 2) + _column("normalize_corpus.tsv", 0)
    return lines + [x for x in (DATA / "seed_letter.txt").read_text(encoding="utf-8").splitlines() if x.strip()]


def _finder(needles):
    if isinstance(needles, re.Pattern):
        return needles.search
    needles = (needles,) if isinstance(needles, str) else tuple(needles)
    return lambda line: any(n in line for n in needles)


def test_every_finder_finds_every_line_its_patterns_change(monkeypatch):
    """`sub_lines` skips a line its finder does not pick: right only when the sub would leave that line as it is."""
    lost: list[tuple[str, str]] = []
    calls = {"n": 0}
    real = T.subs_lines

    def checking(subs, text, needles):
        holds = _finder(needles)
        result = text
        for line in text.split("\n"):
            if holds(line):
                continue
            for pattern, repl in subs:
                if pattern.sub(repl, line) != line:
                    lost.append((pattern.pattern[:60], line))
        calls["n"] += 1
        return real(subs, result, needles)

    def checking_one(pattern, repl, text, needles):
        return checking(((pattern, repl),), text, needles)

    for module in STEP_MODULES + (T,):
        if hasattr(module, "subs_lines"):
            monkeypatch.setattr(module, "subs_lines", checking)
        if hasattr(module, "sub_lines"):
            monkeypatch.setattr(module, "sub_lines", checking_one)
    lines = corpus_lines()
    for options in (N.NormalizeOptions(), N.NormalizeOptions(dialect="north")):
        N.normalize_text("\n".join(lines), options)
    assert calls["n"] > 100
    assert lost == []


@pytest.mark.parametrize("text", [
    "a\nb 12/3\n\nc 4/5 và 6/7\n8/9",
    "12/3",
    "không có gì",
    "\n\n1/2\n",
])
def test_sub_lines_is_the_same_as_a_plain_sub(text):
    pattern = re.compile(r"(\d)/(\d)")
    repl = lambda m: f"{m.group(1)} trên {m.group(2)}"   # noqa: E731
    assert T.sub_lines(pattern, repl, text, dates._FIND_DIGIT_SLASH) == pattern.sub(repl, text)
    assert T.sub_lines(pattern, repl, text, "/") == pattern.sub(repl, text)
    two = ((pattern, repl), (re.compile(r"trên"), "TRÊN"))
    assert T.subs_lines(two, text, "/") == re.sub("trên", "TRÊN", pattern.sub(repl, text))


def test_sub_lines_falls_back_when_a_replacement_holds_a_line_end():
    pattern = re.compile(r"/")
    assert T.sub_lines(pattern, "\n", "a/b\nc\nd/e", "/") == "a\nb\nc\nd\ne"


def _cased_letters() -> list[str]:
    return [c for c in map(chr, range(sys.maxunicode + 1)) if c.lower() != c or c.upper() != c]


def test_case_traps_are_every_letter_ignorecase_and_lower_disagree_on():
    """The lower-cased loan-word scan equals the IGNORECASE one except for CASE_TRAPS (and length changes)."""
    key_letters = sorted(set("".join(k.lower() for k in foreign.D.LOANWORDS)))
    single = {c: re.compile(re.escape(c), re.IGNORECASE) for c in key_letters}
    word, letter = re.compile(r"[\w&]"), re.compile(r"[^\W\d_]|&")
    traps = set()
    for x in _cased_letters():
        low = x.lower()
        if len(low) != 1:
            continue                       # the text changes length: the slow way is taken
        if bool(word.match(x)) != bool(word.match(low)) or bool(letter.match(x)) != bool(letter.match(low)):
            traps.add(x)
        for c, pattern in single.items():
            if bool(pattern.fullmatch(x)) != (low == c):
                traps.add(x)
    assert traps <= set(foreign.CASE_TRAPS)


@pytest.mark.parametrize("text", [
    "Cài đặt VNeID trên iOS, tải ở App Store hoặc CH Play",
    "FACEBOOK, facebook và FaceBook; ZALO; Wi-Fi, WIFI, wifi",
    "theo dõi trên YouTube\nvà TikTok\n\nhoặc Zalo",
    "chữ dài ſ và ı: zalo",               # a trap: read the slow way, the same result
    "İstanbul zalo",                      # lower() changes the length
    "không có từ nào",
])
def test_loan_words_read_the_same_both_ways(text):
    slow = foreign._LOANWORDS.sub(lambda m: foreign._LOANWORD_READINGS[m.group(0).lower()], text)
    assert foreign.expand_foreign_words(text) == slow


def test_foreign_words_pass_changes_only_words_that_are_spelled():
    text = "Tin nhắn từ Dawaco\nthanh toan qua app\nkhông có gì"
    plain = foreign._ASCII_WORD.sub(foreign._foreign_no_lexicon, text)
    assert foreign.spell_foreign_words(text) == plain
    assert "Dawaco" not in plain and plain.split("\n")[2] == "không có gì"


def test_capital_words_pass_skips_words_with_one_first_capital():
    text = "Thông Báo của Xã\nNGUYỄN VĂN AN\nXYZ và Tin"
    assert words.expand_capital_words(text) == "Thông Báo của Xã\nnguyễn văn an\ních i dét và Tin"


def test_tidy_punctuation_reads_as_before():
    assert symbols.tidy_punctuation("a ( b ) - c  ,  d / e\tf ,g") == "a, b, c, d e\tf, g"
    assert symbols.tidy_punctuation("x  .  y ;  z !") == "x. y; z!"


@pytest.mark.parametrize("count, limit, expected", [(3, 2, False), (3, 3, True), (0, 1, True), (250, 300, True)])
def test_word_count_stops_at_the_limit(count, limit, expected):
    assert legacy._words_at_most(" ".join(["từ"] * count), limit) is expected


def test_a_text_reads_as_its_lines_one_by_one():
    lines = corpus_lines()[:400]
    whole = N.normalize_text("\n".join(lines)).split("\n")
    assert whole == [N.normalize_text(line) for line in lines]
