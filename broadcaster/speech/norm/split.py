"""Text stage, splitting: cuts the spoken text into clauses with the pause after each, for the speech engine."""
from __future__ import annotations

import re

from broadcaster.speech import vi_data as D


# Pauses after each piece handed to the speech engine (milliseconds).
PAUSE_SENTENCE_MS = 600    # . ? ! and the end of a line
PAUSE_CLAUSE_MS = 400      # ; :
PAUSE_COMMA_MS = 250       # ,
PAUSE_PARAGRAPH_MS = 900   # blank line
PAUSE_BREATH_MS = 120      # a long clause cut at a space
MAX_CLAUSE_CHARS = 100     # online engines cut longer requests mid-number

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
