"""Text stage, words: abbreviations (with context for the ambiguous ones), words in capitals, and the last net that spells what is left.

The tables are data (speech/data/abbreviations.tsv, loanwords.tsv); this module
decides which reading fits where: ``TT`` is "thông tư" before a number,
"trung tâm" before an agency, "thị trấn" before a place name; ``CT.08`` is a
road; ``H.Châu Phú`` is a district but ``anh H.`` is a person's initial; an
acronym in brackets right after its own expansion — ``Ủy ban nhân dân (UBND)``
— is read once. Foreign and brand words are in `norm.foreign`.
"""
from __future__ import annotations

import re

from broadcaster.speech import vi_data as D
from broadcaster.speech.norm.numbers import read_digits, read_number
from broadcaster.speech.norm.options import DEFAULT_OPTIONS, MAX_CARDINAL_DIGITS, NormalizeOptions, report
from broadcaster.speech.norm.text import (
    _next_word, _previous_word, _spell, has_digit, is_vietnamese_syllable, phrase_regex, sub_lines, window_before,
)


def _end_guard(key: str) -> str:
    # "TP." keeps its dot only when a word follows on the line (TP. Sóc Trăng);
    # at the end of a sentence the dot is the full stop.
    return r"(?=[ \t]*[^\W\d_])" if key.endswith(".") else r"(?![^\W\d_]|&)"


_ABBREVIATIONS = phrase_regex(D.ABBREVIATIONS, _end_guard)
_AMBIGUOUS_ABBREVIATIONS = frozenset(k for k in D.ABBREVIATIONS if k.isupper() and is_vietnamese_syllable(k))
_WORD = re.compile(r"[^\W\d_]+")

# Words that follow "TT" when it means a centre (trung tâm y tế, trung tâm văn hóa …).
_CENTRE_WORDS = frozenset((
    "y", "văn", "dịch", "phục", "giáo", "bồi", "kiểm", "chính", "hành", "truyền", "khuyến", "nước",
    "công", "thương", "xúc", "ứng", "điều", "giám", "dạy", "trợ", "pháp", "quản", "phát", "đăng",
    "dân", "hội", "thể", "huấn", "cai", "bảo", "nghiên", "kỹ", "tin", "lưu", "chăm", "gdnn", "vh",
    "yt", "hcc", "ttđt",
))
_TITLES = frozenset(("anh", "chị", "ông", "bà", "em", "cháu", "cô", "chú", "bác", "cụ", "đồng", "chí", "bạn"))


def _context_reading(key: str, text: str, start: int, end: int) -> str | None:
    """The reading of an ambiguous abbreviation from its neighbours, or None for the table's."""
    after = text[end:end + 12]
    if key == "TT":
        if re.match(r"[ \t]*(?:số[ \t]*)?\d", after):
            return "thông tư"
        nxt = _next_word(text, end)
        if nxt in _CENTRE_WORDS:
            return "trung tâm"
        m = re.match(r"[ \t]*([^\W\d_]+)", after)
        if m and m.group(1)[0].isupper() and is_vietnamese_syllable(m.group(1)):
            return "thị trấn"
    elif key == "CT":
        if re.match(r"[ \t]*(?:số[ \t]*)?\d", after):
            return "chỉ thị"
    elif key == "ĐT":
        if re.match(r"[ \t.]*\d", after):
            return "đường tỉnh"
    elif key == "CĐ":
        near = {_previous_word(text, start), _next_word(text, end)}
        window = window_before(text, start, 12) + text[end:end + 12].split("\n", 1)[0]
        if near & {"thi", "trường", "học", "sinh", "đại", "tuyển"} or "ĐH" in window or "đại học" in window.lower():
            return "cao đẳng"
    elif key == "TP":
        if _previous_word(text, start) in ("chống", "phạm", "loại", "các"):
            return "tội phạm"
    elif key == "SN":
        if re.match(r"[ \t:]*(?:19|20)\d\d(?!\d)", after):
            return "sinh năm"
    return None


_CONTEXT_KEYS = frozenset(("TT", "CT", "ĐT", "CĐ", "TP", "SN"))

# Place prefixes written with a dot: TP.Cần Thơ, Tp. Huế, TX. Vĩnh Châu, TT. Mỹ Xuyên,
# H.Châu Phú, X. Hòa Tú, Q.3, P.7. A single letter after a title word is an initial (anh H.).
_PLACE_PREFIX = re.compile(r"(?=[THXQP])(?<![\w.])(TP|Tp|TX|Tx|TT|H|X|Q|P)\.[ \t]?(?=[^\W_])")
_FIND_PLACE_PREFIX = re.compile(r"[PpXxTHQ]\.")
_PLACE_READINGS = {"TP": "thành phố", "Tp": "thành phố", "TX": "thị xã", "Tx": "thị xã", "TT": "thị trấn",
                   "H": "huyện", "X": "xã", "Q": "quận", "P": "phường"}
_INITIAL_AFTER = re.compile(r"[ \t]?[A-ZĐ]\.")


def _place_prefix(m: re.Match) -> str:
    key = m.group(1)
    text = m.string
    if len(key) == 1:
        if _previous_word(text, m.start()) in _TITLES or _INITIAL_AFTER.match(text, m.start() + 2):
            return m.group(0)
        rest = text[m.end():m.end() + 30]
        word = re.match(r"[^\W\d_]+", rest)
        if not (rest[:1].isdigit() or (word and word.group(0)[0].isupper() and is_vietnamese_syllable(word.group(0)))):
            return m.group(0)
    return _PLACE_READINGS[key] + " "


# An acronym in brackets after its own expansion: "Ủy ban nhân dân (UBND)", "(PCCC và CNCH)".
_BRACKETED = re.compile(r"[ \t]*\(([^()\n]{2,40})\)")
_BRACKET_JOINERS = re.compile(r"[ \t]*(?:&|và|,|-)[ \t]*")
_PLAIN = re.compile(r"[,;:.\-–—&()]")


def _plain_words(text: str) -> list[str]:
    """Words to compare an expansion with the text before it; "và" and marks do not count."""
    return [w for w in _PLAIN.sub(" ", text).casefold().split() if w != "và"]


def drop_repeated_acronyms(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Ủy ban nhân dân (UBND) -> "Ủy ban nhân dân": an acronym right after its own expansion is read once."""
    if "(" not in text:
        return text

    def bracket(m: re.Match) -> str:
        parts = _BRACKET_JOINERS.split(m.group(1).strip())
        if not parts or not all(p in D.ABBREVIATIONS for p in parts):
            return m.group(0)
        expansion = _plain_words(" và ".join(D.ABBREVIATIONS[p] for p in parts))
        before = _plain_words(window_before(m.string, m.start(), 120))
        if expansion and before[-len(expansion):] == expansion:
            return ""
        return m.group(0)
    return sub_lines(_BRACKETED, bracket, text, "(")


# Two table abbreviations (or an abbreviation and a name) joined by "/": CMND/CCCD, 3G/4G, TTXVN/Báo.
_FIND_ABBR_SLASH = re.compile(r"/[A-ZĐ0-9]")
_ABBR_SLASH = re.compile(r"(?=[A-ZĐ0-9])(?<![\w/])([A-ZĐ0-9][\wĐđ&\-]*)/(?=[A-ZĐ0-9])([\wĐđ&\-]+)(?![\w/])")


def _abbr_slash(m: re.Match) -> str:
    left, right = m.group(1), m.group(2)
    if m.group(0) in D.ABBREVIATIONS:
        return m.group(0)
    if left in D.ABBREVIATIONS and (right in D.ABBREVIATIONS or (right[0].isupper() and not right.isupper())):
        return f"{left}, {right}"
    return m.group(0)


def _is_capital_word(word: str) -> bool:
    return len(word) >= 2 and word.isupper() and word not in D.ABBREVIATIONS


def expand_abbreviations(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Administrative abbreviations from the table, read by context where ambiguous: UBND, STTTT, TP., TT, 4G …"""
    text = sub_lines(_ABBR_SLASH, _abbr_slash, text, _FIND_ABBR_SLASH)
    text = sub_lines(_PLACE_PREFIX, _place_prefix, text, _FIND_PLACE_PREFIX)

    def abbreviation(m: re.Match) -> str:
        key = m.group(0)
        if key in _CONTEXT_KEYS:
            reading = _context_reading(key, m.string, m.start(), m.end())
            if reading:
                return reading
        if key in _AMBIGUOUS_ABBREVIATIONS:
            # "CA NHẠC", "TU BỔ" in a line written in capitals are words, not acronyms.
            before = _WORD.findall(window_before(m.string, m.start(), 20))
            after = _WORD.findall(m.string[m.end():m.end() + 20].split("\n", 1)[0])
            neighbours = before[-1:] + after[:1]
            if any(_is_capital_word(w) and is_vietnamese_syllable(w) for w in neighbours):
                return key
        return D.ABBREVIATIONS[key]
    return _ABBREVIATIONS.sub(abbreviation, text)


_UPPER_CLASS = "".join(re.escape(c) for c in map(chr, range(0x41, 0x1EFA)) if c.isupper())
# Words with a capital letter after their first letter: plain lower-case words and words with
# only a first capital ("Thông") are left as written, so they never reach the callback; the
# finder (a capital right after a letter) picks the lines that hold such a word.
_CAPITALISED = re.compile(rf"(?<![^\W\d_])[^\W\d_][^\W\d_]*?[{_UPPER_CLASS}][^\W\d_]*")
_FIND_INNER_CAPITAL = re.compile(rf"[{_UPPER_CLASS}](?<=[^\W\d_].)")
_SINGLE_CONSONANT = re.compile(r"(?=[BCDFGHJKLMNPQRSTVWXZĐ])(?<![\w.])([BCDFGHJKLMNPQRSTVWXZĐ])(?![\w])")
# A person's initials: "N.T.V.", "P.N.H.", "N. T" (names hidden in the press).
_FIND_SINGLE_CONSONANT = re.compile(r"[BCDFGHJKLMNPQRSTVWXZĐ](?!\w)")
_FIND_INITIALS = re.compile(r"[A-ZĐ]\.[ \t]?[A-ZĐ]\.")
_INITIALS = re.compile(r"(?=[A-ZĐ])(?<![\w.])(?:[A-ZĐ]\.[ \t]?){2,}(?:[A-ZĐ](?![\w.]))?")
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
    """NGUYỄN VĂN AN -> "nguyễn văn an"; unknown acronyms spelled and reported (XYZ -> "ích i dét"); khu B -> "khu bê"."""
    def word(m: re.Match) -> str:
        token = m.group(0)
        if token[1:].islower():          # "Thông", "Tin": one capital, first; left as written
            return token
        if len(token) < 2 or not any(c.isupper() for c in token):
            return token
        if token.isupper() and is_vietnamese_syllable(token):
            return token.lower()
        if _spelled(token):
            reading = _spell(token)
            report("acronym", token, reading)
            return reading
        return token
    text = sub_lines(_INITIALS, lambda m: " ".join(D.LETTER_NAMES[c] for c in m.group(0) if c in D.LETTER_NAMES) + " ",
                     text, _FIND_INITIALS)
    text = sub_lines(_CAPITALISED, word, text, _FIND_INNER_CAPITAL)
    return sub_lines(_SINGLE_CONSONANT, lambda m: D.LETTER_NAMES[m.group(1)], text, _FIND_SINGLE_CONSONANT)


_LEFTOVER_DIGITS = re.compile(r"\d+")
# Linear on purpose: a lazy scan to the first capital, then the rest of the word.
_LEFTOVER_CAPITALS = re.compile(r"(?<![^\W\d_])[^\W\d_]*?[A-Z][^\W\d_]*")


def spell_leftovers(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Last safety net: any digit still there is read, any Latin capital token spelled."""
    if has_digit(text):
        text = _LEFTOVER_DIGITS.sub(
            lambda m: read_number(m.group(0), options) if len(m.group(0)) <= MAX_CARDINAL_DIGITS
            else read_digits(m.group(0)), text)
    # Only a word with two Latin capitals is spelled: other lines are not scanned.
    return sub_lines(_LEFTOVER_CAPITALS, _spell_if_acronym, text, _FIND_TWO_CAPITALS)


_FIND_TWO_CAPITALS = re.compile(r"[A-Z][A-Za-z]*[A-Z]")


def _spell_if_acronym(m: re.Match) -> str:
    token = m.group(0)
    if sum(1 for c in token if "A" <= c <= "Z") >= 2 and token.isascii():
        reading = _spell(token)
        report("acronym", token, reading)
        return reading
    return token
