"""Text stage, shared helpers: the word before a position, spelling letters aloud, the shape of a Vietnamese syllable, character clean-up."""
from __future__ import annotations

import functools
import re
import unicodedata

from broadcaster.speech import vi_data as D


# Fast gates: a step that needs a digit skips lines without one.
has_digit = re.compile(r"\d").search

# Finders (see `sub_lines`) for "a digit, maybe spaces, then a mark" start with the mark, which is
# rarer than a digit, and look back for the digit: DIGIT_BEFORE holds after the mark when a digit
# comes right before it or one space before it, or after two spaces or more (a few lines too many
# are picked then; a finder may find more lines than its pattern matches, never fewer).
DIGIT_BEFORE = r"(?:(?<=\d.)|(?<=\d[ \t].)|(?<=[ \t][ \t].))"

def distinct_tokens(text: str) -> str:
    """The distinct whitespace-separated tokens of `text`, joined by spaces, in no set order.

    A shorter text with the same words: a word (a run of letters) never holds whitespace, so
    a step can find which words a block holds by scanning this instead of the whole block.
    """
    return " ".join(set(text.split()))


_WORD_BEFORE = re.compile(r"([^\W\d_]+)[^\w\n]*$")


def window_before(text: str, start: int, size: int) -> str:
    """Up to `size` characters before `start`, never reaching back into the previous line."""
    window = text[max(0, start - size):start]
    cut = window.rfind("\n")
    return window if cut < 0 else window[cut + 1:]


def _previous_word(text: str, start: int) -> str:
    """The word just before position `start` (lower case), skipping spaces and punctuation."""
    m = _WORD_BEFORE.search(text[max(0, start - 30):start])
    return m.group(1).lower() if m else ""


def _preceded_by(text: str, start: int, phrases: tuple[str, ...]) -> str | None:
    """Which of `phrases` (lower case) ends right before `start`, spaces allowed."""
    window = window_before(text, start, 30).rstrip().lower()
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



_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200c\u200e\u200f\u2060\ufeff]")
_EMOJI = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in D.EMOJI_RANGES) + "]")
_SPACES = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000\u2028\u2029]")


def clean_characters(text: str) -> str:
    """Drop control characters and emoji; tabs and odd spaces become spaces; CR/LF -> LF."""
    text = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
    text = _CONTROL.sub("", text)
    text = _EMOJI.sub("", text)
    return _SPACES.sub(" ", text)



def _next_word(text: str, end: int) -> str:
    """The word right after position `end` (lower case), skipping spaces."""
    m = _WORD_AFTER.match(text, end)
    return m.group(1).lower() if m else ""


_WORD_AFTER = re.compile(r"[ \t]*([^\W\d_]+)")


def phrase_regex(keys, end_guard, flags: int = 0) -> re.Pattern:
    """One regex for a table of phrases, built as a trie so a line is scanned once, not once per key.

    Args:
        keys: the phrases (matched literally; with re.IGNORECASE, give them in lower case).
        end_guard: function key -> regex that must hold after the key (e.g. not a letter).
        flags: re flags for the whole pattern.

    Returns:
        A pattern matching the longest phrase at each place, not inside a word.
    """
    trie: dict = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = end_guard(key)

    def build(node: dict, guard: str = "") -> str:
        branches = [re.escape(ch) + guard + build(child) for ch, child in sorted(node.items()) if ch]
        if "" in node:
            branches.append(node[""])
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    if flags & re.IGNORECASE:
        # No leading look-ahead guard: it would stop the regex engine from skipping fast to
        # the characters that can start a key.
        return re.compile(r"(?<![\w&])" + build(trie), flags)
    # Case-sensitive keys: the "not inside a word" guard comes after the first character of
    # each key, as a look-behind over two characters. A pattern that starts with a look-behind
    # makes the regex engine try every position; one that starts with a key's first letter
    # lets it skip fast to where a key can start (twice as fast on the benchmark text).
    # Under IGNORECASE the engine cannot skip that way and the leading guard is faster.
    return re.compile(build(trie, r"(?<![\w&].)"), flags)


@functools.lru_cache(maxsize=64)
def _literal_finder(needles: tuple[str, ...]) -> re.Pattern:
    """One pattern finding any of `needles` (longest first), so a block is scanned once for all of them."""
    return re.compile("|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)))


def sub_lines(pattern: re.Pattern, repl, text: str, needles: str | tuple[str, ...] | re.Pattern) -> str:
    """``pattern.sub(repl, text)`` run only on the lines that hold one of `needles`.

    Speed only: every match of `pattern` must contain one of `needles` (strings, or a
    compiled pattern that finds a piece every match holds, a "finder"), stay inside
    one line, and `repl` must read its context from ``m.string`` (never from a
    closure). Lines are independent (patterns use [ \\t], windows stop at "\\n"),
    so the result is the same as a sub over the whole text, without scanning the
    lines that cannot match. The finder runs once over the whole block, jumping to
    the next line after each hit, instead of once per line.
    """
    return subs_lines(((pattern, repl),), text, needles)


def subs_lines(subs, text: str, needles: str | tuple[str, ...] | re.Pattern) -> str:
    """Several ``pattern.sub(repl, …)`` in order, on the lines `needles` picks before the first.

    The same as `sub_lines` once per (pattern, repl) with the same needles, with one scan
    for the needles: a line that none of them is in is left unchanged by every sub, and
    running a sub on a line that cannot match changes nothing.
    """
    if isinstance(needles, re.Pattern):
        finder = needles
    else:
        finder = _literal_finder((needles,) if isinstance(needles, str) else tuple(needles))
    search = finder.search
    hit = search(text)
    if hit is None:
        return text
    if "\n" not in text:
        for pattern, repl in subs:
            text = pattern.sub(repl, text)
        return text
    spans: list[tuple[int, int]] = []
    find, rfind, size = text.find, text.rfind, len(text)
    while hit is not None:
        first = hit.start()
        end = find("\n", first)
        if end < 0:
            end = size
        spans.append((rfind("\n", 0, first) + 1, end))
        hit = search(text, end + 1) if end < size else None
    picked = "\n".join([text[a:b] for a, b in spans])
    for pattern, repl in subs:
        picked = pattern.sub(repl, picked)
    done = picked.split("\n")
    if len(done) != len(spans):           # a replacement holds a line end: do it the plain way
        for pattern, repl in subs:
            text = pattern.sub(repl, text)
        return text
    parts: list[str] = []
    last = 0
    for (a, b), line in zip(spans, done):
        parts.append(text[last:a])
        parts.append(line)
        last = b
    parts.append(text[last:])
    return "".join(parts)
