"""Script files, writing side: turns the fields of a script form into scripts/ID.yaml, checked by the loader before it replaces anything.

Reading stays in ``config.load_script``; this module only writes. A save keeps the
staff's comments and key order (ruamel.yaml round-trip), writes to a hidden
temporary name beside the file, runs the very loader `check` uses on that
temporary file and renames it over the script only when the loader finds no
error. A form that `check` would refuse therefore changes nothing on disk.
"""
from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import LiteralScalarString

from .atomic import temp_path_for
from .config import SCRIPT_KEYS, load_script
from .errors import BroadcasterError, Problem, write_failed
from .speech.checks import script_problems
from .yamlfile import ID_LIMIT, round_trip_yaml
from . import portable

MESSAGES = {
    "need_title": "chưa nhập tiêu đề",
    "need_text": "chưa nhập nội dung thông báo (hoặc chọn một tệp ghi âm)",
    "bad_id": ('mã "{value}" không dùng được — chỉ chữ không dấu, số và dấu gạch ngang, bắt đầu bằng chữ hoặc số, '
               'tối đa 64 ký tự'),
    "long_id": 'mã dài {length} ký tự, quá giới hạn {limit} ký tự — đặt mã ngắn hơn, tối đa {limit} ký tự',
    "id_taken": 'mã "{value}" đã có kịch bản khác dùng ({file}) — đổi mã hoặc tiêu đề',
    "repeat": "số lần đọc phải là số nguyên từ 1 đến 10",
    "bad_date": 'ngày "{value}" không hợp lệ — chọn ngày trong lịch',
    "no_file": 'không thấy tệp {file} — có thể kịch bản vừa bị xóa hoặc đổi tên',
    "refused": "chưa lưu: tệp kịch bản mới có {count} lỗi (xem bên dưới từng ô) — tệp cũ vẫn giữ nguyên",
}

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# Form field for each script key (the YAML key "valid" is two fields).
FIELD_OF_KEY = {"id": "id", "title": "title", "campaign": "campaign", "form": "form", "priority": "priority",
                "repeat": "repeat", "valid": "valid_from", "from": "valid_from", "until": "valid_until",
                "language": "language", "text": "text", "voice": "voice", "engine": "voice", "audio": "recording",
                "source": "source"}


def slug_id(title: str) -> str:
    """A script id from its title: no diacritics, lower case, words joined by dashes (at most 64 characters).

    >>> slug_id("Thông báo dừng công nghệ di động 2G")
    'thong-bao-dung-cong-nghe-di-dong-2g'
    """
    text = title.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return text[:64].rstrip("-")


@dataclass
class ScriptForm:
    """What staff fill in on the script form (strings as the browser sends them, dates parsed).

    Attributes:
        id: The script id (new scripts only; fixed after the first save).
        title, campaign, form, priority, language, text, voice, source: As in scripts/*.yaml.
        repeat: Reads per clip (1–10).
        valid_from, valid_until: Validity dates or None.
        audio: ``recordings/NAME`` of an uploaded recording, or None for speech from the text.
    """

    id: str = ""
    title: str = ""
    campaign: str = ""
    form: str = "thong-bao"
    priority: str = "normal"
    repeat: int | str = 1
    valid_from: date | None = None
    valid_until: date | None = None
    language: str = "vi"
    text: str = ""
    voice: str = ""
    source: str = ""
    audio: str | None = None

    @classmethod
    def of_script(cls, script) -> "ScriptForm":
        """The form filled from a loaded Script."""
        return cls(id=script.id, title=script.title, campaign=script.campaign, form=script.form,
                   priority=script.priority, repeat=script.repeat, valid_from=script.valid_from,
                   valid_until=script.valid_until, language=script.language, text=script.text,
                   voice=script.voice or "", source=script.source if script.source else "", audio=script.audio)


@dataclass
class SaveResult:
    """The outcome of a save: the path written, or the problems keyed by form field (nothing written).

    Attributes:
        path: The file written (None when refused).
        errors: Form field → messages; ``""`` holds problems tied to no field.
        problems: Every problem found, as `check` would print them.
    """

    path: Path | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.path is not None


def render_script(form: ScriptForm, original: str | None = None) -> str:
    """The YAML text of a script: ``original`` with the form's values put in, or a new file.

    Keys the form leaves empty (campaign, voice, validity dates) are removed; keys
    the form does not know (engine, source, staff comments) are kept as they were.

    Args:
        form: The values to write.
        original: The file's current text (None for a new script).

    Returns:
        The complete YAML text.
    """
    y = round_trip_yaml()
    doc = y.load(original) if original and original.strip() else None
    if not isinstance(doc, CommentedMap):
        doc = CommentedMap()

    def put(key: str, value) -> None:
        if value in (None, ""):
            if key in doc:
                del doc[key]
            return
        if key in doc:
            doc[key] = value
            return
        # A new key goes after the last key that comes before it in the usual order.
        order = SCRIPT_KEYS
        position = len(doc)
        later = order[order.index(key) + 1:] if key in order else []
        for i, existing in enumerate(doc):
            if existing in later:
                position = i
                break
        doc.insert(position, key, value)

    put("id", form.id)
    put("title", form.title.strip())
    put("campaign", form.campaign.strip())
    put("form", form.form)
    put("priority", form.priority)
    put("repeat", form.repeat)
    if form.valid_from or form.valid_until:
        valid = doc.get("valid")
        if not isinstance(valid, CommentedMap):
            valid = CommentedMap()
            valid.fa.set_flow_style()
        for key, value in (("from", form.valid_from), ("until", form.valid_until)):
            if value is None:
                valid.pop(key, None)
            else:
                valid[key] = value
        put("valid", valid)
    else:
        put("valid", None)
    put("language", None if form.language == "vi" and "language" not in doc else form.language)
    put("voice", form.voice.strip())
    put("audio", form.audio)
    text = form.text.replace("\r\n", "\n").replace("\r", "\n").strip()
    put("text", LiteralScalarString(text + "\n") if text else None)
    out = io.StringIO()
    y.dump(doc, out)
    return out.getvalue()


def _field_of_line(text: str, line: int | None) -> str:
    """The form field whose YAML key covers ``line`` (1-based) of ``text``; ``""`` when none."""
    if not line:
        return ""
    key = ""
    for number, source in enumerate(text.splitlines(), 1):
        m = re.match(r"^([A-Za-z_]+)\s*:", source)
        if m:
            key = m[1]
            if number == line:
                # valid: {from: …, until: …} on one line: the until date when the message names it.
                break
        if number >= line:
            break
    return FIELD_OF_KEY.get(key, "")


def _form_errors(form: ScriptForm) -> dict[str, list[str]]:
    """Problems the browser form can have before any YAML is written (empty title, bad id, repeat)."""
    errors: dict[str, list[str]] = {}
    if not form.title.strip():
        errors.setdefault("title", []).append(MESSAGES["need_title"])
    if not ID_PATTERN.match(form.id or ""):
        only_long = len(form.id or "") > ID_LIMIT and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", form.id)
        errors.setdefault("id", []).append(MESSAGES["long_id"].format(length=len(form.id), limit=ID_LIMIT)
                                           if only_long else MESSAGES["bad_id"].format(value=form.id))
    try:
        form.repeat = int(str(form.repeat).strip())
        if not 1 <= form.repeat <= 10:
            raise ValueError
    except ValueError:
        errors.setdefault("repeat", []).append(MESSAGES["repeat"])
    if not form.text.strip() and not form.audio:
        errors.setdefault("text", []).append(MESSAGES["need_text"])
    return errors


def save_script(project, form: ScriptForm, *, existing: str | None = None) -> SaveResult:
    """Write scripts/ID.yaml from a form, atomically, only if the loader accepts the new text.

    Args:
        project: The working folder as loaded (campaigns, speech settings, other scripts).
        form: The values to write.
        existing: ``scripts/NAME.yaml`` of the script being edited; None for a new script
            (then the id must be free, ignoring case as Windows and USB sticks do).

    Returns:
        A SaveResult: the path written, or the problems by field (the file untouched).

    Raises:
        BroadcasterError: The file could not be written (disk full, permissions).
    """
    root = Path(project.root)
    result = SaveResult(errors=_form_errors(form))
    original = None
    if existing is not None:
        target = root / existing
        if not target.is_file():
            result.errors.setdefault("", []).append(MESSAGES["no_file"].format(file=existing))
            return result
        original = target.read_text(encoding="utf-8")
    else:
        target = root / "scripts" / f"{form.id}.yaml"
        taken = {s.id.casefold(): s.file for s in project.scripts}
        taken.update({k.casefold(): v for k, v in project.broken_scripts.items()})
        # A refused id is never looked up on disk: an over-long one is no file name at all (ENAMETOOLONG).
        if form.id and "id" not in result.errors and (form.id.casefold() in taken or target.exists()):
            result.errors.setdefault("id", []).append(
                MESSAGES["id_taken"].format(value=form.id, file=taken.get(form.id.casefold(), target.name)))
    if result.errors:
        return result
    text = render_script(form, original)
    display = target.relative_to(root).as_posix()
    temp = temp_path_for(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        temp.write_text(text, encoding="utf-8")
        campaigns = {c.id: c for c in project.campaigns}
        script, problems = load_script(temp, display, campaigns)
        if script is not None:
            problems += script_problems(script, project.speech)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            result.problems = problems
            for problem in errors:
                result.errors.setdefault(_field_of_line(text, problem.line), []).append(problem.message)
            return result
        portable.fsync_path(temp)
        portable.replace(temp, target)
        portable.fsync_dir(target.parent)
    except OSError as exc:
        raise BroadcasterError(write_failed(display, exc)) from exc
    finally:
        if temp.exists():
            temp.unlink()
    result.path = target
    result.problems = problems
    return result


def retire_script(project, script, today: date) -> SaveResult:
    """Stop a script from being scheduled from today on: its validity ends yesterday (the file and its plays stay).

    Args:
        project: The working folder.
        script: The Script to retire.
        today: The stations' today.

    Returns:
        The SaveResult of writing the new end date.
    """
    form = ScriptForm.of_script(script)
    form.valid_until = today - timedelta(days=1)
    if form.valid_from and form.valid_from > form.valid_until:
        form.valid_from = form.valid_until
    return save_script(project, form, existing=script.file)


def free_id(project, base: str) -> str:
    """``base`` or ``base-2``, ``base-3`` … whichever no script uses yet (case ignored)."""
    taken = {s.id.casefold() for s in project.scripts} | {k.casefold() for k in project.broken_scripts}
    base = base or "kich-ban"
    candidate, n = base, 2
    while candidate.casefold() in taken or (Path(project.root) / "scripts" / f"{candidate}.yaml").exists():
        suffix = f"-{n}"
        candidate = base[:64 - len(suffix)] + suffix
        n += 1
    return candidate
