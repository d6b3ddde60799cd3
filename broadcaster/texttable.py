"""Shells' text tables: rows of cells → aligned plain text for the terminal (plan, log list, voices, report).

One rule for every table: a column is as wide as its widest cell on screen
(Vietnamese combining marks take no column, wide East Asian characters two),
cells are separated by two spaces, numeric columns align right, and trailing
spaces are dropped.
"""
from __future__ import annotations

import unicodedata
from typing import Sequence


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: combining marks 0, wide/full-width characters 2, others 1."""
    width = 0
    for ch in unicodedata.normalize("NFC", text):
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def text_table(headings: Sequence[str] | None, rows: Sequence[Sequence[str]], *,
               numeric: Sequence[bool] | None = None, rule: bool = True) -> str:
    """An aligned text table.

    Args:
        headings: Column headings, or None for a table without a heading line.
        rows: The cells, already formatted as text; every row as long as the headings.
        numeric: Per column, whether it aligns right (numbers); all left when None.
        rule: Put a line of dashes under the headings.

    Returns:
        The lines joined by ``\\n`` (no final newline).
    """
    lines = [list(headings)] if headings is not None else []
    body = [list(r) for r in rows]
    columns = len(lines[0]) if lines else (len(body[0]) if body else 0)
    widths = [max(display_width(r[i]) for r in lines + body) for i in range(columns)]
    right = list(numeric) if numeric is not None else [False] * columns

    def line(cells: list[str]) -> str:
        padded = []
        for cell, width, num in zip(cells, widths, right):
            pad = " " * (width - display_width(cell))
            padded.append(pad + cell if num else cell + pad)
        return "  ".join(padded).rstrip()

    out = []
    if headings is not None:
        out.append(line(lines[0]))
        if rule:
            out.append("  ".join("-" * w for w in widths))
    out += [line(r) for r in body]
    return "\n".join(out)
