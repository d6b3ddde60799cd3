"""Text stage, symbols and punctuation: & + = / read as words; brackets, quotes and bullets reduced to the pacing marks . , ; : ? !"""
from __future__ import annotations

import re

from broadcaster.speech import vi_data as D
from broadcaster.speech.norm.options import DEFAULT_OPTIONS, NormalizeOptions, report
from broadcaster.speech.norm.text import sub_lines


_SYMBOL = re.compile("|".join(re.escape(s) for s in D.SYMBOLS))
_FIND_SLASH_WORD = re.compile(r"/[ \t]?[^\W\d_]")
_SLASH_WORDS = re.compile(r"([^\W\d_]+)[ \t]?/[ \t]?(?=([^\W\d_]+))")


def _slash_between_words(m: re.Match) -> str:
    report("slash", f"{m.group(1)}/{m.group(2)}", f"{m.group(1)} {D.SLASH_BETWEEN_WORDS} {m.group(2)}")
    return f"{m.group(1)} {D.SLASH_BETWEEN_WORDS} "


# Bullets and list marks at the start of a line are not read: "- ", "+ ", "• ", "* ", "▪ ".
_LINE_BULLET = re.compile(r"^[ \t]*(?:[-–—+•·*▪●○►✓✔➢➤]+)[ \t]+", re.MULTILINE)
_ARROW = re.compile(r"[ \t]*(?:-{1,2}>|={1,2}>|→|⇒|➔|➜|➝|⟶)[ \t]*")


def strip_bullets(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """"- Như trên", "+ Mua bán", "• Hạn chót" -> the text without its bullet; arrows -> a pause."""
    text = _LINE_BULLET.sub("", text)
    if ">" in text or "→" in text or "⇒" in text:
        text = _ARROW.sub(", ", text)
    return text


def expand_symbols(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """& -> "và", + -> "cộng", = -> "bằng", Nam/Nữ -> "Nam hoặc Nữ" (an uncertain slash, reported)."""
    text = sub_lines(_SLASH_WORDS, _slash_between_words, text, _FIND_SLASH_WORD)
    return _SYMBOL.sub(lambda m: f" {D.SYMBOLS[m.group(0)]} ", text)


_BULLET = re.compile(r"^[ \t]*(?:[-–—+•·*▪●○]|\d+[.)])?[ \t]*(?=[^ \t\n])")
_STRONG = ".?!"
_OLD_BULLET = re.compile(r"^[ \t]*[-–—+•·*▪●○][ \t]+", re.MULTILINE)
_SPACE_RUN = re.compile(r" {2,}")
_QUOTES = re.compile(r"[\"“”„‘’«»`´]")
_APOSTROPHE = re.compile(r"'(?<!\w')|'(?!\w)")
_SPACE_BEFORE_MARK = re.compile(r"[ \t]+([,;:.!?])")
_PUNCT_RUN = re.compile(r"[,;:.!?](?:[ \t]*[,;:.!?])+")
_MARK_THEN_WORD = re.compile(r"([,;:.!?])(?=[^ \t\n,;:.!?])")
_DASH_BETWEEN_WORDS = re.compile(r"[ \t][-–—]+[ \t]")
_FIND_DASH_AFTER_SPACE = re.compile(r"[-–—](?<=[ \t].)")
_SPACES_BEFORE = tuple(" " + mark for mark in ",;:.!?")


def _strongest(run: str) -> str:
    marks = [c for c in run if c in ",;:.!?"]
    for group in ("?", "!", ".", ";", ":"):
        if group in marks:
            return group
    return ","


def tidy_punctuation(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """Keep only the pacing marks . , ; : ? ! — brackets become commas, dashes between words commas."""
    text = text.replace("./.", ".").replace("…", ".")
    text = _OLD_BULLET.sub("", text)
    for bracket in "()[]{}":            # str.replace is faster than a regex scan (and str.translate)
        if bracket in text:
            text = text.replace(bracket, ",")
    # Quotes, then an apostrophe not inside a word: two fast scans, the same as one with both.
    text = _QUOTES.sub(" ", text)
    if "'" in text:
        text = _APOSTROPHE.sub(" ", text)
    text = sub_lines(_DASH_BETWEEN_WORDS, ", ", text, _FIND_DASH_AFTER_SPACE)
    text = text.replace("|", ",")
    text = re.sub(r"[-–—_*#\\^/]+", " ", text)
    if "\t" in text:
        text = _SPACE_BEFORE_MARK.sub(r"\1", text)
    else:                               # the same without a regex: " ," -> "," until none is left
        for pair in _SPACES_BEFORE:
            while pair in text:
                text = text.replace(pair, pair[1])
    text = _PUNCT_RUN.sub(lambda m: _strongest(m.group(0)), text)
    text = _MARK_THEN_WORD.sub(r"\1 ", text)
    while "  " in text:                 # runs of spaces -> one (as _SPACE_RUN, faster)
        text = text.replace("  ", " ")
    if "\n" not in text:
        return text.strip().lstrip(",;: ").rstrip(", ")
    return "\n".join(line.strip().lstrip(",;: ").rstrip(", ") for line in text.split("\n"))
