"""Text stage, codes: web addresses and e-mail, phone numbers, official document numbers — identifiers read piece by piece."""
from __future__ import annotations

import re

from broadcaster.speech import vi_data as D
from broadcaster.speech.norm.numbers import _THOUSANDS, read_digits, read_number
from broadcaster.speech.norm.text import has_digit
from broadcaster.speech.norm.options import DEFAULT_OPTIONS, NormalizeOptions
from broadcaster.speech.norm.text import _next_word, _preceded_by, _segment_ascii, _spell, sub_lines, window_before


_TLDS = r"(?:vn|com|net|org|gov|edu|info|int|biz)"
_EMAIL = re.compile(r"(?<![\w.@])[A-Za-z0-9][A-Za-z0-9._+-]{0,63}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,4}")
_URL = re.compile(
    r"(?<![\w@.])(?:(?:https?://)(?:[A-Za-z0-9-]{1,63}\.){1,5}[A-Za-z]{2,10}"
    rf"|(?:www\.)?(?:[A-Za-z0-9-]{{1,63}}\.){{1,5}}{_TLDS})(?![\w])(?:/[^ \t\n]*)?",
    re.IGNORECASE)
# Every address holds "://" or a dot before a known ending.
_FIND_URL = re.compile(rf"\.{_TLDS}|://", re.IGNORECASE)
_URL_PIECES = re.compile(r"[A-Za-z]+|\d+|[^A-Za-z\d]")


_LOANWORDS_LOWER = {k.lower(): v for k, v in D.LOANWORDS.items()}


def _read_url_label(label: str) -> str:
    low = label.lower()
    if low in D.URL_WORDS:
        return D.URL_WORDS[low]
    if low in _LOANWORDS_LOWER:
        return _LOANWORDS_LOWER[low]
    if low.isdigit():
        return read_digits(low)
    syllables = _segment_ascii(low) if len(low) > 1 else None
    if syllables:
        return " ".join(syllables)
    return _spell(low)


def _read_url(url: str) -> str:
    words = []
    low = url.lower()
    for scheme, reading in D.URL_SCHEMES.items():
        if low.startswith(scheme):
            words.append(reading)
            url = url[len(scheme):]
            break
    for piece in _URL_PIECES.findall(url):
        if piece.isalnum():
            words.append(_read_url_label(piece))
        elif piece in D.URL_SYMBOLS:
            words.append(D.URL_SYMBOLS[piece])
    return " ".join(w for w in words if w)


def expand_urls_and_emails(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """www.soctrang.gov.vn -> "vê kép vê kép vê kép chấm sóc trăng chấm gờ o vê chấm vê en"; a@b.com too."""
    if "@" in text:
        text = _EMAIL.sub(lambda m: _read_url(m.group(0)), text)
    if "." not in text:
        return text

    def url(m: re.Match) -> str:
        found = m.group(0)
        tail = len(found) - len(found.rstrip(".,;:!?)]}\"'"))
        body = found[: len(found) - tail]
        return _read_url(body) + found[len(body):]
    return sub_lines(_URL, url, text, _FIND_URL)


_PHONE = re.compile(r"(?=[+\d])(?<![\w+.,/:])(\+\d{2}[ .\-]?)?(\d(?:[ .\-]?\d){5,12}(?:[ .\-]?[xX*]{2,4})?)(?![\w/]|[.,:]\d)")
_MASK = re.compile(r"[xX*]")
# After these words a long digit run is a quantity, not a code.
_QUANTITY_WORDS = frozenset(("đồng", "đ", "vnđ", "người", "hộ", "lượt", "con", "tấn", "lít", "cây", "trẻ", "ca", "liều"))
_EMERGENCY = re.compile(r"(?=1)(?<![\w.,])(11[1-5])(?![\w.,/]\d|\w)")
# An emergency number is dialled: "gọi ngay 115", "số 113", "tổng đài 114".
_EMERGENCY_CUE = re.compile(r"(?:gọi(?:[ \t]+\w+){0,2}|tổng đài|đường dây nóng|hotline|điện thoại)[ \t]*:?[ \t]*$",
                            re.IGNORECASE)


# Six digits with at most one separator between two: every phone number holds this.
_FIND_PHONE = re.compile(r"\d[ .\-]?\d[ .\-]?\d[ .\-]?\d[ .\-]?\d[ .\-]?\d")


def _group_digits(digits: str) -> list[str]:
    n = len(digits)
    if n == 10:
        return [digits[:4], digits[4:7], digits[7:]]
    if n == 11:
        return [digits[:4], digits[4:8], digits[8:]]
    if n == 8:
        return [digits[:4], digits[4:]]
    if n == 9:
        return [digits[:3], digits[3:6], digits[6:]]
    groups = []
    while len(digits) > 4:
        groups.append(digits[:3])
        digits = digits[3:]
    return groups + [digits]


def _read_masked(group: str) -> str:
    """Digits one by one; a masked digit (x, *) is read by its letter name."""
    return " ".join(D.DIGITS[int(c)] if c.isdigit() else D.LETTER_NAMES.get(c.upper(), "sao") for c in group)


def expand_phone_numbers(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Phone numbers and hotlines digit by digit, groups separated by commas."""
    if not has_digit(text):
        return text

    def phone(m: re.Match) -> str:
        plus, body = m.group(1), m.group(2)
        digits = re.sub(r"[^\dxX*]", "", body)
        masked = bool(_MASK.search(digits))
        cue = _preceded_by(m.string, m.start(), D.PHONE_CUES) is not None
        shaped = (plus is not None
                  or (digits.startswith("0") and 9 <= len(digits) <= 11)
                  or (digits[:4] in ("1800", "1900") and len(digits) in (8, 10)))
        thousands = bool(_THOUSANDS.fullmatch(body)) and not digits.startswith("0")
        # A run of 7 or more digits with no thousands dots is a code or a number to dial, not a quantity.
        run = (len(digits) >= 7 and body.isdigit() and not masked
               and _next_word(m.string, m.end()) not in _QUANTITY_WORDS)
        if not (shaped or run or (cue and len(digits) >= 6 and not thousands) or (masked and len(digits) >= 8)):
            if masked:
                return m.group(0)
            return m.group(0)
        separated = [g for g in re.split(r"[ .\-]", body) if g]
        groups = separated if len(separated) > 1 else _group_digits(digits)
        words = [_read_masked(g) for g in groups]
        if plus:
            words.insert(0, D.PHONE_PLUS + " " + read_digits(plus))
        return ", ".join(words)
    text = sub_lines(_PHONE, phone, text, _FIND_PHONE)
    return sub_lines(
        _EMERGENCY, lambda m: read_digits(m.group(1)) if _EMERGENCY_CUE.search(window_before(m.string, m.start(), 25))
        else m.group(0), text, "11")


_CODE_LETTERS = r"[A-ZĐ][A-Za-zĐđ&]*\d{0,3}"
_DOC_CODE = re.compile(
    rf"(?=[\d/])(?<![\w/])(?:(\d{{1,6}}[a-zđ]?)(?:[-–]({_CODE_LETTERS}))?)?((?:/\d{{4}})?)/[ \t]?"
    rf"({_CODE_LETTERS}(?:[ \t]?[-–][ \t]?{_CODE_LETTERS})*)(?![\w/])")
_FIND_DOC_CODE = re.compile(r"/[ \t]?[A-ZĐ]")
_CODE_PIECES = re.compile(r"\d+|[^\W\d_]+|&")


def read_code_part(part: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """A piece of a code: letters spelled, digits as a number when short, else one by one: QH13 -> "quy hát mười ba"."""
    words = []
    for piece in _CODE_PIECES.findall(part):
        if piece.isdigit():
            words.append(read_number(piece, options) if len(piece) <= 2 else read_digits(piece))
        else:
            words.append(_spell(piece))
    return " ".join(w for w in words if w)


def expand_document_codes(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Official document numbers: 2482/CVT-CS, 15/2020/NĐ-CP, /STTTT-TTr."""
    if "/" not in text:
        return text

    def code(m: re.Match) -> str:
        number, party, year, letters = m.group(1), m.group(2), m.group(3), m.group(4)
        if not number and not year and len(letters) < 2:
            return m.group(0)
        words = []
        if number:
            digits = number.rstrip("abcdđ")
            words.append(read_number(digits, options))
            if digits != number:
                words.append(_spell(number[len(digits):]))
        if party:
            words += [D.DASH_IN_CODE, read_code_part(party, options)]
        if year:
            words += [D.SLASH_IN_CODE, read_number(year[1:], options)]
        parts = re.split(r"[ \t]?[-–][ \t]?", letters)
        words += [D.SLASH_IN_CODE, f" {D.DASH_IN_CODE} ".join(read_code_part(p, options) for p in parts)]
        return " ".join(words)
    return sub_lines(_DOC_CODE, code, text, _FIND_DOC_CODE)


# Road and place codes read with their name and the number as a number: QL1A, ĐT.826, Km 12+500.
_ROAD = re.compile(r"(?=[QĐTCKkI])(?<![\w.])(QL|ĐT|TL|ĐH|CT|Km|KM|km|IC)[ \t]?[.\-]?[ \t]?(\d{1,4})([A-Z]?)(?:\+(\d{1,3}))?(?![\w])")
_ROAD_NAMES = {"QL": "quốc lộ", "ĐT": "đường tỉnh", "TL": "tỉnh lộ", "ĐH": "đường huyện",
               "Km": "ki lô mét", "KM": "ki lô mét", "km": "ki lô mét", "IC": "i xê", "CT": "xê tê"}
_KM_BEFORE_NUMBER = re.compile(r"(?=[Kk])(?<![\w.])([Kk][mM])(?=[ \t]+số[ \t]+\d)")
# Product, variety and equipment codes glued to digits: IR50404, OM18, DN100PVC, H5N1;
# and an unknown capital code before a long number: "OM 5451", "IR 50404".
_GLUED_CODE = re.compile(r"(?=[A-ZĐ])(?<![\w.])([A-ZĐ]{1,5})(\d{1,6})([A-ZĐ]{0,5}(?:\d{1,3}[A-ZĐ]{0,3})?)(?![\w])")
_SPACED_CODE = re.compile(r"(?=[A-Z])(?<![\w.])([A-Z]{2,4})[ \t](\d{3,6})(?![\w.,]\d|\w)")
_UNIT_AFTER = re.compile(r"[ \t]?(?:mm|cm|m|km|kg|g|ml|l|W|kW|V|kV|MHz|GB|MB|%)(?![^\W\d_])")


_FIND_GLUED = re.compile(r"[A-ZĐ]\d")
_FIND_SPACED = re.compile(r"[A-Z][ \t]\d\d\d")


def _code_digits(digits: str, options: NormalizeOptions) -> str:
    if len(digits) <= 2 or int(digits) % 100 == 0:
        return read_number(digits, options)
    return read_digits(digits)


def expand_codes(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Numbers that are names, not quantities: QL1A, ĐT.826, Km 12+500, IC3, OM5451, IR 50404, DN100PVC."""
    if not has_digit(text):
        return text

    def road(m: re.Match) -> str:
        number = m.group(2)
        if m.group(1) == "CT" and m.string[m.start() + 2:m.start() + 3] not in ".-":
            return m.group(0)            # "CT 05" is a directive (chỉ thị); the road is written CT.05
        words = [_ROAD_NAMES[m.group(1)],
                 read_digits(number) if number.startswith("0") and len(number) > 1 else read_number(number, options)]
        if m.group(3):
            words.append(_spell(m.group(3)))
        if m.group(4):
            words += [D.SYMBOLS["+"], read_number(m.group(4), options)]
        return " ".join(words)

    def glued(m: re.Match) -> str:
        letters, digits, rest = m.groups()
        if _UNIT_AFTER.match(m.string, m.end()) and not rest:
            return f"{_spell(letters)} {read_number(digits, options)}"
        if letters in D.ABBREVIATIONS and not rest and len(digits) <= 2 and letters not in ("DN",):
            return m.group(0)            # "VTV1", "QĐ1": the table word, then the number
        words = [_spell(letters), _code_digits(digits, options)]
        if rest:
            words.append(read_code_part(rest, options))
        return " ".join(words)

    def spaced(m: re.Match) -> str:
        letters, digits = m.groups()
        if letters in D.ABBREVIATIONS or int(digits) % 100 == 0 or 1900 <= int(digits) <= 2100:
            return m.group(0)
        return f"{_spell(letters)} {read_digits(digits)}"

    text = sub_lines(_KM_BEFORE_NUMBER, "ki lô mét", text, ("Km", "KM", "km", "kM"))
    text = sub_lines(_ROAD, road, text, tuple(_ROAD_NAMES))
    text = sub_lines(_GLUED_CODE, glued, text, _FIND_GLUED)
    return sub_lines(_SPACED_CODE, spaced, text, _FIND_SPACED)
