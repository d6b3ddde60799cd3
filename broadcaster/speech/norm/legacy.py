"""Text stage, legacy encodings: TCVN3 (.VnTime) and VNI-Windows text pasted from old Word documents, converted to Unicode."""
from __future__ import annotations

import re
import unicodedata

from broadcaster.speech import vi_legacy as L


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
    tcvn = sum(map(text.count, _TCVN3_CORE))
    letters = 0                              # counted only when a legacy mark is seen (a whole-text scan)
    if tcvn >= 2:
        letters = max(1, len(_LETTERS.findall(text)))
    if tcvn >= 2 and tcvn * 100 >= letters:
        converted = text.translate(_TCVN3_TABLE)
        return unicodedata.normalize("NFC", converted), L.ENCODING_NAMES["tcvn3"]
    vni = sum(map(text.count, L.VNI_SIGNATURE))
    if vni < 2:
        vni += len(_VNI_PAIRS.findall(text))
    if vni >= 2 and not letters:
        letters = max(1, len(_LETTERS.findall(text)))
    if vni >= 2 and vni * 100 >= letters:
        return unicodedata.normalize("NFC", _VNI_PATTERN.sub(_vni_replace, text)), L.ENCODING_NAMES["vni"]
    return text, None
