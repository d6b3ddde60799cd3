"""Text stage, staff lexicon (từ điển đọc riêng): reading lexicon.yaml and applying it before every other rule."""
from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from broadcaster.errors import Problem
from broadcaster.speech.norm.options import DEFAULT_OPTIONS, NormalizeOptions

MESSAGES = {
    "lexicon_yaml": "tệp từ điển đọc không đúng cú pháp YAML: {error}",
    "lexicon_not_mapping": "tệp từ điển phải là một bảng 'từ: cách đọc'",
    "lexicon_key": "từ cần đọc phải là chuỗi chữ (đặt trong dấu ngoặc kép nếu là số): {key!r}",
    "lexicon_value": "cách đọc của \"{key}\" phải là chuỗi chữ",
    "lexicon_empty": "cách đọc của \"{key}\" đang để trống",
    "lexicon_duplicate": "từ \"{key}\" khai báo hai lần; dùng cách đọc sau",
    "lexicon_digits": "cách đọc của \"{key}\" còn chữ số; hãy viết bằng chữ",
    "lexicon_unreadable": "không đọc được tệp từ điển: {error}",
}


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


def load_lexicon(path) -> tuple[dict[str, str], list[Problem]]:
    """Read a lexicon.yaml of ``word: reading`` pairs (từ điển đọc riêng).

    Args:
        path: the file; a missing file is not an error.

    Returns:
        (lexicon, problems) — every problem found, each with its line number;
        entries with an error are left out, warnings keep the entry.
    """
    import yaml

    file = str(path)
    p = Path(path)
    if not p.exists():
        return {}, []
    try:
        source = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [Problem(file, None, MESSAGES["lexicon_unreadable"].format(error=exc))]
    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        return {}, [Problem(file, line, MESSAGES["lexicon_yaml"].format(error=getattr(exc, "problem", exc)))]
    if node is None:
        return {}, []
    if not isinstance(node, yaml.MappingNode):
        return {}, [Problem(file, node.start_mark.line + 1, MESSAGES["lexicon_not_mapping"])]
    lexicon: dict[str, str] = {}
    problems: list[Problem] = []
    from ...yamlfile import DateSafeLoader  # an impossible date such as 2024-02-30 stays text, no crash

    constructor = DateSafeLoader("")
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        try:
            key = constructor.construct_object(key_node, deep=True)
            value = constructor.construct_object(value_node, deep=True)
        except yaml.YAMLError as exc:
            problems.append(Problem(file, line, MESSAGES["lexicon_yaml"].format(error=exc)))
            continue
        if not isinstance(key, str) or not key.strip():
            problems.append(Problem(file, line, MESSAGES["lexicon_key"].format(key=key)))
            continue
        key = unicodedata.normalize("NFC", key.strip())
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(Problem(file, line, MESSAGES["lexicon_empty"].format(key=key)))
            continue
        if not isinstance(value, str):
            problems.append(Problem(file, line, MESSAGES["lexicon_value"].format(key=key)))
            continue
        value = unicodedata.normalize("NFC", value.strip())
        if key in lexicon:
            problems.append(Problem(file, line, MESSAGES["lexicon_duplicate"].format(key=key), "warning"))
        if any(c.isdigit() for c in value):
            problems.append(Problem(file, line, MESSAGES["lexicon_digits"].format(key=key), "warning"))
        lexicon[key] = value
    return lexicon, problems

