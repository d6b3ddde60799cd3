"""Warnings of one run (a command, a web request): each distinct warning shown once, with how often it occurred.

Stages return their warnings (``Problem``s of severity "warning", the normaliser's
strings); the shells put them into one `WarningCollector` and show its lines. A
warning that names a list of words (the normaliser's unknown acronyms, one list
per input line) is merged across occurrences: one line naming every word once,
each with its own count. Nothing here prints; the CLI writes the lines to standard
error, the web can put `lines()` in a banner.
"""
from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Callable, Iterable

from .errors import Problem

MESSAGES = {
    "count": "{text} (×{count})",
    "prefix": "cảnh báo: ",
}


@dataclass
class _Entry:
    """One distinct warning: its text (or template with ``{words}``) and counts."""

    text: str
    is_words: bool = False
    count: int = 0
    words: dict[str, int] = field(default_factory=dict)  # word → occurrences, in first-seen order
    shown: bool = False


class WarningCollector:
    """Distinct warnings of one run, in first-seen order, each with its number of occurrences.

    Example::

        notices = WarningCollector()
        for line in lines:
            notices.extend(warnings_of(line))
        for text in notices.lines():
            print(text, file=sys.stderr)   # "cảnh báo: … (×12)"
    """

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def add(self, warning: str | Problem) -> None:
        """Count one occurrence of a warning (a `Problem` is shown as FILE:LINE: cảnh báo: …)."""
        text = str(warning) if isinstance(warning, Problem) else with_prefix(str(warning))
        entry = self._entries.setdefault(text, _Entry(text))
        entry.count += 1

    def add_words(self, template: str, words: Iterable[str]) -> None:
        """Count one occurrence of a warning about a list of words, merged with the others of ``template``.

        Args:
            template: The warning with a ``{words}`` field, e.g. the normaliser's
                ``MESSAGES["acronyms"]``.
            words: The words this occurrence names.
        """
        key = "\0words\0" + template
        entry = self._entries.setdefault(key, _Entry(template, is_words=True))
        entry.count += 1
        for word in words:
            entry.words[word] = entry.words.get(word, 0) + 1

    def extend(self, warnings: Iterable[str | Problem]) -> None:
        """`add` each warning of an iterable."""
        for warning in warnings:
            self.add(warning)

    def __len__(self) -> int:
        """Number of distinct warnings."""
        return len(self._entries)

    def counts(self) -> list[tuple[str, int]]:
        """(text, occurrences) of each distinct warning, in first-seen order (word lists already merged)."""
        return [(self._render(e), e.count) for e in self._entries.values()]

    def lines(self) -> list[str]:
        """Each distinct warning once, with "(×N)" when it occurred N > 1 times."""
        return [self._line(e) for e in self._entries.values()]

    def flush(self, echo: Callable[[str], None]) -> int:
        """Show, through ``echo``, the warnings not shown yet; later repeats of them stay silent.

        Returns:
            How many lines were shown.
        """
        shown = 0
        for entry in self._entries.values():
            if not entry.shown:
                echo(self._line(entry))
                entry.shown = True
                shown += 1
        return shown

    @staticmethod
    def _render(entry: _Entry) -> str:
        if not entry.is_words:
            return entry.text
        words = ", ".join(w if n == 1 else MESSAGES["count"].format(text=w, count=n) for w, n in entry.words.items())
        return with_prefix(entry.text.format(words=words))

    def _line(self, entry: _Entry) -> str:
        text = self._render(entry)
        if entry.is_words or entry.count == 1:  # word lists carry their counts per word
            return text
        return MESSAGES["count"].format(text=text, count=entry.count)


def with_prefix(text: str) -> str:
    """The warning with "cảnh báo: " in front, unless it already says so (or names its FILE:LINE)."""
    if MESSAGES["prefix"] in text:
        return text
    return MESSAGES["prefix"] + text


def split_words_warning(template: str, text: str) -> list[str] | None:
    """The words of a warning made from ``template`` (a format string with one ``{words}`` field).

    Returns:
        The comma-separated words, or None when ``text`` was not made from ``template``.
    """
    fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    if fields != ["words"]:
        return None
    head, tail = template.split("{words}", 1)
    head, tail = head.replace("{{", "{").replace("}}", "}"), tail.replace("{{", "{").replace("}}", "}")
    if not (text.startswith(head) and text.endswith(tail)) or len(text) < len(head) + len(tail):
        return None
    middle = text[len(head):len(text) - len(tail)]
    return [w.strip() for w in middle.split(",") if w.strip()]
