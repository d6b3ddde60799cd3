"""Text stage, codes: web addresses and e-mail, phone numbers, official document numbers — identifiers read piece by piece."""
from __future__ import annotations

import re

from broadcaster.speech import vi_data as D
from broadcaster.speech.norm.numbers import _THOUSANDS, read_digits, read_number
from broadcaster.speech.norm.text import has_digit
from broadcaster.speech.norm.options import DEFAULT_OPTIONS, NormalizeOptions
from broadcaster.speech.norm.text import _preceded_by, _segment_ascii, _spell


_TLDS = r"(?:vn|com|net|org|gov|edu|info|int|biz)"
_EMAIL = re.compile(r"(?<![\w.@])[A-Za-z0-9][A-Za-z0-9._+-]{0,63}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,4}")
_URL = re.compile(
    r"(?<![\w@.])(?:(?:https?://)(?:[A-Za-z0-9-]{1,63}\.){1,5}[A-Za-z]{2,10}"
    rf"|(?:www\.)?(?:[A-Za-z0-9-]{{1,63}}\.){{1,5}}{_TLDS})(?![\w])(?:/[^\s]*)?",
    re.IGNORECASE)
_URL_PIECES = re.compile(r"[A-Za-z]+|\d+|[^A-Za-z\d]")


def _read_url_label(label: str) -> str:
    low = label.lower()
    if low in D.URL_WORDS:
        return D.URL_WORDS[low]
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
    return _URL.sub(url, text)


_PHONE = re.compile(r"(?<![\w+.,/:])(\+\d{2}[ .\-]?)?(\d(?:[ .\-]?\d){5,12})(?![\w/]|[.,:]\d)")
_EMERGENCY = re.compile(r"(?<![\w.,])(11[1-5])(?![\w.,/]\d|\w)")
# An emergency number is dialled: "gọi ngay 115", "số 113", "tổng đài 114".
_EMERGENCY_CUE = re.compile(r"(?:gọi(?:\s+\w+){0,2}|tổng đài|đường dây nóng|hotline|điện thoại)\s*:?\s*$",
                            re.IGNORECASE)


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


def expand_phone_numbers(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Phone numbers and hotlines digit by digit, groups separated by commas."""
    if not has_digit(text):
        return text

    def phone(m: re.Match) -> str:
        plus, body = m.group(1), m.group(2)
        digits = re.sub(r"\D", "", body)
        cue = _preceded_by(text, m.start(), D.PHONE_CUES) is not None
        shaped = (plus is not None
                  or (digits.startswith("0") and 9 <= len(digits) <= 11)
                  or (digits[:4] in ("1800", "1900") and len(digits) in (8, 10)))
        thousands = bool(_THOUSANDS.fullmatch(body)) and not digits.startswith("0")
        if not (shaped or (cue and len(digits) >= 6 and not thousands)):
            return m.group(0)
        separated = re.split(r"[ .\-]", body)
        groups = separated if len(separated) > 1 else _group_digits(digits)
        words = [read_digits(g) for g in groups if g]
        if plus:
            words.insert(0, D.PHONE_PLUS + " " + read_digits(plus))
        return ", ".join(words)
    text = _PHONE.sub(phone, text)
    return _EMERGENCY.sub(
        lambda m: read_digits(m.group(1)) if _EMERGENCY_CUE.search(text[max(0, m.start() - 25):m.start()])
        else m.group(0), text)


_DOC_CODE = re.compile(
    r"(?<![\w/])(\d{1,6})?((?:/\d{4})?)/([A-ZĐ][A-Za-zĐđ&]*(?:[-–][A-ZĐ][A-Za-zĐđ&]*)*)(?![\w/])")


def expand_document_codes(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Official document numbers: 2482/CVT-CS, 15/2020/NĐ-CP, /STTTT-TTr."""
    if "/" not in text:
        return text

    def code(m: re.Match) -> str:
        number, year, letters = m.group(1), m.group(2), m.group(3)
        if not number and not year and len(letters) < 2:
            return m.group(0)
        words = []
        if number:
            words.append(read_number(number, options))
        if year:
            words += [D.SLASH_IN_CODE, read_number(year[1:], options)]
        parts = re.split(r"[-–]", letters)
        words += [D.SLASH_IN_CODE, f" {D.DASH_IN_CODE} ".join(_spell(p) for p in parts)]
        return " ".join(words)
    return _DOC_CODE.sub(code, text)
