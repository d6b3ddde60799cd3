"""Text stage, staff lexicon (từ điển đọc riêng): applying lexicon.yaml before every other rule.

The file is read and checked by ``lexicon.read_lexicon`` (the one YAML reader, one set of messages).
"""
from __future__ import annotations

import functools
import re

from broadcaster.speech.norm.options import DEFAULT_OPTIONS, NormalizeOptions

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
