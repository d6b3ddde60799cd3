"""Text stage, symbols and punctuation: & + = / read as words; brackets, quotes and bullets reduced to the pacing marks . , ; : ? !"""
from __future__ import annotations

import re

from broadcaster.speech import vi_data as D
from broadcaster.speech.norm.options import DEFAULT_OPTIONS, NormalizeOptions


_SYMBOL = re.compile("|".join(re.escape(s) for s in D.SYMBOLS))
_SLASH_WORDS = re.compile(r"(?<=[^\W\d_])\s?/\s?(?=[^\W\d_])")


def expand_symbols(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """& -> "và", + -> "cộng", = -> "bằng", Nam/Nữ -> "Nam hoặc Nữ"."""
    if "/" in text:
        text = _SLASH_WORDS.sub(f" {D.SLASH_BETWEEN_WORDS} ", text)
    return _SYMBOL.sub(lambda m: f" {D.SYMBOLS[m.group(0)]} ", text)


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
