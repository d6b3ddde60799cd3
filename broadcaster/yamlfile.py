"""Reading the user's YAML files safely, with the line of every key kept for FILE:LINE messages.

Only plain data is built (safe loading: a tag that would construct a Python object is a
problem, nothing runs). Encoding, emptiness and syntax problems come back as `Problem`s.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Iterable

import yaml

from .errors import Problem, did_you_mean, valid_list
from .portable import windows_reserved
from .timeutil import parse_date

MESSAGES = {
    "not_utf8": "tệp không phải UTF-8 (có vẻ là {enc}) — mở tệp bằng trình soạn thảo và lưu lại với bảng mã UTF-8",
    "empty": "tệp rỗng — cần có nội dung YAML (xem README, mục định dạng tệp)",
    "syntax": "lỗi cú pháp YAML: {detail}",
    "not_table": "nội dung phải là một bảng khóa: giá trị (mỗi dòng  khóa: giá trị)",
    "too_deep": "dữ liệu lồng nhau quá sâu (quá nhiều dấu [ hoặc {)",
    "tag": "thẻ YAML không được phép ({tag}) — chỉ dùng dữ liệu thường (chữ, số, danh sách)",
    "dup_key": 'khóa "{key}" xuất hiện hai lần (lần đầu ở dòng {first}) — xóa một trong hai',
    "not_mapping": "nội dung phải là một bảng khóa: giá trị (ví dụ  id: ...), không phải {kind}",
    "unknown_key": 'khóa không hợp lệ "{key}"{hint} — các khóa hợp lệ: {valid}',
    "missing_key": 'thiếu trường bắt buộc "{key}"',
    "unreadable": "không đọc được tệp: {detail}",
    "type": '"{key}" phải là {expected}, không phải {got}',
    "choice": '{what} không hợp lệ "{value}"{hint} — chọn một trong: {valid}',
    "y_colon": "có dấu hai chấm (:) ở chỗ không được phép — nếu nội dung có dấu hai chấm (ví dụ  Lưu ý: …), đặt cả giá trị trong dấu nháy kép \"…\"; nếu không, kiểm tra thụt lề của dòng này so với dòng trên",
    "y_no_colon": "thiếu dấu hai chấm (:) sau tên khóa — viết  khóa: giá trị  (có một dấu cách sau dấu hai chấm)",
    "y_tab": "có ký tự Tab ở đầu dòng hoặc giữa khóa — YAML chỉ cho thụt lề bằng dấu cách; thay Tab bằng dấu cách",
    "y_char": "ký tự {char} không được đứng đầu một giá trị — đặt cả giá trị trong dấu nháy kép \"…\"",
    "y_quote": "dấu nháy mở ở dòng này chưa được đóng (tệp hết trước dấu nháy đóng ở dòng {end}) — thêm dấu nháy đóng cùng loại (\" hoặc ')",
    "y_escape": "trong dấu nháy kép có dấu gạch chéo ngược (\\) không hợp lệ — dùng dấu nháy đơn '…', hoặc viết \\\\ thay cho \\",
    "y_flow_seq": "ngoặc vuông [ mở ở dòng này chưa được đóng hoặc thiếu dấu phẩy giữa các mục (phát hiện ở dòng {end}) — viết dạng [a, b, c]",
    "y_flow_map": "ngoặc nhọn {{ mở ở dòng này chưa được đóng hoặc thiếu dấu phẩy giữa các cặp (phát hiện ở dòng {end}) — viết dạng {{khóa: giá trị, khóa: giá trị}}",
    "y_node": "thiếu giá trị hoặc có ngoặc thừa ({found}) — kiểm tra các dấu ngoặc [ ] {{ }} và dấu phẩy",
    "y_indent": "thụt lề không khớp với các dòng trên, thiếu dấu hai chấm, hoặc có chữ thừa sau dấu nháy đóng — các khóa cùng cấp phải thẳng cột (cùng số dấu cách), mỗi mục danh sách bắt đầu bằng  - ",
    "y_alias": "giá trị bắt đầu bằng * hoặc & (ký hiệu riêng của YAML) — đặt cả giá trị trong dấu nháy kép \"…\"",
    "y_documents": "tệp có hơn một phần YAML (dòng ---) — mỗi tệp chỉ chứa một phần; xóa dòng --- hoặc tách ra tệp khác",
    "y_block": "sau dấu | hoặc > phải xuống dòng ngay — đưa nội dung xuống dòng dưới và thụt vào hai dấu cách",
    "y_trailing": "sau giá trị còn chữ thừa — xóa phần thừa hoặc đặt cả giá trị trong dấu nháy kép \"…\"",
    "long_field": "{label} ({key}) dài {length} ký tự, quá giới hạn {limit} ký tự — viết ngắn lại, tối đa {limit} ký tự",
    "long_text": ("{key} dài {length} ký tự, quá {limit} ký tự (khoảng {minutes} phút đọc, dài hơn một phiên phát) — "
                  "tách thành nhiều kịch bản ngắn hơn"),
    "y_control": "tệp có ký tự điều khiển không in được (mã {code}) — xóa ký tự đó (thường do sao chép từ Word hoặc PDF)",
    "y_other": "cấu trúc YAML không hợp lệ — kiểm tra thụt lề, dấu hai chấm và dấu nháy; chi tiết kỹ thuật: {detail}",
    "windows_id": ('mã "{value}" không dùng được làm tên tệp trên Windows (CON, PRN, AUX, NUL, COM1–9, LPT1–9 là tên '
                   'dành riêng; không được kết thúc bằng dấu chấm) — đổi mã, ví dụ "{value}-1"'),
    "unsafe_id": 'mã "{value}" không dùng được làm tên tệp — chỉ dùng chữ không dấu, số, dấu gạch ngang (-), gạch dưới (_) hoặc chấm, không bắt đầu bằng dấu chấm hay gạch chéo; tối đa {limit} ký tự',
    "long_id": 'mã "{value}" dài {length} ký tự, quá giới hạn {limit} ký tự (mã là tên tệp) — đặt mã ngắn hơn, tối đa {limit} ký tự',
}
ID_LIMIT = 64  # an id is a file name (clips, exports on FAT sticks): short enough for every path

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,%d}$" % (ID_LIMIT - 1))


class LDict(dict):
    """A mapping from YAML that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line) if hasattr(self, "key_lines") else self.line


class LList(list):
    """A sequence from YAML that remembers its line and the line of each item."""

    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        lines = getattr(self, "item_lines", [])
        return lines[index] if index < len(lines) else self.line


class _DuplicateKey(Exception):
    def __init__(self, key, first, line):
        self.key, self.first, self.line = key, first, line


class _ControlCharacter(Exception):
    def __init__(self, code, line):
        self.code, self.line = code, line


_MISUSED_TAG = (ValueError, TypeError, AttributeError, KeyError, IndexError)
# Control characters a quoted string may spell as an escape ("\0", "\v", "\x1f"); the reader refuses them raw.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class DateSafeLoader(yaml.SafeLoader):
    """SafeLoader whose impossible dates (``2024-02-30``) stay text instead of crashing the load.

    PyYAML resolves anything shaped like a date to a timestamp and builds it with
    `datetime.date`, which raises a bare ValueError (in English, without a line) for
    30 February, month 13 or year 0. Kept as the text the user wrote, the value
    reaches the field's own validating parser (`timeutil.parse_date`), which names
    the file, the line and the expected form.
    """

    def construct_yaml_timestamp(self, node):  # noqa: D401 - PyYAML hook
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)

    def construct_scalar(self, node):  # noqa: D401 - PyYAML hook
        # Word and Excel refuse control characters (an English error at report time): refuse them here, with the line.
        value = super().construct_scalar(node)
        found = _CONTROL.search(value) if isinstance(value, str) else None
        if found:
            raise _ControlCharacter(f"U+{ord(found.group()):04X}", node.start_mark.line + 1)
        return value

    def construct_object(self, node, deep=False):  # noqa: D401 - PyYAML hook
        # A standard tag on the wrong kind of node (``!!set`` on a scalar, ``!!omap`` on a mapping)
        # makes PyYAML fail with a bare ValueError/TypeError; report it like any refused tag, with its line.
        try:
            return super().construct_object(node, deep)
        except _MISUSED_TAG as exc:
            short = str(node.tag).rsplit(":", 1)[-1]
            raise yaml.constructor.ConstructorError(None, None, f"tag !!{short}", node.start_mark) from exc

    def get_single_data(self):  # noqa: D401 - PyYAML entry point used by yaml.load
        # Thousands of nested [ or { exhaust Python's recursion in PyYAML's parser: a syntax problem
        # with the place where reading stopped, not a crash.
        try:
            return super().get_single_data()
        except RecursionError as exc:
            raise yaml.parser.ParserError(None, None, MESSAGES["too_deep"], self.get_mark()) from exc

    def construct_document(self, node):  # noqa: D401 - PyYAML hook
        # Sets and mappings are finished after construct_object returns (PyYAML's generator constructors).
        try:
            return super().construct_document(node)
        except _MISUSED_TAG as exc:
            raise yaml.constructor.ConstructorError(None, None, f"tag !!{str(node.tag).rsplit(':', 1)[-1]}",
                                                    node.start_mark) from exc


DateSafeLoader.add_constructor("tag:yaml.org,2002:timestamp", DateSafeLoader.construct_yaml_timestamp)


class _LineLoader(DateSafeLoader):
    """SafeLoader that records lines, rejects duplicate keys and keeps `05:30` as text."""

    def construct_mapping(self, node, deep=False):  # noqa: D401 - PyYAML hook
        self.flatten_mapping(node)
        result = LDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                key = str(key)
            line = key_node.start_mark.line + 1
            if key in result.key_lines:
                raise _DuplicateKey(key, result.key_lines[key], line)
            result.key_lines[key] = line
            result[key] = self.construct_object(value_node, deep=True)
        return result

    def construct_seq(self, node):
        result = LList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result

    def construct_int_keep_clock(self, node):
        # YAML 1.1 reads 05:30 as the sexagesimal number 330; staff mean a clock time.
        value = self.construct_scalar(node)
        if ":" in value:
            return value
        return yaml.SafeLoader.construct_yaml_int(self, node)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_seq)
_LineLoader.add_constructor("tag:yaml.org,2002:int", _LineLoader.construct_int_keep_clock)
_LineLoader.add_constructor("tag:yaml.org,2002:float", lambda loader, node: (
    loader.construct_scalar(node) if ":" in loader.construct_scalar(node)
    else yaml.SafeLoader.construct_yaml_float(loader, node)))


def guess_encoding(raw: bytes) -> str:
    """Name the encoding a non-UTF-8 file most likely uses, for the error message."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    if b"\x00" in raw[:200]:
        return "UTF-16 không có BOM"
    try:
        text = raw.decode("cp1258")
        if any(ch in text for ch in "ăâđêôơưĂÂĐÊÔƠƯ"):
            return "Windows-1258 (tiếng Việt)"
    except UnicodeDecodeError:
        pass
    # TCVN3 (.VnTime) places Vietnamese letters in the 0xA1-0xFF range.
    if sum(1 for b in raw if 0xA1 <= b <= 0xFF) > len(raw) * 0.02:
        return "TCVN3 (ABC/.VnTime) hoặc Windows-1252"
    return "Windows-1252 / Latin-1"


def read_text(path: Path, display: str) -> tuple[str | None, list[Problem]]:
    """Read a file as UTF-8 (a BOM is allowed); a problem instead when it is not UTF-8."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(display, None, MESSAGES["unreadable"].format(detail=exc.strerror or exc))]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(display, line, MESSAGES["not_utf8"].format(enc=guess_encoding(raw)))]


def load_yaml(path: Path, display: str | None = None, *, allow_empty: bool = False) -> tuple[Any, list[Problem]]:
    """Load one YAML file into LDict/LList/scalars; problems instead of exceptions."""
    display = display or str(path)
    text, problems = read_text(path, display)
    if text is None:
        return None, problems
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        return None, ([] if allow_empty else [Problem(display, 1, MESSAGES["empty"])])
    return _parse(text, display, lambda: yaml.load(text, Loader=_LineLoader))  # noqa: S506 - a SafeLoader


def load_yaml_entries(path: Path, display: str | None = None) -> tuple[list[tuple[Any, Any, int]] | None, list[Problem]]:
    """A file that is one ``key: value`` table, as (key, value, line) in file order, repeats kept.

    For files where a later line may repeat a key on purpose (lexicon.yaml: the later
    reading wins); every other file goes through :func:`load_yaml`, which refuses repeats.
    A missing or empty file is ``[]``; a file that is not a table is a problem.
    """
    display = display or str(path)
    if not Path(path).exists():
        return [], []
    text, problems = read_text(Path(path), display)
    if text is None:
        return None, problems

    def entries():
        node = yaml.compose(text, Loader=_LineLoader)
        if node is None or not isinstance(node, yaml.MappingNode):
            return node
        loader = _LineLoader("")
        return [(loader.construct_object(k, deep=True), loader.construct_object(v, deep=True), k.start_mark.line + 1)
                for k, v in node.value]

    found, problems = _parse(text, display, entries)
    if problems:
        return None, problems
    if found is None:
        return [], []
    if isinstance(found, yaml.Node):
        return None, [Problem(display, found.start_mark.line + 1, MESSAGES["not_table"])]
    return found, []


def _parse(text: str, display: str, parse) -> tuple[Any, list[Problem]]:
    """Run ``parse()`` and turn PyYAML's exceptions into one Problem with its line."""
    try:
        return parse(), []
    except _DuplicateKey as dup:
        return None, [Problem(display, dup.line, MESSAGES["dup_key"].format(key=dup.key, first=dup.first))]
    except _ControlCharacter as bad:
        return None, [Problem(display, bad.line, MESSAGES["syntax"].format(detail=MESSAGES["y_control"].format(
            code=bad.code)))]
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        tag = getattr(exc, "problem", "") or ""
        tag = tag.split("tag")[-1].strip(" '!") if "tag" in tag else tag
        return None, [Problem(display, mark.line + 1 if mark else None, MESSAGES["tag"].format(tag=tag))]
    except yaml.YAMLError as exc:
        line, message = yaml_problem(exc, text)
        return None, [Problem(display, line, MESSAGES["syntax"].format(detail=message))]


# PyYAML's English problems (scanner, parser, composer), matched in order, → (message key, use the context line).
_YAML_PROBLEMS = [
    (re.compile(r"mapping values are not allowed"), "y_colon", False),
    (re.compile(r"could not find expected ':'"), "y_no_colon", True),
    (re.compile(r"found character '\\t'|found a tab character"), "y_tab", False),
    (re.compile(r"found character (?P<char>.+) that cannot start any token"), "y_char", False),
    (re.compile(r"found unexpected end of stream"), "y_quote", True),
    (re.compile(r"escape (character|sequence)"), "y_escape", False),
    (re.compile(r"expected ',' or '\]'"), "y_flow_seq", True),
    (re.compile(r"expected ',' or '\}'"), "y_flow_map", True),
    (re.compile(r"expected the node content, but found (?P<found>.+)"), "y_node", False),
    (re.compile(r"expected <block end>|did not find expected (key|'-' indicator)"), "y_indent", False),
    (re.compile(r"undefined alias|expected alphabetic or numeric character"), "y_alias", False),
    (re.compile(r"found another document"), "y_documents", False),
    (re.compile(r"chomping or indentation indicators"), "y_block", False),
    (re.compile(r"expected a comment or a line break"), "y_trailing", False),
]
_TOKENS = {"'<stream end>'": "hết tệp", "'}'": "}", "']'": "]", "','": ",", "'<block end>'": "hết khối"}


def yaml_problem(exc: Exception, text: str) -> tuple[int | None, str]:
    """(line, Vietnamese explanation) of a PyYAML syntax error, for FILE:LINE messages.

    Staff never see PyYAML's English ("mapping values are not allowed here");
    a problem not in the table keeps its English text after the Vietnamese one.
    """
    if isinstance(exc, yaml.reader.ReaderError):
        position = max(0, int(getattr(exc, "position", 0) or 0))
        code = getattr(exc, "character", "")
        if isinstance(code, str) and len(code) == 1:
            code = ord(code)
        code = f"U+{code:04X}" if isinstance(code, int) else str(code)
        return text[:position].count("\n") + 1, MESSAGES["y_control"].format(code=code)
    problem = getattr(exc, "problem", None) or ""
    mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark else None
    for pattern, key, at_context in _YAML_PROBLEMS:
        found = pattern.search(problem)
        if not found:
            continue
        values = {"end": line, "char": found.groupdict().get("char") or "", "found": ""}
        if found.groupdict().get("found"):
            values["found"] = _TOKENS.get(found["found"], found["found"])
        if at_context and context_mark is not None:
            line = context_mark.line + 1
        return line, MESSAGES[key].format(**values)
    detail = " ".join(str(part) for part in (getattr(exc, "context", None), problem) if part) or \
        str(exc).splitlines()[0]
    return line, MESSAGES["y_other"].format(detail=detail)


def check_keys(mapping: LDict, allowed: Iterable[str], required: Iterable[str], display: str) -> list[Problem]:
    """Unknown keys (with "did you mean") and missing required keys of one mapping."""
    allowed = list(allowed)
    problems = []
    for key in mapping:
        if key not in allowed:
            problems.append(Problem(display, mapping.line_of(key), MESSAGES["unknown_key"].format(
                key=key, hint=did_you_mean(key, allowed), valid=", ".join(allowed))))
    for key in required:
        if key not in mapping:
            problems.append(Problem(display, mapping.line or 1, MESSAGES["missing_key"].format(key=key)))
    return problems


def kind_of(value: Any) -> str:
    """Vietnamese name of a YAML value's kind, for messages."""
    if isinstance(value, list):
        return "một danh sách"
    if isinstance(value, str):
        return "một đoạn chữ"
    if value is None:
        return "giá trị rỗng"
    if isinstance(value, date):  # also datetime
        return f"ngày {value.isoformat()}"
    return f"giá trị {value!r}"


class FileChecker:
    """Collects the problems of one file while reading its values, one helper per kind of value."""

    def __init__(self, display: str):
        self.display = display
        self.problems: list[Problem] = []

    def add(self, line: int | None, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.display, line, message, severity))

    def text(self, m: LDict, key: str, default: str = "", required: bool = False, limit: int | None = None,
             label: str | None = None) -> str:
        """The text at ``key`` (numbers as text); a problem when it is not text or longer than ``limit``.

        ``label`` names a short field in the message (its limit, "viết ngắn lại"); without it the
        limit is the spoken text's (its reading time).
        """
        value = m.get(key, default)
        if value is None:
            value = default
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.add(m.line_of(key), MESSAGES["type"].format(key=key, expected="một đoạn chữ", got=kind_of(value)))
            return default
        if limit is not None and label is not None and len(value.strip()) > limit:
            self.add(m.line_of(key), MESSAGES["long_field"].format(label=label, key=key, length=len(value.strip()),
                                                                   limit=limit))
        elif limit is not None and label is None and len(value) > limit:  # ~10 characters are read per second
            self.add(m.line_of(key), MESSAGES["long_text"].format(key=f"nội dung đọc ({key})", length=len(value),
                                                                  limit=limit, minutes=limit // 600))
        return value

    def choice(self, m: LDict, key: str, valid, default: str | None, what: str) -> str | None:
        value = m.get(key, default)
        if value is None:
            return default
        if str(value) not in valid:
            self.add(m.line_of(key), MESSAGES["choice"].format(
                what=what, value=value, hint=did_you_mean(value, valid), valid=valid_list(valid)))
            return default
        return str(value)

    def date(self, m: LDict, key: str):
        if m.get(key) in (None, ""):
            return None
        try:
            return parse_date(m[key])
        except ValueError as exc:
            self.add(m.line_of(key), str(exc))
            return None

    def safe_id(self, m: LDict, key: str = "id") -> str | None:
        value = m.get(key)
        if value is None:
            return None
        value = str(value)
        if not SAFE_ID.match(value) or ".." in value:
            long = len(value) > ID_LIMIT
            only_long = long and ".." not in value and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", value)
            self.add(m.line_of(key), MESSAGES["long_id" if only_long else "unsafe_id"].format(
                value=value[:40] + "…" if long else value, length=len(value), limit=ID_LIMIT))
            return None
        if windows_reserved(value):  # con.mp3 cannot exist on the offices' Windows PCs
            self.add(m.line_of(key), MESSAGES["windows_id"].format(value=value.rstrip(".")))
            return None
        return value

    def mapping(self, value: Any, line: int, key: str) -> LDict | None:
        if not isinstance(value, dict):
            self.add(line, MESSAGES["type"].format(key=key, expected="một bảng khóa: giá trị", got=kind_of(value)))
            return None
        return value


def round_trip_yaml():
    """A ruamel.yaml round-trip reader/writer for the files the console edits (scripts, schedules,
    broadcaster.yaml, lexicon.yaml): comments, key order, quotes and flow style survive a save;
    long lines are not folded; lists are indented under their key as staff write them."""
    from ruamel.yaml import YAML

    y = YAML()
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y
