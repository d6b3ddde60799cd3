"""Text stage: turns announcement text as staff type or paste it into the spoken Vietnamese (văn bản đọc) that eSpeak NG reads aloud.

The work is a list of small named ``str -> str`` steps (see `PIPELINE`), one
per phenomenon, applied in order to each line: staff lexicon, URLs and e-mail,
phone numbers, document codes, quarters, dates, months, times, Roman numerals,
ordinals, abbreviations, money, units, ranges, numbers, symbols, capital words,
punctuation and a last catch-all so that no digit and no Latin acronym reaches
the speech engine. Readings follow a commune announcer in the South (Sóc
Trăng): "ngàn", "lẻ", "hai mươi tư"; `NormalizeOptions.dialect = "north"`
gives "nghìn", "linh", "hai mươi bốn".

Choices made on purpose (and pinned by `tests/data/normalize_corpus.tsv`):

* Times keep "phút": ``6h30`` -> "sáu giờ ba mươi phút"; whole hours drop it:
  ``17h00`` -> "mười bảy giờ". Ranges read "từ … đến …".
* 2G/3G/4G/5G are read "hai gờ" … "năm gờ", the way people say it in the
  South; G is "gờ" in spelled acronyms too.
* Document codes (``2482/CVT-CS``) read the number as a cardinal, "/" as
  "trên", the letter part spelled letter by letter and "-" as "gạch":
  "hai ngàn bốn trăm tám mươi hai trên xê vê tê gạch xê ét". A code is an
  identifier; spelling it is how staff quote it on the phone.
* Phone numbers are read digit by digit with a comma (a short pause) between
  groups: the groups written, or 4-3-3 / 4-4-3 / 4-4 when written in one run.
* Words written in capitals that are Vietnamese syllables (``NGUYỄN VĂN AN``,
  ``THÔNG BÁO``) are put in lower case; other all-capital tokens that are not
  in the abbreviation table are spelled with Vietnamese letter names.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from broadcaster.errors import Problem
from broadcaster.speech import vi_data as D
from broadcaster.speech import vi_legacy as L

__all__ = [
    "NormalizeOptions", "normalize_text", "normalize_with_warnings", "split_for_speech",
    "decode_legacy", "load_lexicon", "read_number", "read_digits", "PIPELINE",
    "PAUSE_SENTENCE_MS", "PAUSE_CLAUSE_MS", "PAUSE_COMMA_MS", "PAUSE_PARAGRAPH_MS",
    "PAUSE_BREATH_MS", "MAX_CLAUSE_CHARS",
]

# Pauses after each piece handed to the speech engine (milliseconds).
PAUSE_SENTENCE_MS = 600    # . ? ! and the end of a line
PAUSE_CLAUSE_MS = 400      # ; :
PAUSE_COMMA_MS = 250       # ,
PAUSE_PARAGRAPH_MS = 900   # blank line
PAUSE_BREATH_MS = 120      # a long clause cut at a space
MAX_CLAUSE_CHARS = 100     # online engines cut longer requests mid-number

# Longer digit runs are read digit by digit: eSpeak NG hangs on them and a
# listener cannot follow a 16-digit cardinal anyway.
MAX_CARDINAL_DIGITS = 15

# User-facing text, kept together for translation.
MESSAGES = {
    "legacy": "văn bản dùng bảng mã {name}, đã chuyển sang Unicode",
    "acronyms": "các từ viết tắt chưa có trong bảng, đã đánh vần từng chữ: {words} "
                "(thêm vào lexicon.yaml nếu cần đọc khác)",
    "bad_dialect": "phương ngữ không hợp lệ: {value!r}; chọn một trong: {choices}",
    "lexicon_yaml": "tệp từ điển đọc không đúng cú pháp YAML: {error}",
    "lexicon_not_mapping": "tệp từ điển phải là một bảng 'từ: cách đọc'",
    "lexicon_key": "từ cần đọc phải là chuỗi chữ (đặt trong dấu ngoặc kép nếu là số): {key!r}",
    "lexicon_value": "cách đọc của \"{key}\" phải là chuỗi chữ",
    "lexicon_empty": "cách đọc của \"{key}\" đang để trống",
    "lexicon_duplicate": "từ \"{key}\" khai báo hai lần; dùng cách đọc sau",
    "lexicon_digits": "cách đọc của \"{key}\" còn chữ số; hãy viết bằng chữ",
    "lexicon_unreadable": "không đọc được tệp từ điển: {error}",
}


@dataclass(frozen=True)
class NormalizeOptions:
    """How to read a text aloud.

    Attributes:
        dialect: "south" (ngàn, lẻ, hai mươi tư) or "north" (nghìn, linh, hai mươi bốn).
        mong: read days 1 to 10 as "mùng một" ("mồng một" in the North).
        lexicon: staff overrides, word -> reading (từ điển đọc riêng), applied
            first and whole-word; keys in capitals match case-sensitively.
    """

    dialect: str = "south"
    mong: bool = True
    lexicon: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.dialect not in D.DIALECTS:
            raise ValueError(MESSAGES["bad_dialect"].format(
                value=self.dialect, choices=", ".join(sorted(D.DIALECTS))))


DEFAULT_OPTIONS = NormalizeOptions()

# --- Reading numbers -------------------------------------------------------------------


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
    digits = str(value)
    if len(digits) > MAX_CARDINAL_DIGITS:
        return read_digits(digits)
    n = int(digits)
    if n == 0:
        return D.DIGITS[0]
    return " ".join(_read_int(n, False, D.DIALECTS[options.dialect]))


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
    integer, comma, decimals = token.partition(",")
    if "," in decimals:                      # "1,2,3": a list written without spaces
        return f" {D.DECIMAL_COMMA} ".join(read_numeric_token(p, options) for p in token.split(","))
    if _THOUSANDS.fullmatch(integer):
        words = read_number(integer.replace(".", ""), options)
    elif "." in integer:                     # section numbers "2.5.1"
        words = f" {D.DECIMAL_DOT} ".join(_read_integer_token(p, options) for p in integer.split("."))
    else:
        words = _read_integer_token(integer, options)
    if comma and decimals:
        # "1,5.2" (a decimal followed by a section dot): each dotted part after "phẩy" on its own.
        parts = [p for p in decimals.split(".") if p]
        words += f" {D.DECIMAL_COMMA} " + f" {D.DECIMAL_DOT} ".join(_read_fraction_digits(p, options) for p in parts)
    return words


# --- Small text helpers ------------------------------------------------------------------

_WORD_BEFORE = re.compile(r"([^\W\d_]+)[^\w\n]*$")


def _previous_word(text: str, start: int) -> str:
    """The word just before position `start` (lower case), skipping spaces and punctuation."""
    m = _WORD_BEFORE.search(text[max(0, start - 30):start])
    return m.group(1).lower() if m else ""


def _preceded_by(text: str, start: int, phrases: tuple[str, ...]) -> str | None:
    """Which of `phrases` (lower case) ends right before `start`, spaces allowed."""
    window = text[max(0, start - 30):start].rstrip().lower()
    for phrase in phrases:
        if window.endswith(phrase) and (len(window) == len(phrase)
                                        or not window[-len(phrase) - 1].isalnum()):
            return phrase
    return None


def _spell(token: str) -> str:
    """Spell a token letter by letter with Vietnamese letter names; digits one by one."""
    out = []
    for ch in token:
        up = ch.upper()
        if up in D.LETTER_NAMES:
            out.append(D.LETTER_NAMES[up])
        elif ch.isdigit():
            out.append(D.DIGITS[int(ch)])
        elif ch == "&":
            out.append(D.SYMBOLS["&"])
    return " ".join(out)


# Vietnamese syllable shape, tone marks removed (circumflex, breve, horn kept).
_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x)?"
_NUCLEUS = (r"(?:uyê|uya|uyu|oai|oay|oeo|uây|uôi|ươi|ươu|iêu|yêu|uay|oă|oa|oe|uâ|uê|uy|uơ|iê|yê|"
            r"uô|ươ|ia|ua|ưa|ai|ao|au|ay|âu|ây|eo|êu|iu|oi|ôi|ơi|ui|ưi|ưu|a|ă|â|e|ê|i|o|ô|ơ|u|ư|y)")
_CODA = r"(?:ng|nh|ch|c|m|n|p|t)?"
_SYLLABLE = re.compile(_ONSET + _NUCLEUS + _CODA)
_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _strip_tones(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))


@functools.lru_cache(maxsize=4096)
def is_vietnamese_syllable(word: str) -> bool:
    """True if `word` (any case, with or without tone marks) has the shape of one Vietnamese syllable."""
    return bool(_SYLLABLE.fullmatch(_strip_tones(word)))


@functools.lru_cache(maxsize=1024)
def _segment_ascii(label: str) -> tuple[str, ...] | None:
    """Split an unaccented run like "soctrang" into syllables ("soc", "trang"), fewest first."""
    n = len(label)
    if n == 0 or n > 30:
        return None
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(i + 1, min(n, i + 7) + 1):
            piece = label[i:j]
            if _SYLLABLE.fullmatch(piece):
                candidate = best[i] + (piece,)
                if best[j] is None or len(candidate) < len(best[j]):
                    best[j] = candidate
    return best[n]


# --- Character clean-up and legacy encodings -----------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200c\u200e\u200f\u2060\ufeff]")
_EMOJI = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in D.EMOJI_RANGES) + "]")
_SPACES = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000\u2028\u2029]")


def clean_characters(text: str) -> str:
    """Drop control characters and emoji; tabs and odd spaces become spaces; CR/LF -> LF."""
    text = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
    text = _CONTROL.sub("", text)
    text = _EMOJI.sub("", text)
    return _SPACES.sub(" ", text)


_VNI_PATTERN = re.compile(
    "([" + "".join(L.VNI_BASES) + "])([" + "".join(L.VNI_MARKS) + "])|([" + "".join(L.VNI_SINGLE) + "])")
# Letter pairs Unicode Vietnamese never has but VNI writes for â, ê, ô, ă, á …
_VNI_PAIRS = re.compile(r"[aeoAEO][âÂ]|[aA][êÊ]|[aeiouyAEIOUY][ùõÙÕ]")
_TCVN3_CORE = frozenset(c for c in L.TCVN3_SIGNATURE if "\u00a1" <= c <= "\u00be")
_TCVN3_TABLE = str.maketrans(L.TCVN3_TO_UNICODE)
_LETTERS = re.compile(r"[^\W\d_]+")


def _vni_replace(m: re.Match) -> str:
    if m.group(3):
        return L.VNI_SINGLE[m.group(3)]
    composed = unicodedata.normalize("NFC", L.VNI_BASES[m.group(1)] + L.VNI_MARKS[m.group(2)])
    return composed if len(composed) == 1 else m.group(0)


def decode_legacy(text: str) -> tuple[str, str | None]:
    """Detect TCVN3 (.VnTime) or VNI text pasted from old Word documents and convert it.

    Args:
        text: any text.

    Returns:
        (text in Unicode NFC, encoding name) — the name is "TCVN3 (.VnTime)" or
        "VNI-Windows", or None when the text was already Unicode (returned as is).
    """
    if text.isascii():
        return text, None
    letters = max(1, len(_LETTERS.findall(text)))
    tcvn = sum(map(text.count, _TCVN3_CORE))
    if tcvn >= 2 and tcvn * 100 >= letters:
        converted = text.translate(_TCVN3_TABLE)
        return unicodedata.normalize("NFC", converted), L.ENCODING_NAMES["tcvn3"]
    vni = sum(map(text.count, L.VNI_SIGNATURE))
    if vni < 2:
        vni += len(_VNI_PAIRS.findall(text))
    if vni >= 2 and vni * 100 >= letters:
        return unicodedata.normalize("NFC", _VNI_PATTERN.sub(_vni_replace, text)), L.ENCODING_NAMES["vni"]
    return text, None


# --- Pipeline steps ---------------------------------------------------------------------------
# Each step takes one line and returns it; `options` has a default so that a
# step is a plain ``str -> str`` function in tests.


@functools.lru_cache(maxsize=32)
def _lexicon_pattern(items: tuple[tuple[str, str], ...]) -> tuple[re.Pattern | None, re.Pattern | None, dict]:
    exact = {k: v for k, v in items if k.isupper()}
    folded = {k.casefold(): v for k, v in items if not k.isupper()}

    def build(keys, flags=0):
        if not keys:
            return None
        alts = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
        return re.compile(rf"(?<!\w)(?:{alts})(?!\w)", flags)
    return build(exact), build(folded, re.IGNORECASE), {**folded, **{("=" + k): v for k, v in exact.items()}}


def apply_lexicon(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Staff overrides from lexicon.yaml (từ điển đọc riêng), whole-word, before every other rule."""
    if not options.lexicon:
        return text
    items = tuple(sorted((str(k), str(v)) for k, v in options.lexicon.items() if k and v))
    exact_re, folded_re, table = _lexicon_pattern(items)
    if exact_re:
        text = exact_re.sub(lambda m: table["=" + m.group(0)], text)
    if folded_re:
        text = folded_re.sub(lambda m: table[m.group(0).casefold()], text)
    return text


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
    if not any(c.isdigit() for c in text):
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
    if not any(c.isdigit() for c in text):
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
    if not any(c.isdigit() for c in text):
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
    if not any(c.isdigit() for c in text):
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
    if not any(c.isdigit() for c in text):
        return text
    return _ORDINAL.sub(
        lambda m: f"{m.group(1)} {D.ORDINALS.get(int(m.group(2))) or read_number(m.group(2), options)}", text)


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


_CURRENCY = re.compile(r"(\d)\s?(VNĐ|VND|vnđ|vnd|đồng|USD|usd|đ|Đ|\$)(?![\w])")
_DOLLAR_FIRST = re.compile(r"\$\s?(\d[\d.,]*\d|\d)")


def expand_money(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """500.000 đồng, 1.250.000đ, 200.000 VNĐ, 100 USD, $5."""
    if not any(c.isdigit() for c in text):
        return text
    text = _DOLLAR_FIRST.sub(lambda m: f"{m.group(1)} {D.CURRENCIES['$']}", text)
    return _CURRENCY.sub(lambda m: f"{m.group(1)} {D.CURRENCIES[m.group(2)]}", text)


_UNIT = re.compile(r"(\d)\s?(" + "|".join(re.escape(u) for u in sorted(D.UNITS, key=len, reverse=True))
                   + r")(?![\w²³])")
_PER_UNIT = re.compile(r"(?<=\w)\s?/\s?(" + "|".join(re.escape(u) for u in D.PER_UNIT_NOUNS) + r")(?!\w)")


def expand_units(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Units after a number (5km, 30°C, 2 ha, 95,5%, 60 km/h) and "per" (50.000 đồng/tháng)."""
    if any(c.isdigit() for c in text):
        text = _UNIT.sub(lambda m: f"{m.group(1)} {D.UNITS[m.group(2)]}", text)
    if "/" in text:
        text = _PER_UNIT.sub(lambda m: f" {D.PER_WORD} {D.UNITS.get(m.group(1), m.group(1))}", text)
    return text


_NUMBER_TOKEN = r"\d+(?:[.,]\d+)*"
_NUMBER_RANGE = re.compile(rf"(?<![\w.,])({_NUMBER_TOKEN})\s*[-–—]\s*(?=\d)")


_TIMES_SIGN = re.compile(r"(?<=\d)\s*[xX×]\s*(?=\d)")
_RATIO = re.compile(r"(?<=\d):(?=\d)")


def expand_number_ranges(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Signs between two numbers: 15-20 -> "15 đến 20", 3 x 4 -> "3 nhân 4", 1:500 -> "1 trên 500"."""
    if not any(c.isdigit() for c in text):
        return text
    text = _NUMBER_RANGE.sub(lambda m: f"{m.group(1)} {D.RANGE_WORD} ", text)
    text = _TIMES_SIGN.sub(f" {D.SYMBOLS['×']} ", text)
    return _RATIO.sub(f" {D.SLASH_IN_CODE} ", text)


_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def separate_letters_from_digits(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """A1 -> "A 1", 9A -> "9 A": what is left of codes is read piece by piece."""
    if not any(c.isdigit() for c in text):
        return text
    return _LETTER_DIGIT.sub(" ", text)


_NUMBER = re.compile(rf"(?:(?<=\s)|^)([-−])?({_NUMBER_TOKEN})|({_NUMBER_TOKEN})")
_DOT_DECIMAL = re.compile(r"\d+\.\d{1,2}")
_MAGNITUDE_AFTER = re.compile(r"\s*(?:triệu|tỷ|ngàn|nghìn|phần trăm|héc ta|ki lô|mét|lít|tấn|độ)(?!\w)")
_FRACTION = re.compile(r"(?<![\w.,/])(\d{1,6})/(\d{1,6})(?![\w/]|[.,]\d)")


def expand_numbers(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Every remaining number: 2.300, 1.005, 3,5, 0,5, -5, 1/2 (phần), 100/200 (trên), long digit runs."""
    if not any(c.isdigit() for c in text):
        return text

    def fraction(m: re.Match) -> str:
        top, bottom = int(m.group(1)), int(m.group(2))
        if top < bottom <= 10 and bottom:
            below = D.FRACTION_DENOMINATOR_FOUR if bottom == 4 else read_number(bottom, options)
            return f"{read_number(top, options)} {D.FRACTION} {below}"
        return f"{read_number(m.group(1), options)} {D.SLASH_IN_CODE} {read_number(m.group(2), options)}"

    cache: dict[str, str] = {}

    def number(m: re.Match) -> str:
        sign, token = m.group(1), m.group(2) or m.group(3)
        if _DOT_DECIMAL.fullmatch(token) and _MAGNITUDE_AFTER.match(m.string, m.end()):
            token = token.replace(".", ",")     # "1.5 triệu" typed the English way
        words = cache.get(token)
        if words is None:
            words = cache[token] = read_numeric_token(token, options)
        return f"{D.NEGATIVE} {words}" if sign else words

    if "/" in text:
        text = _FRACTION.sub(fraction, text)
    return _NUMBER.sub(number, text)


_SYMBOL = re.compile("|".join(re.escape(s) for s in D.SYMBOLS))
_SLASH_WORDS = re.compile(r"(?<=[^\W\d_])\s?/\s?(?=[^\W\d_])")


def expand_symbols(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """& -> "và", + -> "cộng", = -> "bằng", Nam/Nữ -> "Nam hoặc Nữ"."""
    if "/" in text:
        text = _SLASH_WORDS.sub(f" {D.SLASH_BETWEEN_WORDS} ", text)
    return _SYMBOL.sub(lambda m: f" {D.SYMBOLS[m.group(0)]} ", text)


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


_BULLET = re.compile(r"^\s*(?:[-–—+•·*▪●○]|\d+[.)])?\s*(?=\S)")
_STRONG = ".?!"
_SPACE_BEFORE_MARK = re.compile(r"\s+([,;:.!?])")
_PUNCT_RUN = re.compile(r"[,;:.!?](?:\s*[,;:.!?])+")
_MARK_THEN_WORD = re.compile(r"([,;:.!?])(?=[^\s,;:.!?])")


def _strongest(run: str) -> str:
    marks = [c for c in run if c in ",;:.!?"]
    for group in ("?", "!", ".", ";", ":"):
        if group in marks:
            return group
    return ","


def tidy_punctuation(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Keep only the pacing marks . , ; : ? ! — brackets become commas, dashes between words commas."""
    text = text.replace("./.", ".").replace("…", ".")
    text = re.sub(r"^\s*[-–—+•·*▪●○]\s+", "", text)
    text = re.sub(r"[()\[\]{}]", ",", text)
    text = re.sub(r"[\"“”„‘’«»`´]|(?<!\w)'|'(?!\w)", " ", text)
    text = re.sub(r"\s[-–—]+\s", ", ", text)
    text = re.sub(r"[-–—_*#|\\^/]+", " ", text)
    text = _SPACE_BEFORE_MARK.sub(r"\1", text)
    text = _PUNCT_RUN.sub(lambda m: _strongest(m.group(0)), text)
    text = _MARK_THEN_WORD.sub(r"\1 ", text)
    text = re.sub(r" {2,}", " ", text).strip()
    text = text.lstrip(",;: ").rstrip(", ")
    return text


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


Step = Callable[..., str]

# The order matters: codes and phone numbers before dates, dates and times before
# plain numbers, table abbreviations before unknown capitals are spelled.
PIPELINE: tuple[Step, ...] = (
    apply_lexicon,
    expand_urls_and_emails,
    expand_phone_numbers,
    expand_document_codes,
    expand_quarters,
    expand_dates,
    expand_month_names,
    expand_times,
    expand_roman_numerals,
    expand_ordinals,
    expand_abbreviations,
    expand_money,
    expand_units,
    expand_number_ranges,
    separate_letters_from_digits,
    expand_numbers,
    expand_symbols,
    expand_capital_words,
    tidy_punctuation,
    spell_leftovers,
)


def _normalize_line(line: str, options: NormalizeOptions, unknown: list[str] | None) -> str:
    for step in PIPELINE:
        if unknown is not None and step is expand_capital_words:
            unknown.extend(w for w in find_unknown_acronyms(line) if w not in unknown)
        line = step(line, options)
    return line


def normalize_with_warnings(text: str, options: NormalizeOptions | None = None) -> tuple[str, list[str]]:
    """Like `normalize_text`, also returning Vietnamese warnings for staff.

    Warnings say when the text was in a legacy encoding and which acronyms were
    not in the table and got spelled letter by letter.
    """
    return _normalize(text, options, want_warnings=True)


def normalize_text(text: str, options: NormalizeOptions | None = None) -> str:
    """Turn a whole text (newlines allowed) into its spoken form, one output line per input line.

    Never raises on a str; deterministic; NFC first, legacy encodings converted.
    """
    return _normalize(text, options, want_warnings=False)[0]


def _normalize(text: str, options: NormalizeOptions | None, want_warnings: bool) -> tuple[str, list[str]]:
    options = options or DEFAULT_OPTIONS
    if not isinstance(text, str):
        text = str(text)
    warnings: list[str] = []
    text = clean_characters(unicodedata.normalize("NFC", text))
    text, encoding = decode_legacy(text)
    if encoding:
        warnings.append(MESSAGES["legacy"].format(name=encoding))
    unknown: list[str] | None = [] if want_warnings else None
    lines = [_normalize_line(line, options, unknown) if line.strip() else "" for line in text.split("\n")]
    if unknown:
        warnings.append(MESSAGES["acronyms"].format(words=", ".join(unknown)))
    return "\n".join(lines), warnings


# --- Pieces for the speech engine -------------------------------------------------------------

NUMBER_WORDS = frozenset(D.DIGITS) | {
    D.HUNDRED, D.TEN, D.TENS, D.ONE_AFTER_TENS, D.FIVE_AFTER_TENS, D.MILLION, D.BILLION,
    D.DECIMAL_COMMA, D.DECIMAL_DOT, "ngàn", "nghìn", "lẻ", "linh", "tư", "mùng", "mồng", "âm", "phần",
}
_CLAUSE = re.compile(r"[^,;:.!?]+[,;:.!?]*|[,;:.!?]+")


def _pause_for(clause: str) -> int:
    tail = clause.rstrip()[-1:]
    if tail in ".?!":
        return PAUSE_SENTENCE_MS
    if tail in ";:":
        return PAUSE_CLAUSE_MS
    if tail == ",":
        return PAUSE_COMMA_MS
    return PAUSE_SENTENCE_MS       # end of a line with no mark


def _cut_long(clause: str) -> list[str]:
    """Cut a clause longer than MAX_CLAUSE_CHARS at spaces, never between two number words."""
    pieces = []
    while len(clause) > MAX_CLAUSE_CHARS:
        words = clause.split(" ")
        cut, length = None, 0
        for i in range(1, len(words)):
            length += len(words[i - 1]) + 1
            left, right = words[i - 1].strip(",;:.!?").lower(), words[i].strip(",;:.!?").lower()
            if left in NUMBER_WORDS and right in NUMBER_WORDS:
                continue
            if length > MAX_CLAUSE_CHARS and cut is not None:
                break
            cut = i
        if cut is None:
            break
        pieces.append(" ".join(words[:cut]))
        clause = " ".join(words[cut:])
    return pieces + [clause]


def split_for_speech(spoken: str) -> list[tuple[str, int]]:
    """Split normalised text into (clause, pause_ms_after) pieces for synthesis.

    Sentence ends . ? ! (and a line end) pause PAUSE_SENTENCE_MS, ; : PAUSE_CLAUSE_MS,
    , PAUSE_COMMA_MS, a blank line PAUSE_PARAGRAPH_MS. No clause is empty, and a
    long clause is cut only at a space that is not inside a number's words.
    """
    pieces: list[tuple[str, int]] = []
    blank = False
    for line in spoken.split("\n"):
        if not line.strip():
            blank = True
            continue
        if blank and pieces:
            pieces[-1] = (pieces[-1][0], max(pieces[-1][1], PAUSE_PARAGRAPH_MS))
        blank = False
        for m in _CLAUSE.finditer(line):
            clause = m.group(0).strip()
            pause = _pause_for(clause)
            if not any(c.isalnum() for c in clause):
                if pieces:
                    pieces[-1] = (pieces[-1][0], max(pieces[-1][1], pause))
                continue
            parts = _cut_long(clause)
            pieces += [(p, PAUSE_BREATH_MS) for p in parts[:-1]]
            pieces.append((parts[-1], pause))
    return pieces


# --- Staff lexicon file ---------------------------------------------------------------------------


def load_lexicon(path) -> tuple[dict[str, str], list[Problem]]:
    """Read a lexicon.yaml of ``word: reading`` pairs (từ điển đọc riêng).

    Args:
        path: the file; a missing file is not an error.

    Returns:
        (lexicon, problems) — every problem found, each with its line number;
        entries with an error are left out, warnings keep the entry.
    """
    import yaml

    file = str(path)
    p = Path(path)
    if not p.exists():
        return {}, []
    try:
        source = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [Problem(file, None, MESSAGES["lexicon_unreadable"].format(error=exc))]
    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        return {}, [Problem(file, line, MESSAGES["lexicon_yaml"].format(error=getattr(exc, "problem", exc)))]
    if node is None:
        return {}, []
    if not isinstance(node, yaml.MappingNode):
        return {}, [Problem(file, node.start_mark.line + 1, MESSAGES["lexicon_not_mapping"])]
    lexicon: dict[str, str] = {}
    problems: list[Problem] = []
    from ..yamlfile import DateSafeLoader  # an impossible date such as 2024-02-30 stays text, no crash

    constructor = DateSafeLoader("")
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        try:
            key = constructor.construct_object(key_node, deep=True)
            value = constructor.construct_object(value_node, deep=True)
        except yaml.YAMLError as exc:
            problems.append(Problem(file, line, MESSAGES["lexicon_yaml"].format(error=exc)))
            continue
        if not isinstance(key, str) or not key.strip():
            problems.append(Problem(file, line, MESSAGES["lexicon_key"].format(key=key)))
            continue
        key = unicodedata.normalize("NFC", key.strip())
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(Problem(file, line, MESSAGES["lexicon_empty"].format(key=key)))
            continue
        if not isinstance(value, str):
            problems.append(Problem(file, line, MESSAGES["lexicon_value"].format(key=key)))
            continue
        value = unicodedata.normalize("NFC", value.strip())
        if key in lexicon:
            problems.append(Problem(file, line, MESSAGES["lexicon_duplicate"].format(key=key), "warning"))
        if any(c.isdigit() for c in value):
            problems.append(Problem(file, line, MESSAGES["lexicon_digits"].format(key=key), "warning"))
        lexicon[key] = value
    return lexicon, problems
