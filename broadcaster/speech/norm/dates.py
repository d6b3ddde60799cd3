"""Text stage, dates and times: 20/7/2024, quý III/2024, tháng 4, 6h30, Roman numerals after a cue word, ordinals."""
from __future__ import annotations

import re

from broadcaster.speech import vi_data as D
from broadcaster.speech.norm.numbers import read_number
from broadcaster.speech.norm.text import has_digit
from broadcaster.speech.norm.options import DEFAULT_OPTIONS, NormalizeOptions
from broadcaster.speech.norm.text import _preceded_by, _previous_word


_QUARTER = re.compile(r"(?<!\w)(quý)\s+(IV|I{1,3}|[1-4])(?:\s*/\s*(\d{4}))?(?!\w)", re.IGNORECASE)
_ROMAN_SMALL = {"I": 1, "II": 2, "III": 3, "IV": 4}


def expand_quarters(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """quý III/2024 -> "quý ba năm hai ngàn không trăm hai mươi tư"; quý 4 -> "quý bốn"."""
    def quarter(m: re.Match) -> str:
        value = _ROMAN_SMALL.get(m.group(2).upper()) or int(m.group(2))
        words = f"{m.group(1)} {D.DIGITS[value]}"
        if m.group(3):
            words += f" {D.YEAR_WORD} {read_number(m.group(3), options)}"
        return words
    return _QUARTER.sub(quarter, text)


_DAY = r"(0?[1-9]|[12]\d|3[01])"
_MONTH = r"(0?[1-9]|1[0-2])"
_DATE_FULL = re.compile(rf"(?<![\w/.,]){_DAY}([/.\-]){_MONTH}\2(\d{{4}})(?![\w/]|[.,]\d)")
_DATE_ISO = re.compile(r"(?<![\w/.,])(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?![\w/]|[.,]\d)")
_DATE_RANGE = re.compile(
    rf"(?<![\w/.,]){_DAY}\s*[-–]\s*{_DAY}/{_MONTH}(?:/(\d{{4}}))?(?![\w/]|[.,]\d)")
_DATE_PAIR = re.compile(
    rf"(?<![\w/.,]){_DAY}/{_MONTH}(?:/(\d{{4}}))?\s*[-–]\s*{_DAY}/{_MONTH}(?:/(\d{{4}}))?(?![\w/]|[.,]\d)")
_MONTH_YEAR = re.compile(rf"(?<![\w/.,]){_MONTH}/(\d{{4}})(?![\w/]|[.,]\d)")
_DAY_MONTH = re.compile(rf"(?<![\w/.,]){_DAY}/{_MONTH}(?![\w/]|[.,]\d)")


def _month(value: int, options: NormalizeOptions) -> str:
    return D.MONTH_WORDS.get(value) or read_number(value, options)


def _day(value: int, options: NormalizeOptions, after_mong: bool = False) -> str:
    words = read_number(value, options)
    if options.mong and value <= 10 and not after_mong:
        words = D.DIALECTS[options.dialect]["mong"] + " " + words
    return words


def _date_words(day: int | None, month: int, year: str | None, options: NormalizeOptions,
                with_day_word: bool, after_mong: bool = False) -> str:
    words = []
    if day is not None:
        if with_day_word:
            words.append(D.DAY_WORD)
        words.append(_day(day, options, after_mong))
    words += [D.MONTH_WORD, _month(month, options)]
    if year:
        words += [D.YEAR_WORD, read_number(year, options)]
    return " ".join(words)


def _needs_day_word(text: str, start: int) -> tuple[bool, bool]:
    """(add "ngày", previous word is mùng/mồng)."""
    before = _previous_word(text, start)
    if before in ("mùng", "mồng"):
        return False, True
    return before != D.DAY_WORD, False


def expand_dates(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Dates: 20/7/2024, 04/07/2024, 2024-07-15, 15-20/8, 15/8-30/9/2024, 9/2024, 16/9 (not 1/2)."""
    if not has_digit(text):
        return text

    def full(m: re.Match) -> str:
        add, mong = _needs_day_word(m.string, m.start())
        return _date_words(int(m.group(1)), int(m.group(3)), m.group(4), options, add, mong)

    def iso(m: re.Match) -> str:
        add, mong = _needs_day_word(m.string, m.start())
        return _date_words(int(m.group(3)), int(m.group(2)), m.group(1), options, add, mong)

    def day_range(m: re.Match) -> str:
        before = _previous_word(m.string, m.start())
        prefix = "" if before == D.DAY_WORD else (D.DAY_WORD + " " if before == D.FROM_WORD
                                                  else f"{D.FROM_WORD} {D.DAY_WORD} ")
        first = _day(int(m.group(1)), options)
        second = _date_words(int(m.group(2)), int(m.group(3)), m.group(4), options, True)
        return f"{prefix}{first} {D.RANGE_WORD} {second}"

    def pair(m: re.Match) -> str:
        before = _previous_word(m.string, m.start())
        prefix = "" if before in (D.FROM_WORD, D.DAY_WORD) else D.FROM_WORD + " "
        first = _date_words(int(m.group(1)), int(m.group(2)), m.group(3), options, before != D.DAY_WORD)
        second = _date_words(int(m.group(4)), int(m.group(5)), m.group(6), options, True)
        return f"{prefix}{first} {D.RANGE_WORD} {second}"

    def month_year(m: re.Match) -> str:
        words = _date_words(None, int(m.group(1)), m.group(2), options, False)
        if _previous_word(m.string, m.start()) == D.MONTH_WORD:
            words = words[len(D.MONTH_WORD) + 1:]
        return words

    def day_month(m: re.Match) -> str:
        day, month = int(m.group(1)), int(m.group(2))
        before = _previous_word(m.string, m.start())
        if before in D.SLASH_NUMBER_CUES:
            return m.group(0)
        if before not in D.DATE_CUES and day < month <= 10:
            return m.group(0)            # 1/2, 3/4: a fraction
        add, mong = _needs_day_word(m.string, m.start())
        return _date_words(day, month, None, options, add, mong)

    text = _DATE_ISO.sub(iso, text)
    text = _DATE_PAIR.sub(pair, text)
    text = _DATE_RANGE.sub(day_range, text)
    text = _DATE_FULL.sub(full, text)
    text = _MONTH_YEAR.sub(month_year, text)
    return _DAY_MONTH.sub(day_month, text)


_MONTH_NUMBER = re.compile(r"(?<!\w)(tháng)\s+(0?[1-9]|1[0-2])(?![\w/]|[.,]\d)", re.IGNORECASE)
_DAY_NUMBER = re.compile(r"(?<!\w)(ngày)\s+(0?[1-9]|10)(?=\s+tháng(?!\w))", re.IGNORECASE)


def expand_month_names(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """"tháng 4" -> "tháng tư"; "ngày 5 tháng" -> "ngày mùng năm tháng"."""
    if not has_digit(text):
        return text
    text = _MONTH_NUMBER.sub(lambda m: f"{m.group(1)} {_month(int(m.group(2)), options)}", text)
    return _DAY_NUMBER.sub(lambda m: f"{m.group(1)} {_day(int(m.group(2)), options)}", text)


_CLOCK = r"([01]?\d|2[0-4])(?:[hH](?:([0-5]\d)(?:['’]|p\b)?)?|g([0-5]\d)|:([0-5]\d)(?::([0-5]\d))?)"
_TIME = re.compile(rf"(?<![\w.,:/]){_CLOCK}(?![\w:]|[.,]\d)")
_TIME_RANGE = re.compile(rf"(?<![\w.,:/]){_CLOCK}\s*[-–—]\s*{_CLOCK}(?![\w:]|[.,]\d)")
_HOUR_WORDS = re.compile(r"(?<![\w.,])([01]?\d|2[0-4])\s+(giờ)\s+([0-5]?\d)(?![\w.,]|\s*phút)")


def _time_words(groups: tuple, options: NormalizeOptions) -> str:
    hour, minute_h, minute_g, minute_c, second = groups
    minute = minute_h or minute_g or minute_c
    words = [read_number(int(hour), options), D.HOUR_WORD]
    if minute and int(minute):
        words += [read_number(int(minute), options), D.MINUTE_WORD]
    if second and int(second):
        words += [read_number(int(second), options), D.SECOND_WORD]
    return " ".join(words)


def expand_times(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """6h30, 17h00, 7h, 05:30, 6g30, 7 giờ 15 and ranges 17h00–17h30 ("từ … đến …")."""
    if not has_digit(text):
        return text

    def time_range(m: re.Match) -> str:
        if m.group(2) is None and m.group(4) is None and m.group(3) is None and "h" not in m.group(0).lower():
            return m.group(0)
        prefix = "" if _previous_word(m.string, m.start()) == D.FROM_WORD else D.FROM_WORD + " "
        return (prefix + _time_words(m.groups()[:5], options) + f" {D.RANGE_WORD} "
                + _time_words(m.groups()[5:], options))

    def single(m: re.Match) -> str:
        token = m.group(0)
        if token.isdigit():
            return token
        return _time_words(m.groups(), options)

    text = _TIME_RANGE.sub(lambda m: time_range(m) if not _bare_numbers(m) else m.group(0), text)
    text = _TIME.sub(single, text)
    return _HOUR_WORDS.sub(
        lambda m: f"{read_number(int(m.group(1)), options)} {m.group(2)} "
                  f"{read_number(int(m.group(3)), options)} {D.MINUTE_WORD}", text)


def _bare_numbers(m: re.Match) -> bool:
    """A "range" of plain numbers (2021-2025) is not a time range."""
    return bool(re.fullmatch(r"\d+\s*[-–—]\s*\d+", m.group(0)))


_ROMAN = re.compile(r"(?<![\w.])(?=[IVXL])(L?X{0,3}(?:IX|IV|V?I{0,3}))(?![\w])")
_ROMAN_HEADING = re.compile(r"^(\s*)(X{0,3}(?:IX|IV|V?I{0,3}))([.)])(?=\s)")


def roman_value(token: str) -> int | None:
    """Value of a Roman numeral written with I, V, X, L (up to 89), else None."""
    if not token or not re.fullmatch(r"L?X{0,3}(?:IX|IV|V?I{0,3})", token):
        return None
    total, prev = 0, 0
    for ch in reversed(token):
        value = D.ROMAN_VALUES[ch]
        total += -value if value < prev else value
        prev = max(prev, value)
    return total or None


def expand_roman_numerals(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Roman numerals after a cue word (Đại hội XIV, Chương II, khóa XV, lần thứ IV) and list headings."""
    if not re.search(r"[IVXL]", text):
        return text

    def numeral(m: re.Match) -> str:
        value = roman_value(m.group(1))
        cue = _preceded_by(m.string, m.start(), D.ROMAN_CUES)
        if value is None or cue is None:
            return m.group(0)
        if cue.endswith("thứ"):
            return D.ORDINALS.get(value) or read_number(value, options)
        return read_number(value, options)

    def heading(m: re.Match) -> str:
        value = roman_value(m.group(2))
        return m.group(0) if value is None else f"{m.group(1)}{read_number(value, options)}{m.group(3)}"

    text = _ROMAN_HEADING.sub(heading, text)
    return _ROMAN.sub(numeral, text)


_ORDINAL = re.compile(r"(?<!\w)(thứ)\s+(\d{1,3})(?![\w.,/]\d|\w)", re.IGNORECASE)


def expand_ordinals(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """thứ 2 -> "thứ hai", thứ 4 -> "thứ tư", lần thứ 1 -> "lần thứ nhất"."""
    if not has_digit(text):
        return text
    return _ORDINAL.sub(
        lambda m: f"{m.group(1)} {D.ORDINALS.get(int(m.group(2))) or read_number(m.group(2), options)}", text)
