"""Text stage, legacy encodings: TCVN3 (.VnTime) and VNI-Windows text pasted from old Word documents, converted to Unicode."""
from __future__ import annotations

import itertools
import re
import unicodedata

from broadcaster.speech import vi_legacy as L


_VNI_PATTERN = re.compile(
    "([" + "".join(L.VNI_BASES) + "])([" + "".join(L.VNI_MARKS) + "])|([" + "".join(L.VNI_SINGLE) + "])")
# Letter pairs Unicode Vietnamese never has but VNI writes for â, ê, ô, ă, á …
# Written with the second letter first (it is rarer), then the first one looked for behind it:
# the same places as "[aeoAEO][âÂ]|[aA][êÊ]|[aeiouyAEIOUY][ùõÙÕ]" (the two letter sets never
# overlap, so the count is the same), found by a faster scan.
_VNI_PAIRS = re.compile(r"[âÂ](?<=[aeoAEO].)|[êÊ](?<=[aA].)|[ùõÙÕ](?<=[aeiouyAEIOUY].)")
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
    # A legacy text has at least one legacy mark per 100 words: the words are counted only
    # when marks are seen, and only up to 100 per mark (enough to decide).
    tcvn = sum(map(text.count, _TCVN3_CORE))
    if tcvn >= 2 and _words_at_most(text, tcvn * 100):
        converted = text.translate(_TCVN3_TABLE)
        return unicodedata.normalize("NFC", converted), L.ENCODING_NAMES["tcvn3"]
    vni = sum(map(text.count, L.VNI_SIGNATURE))
    if vni < 2:
        vni += len(_VNI_PAIRS.findall(text))
    if vni >= 2 and _words_at_most(text, vni * 100):
        return unicodedata.normalize("NFC", _VNI_PATTERN.sub(_vni_replace, text)), L.ENCODING_NAMES["vni"]
    return text, None


def _words_at_most(text: str, limit: int) -> bool:
    """True when `text` has at most `limit` (≥ 1) runs of letters; stops counting past the limit."""
    return sum(1 for _ in itertools.islice(_LETTERS.finditer(text), limit + 1)) <= limit
