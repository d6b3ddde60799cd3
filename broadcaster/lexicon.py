"""Loading lexicon.yaml (từ điển đọc riêng): the folder's ``word: reading`` pairs, checked, for text normalisation.

Read by the one YAML reader with line numbers, like every other file of the working
folder; ``config.inspect_project`` puts the result on the `Project`, and the
console's writer (``configfile.save_lexicon``) reads a new text back with it
before replacing the file.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

from .errors import Problem
from .yamlfile import load_yaml_entries

LEXICON_MESSAGES = {
    "key": "từ cần đọc phải là chuỗi chữ (đặt trong dấu ngoặc kép nếu là số): {key!r}",
    "value": "cách đọc của \"{key}\" phải là chuỗi chữ",
    "empty": "cách đọc của \"{key}\" đang để trống",
    "duplicate": "từ \"{key}\" khai báo hai lần; dùng cách đọc sau",
    "digits": "cách đọc của \"{key}\" còn chữ số; hãy viết bằng chữ",
}


def read_lexicon(path: Path | str, display: str | None = None) -> tuple[dict[str, str], list[Problem]]:
    """A lexicon.yaml of ``word: reading`` pairs (từ điển đọc riêng), read by the one YAML reader.

    Args:
        path: The file; a missing or empty file is an empty lexicon, not an error.
        display: The name shown in problems (default: the path).

    Returns:
        (lexicon, problems) with lines: an entry with an error is left out; a repeated
        word (the later reading wins) or digits in a reading warn and keep the entry.
    """
    display = display or str(path)
    entries, problems = load_yaml_entries(Path(path), display)
    lexicon: dict[str, str] = {}
    for key, value, line in entries or ():
        if not isinstance(key, str) or not key.strip():
            problems.append(Problem(display, line, LEXICON_MESSAGES["key"].format(key=key)))
            continue
        key = unicodedata.normalize("NFC", key.strip())
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(Problem(display, line, LEXICON_MESSAGES["empty"].format(key=key)))
            continue
        if not isinstance(value, str):
            problems.append(Problem(display, line, LEXICON_MESSAGES["value"].format(key=key)))
            continue
        value = unicodedata.normalize("NFC", value.strip())
        if key in lexicon:
            problems.append(Problem(display, line, LEXICON_MESSAGES["duplicate"].format(key=key), "warning"))
        if any(c.isdigit() for c in value):
            problems.append(Problem(display, line, LEXICON_MESSAGES["digits"].format(key=key), "warning"))
        lexicon[key] = value
    return lexicon, problems
