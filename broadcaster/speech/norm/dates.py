"""Text stage, dates and times: 20/7/2024, quý III/2024, tháng 4, 6h30, Roman numerals after a cue word, ordinals."""
from __future__ import annotations

import re

from broadcaster.speech import vi_data as D
from broadcaster.speech.norm.numbers import read_number
from broadcaster.speech.norm.text import DIGIT_BEFORE, has_digit
from broadcaster.speech.norm.options import DEFAULT_OPTIONS, NormalizeOptions
from broadcaster.speech.norm.text import _preceded_by, _previous_word, sub_lines, subs_lines, window_before


_QUARTER = re.compile(r"(?<!\w)(quý)[ \t]+(IV|I{1,3}|[1-4])(?:[ \t]*/[ \t]*(\d{4}))?(?!\w)", re.IGNORECASE)
_ROMAN_SMALL = {"I": 1, "II": 2, "III": 3, "IV": 4}


def expand_quarters(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """quý III/2024 -> "quý ba năm hai ngàn không trăm hai mươi tư"; quý 4 -> "quý bốn"."""
    def quarter(m: re.Match) -> str:
        value = _ROMAN_SMALL.get(m.group(2).upper()) or int(m.group(2))
        words = f"{m.group(1)} {D.DIGITS[value]}"
        if m.group(3):
            words += f" {D.YEAR_WORD} {read_number(m.group(3), options)}"
        return words
    return sub_lines(_QUARTER, quarter, text, _FIND_QUARTER)


_DAY = r"(0?[1-9]|[12]\d|3[01])"
_MONTH = r"(0?[1-9]|1[0-2])"
_DATE_FULL = re.compile(rf"(?=[0-9])(?<![\w/.,]){_DAY}([/.\-]){_MONTH}\2(\d{{4}})(?![\w/]|[.,]\d)")
_DATE_ISO = re.compile(r"(?=\d)(?<![\w/.,])(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?![\w/]|[.,]\d)")
_DATE_RANGE = re.compile(
    rf"(?=[0-9])(?<![\w/.,]){_DAY}[ \t]*[-–][ \t]*{_DAY}/{_MONTH}(?:/(\d{{4}}))?(?![\w/]|[.,]\d)")
_DATE_PAIR = re.compile(
    rf"(?=[0-9])(?<![\w/.,]){_DAY}/{_MONTH}(?:/(\d{{4}}))?[ \t]*[-–][ \t]*{_DAY}/{_MONTH}(?:/(\d{{4}}))?(?![\w/]|[.,]\d)")
_MONTH_YEAR = re.compile(rf"(?=[0-9])(?<![\w/.,]){_MONTH}/(\d{{4}})(?![\w/]|[.,]\d)")
_DAY_MONTH = re.compile(rf"(?=[0-9])(?<![\w/.,]){_DAY}/{_MONTH}(?![\w/]|[.,]\d)")
# Several days sharing one month: "ngày 3, 10, 17 /02/2025", "(4, 5 và 6/3)".
_DAY_LIST = re.compile(
    rf"(?=[0-9])(?<![\w/.,]){_DAY}((?:[ \t]*[,;][ \t]*(?:0?[1-9]|[12]\d|3[01]))*[ \t]*(?:[,;]|và)[ \t]*(?:0?[1-9]|[12]\d|3[01]))"
    rf"[ \t]*/[ \t]*{_MONTH}(?:/(\d{{4}}))?(?![\w/]|[.,]\d)")
# The same with "-" (or "." after a date word) before the month: "(3 và 4-7)", "ngày 12, 13-8".
_DAY_LIST_LOOSE = re.compile(
    rf"(?=[0-9])(?<![\w/.,\-]){_DAY}((?:[ \t]*[,;][ \t]*(?:0?[1-9]|[12]\d|3[01]))*[ \t]*(?:[,;]|và)[ \t]*"
    rf"(?:0?[1-9]|[12]\d|3[01]))(?:[ \t]*([-–])[ \t]*|(\.)){_MONTH}(?![\w/]|[.,\-–]\d)")
_LIST_DAY = re.compile(r"\d+")
# Day and month written with "-" or "." after a date word: "ngày 20-3", "sáng nay (17-11)", "hết ngày 30.4".
_DAY_MONTH_LOOSE = re.compile(rf"(?=[0-9])(?<![\w/.,\-]){_DAY}[ \t]*([-–.])[ \t]*{_MONTH}(?![\w/]|[.,\-–]\d)")
_DATE_RANGE_LOOSE = re.compile(
    rf"(?=[0-9])(?<![\w/.,\-]){_DAY}[ \t]*[-–][ \t]*{_DAY}[.\-]{_MONTH}(?![\w/]|[.,\-–]\d)")
# Words right before a "d-m" or "d.m" that make it a date.
_STRONG_DATE_CUES = frozenset((
    "ngày", "sáng", "trưa", "chiều", "tối", "đêm", "nay", "hôm", "mai", "qua", "hết", "mùng", "mồng", "khuya",
))
_WEAK_DATE_CUES = frozenset(("từ", "đến", "tới", "và", "trước", "sau"))
# Streets, squares and schools named after a date: "đường 2/9", "ngã tư 3/2" (no "ngày").
_NAMED_BY_DATE = ("đường", "phố", "ngã ba", "ngã tư", "ngã sáu", "ngã bảy", "cầu", "chợ", "công viên",
                  "quảng trường", "trường", "khu phố", "hẻm", "hồ", "bến", "đại lộ", "cung")


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
    """(add "ngày", previous word is mùng/mồng); "ngày mai 7/2" needs no second "ngày"."""
    before = _previous_word(text, start)
    if before in ("mùng", "mồng"):
        return False, True
    if before in ("nay", "mai", "qua", "kia", "đăng", "ký") and _LAST_WORDS.search(window_before(text, start, 20)):
        return False, False
    return before != D.DAY_WORD, False


_LAST_WORDS = re.compile(r"ngày[ \t]+(?:hôm[ \t]+)?(?:nay|mai|qua|kia|đăng|ký)[^\w\n]*$", re.IGNORECASE)


def _date_cue(text: str, start: int) -> bool:
    """True when the words before `start` make a "d-m" or "d.m" a date."""
    before = _previous_word(text, start)
    if before in _STRONG_DATE_CUES:
        return True
    return before in _WEAK_DATE_CUES and D.DAY_WORD in window_before(text, start, 25).lower()


def _named_by_date(text: str, start: int) -> bool:
    return _preceded_by(text, start, _NAMED_BY_DATE) is not None


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
        if _named_by_date(m.string, m.start()):
            return f"{read_number(day, options)} {D.MONTH_WORD} {_month(month, options)}"
        if before in D.SLASH_NUMBER_CUES:
            return m.group(0)
        if before not in D.DATE_CUES and day < month <= 10:
            return m.group(0)            # 1/2, 3/4: a fraction
        add, mong = _needs_day_word(m.string, m.start())
        return _date_words(day, month, None, options, add, mong)

    def day_list(m: re.Match) -> str:
        return _day_list(m, m.group(0)[:m.group(0).index("/")], int(m.group(3)), m.group(4), True, options)

    def day_list_loose(m: re.Match) -> str:
        days = m.group(1) + m.group(2)
        return _day_list(m, days, int(m.group(5)), None, m.group(4) is None, options)

    def loose(m: re.Match) -> str:
        if not _date_cue(m.string, m.start()):
            return m.group(0)
        add, mong = _needs_day_word(m.string, m.start())
        return _date_words(int(m.group(1)), int(m.group(3)), None, options, add, mong)

    def loose_range(m: re.Match) -> str:
        if not _date_cue(m.string, m.start()):
            return m.group(0)
        before = _previous_word(m.string, m.start())
        prefix = "" if before in (D.DAY_WORD, D.FROM_WORD) else D.DAY_WORD + " "
        first = _day(int(m.group(1)), options)
        second = _date_words(int(m.group(2)), int(m.group(3)), None, options, True)
        return f"{prefix}{first} {D.RANGE_WORD} {second}"

    # Each pattern runs only on the lines holding the mark it needs (see `sub_lines`).
    text = sub_lines(_DATE_ISO, iso, text, "-")
    text = sub_lines(_DATE_PAIR, pair, text, _FIND_DIGIT_SLASH)
    text = sub_lines(_DATE_RANGE, day_range, text, _FIND_DIGIT_SLASH)
    text = sub_lines(_DATE_FULL, full, text, _FIND_DATE_FULL)
    text = sub_lines(_MONTH_YEAR, month_year, text, _FIND_DIGIT_SLASH)
    text = sub_lines(_DAY_LIST, day_list, text, _FIND_DIGIT_SLASH)
    text = sub_lines(_DAY_MONTH, day_month, text, _FIND_DIGIT_SLASH)
    return subs_lines(((_DAY_LIST_LOOSE, day_list_loose), (_DATE_RANGE_LOOSE, loose_range), (_DAY_MONTH_LOOSE, loose)),
                      text, _FIND_LOOSE)


def _day_list(m: re.Match, days: str, month: int, year: str | None, bracket_is_cue: bool,
              options: NormalizeOptions) -> str:
    """Several days sharing one month, each read as a day: "(3 và 4-7)" -> "mùng ba và mùng bốn tháng bảy".

    A date when a date word comes before (then "ngày" is added unless it is written) or after
    "các"; or, when `bracket_is_cue`, when the list alone fills a bracket, as in weather news
    "trong hai ngày tới (3 và 4-7)" (read as written, without "ngày"). Otherwise left as written.
    """
    text, start = m.string, m.start()
    before = _previous_word(text, start)
    cue = _date_cue(text, start) or before == "các"
    if not cue and not (bracket_is_cue and _fills_bracket(text, start, m.end())):
        return m.group(0)
    add, after_mong = _needs_day_word(text, start)
    first = [True]

    def day(d: re.Match) -> str:
        words = _day(int(d.group(0)), options, after_mong and first[0])
        first[0] = False
        return words
    words = _LIST_DAY.sub(day, days).rstrip()
    month_words = _date_words(None, month, year, options, False)
    prefix = D.DAY_WORD + " " if cue and add and before != "các" else ""
    return f"{prefix}{words} {month_words}"


def _fills_bracket(text: str, start: int, end: int) -> bool:
    """True when text[start:end] is alone between "(" and ")" (spaces allowed)."""
    return window_before(text, start, 4).rstrip(" \t").endswith("(") and text[end:end + 4].lstrip(" \t").startswith(")")


_MONTH_NUMBER = re.compile(r"(?<!\w)(tháng)[ \t]+(0?[1-9]|1[0-2])(?![\w/]|[.,]\d)", re.IGNORECASE)
_DAY_NUMBER = re.compile(r"(?<!\w)(ngày)[ \t]+(0?[1-9]|10)(?=[ \t]+tháng(?!\w))", re.IGNORECASE)
# "ngày 04 đến ngày 06/3", "Ngày 07; 14; 21": a day of the month on its own.
_DAY_ALONE = re.compile(r"(?<!\w)(ngày)[ \t]+(0[1-9]|[1-9]|10)(?=[ \t]*(?:[,;)]|$|đến\b|và\b|hằng\b|hàng\b|tới\b))",
                        re.IGNORECASE | re.MULTILINE)


def expand_month_names(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """"tháng 4" -> "tháng tư"; "ngày 5 tháng" -> "ngày mùng năm tháng"."""
    if not has_digit(text):
        return text
    text = sub_lines(_MONTH_NUMBER, lambda m: f"{m.group(1)} {_month(int(m.group(2)), options)}", text, _FIND_MONTH)
    text = sub_lines(_DAY_NUMBER, lambda m: f"{m.group(1)} {_day(int(m.group(2)), options)}", text, _FIND_DAY)
    return sub_lines(_DAY_ALONE, lambda m: f"{m.group(1)} {_day(int(m.group(2)), options)}", text, _FIND_DAY)


_CLOCK = r"([01]?\d|2[0-4])(?:[hH](?:([0-5]\d)(?:['’′]|p\b)?)?|g([0-5]\d)|:([0-5]\d)(?::([0-5]\d))?)"
_TIME = re.compile(rf"(?=\d)(?<![\w.,:/]){_CLOCK}(?![\w:]|[.,]\d)")
_TIME_RANGE = re.compile(rf"(?=\d)(?<![\w.,:/]){_CLOCK}[ \t]*[-–—][ \t]*{_CLOCK}(?![\w:]|[.,]\d)")
# "11-14h", "từ 6-8h": the hour word once, after the second number.
_HOUR_RANGE = re.compile(r"(?=\d)(?<![\w.,:/])([01]?\d|2[0-4])[ \t]*[-–][ \t]*([01]?\d|2[0-4])[ \t]*[hH](?![\w:]|[.,]\d)")
_HOUR_WORDS = re.compile(r"(?=\d)(?<![\w.,])([01]?\d|2[0-4])[ \t]+(giờ)[ \t]+([0-5]?\d)(?![\w.,]|[ \t]*phút)")


def _time_words(groups: tuple, options: NormalizeOptions) -> str:
    hour, minute_h, minute_g, minute_c, second = groups
    minute = minute_h or minute_g or minute_c
    words = [read_number(int(hour), options), D.HOUR_WORD]
    if minute and int(minute):
        words += [read_number(int(minute), options), D.MINUTE_WORD]
    if second and int(second):
        words += [read_number(int(second), options), D.SECOND_WORD]
    return " ".join(words)


# Cheap patterns (a digit first, so the regex engine skips fast) that find a piece every
# match of the slower pattern holds: the slow one runs only on lines where they find it.
_FIND_CLOCK = re.compile(r"\d(?:[ \t]*[hH]|g\d|:\d)")   # "h" is too common to look for first
_FIND_DIGIT_SLASH = re.compile(rf"/{DIGIT_BEFORE}(?=[ \t]*\d)")
_FIND_DATE_FULL = re.compile(r"[/.\-](?<=\d.)(?=\d\d?[/.\-]\d\d\d\d)")
_FIND_LOOSE = re.compile(rf"[-–.]{DIGIT_BEFORE}(?=[ \t]*\d)")
# The words in both cases letter by letter (what re.IGNORECASE matches for them), not the flag:
# a first letter the engine can look for makes the scan fast.
_FIND_MONTH = re.compile(r"[tT][hH][áÁ][nN][gG][ \t]+\d")
_FIND_DAY = re.compile(r"[nN][gG][àÀ][yY][ \t]+\d")
_FIND_ORDINAL = re.compile(r"[tT][hH][ứỨ][ \t]+\d")
_FIND_QUARTER = re.compile(r"[qQ][uU][ýÝ][ \t]")


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

    def hour_range(m: re.Match) -> str:
        prefix = "" if _previous_word(m.string, m.start()) == D.FROM_WORD else D.FROM_WORD + " "
        return (f"{prefix}{read_number(int(m.group(1)), options)} {D.RANGE_WORD} "
                f"{read_number(int(m.group(2)), options)} {D.HOUR_WORD}")

    text = subs_lines(((_HOUR_RANGE, hour_range),
                       (_TIME_RANGE, lambda m: time_range(m) if not _bare_numbers(m) else m.group(0)),
                       (_TIME, single)), text, _FIND_CLOCK)
    return sub_lines(_HOUR_WORDS, 
        lambda m: f"{read_number(int(m.group(1)), options)} {m.group(2)} "
                  f"{read_number(int(m.group(3)), options)} {D.MINUTE_WORD}", text, "giờ")


def _bare_numbers(m: re.Match) -> bool:
    """A "range" of plain numbers (2021-2025) is not a time range."""
    return bool(re.fullmatch(r"\d+[ \t]*[-–—][ \t]*\d+", m.group(0)))


_ROMAN = re.compile(r"(?=[IVXL])(?<![\w.])([IVXL]+)(?![\w])")
_FIND_ROMAN = re.compile(r"[IVXL](?!\w)")
_ROMAN_HEADING = re.compile(r"^([ \t]*)(X{0,3}(?:IX|IV|V?I{0,3}))([.)])(?=[ \t])", re.MULTILINE)


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
    return sub_lines(_ROMAN, numeral, text, _FIND_ROMAN)


_ORDINAL = re.compile(r"(?<!\w)(thứ)[ \t]+(\d{1,3})(?![\w.,/]\d|\w)", re.IGNORECASE)


def expand_ordinals(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """thứ 2 -> "thứ hai", thứ 4 -> "thứ tư", lần thứ 1 -> "lần thứ nhất"."""
    if not has_digit(text):
        return text
    return sub_lines(
        _ORDINAL, lambda m: f"{m.group(1)} {D.ORDINALS.get(int(m.group(2))) or read_number(m.group(2), options)}",
        text, _FIND_ORDINAL)
