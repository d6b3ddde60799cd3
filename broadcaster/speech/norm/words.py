"""Text stage, words: abbreviations, foreign and brand words, words in capitals, and the last net that spells what is left."""
from __future__ import annotations

import re

from broadcaster.speech import vi_data as D
from broadcaster.speech.norm.numbers import read_digits, read_number
from broadcaster.speech.norm.options import DEFAULT_OPTIONS, MAX_CARDINAL_DIGITS, NormalizeOptions
from broadcaster.speech.norm.text import _spell, is_vietnamese_syllable


def _abbreviation_regex(keys, flags=0) -> re.Pattern:
    alts = []
    for key in sorted(keys, key=len, reverse=True):
        pattern = re.escape(key)
        # "TP." keeps its dot only when a word follows on the line (TP. Sóc Trăng);
        # at the end of a sentence the dot is the full stop.
        pattern += r"(?=[ \t]*[^\W\d_])" if key.endswith(".") else r"(?![^\W\d_]|&)"
        alts.append(pattern)
    firsts = {k[0] for k in keys} | ({k[0].swapcase() for k in keys} if flags & re.IGNORECASE else set())
    guard = "[" + "".join(re.escape(c) for c in sorted(firsts)) + "]"
    return re.compile(r"(?<![\w&])(?=" + guard + ")(?:" + "|".join(alts) + ")", flags)


_ABBREVIATIONS = _abbreviation_regex(D.ABBREVIATIONS)
_LOANWORDS = _abbreviation_regex(D.LOANWORDS, re.IGNORECASE)
_AMBIGUOUS_ABBREVIATIONS = frozenset(k for k in D.ABBREVIATIONS if k.isupper() and is_vietnamese_syllable(k))
_WORD = re.compile(r"[^\W\d_]+")


def _is_capital_word(word: str) -> bool:
    return len(word) >= 2 and word.isupper() and word not in D.ABBREVIATIONS


def expand_abbreviations(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Administrative abbreviations and tech words from the tables: UBND, STTTT, TP., 4G, Zalo …"""
    def abbreviation(m: re.Match) -> str:
        key = m.group(0)
        if key in _AMBIGUOUS_ABBREVIATIONS:
            # "CA NHẠC", "TU BỔ" in a line written in capitals are words, not acronyms.
            before = _WORD.findall(m.string[max(0, m.start() - 20):m.start()])
            after = _WORD.findall(m.string[m.end():m.end() + 20])
            neighbours = before[-1:] + after[:1]
            if any(_is_capital_word(w) and is_vietnamese_syllable(w) for w in neighbours):
                return key
        return D.ABBREVIATIONS[key]
    text = _ABBREVIATIONS.sub(abbreviation, text)
    return _LOANWORDS.sub(lambda m: D.LOANWORDS[m.group(0).lower()], text)


_UPPER_CLASS = "".join(re.escape(c) for c in map(chr, range(0x41, 0x1EFA)) if c.isupper())
# Words with at least one capital letter; plain lower-case words never reach the callback.
_CAPITALISED = re.compile(rf"(?<![^\W\d_])[^\W\d_]*?[{_UPPER_CLASS}][^\W\d_]*")
_SINGLE_CONSONANT = re.compile(r"(?<![\w.])([BCDFGHJKLMNPQRSTVWXZĐ])(?![\w])")


def find_unknown_acronyms(text: str) -> list[str]:
    """All-capital tokens that `expand_capital_words` will spell (not words, not in the table)."""
    found = []
    for m in _WORD.finditer(text):
        word = m.group(0)
        if _spelled(word) and word not in found:
            found.append(word)
    return found


def _spelled(word: str) -> bool:
    uppers = sum(1 for c in word if c.isupper())
    if uppers < 2 or not all(c.upper() in D.LETTER_NAMES or not c.isascii() for c in word):
        return False
    if word.isupper() and is_vietnamese_syllable(word):
        return False
    return all(c.upper() in D.LETTER_NAMES for c in word)


def expand_capital_words(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """NGUYỄN VĂN AN -> "nguyễn văn an"; unknown acronyms spelled (XYZ -> "ích i dét"); khu B -> "khu bê"."""
    def word(m: re.Match) -> str:
        token = m.group(0)
        if len(token) < 2 or not any(c.isupper() for c in token):
            return token
        if token.isupper() and is_vietnamese_syllable(token):
            return token.lower()
        if _spelled(token):
            return _spell(token)
        return token
    text = _CAPITALISED.sub(word, text)
    return _SINGLE_CONSONANT.sub(lambda m: D.LETTER_NAMES[m.group(1)], text)


_LEFTOVER_DIGITS = re.compile(r"\d+")
# Linear on purpose: a lazy scan to the first capital, then the rest of the word.
_LEFTOVER_CAPITALS = re.compile(r"(?<![^\W\d_])[^\W\d_]*?[A-Z][^\W\d_]*")


def spell_leftovers(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Last safety net: any digit still there is read, any Latin capital token spelled."""
    if any(c.isdigit() for c in text):
        text = _LEFTOVER_DIGITS.sub(
            lambda m: read_number(m.group(0), options) if len(m.group(0)) <= MAX_CARDINAL_DIGITS
            else read_digits(m.group(0)), text)
    if re.search(r"[A-Z]", text):
        text = _LEFTOVER_CAPITALS.sub(_spell_if_acronym, text)
    return text


def _spell_if_acronym(m: re.Match) -> str:
    token = m.group(0)
    if sum(1 for c in token if "A" <= c <= "Z") >= 2 and token.isascii():
        return _spell(token)
    return token

