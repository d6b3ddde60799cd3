"""Text stage, foreign words: brand, app and loan words read from the shipped table, and any other Latin word spelled and reported.

The table is speech/data/loanwords.tsv (VNeID, App Store, CH Play, Facebook,
Hexaxim …), matched whole-word in any case. A Latin word in no table and in no
reading is read as Vietnamese syllables when it splits into a few ("vitamin" ->
"vi ta min"), else spelled letter by letter; either way it is reported so that
staff can put the right reading in lexicon.yaml.
"""
from __future__ import annotations

import functools
import re

from broadcaster.speech import vi_data as D
from broadcaster.speech.norm.options import DEFAULT_OPTIONS, NormalizeOptions, report
from broadcaster.speech.norm.text import (
    _segment_ascii, _spell, distinct_tokens, is_vietnamese_syllable, phrase_regex, sub_lines,
)


def _end_guard(key: str) -> str:
    return r"(?![^\W\d_]|&)"


_LOANWORDS = phrase_regex([k.lower() for k in D.LOANWORDS], _end_guard, re.IGNORECASE)
_LOANWORD_READINGS = {k.lower(): v for k, v in D.LOANWORDS.items()}
# The same keys matched case-sensitively in the lower-cased text: the same places, found by a
# scan several times faster (an IGNORECASE pattern cannot skip to the letters a key starts with).
_LOANWORDS_IN_LOWER = phrase_regex([k.lower() for k in D.LOANWORDS], _end_guard)
# Letters that IGNORECASE matches with a letter of a key although str.lower() does not turn
# them into it (dotted and dotless i, long s): a text holding one is read the slow way.
# tests/test_normalize_speed.py checks this list against every cased letter.
CASE_TRAPS = "İıſ"
_FIND_CASE_TRAP = re.compile(f"[{CASE_TRAPS}]")


def expand_foreign_words(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Brand, app and loan words from the table: VNeID, App Store, CH Play, Zalo, Hexaxim, Wi-Fi …"""
    low = text.lower()
    if len(low) != len(text) or _FIND_CASE_TRAP.search(text):
        return _LOANWORDS.sub(lambda m: _LOANWORD_READINGS[m.group(0).lower()], text)
    parts: list[str] = []
    last = 0
    for m in _LOANWORDS_IN_LOWER.finditer(low):
        parts += (text[last:m.start()], _LOANWORD_READINGS[m.group(0)])
        last = m.end()
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


# Words made only of Latin letters without Vietnamese marks (two or more). The first letter comes
# before the "starts a word" look-behind so that the regex engine skips fast to a Latin letter.
_ASCII_WORD = re.compile(r"[A-Za-z](?<![^\W\d_].)[A-Za-z]+(?![^\W\d_])")


@functools.lru_cache(maxsize=1)
def _reading_words() -> frozenset[str]:
    """Every word the tables read something as: these are never spelled again."""
    words: set[str] = set()
    for table in (D.ABBREVIATIONS, D.LOANWORDS, D.UNITS, D.URL_WORDS, D.LETTER_NAMES, D.SYMBOLS, D.CURRENCIES):
        for reading in table.values():
            words.update(reading.casefold().split())
    return frozenset(w for w in words if w.isascii())


@functools.lru_cache(maxsize=8)
def _lexicon_words(readings: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for r in readings for w in r.casefold().split())


def _is_foreign(word: str, options: NormalizeOptions) -> bool:
    """A Latin word that is no Vietnamese syllable and no reading of ours: it will be spelled."""
    low = word.casefold()
    if is_vietnamese_syllable(word) or low in _reading_words():
        return False
    return not (options.lexicon and low in _lexicon_words(tuple(options.lexicon.values())))


def spell_foreign_words(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """A Latin word in no table: read as syllables when it splits into a few, else spelled; reported either way."""
    if not options.lexicon:
        # Most Latin words are Vietnamese syllables written without marks and stay as written:
        # find the few distinct words that change (in the distinct tokens, a shorter text with
        # the same words), then read only the lines that hold one of them as a whole word.
        found = _ASCII_WORD.findall(distinct_tokens(text))
        changing = tuple(sorted(w for w in set(found) if _reading_without_lexicon(w) is not None))
        if not changing:
            return text
        return sub_lines(_ASCII_WORD, _foreign_no_lexicon, text, _whole_word_finder(changing))
    return _ASCII_WORD.sub(lambda m: _foreign(m, options), text)


@functools.lru_cache(maxsize=128)
def _whole_word_finder(words: tuple[str, ...]) -> re.Pattern:
    """Finds any of `words` with no letter right before or after it (first letter first: a fast scan)."""
    return re.compile("(?:" + "|".join(re.escape(w[0]) + r"(?<![^\W\d_].)" + re.escape(w[1:])
                                       for w in sorted(words, key=len, reverse=True)) + r")(?![^\W\d_])")


def _foreign_no_lexicon(m: re.Match) -> str:
    token = m.group(0)
    reading = _reading_without_lexicon(token)
    if reading is None:
        return token
    report("latin", token, reading)
    return reading


@functools.lru_cache(maxsize=8192)
def _reading_without_lexicon(token: str) -> str | None:
    """What `_foreign` reads `token` as when there is no staff lexicon (None: left as written)."""
    if not _is_foreign(token, DEFAULT_OPTIONS):
        return None
    syllables = _segment_ascii(token.lower()) if not token.isupper() else None
    return " ".join(syllables) if syllables and len(syllables) <= 4 else _spell(token)


def _foreign(m: re.Match, options: NormalizeOptions) -> str:
    """A foreign word in no table: read as Vietnamese syllables when it splits into a few
    (vitamin -> "vi ta min"), else spelled; either way reported as uncertain."""
    token = m.group(0)
    if not _is_foreign(token, options):
        return token
    syllables = _segment_ascii(token.lower()) if not token.isupper() else None
    reading = " ".join(syllables) if syllables and len(syllables) <= 4 else _spell(token)
    report("latin", token, reading)
    return reading
