"""Text stage, numbers: cardinals in both dialects, decimals, money, units, ranges and every number left after dates and codes."""
from __future__ import annotations

import functools
import re
from typing import Mapping

from broadcaster.speech import vi_data as D
from broadcaster.speech.norm.text import DIGIT_BEFORE, has_digit, sub_lines
from broadcaster.speech.norm.options import DEFAULT_OPTIONS, MAX_CARDINAL_DIGITS, NormalizeOptions, collecting, report


def read_digits(digits: str) -> str:
    """Read a digit string one digit at a time: "0299" -> "không hai chín chín"."""
    return " ".join(D.DIGITS[int(c)] for c in digits if c.isdigit())


def _read_triple(n: int, pad: bool, dialect: Mapping[str, str]) -> list[str]:
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or pad:
        words += [D.DIGITS[hundreds], D.HUNDRED]
    if tens == 0:
        if units:
            if words:
                words.append(dialect["zero_tens"])
            words.append(D.DIGITS[units])
    elif tens == 1:
        words.append(D.TEN)
        if units == 5:
            words.append(D.FIVE_AFTER_TENS)
        elif units:
            words.append(D.DIGITS[units])
    else:
        words += [D.DIGITS[tens], D.TENS]
        if units == 1:
            words.append(D.ONE_AFTER_TENS)
        elif units == 4:
            words.append(dialect["four_after_tens"])
        elif units == 5:
            words.append(D.FIVE_AFTER_TENS)
        elif units:
            words.append(D.DIGITS[units])
    return words


def _read_int(n: int, pad: bool, dialect: Mapping[str, str]) -> list[str]:
    if n >= 10**9:
        high, low = divmod(n, 10**9)
        words = _read_int(high, pad, dialect) + [D.BILLION]
        return words + (_read_int(low, True, dialect) if low else [])
    millions, rest = divmod(n, 10**6)
    thousands, units = divmod(rest, 1000)
    words: list[str] = []
    for group, scale in ((millions, D.MILLION), (thousands, dialect["thousand"]), (units, "")):
        if group:
            words += _read_triple(group, pad, dialect)
            if scale:
                words.append(scale)
            pad = True
    return words


def read_number(value: int | str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Read a whole number as Vietnamese words.

    Args:
        value: a non-negative int or a string of ASCII digits.
        options: the dialect decides "ngàn/nghìn", "lẻ/linh" and "tư/bốn".

    Returns:
        e.g. 2024 -> "hai ngàn không trăm hai mươi tư" (south).
    """
    return _read_number(str(value), options.dialect)


@functools.lru_cache(maxsize=8192)
def _read_number(digits: str, dialect: str) -> str:
    # Pure, and the same few numbers come back all the time (days, months, years, list numbers).
    if len(digits) > MAX_CARDINAL_DIGITS:
        return read_digits(digits)
    n = int(digits)
    if n == 0:
        return D.DIGITS[0]
    return " ".join(_read_int(n, False, D.DIALECTS[dialect]))


def _read_fraction_digits(digits: str, options: NormalizeOptions) -> str:
    """After "phẩy": leading zeros one by one, then up to three digits as a number."""
    stripped = digits.lstrip("0")
    zeros = [D.DIGITS[0]] * (len(digits) - len(stripped))
    if not stripped:
        return " ".join(zeros)
    rest = read_number(stripped, options) if len(stripped) <= 3 else read_digits(stripped)
    return " ".join(zeros + [rest])


def _read_integer_token(digits: str, options: NormalizeOptions) -> str:
    # "0005" is a code, not a number of things; "05" is just five.
    if len(digits) >= 4 and digits.startswith("0"):
        return read_digits(digits)
    return read_number(digits, options)


_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")


def read_numeric_token(token: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Read one token of digits with "." thousands and "," decimals: "1.250.000", "95,5", "2.5"."""
    if token.isdecimal():                    # the common case: digits only
        return _read_integer_token(token, options)
    integer, comma, decimals = token.partition(",")
    if "," in decimals:                      # "1,2,3": a list written without spaces
        return ", ".join(read_numeric_token(p, options) for p in token.split(","))
    if _THOUSANDS.fullmatch(integer):
        words = read_number(integer.replace(".", ""), options)
    elif "." in integer and any(len(g) > 3 for g in integer.split(".")[1:]):
        # "1.1200": not valid thousands; read the digits as one number and say so.
        words = read_number(integer.replace(".", ""), options)
        report("thousands", integer, words)
    elif "." in integer:                     # section numbers "2.5.1"
        words = f" {D.DECIMAL_DOT} ".join(_read_integer_token(p, options) for p in integer.split("."))
    else:
        words = _read_integer_token(integer, options)
    if comma and decimals:
        # "1,5.2" (a decimal followed by a section dot): each dotted part after "phẩy" on its own.
        parts = [p for p in decimals.split(".") if p]
        words += f" {D.DECIMAL_COMMA} " + f" {D.DECIMAL_DOT} ".join(_read_fraction_digits(p, options) for p in parts)
    return words


_CURRENCY = re.compile(r"(\d)[ \t]?(VNĐ|VND|vnđ|vnd|đồng|USD|usd|đ|Đ|\$)(?![\w])")
_DOLLAR_FIRST = re.compile(r"\$[ \t]?(\d[\d.,]*\d|\d)")


def expand_money(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """500.000 đồng, 1.250.000đ, 200.000 VNĐ, 100 USD, $5."""
    if not has_digit(text):
        return text
    text = _DOLLAR_FIRST.sub(lambda m: f"{m.group(1)} {D.CURRENCIES['$']}", text)
    return _CURRENCY.sub(lambda m: f"{m.group(1)} {D.CURRENCIES[m.group(2)]}", text)


_UNIT = re.compile(r"(\d)[ \t]?(" + "|".join(re.escape(u) for u in sorted(D.UNITS, key=len, reverse=True))
                   + r")(?![\w²³])")
_PER_UNIT = re.compile(r"(?=[ \t/])(?<=\w)[ \t]?/[ \t]?(" + "|".join(re.escape(u) for u in D.PER_UNIT_NOUNS) + r")(?!\w)")


# "30%-60%", "28°C - 30°C": the same unit on both sides of a range is read once, at the end.
_FIND_DASH_THEN_DIGIT = re.compile(r"[-–](?=[ \t]*\d)")
_UNIT_RANGE = re.compile(r"(\d)[ \t]?(%|°C|ºC|độ C|độ|km|kg|m|đ|đồng)[ \t]*[-–][ \t]*(?=\d[\d.,]*[ \t]?\2(?![^\W\d_]))")


def expand_units(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Units after a number (5km, 30°C, 2 ha, 95,5%, 60 km/h) and "per" (50.000 đồng/tháng)."""
    if has_digit(text):
        text = sub_lines(_UNIT_RANGE, r"\1 - ", text, _FIND_DASH_THEN_DIGIT)
        text = _UNIT.sub(lambda m: f"{m.group(1)} {D.UNITS[m.group(2)]}", text)
    text = sub_lines(_PER_UNIT, lambda m: f" {D.PER_WORD} {D.UNITS.get(m.group(1), m.group(1))}", text, "/")
    return text


_NUMBER_TOKEN = r"\d+(?:[.,]\d+)*"
_NUMBER_RANGE = re.compile(rf"(?=\d)(?<![\w.,])({_NUMBER_TOKEN})[ \t]*[-–—][ \t]*(?=\d)")


_TIMES_SIGN = re.compile(r"(?=[ \txX×])(?<=\d)[ \t]*[xX×][ \t]*(?=\d)")
_RATIO = re.compile(r":(?<=\d:)(?=\d)")


_CHANGE = re.compile(r"\([ \t]*([+\-–])[ \t]*(\d[\d.,]*)[ \t]*\)")
_PLUS_LIST = re.compile(r"(?=\d)(?<![\w.+])(\d{1,3})((?:\+\d{1,3}){2,})(?![\w.+])")
_COMPARE = re.compile(r"(?=[<>≤≥])(?<![<>=])([<>≤≥])[ \t]*(?=\d)")
_COMPARE_WORDS = {"<": "dưới", ">": "trên", "≤": "không quá", "≥": "từ"}


# Cheap finders (a digit first) of a piece every match holds; see `sub_lines`.
_FIND_RANGE = re.compile(rf"[-–—]{DIGIT_BEFORE}(?=[ \t]*\d)")
_FIND_TIMES = re.compile(rf"[xX×]{DIGIT_BEFORE}(?=[ \t]*\d)")
_FIND_RATIO = re.compile(r":(?<=\d:)(?=\d)")
_FIND_LETTER_DIGIT = re.compile(r"\d(?:[^\W\d_]|(?<=[^\W\d_]\d))")


def expand_number_ranges(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Signs between and before numbers: 15-20 -> "15 đến 20", 3 x 4 -> "3 nhân 4", 1:500 -> "1 trên 500",
    (+200) -> "tăng 200", tổ 13+16+17 -> "13, 16, 17", < 1 tuổi -> "dưới 1 tuổi"."""
    if not has_digit(text):
        return text
    if "(" in text:
        text = _CHANGE.sub(lambda m: f" {'tăng' if m.group(1) == '+' else 'giảm'} {m.group(2)}", text)
    text = sub_lines(_PLUS_LIST, lambda m: ", ".join([m.group(1)] + m.group(2).split("+")[1:]), text, "+")
    text = sub_lines(_COMPARE, lambda m: _COMPARE_WORDS[m.group(1)] + " ", text, tuple(_COMPARE_WORDS))
    text = sub_lines(_NUMBER_RANGE, _range, text, _FIND_RANGE)
    text = sub_lines(_TIMES_SIGN, f" {D.SYMBOLS['×']} ", text, _FIND_TIMES)
    return sub_lines(_RATIO, f" {D.SLASH_IN_CODE} ", text, _FIND_RATIO)


def _range(m: re.Match) -> str:
    first = m.group(1)
    if collecting():
        second = re.match(r"\d+", m.string[m.end():])
        if (first.isdigit() and second and int(first) <= 31 and 1 <= int(second.group(0)) <= 12
                and not _UNIT_NEXT.match(m.string, m.end() + len(second.group(0)))):
            report("dash", m.group(0).strip() + second.group(0), f"{first} {D.RANGE_WORD} {second.group(0)}")
    return f"{first} {D.RANGE_WORD} "


_UNIT_NEXT = re.compile(r"[ \t]*(?:giờ|ngày|tháng|năm|tuổi|người|lần|phần|độ|ki|mét|héc|đồng|ngàn|nghìn|triệu|tỷ|cấp|km|kg|%)")


_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(\d)|(?<=\d)([^\W\d_])")


def separate_letters_from_digits(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """A1 -> "A 1", 9A -> "9 A": what is left of codes is read piece by piece."""
    if not has_digit(text):
        return text
    return sub_lines(_LETTER_DIGIT, r" \1\2", text, _FIND_LETTER_DIGIT)


# A sign counts only at a line start or after a space. The pattern starts with a class of the
# characters a match can start with (the look-behind comes after the sign) so the regex engine
# skips fast between numbers; group 2 is the number.
_NUMBER = re.compile(rf"(?=[-−\d])(?:([-−])(?<![^ \t\n][-−]))?({_NUMBER_TOKEN})")
_DOT_DECIMAL = re.compile(r"\d+\.\d{1,2}")
_MAGNITUDE_AFTER = re.compile(r"[ \t]*(?:triệu|tỷ|ngàn|nghìn|phần trăm|héc ta|ki lô|mét|lít|tấn|độ)(?!\w)")
_FIND_FRACTION = re.compile(r"/(?<=\d/)(?=\d)")
_FRACTION = re.compile(r"(?=\d)(?<![\w.,/])(\d{1,6})/(\d{1,6})(?![\w/]|[.,]\d)")


def expand_numbers(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Every remaining number: 2.300, 1.005, 3,5, 0,5, -5, 1/2 (phần), 100/200 (trên), long digit runs."""
    if not has_digit(text):
        return text

    def fraction(m: re.Match) -> str:
        top, bottom = int(m.group(1)), int(m.group(2))
        if top < bottom <= 10 and bottom:
            below = D.FRACTION_DENOMINATOR_FOUR if bottom == 4 else read_number(bottom, options)
            return f"{read_number(top, options)} {D.FRACTION} {below}"
        return f"{read_number(m.group(1), options)} {D.SLASH_IN_CODE} {read_number(m.group(2), options)}"

    cache: dict[str, str] = {}

    def number(m: re.Match) -> str:
        sign, token = m.group(1), m.group(2)
        if "." in token and _DOT_DECIMAL.fullmatch(token) and _MAGNITUDE_AFTER.match(m.string, m.end()):
            token = token.replace(".", ",")     # "1.5 triệu" typed the English way
        words = cache.get(token)
        if words is None:
            words = cache[token] = read_numeric_token(token, options)
        return f"{D.NEGATIVE} {words}" if sign else words

    text = sub_lines(_FRACTION, fraction, text, _FIND_FRACTION)
    return _NUMBER.sub(number, text)

