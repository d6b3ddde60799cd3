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
* The slash is read by its role: a rate (``15.000đ/kg`` -> "… đồng một ki lô
  gam"), a document or party code ("trên"), two abbreviations of one kind
  (``3G/4G`` -> "ba gờ, bốn gờ"), days sharing a month, a street named by a date
  (``đường 2/9`` -> "đường hai tháng chín"); between plain words it stays
  "hoặc" and is reported as uncertain.
* ``d-m`` and ``d.m`` after a date word are day and month (``ngày 20-3``,
  ``hết ngày 30.4``); elsewhere a dash between numbers is a range "… đến …",
  with the unit once (``30%-60%`` -> "ba mươi đến sáu mươi phần trăm").
* Numbers that are names are not quantities: roads (``QL1A``, ``ĐT.826``,
  ``Km 12+500``), product and variety codes (``OM5451`` -> "o em năm bốn năm
  một"), long digit runs and masked phone numbers are read in groups.
* A step that has to guess reports it (`norm.options.report`); the guesses come
  back as data from `normalize_detailed` and reach ``check`` and the web page.

The steps live in rooms by kind under `broadcaster.speech.norm`: numbers
(`norm.numbers`), dates and times (`norm.dates`), codes — web addresses, phone
numbers, document numbers (`norm.codes`), abbreviations
(`norm.words`), foreign and brand words (`norm.foreign`), symbols and punctuation (`norm.symbols`), legacy encodings
(`norm.legacy`), the staff lexicon (`norm.lexicon`) and the cutting into clauses
for the speech engine (`norm.split`). This module only puts them in order.
"""
from __future__ import annotations

import unicodedata
from typing import Callable

from broadcaster.speech.norm.codes import (
    expand_codes, expand_document_codes, expand_phone_numbers, expand_urls_and_emails,
)
from broadcaster.speech.norm.dates import (
    expand_dates, expand_month_names, expand_ordinals, expand_quarters, expand_roman_numerals, expand_times,
    roman_value,
)
from broadcaster.speech.norm.foreign import expand_foreign_words, spell_foreign_words
from broadcaster.speech.norm.legacy import decode_legacy
from broadcaster.lexicon import read_lexicon as load_lexicon  # read as every folder file (one YAML reader)
from broadcaster.speech.norm.lexicon import apply_lexicon
from broadcaster.speech.norm.numbers import (
    expand_money, expand_number_ranges, expand_numbers, expand_units, read_digits, read_number,
    read_numeric_token, separate_letters_from_digits,
)
from broadcaster.speech.norm.options import _NOTES, DEFAULT_OPTIONS, MAX_CARDINAL_DIGITS, NormalizeOptions, NormWarning
from broadcaster.speech.norm.split import (
    MAX_CLAUSE_CHARS, NUMBER_WORDS, PAUSE_BREATH_MS, PAUSE_CLAUSE_MS, PAUSE_COMMA_MS, PAUSE_PARAGRAPH_MS,
    PAUSE_SENTENCE_MS, split_for_speech,
)
from broadcaster.speech.norm.symbols import expand_symbols, strip_bullets, tidy_punctuation
from broadcaster.speech.norm.text import clean_characters, is_vietnamese_syllable
from broadcaster.speech.norm.words import (
    drop_repeated_acronyms, expand_abbreviations, expand_capital_words, find_unknown_acronyms, spell_leftovers,
)

__all__ = [
    "NormalizeOptions", "NormWarning", "normalize_text", "normalize_with_warnings", "normalize_detailed", "split_for_speech",
    "decode_legacy", "load_lexicon", "read_number", "read_digits", "PIPELINE",
    "PAUSE_SENTENCE_MS", "PAUSE_CLAUSE_MS", "PAUSE_COMMA_MS", "PAUSE_PARAGRAPH_MS",
    "PAUSE_BREATH_MS", "MAX_CLAUSE_CHARS",
    # steps and helpers, for tests and tools
    "apply_lexicon", "strip_bullets", "expand_urls_and_emails", "expand_phone_numbers", "expand_document_codes", "expand_codes",
    "expand_quarters", "expand_dates", "expand_month_names", "expand_times", "expand_roman_numerals",
    "expand_ordinals", "drop_repeated_acronyms", "expand_abbreviations", "expand_foreign_words", "spell_foreign_words", "expand_money", "expand_units", "expand_number_ranges",
    "separate_letters_from_digits", "expand_numbers", "expand_symbols", "expand_capital_words",
    "tidy_punctuation", "spell_leftovers", "read_numeric_token", "roman_value", "clean_characters",
    "is_vietnamese_syllable", "find_unknown_acronyms", "NUMBER_WORDS", "DEFAULT_OPTIONS",
    "MAX_CARDINAL_DIGITS",
]

Step = Callable[..., str]

# The order matters: codes and phone numbers before dates, dates and times before
# plain numbers, table abbreviations before unknown capitals are spelled.
PIPELINE: tuple[Step, ...] = (
    apply_lexicon,
    strip_bullets,
    expand_urls_and_emails,
    expand_phone_numbers,
    expand_document_codes,
    expand_quarters,
    expand_dates,
    expand_month_names,
    expand_times,
    expand_codes,
    expand_roman_numerals,
    expand_ordinals,
    drop_repeated_acronyms,
    expand_abbreviations,
    expand_foreign_words,
    expand_money,
    expand_units,
    expand_number_ranges,
    separate_letters_from_digits,
    expand_numbers,
    expand_symbols,
    expand_capital_words,
    spell_foreign_words,
    tidy_punctuation,
    spell_leftovers,
)


def normalize_detailed(text: str, options: NormalizeOptions | None = None) -> tuple[str, list[NormWarning]]:
    """Like `normalize_text`, also returning every uncertain reading as data.

    Returns:
        (spoken text, warnings) — one `NormWarning` per distinct (kind, span), in
        order of lines, with the 1-based line where the span is first written; a
        legacy encoding gives one warning of kind "legacy" (span = encoding name).
    """
    options = options or DEFAULT_OPTIONS
    text, encoding = _prepare(text)
    lines = [line if line.strip() else "" for line in text.split("\n")]
    found: list[NormWarning] = []
    seen: set[tuple[str, str]] = set()
    out: list[str] = []
    for start in range(0, len(lines), CHUNK_LINES):
        block = lines[start:start + CHUNK_LINES]
        notes: list[tuple[str, str, str]] = []
        token = _NOTES.set(notes)
        try:
            out += _chunk(block, options)
        finally:
            _NOTES.reset(token)
        for kind, span, reading in notes:
            if (kind, span) in seen:
                continue
            seen.add((kind, span))
            number = next((start + i for i, line in enumerate(block, 1) if span and span in line), start + 1)
            found.append(NormWarning(kind, span, reading, number))
    found.sort(key=lambda w: w.line)
    legacy = [NormWarning("legacy", encoding, "Unicode", 0)] if encoding else []
    return "\n".join(out), legacy + found


def normalize_with_warnings(text: str, options: NormalizeOptions | None = None) -> tuple[str, list[str]]:
    """Like `normalize_text`, also returning Vietnamese warnings for staff (one string each).

    Warnings say when the text was in a legacy encoding and, once per distinct
    place, where the normaliser guessed: the written text, the reading chosen and
    the lexicon.yaml line that fixes it. `normalize_detailed` gives the same as data.
    """
    spoken, warnings = normalize_detailed(text, options)
    return spoken, [w.message for w in warnings]


def normalize_text(text: str, options: NormalizeOptions | None = None) -> str:
    """Turn a whole text (newlines allowed) into its spoken form, one output line per input line.

    Never raises on a str; deterministic; NFC first, legacy encodings converted.
    """
    options = options or DEFAULT_OPTIONS
    text, _ = _prepare(text)
    lines = [line if line.strip() else "" for line in text.split("\n")]
    out: list[str] = []
    for start in range(0, len(lines), CHUNK_LINES):
        out += _chunk(lines[start:start + CHUNK_LINES], options)
    return "\n".join(out)


# Lines are run through the steps many at a time: no step reaches across a line end
# (patterns use [ \t], not \s; windows stop at "\n"), so a chunk reads exactly as its
# lines one by one, with a few Python calls per chunk instead of per line.
CHUNK_LINES = 256


def _chunk(lines: list[str], options: NormalizeOptions) -> list[str]:
    text = "\n".join(lines)
    for step in PIPELINE:
        text = step(text, options)
    out = text.split("\n")
    if len(out) != len(lines):            # a step joined or split lines: read them one by one
        out = [_line(line, options) for line in lines]
    return [line if source else "" for line, source in zip(out, lines)]


def _line(line: str, options: NormalizeOptions) -> str:
    if not line:
        return ""
    for step in PIPELINE:
        line = step(line, options)
    return line.replace("\n", " ")


def _prepare(text) -> tuple[str, str | None]:
    if not isinstance(text, str):
        text = str(text)
    return decode_legacy(clean_characters(unicodedata.normalize("NFC", text)))
