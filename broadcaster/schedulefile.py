"""Schedule files, writing side: add a script to sessions, remove an item, exclude a holiday — in schedules/*.yaml, checked before anything is replaced.

Reading and checking stay in ``schedule.load`` and ``schedule.expand``. A change
is made on a ruamel.yaml round-trip copy (comments and key order kept), written
to a hidden temporary name beside the file, loaded with ``load_schedule`` and
checked with ``check_session_lengths`` together with the other schedules (the
overflow check of `check`); it replaces the file only when neither finds an
error, so the folder never holds a schedule `check` would refuse.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from . import portable
from .atomic import temp_path_for
from .errors import BroadcasterError, Problem
from .yamlfile import round_trip_yaml
from .schedule.load import SCHEDULE_DIR, WEEKDAYS, load_schedule, read_schedule_files

MESSAGES = {
    "no_file": "không thấy lịch {file} — có thể tệp vừa bị xóa hoặc đổi tên",
    "stale_item": "mục thứ {index} của {file} không còn là kịch bản {script} (tệp vừa được sửa) — tải lại trang",
    "need_script": "chưa chọn kịch bản",
    "need_stations": "chưa chọn đài nào",
    "file_taken": "đã có lịch {file} — đặt tên khác",
    "already": "ngày {day} đã là ngày nghỉ trong {file}",
    "last_item": "{file} chỉ còn mục này — một lịch phải có ít nhất một mục; xóa cả tệp lịch nếu không dùng nữa",
}


@dataclass
class Change:
    """The outcome of a schedule change: the file written, or the problems (nothing written).

    Attributes:
        path: The schedule file written, None when refused.
        problems: Errors (refused) or warnings (written) of the new file, FILE:LINE.
    """

    path: Path | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.path is not None


def _flow(values) -> CommentedSeq:
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def _save(project, path: Path, doc) -> Change:
    """Write ``doc`` to ``path`` only if the schedule loader and the overflow check accept it."""
    from .schedule.check import check_session_lengths

    out = io.StringIO()
    round_trip_yaml().dump(doc, out)
    display = f"{SCHEDULE_DIR}/{path.name}"
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path_for(path)
    try:
        temp.write_text(out.getvalue(), encoding="utf-8")
        schedule, problems = load_schedule(project, temp, display)
        errors = [p for p in problems if p.severity == "error"]
        if schedule is not None and not errors:
            others, _ = read_schedule_files(project)
            together = [s for s in others if s.file != display] + [schedule]
            overflow = [p for p in check_session_lengths(project, together) if p.file == display]
            errors += [p for p in overflow if p.severity == "error"]
            problems += overflow
        if errors or schedule is None:
            return Change(None, problems)
        portable.fsync_path(temp)
        portable.replace(temp, path)
        portable.fsync_dir(path.parent)
        return Change(path, problems)
    except OSError as exc:
        raise BroadcasterError(f"không ghi được {display}: {exc.strerror or exc}") from exc
    finally:
        if temp.exists():
            temp.unlink()


def _load(project, file: str):
    path = Path(project.root) / file
    if not path.is_file():
        raise BroadcasterError(MESSAGES["no_file"].format(file=file))
    return path, round_trip_yaml().load(path.read_text(encoding="utf-8"))


def add_script(project, script: str, *, file: str | None = None, stations: list[str] | None = None,
               sessions: list[str] | None = None, days: list[int] | None = None, start: date | None = None,
               end: date | None = None, name: str | None = None, new_file: str | None = None) -> Change:
    """Add ``script`` to sessions between two days on some weekdays.

    Args:
        project: The working folder.
        script: Script id.
        file: An existing schedule (``schedules/NAME.yaml``) to add an item to; its stations apply.
        stations: For a new schedule file: the station ids.
        sessions: Session names (empty: the schedule's sessions).
        days: Weekday indexes, 0 = Monday (empty or all seven: every day).
        start, end: The item's first and last day (None: the schedule's).
        name: Display name of a new schedule.
        new_file: ``NAME.yaml`` of a new schedule (used when ``file`` is None).

    Returns:
        The Change (refused with the loader's or the overflow check's problems).
    """
    if not script:
        raise BroadcasterError(MESSAGES["need_script"])
    days = sorted(set(days or []))
    item = CommentedMap(script=script)
    item.fa.set_flow_style()
    if sessions:
        item["sessions"] = _flow(list(sessions))
    if days and len(days) < 7:
        item["days"] = _flow([WEEKDAYS[d] for d in days])
    if file is not None:
        path, doc = _load(project, file)
        if start is not None:
            item["from"] = start
        if end is not None:
            item["until"] = end
        items = doc.get("items")
        if not isinstance(items, CommentedSeq):
            items = CommentedSeq()
            doc["items"] = items
        items.append(item)
        return _save(project, path, doc)
    if not stations:
        raise BroadcasterError(MESSAGES["need_stations"])
    path = Path(project.root) / SCHEDULE_DIR / (new_file or f"{script}.yaml")
    if path.exists():
        raise BroadcasterError(MESSAGES["file_taken"].format(file=f"{SCHEDULE_DIR}/{path.name}"))
    doc = CommentedMap()
    doc["name"] = name or script
    doc["stations"] = "all" if set(stations) == {s.id for s in project.stations} else _flow(list(stations))
    doc["from"] = start
    if end is not None:
        doc["until"] = end
    item.pop("days", None)
    if days and len(days) < 7:
        doc["days"] = _flow([WEEKDAYS[d] for d in days])
    doc["items"] = CommentedSeq([item])
    if doc["from"] is None:
        del doc["from"]
    return _save(project, path, doc)


def remove_item(project, file: str, index: int, script: str) -> Change:
    """Remove item ``index`` (0-based) of a schedule, if it still names ``script``."""
    path, doc = _load(project, file)
    items = doc.get("items") or []
    named = (items[index].get("script") or items[index].get("relay")) if 0 <= index < len(items) and \
        isinstance(items[index], dict) else None
    if named != script:
        raise BroadcasterError(MESSAGES["stale_item"].format(index=index + 1, file=file, script=script))
    if len(items) == 1:
        raise BroadcasterError(MESSAGES["last_item"].format(file=file))
    del items[index]
    return _save(project, path, doc)


def exclude_day(project, file: str, day: date) -> Change:
    """Add a holiday (``exclude``) to a schedule: nothing of it plays that day."""
    path, doc = _load(project, file)
    exclude = doc.get("exclude")
    if exclude is None:
        exclude = _flow([])
        keys = list(doc)
        doc.insert(keys.index("items") if "items" in keys else len(keys), "exclude", exclude)
    if day in list(exclude):
        raise BroadcasterError(MESSAGES["already"].format(day=day.strftime("%d/%m/%Y"), file=file))
    exclude.append(day)
    return _save(project, path, doc)
