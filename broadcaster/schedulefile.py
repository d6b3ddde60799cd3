"""Schedule files, writing side: add a script to sessions, move or remove an item, exclude a holiday — in schedules/*.yaml, checked before anything is replaced.

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
from .errors import BroadcasterError, Problem, write_failed
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
        path: The schedule file written (or that would be written, on a trial), None when refused.
        problems: Errors (refused) or warnings (written) of the new files, FILE:LINE.
        schedules: Every schedule as it is (or would be) after the change, loaded; empty when refused.
        removed: Schedule files deleted (a file whose last item was moved away).
        saved: False for a trial (``dry_run``): checked, nothing written.
    """

    path: Path | None = None
    problems: list[Problem] = field(default_factory=list)
    schedules: list = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    saved: bool = True

    @property
    def ok(self) -> bool:
        return self.path is not None


def _flow(values) -> CommentedSeq:
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def display_name(path: Path) -> str:
    """``schedules/NAME.yaml``: how messages and loaded schedules name a schedule file."""
    return f"{SCHEDULE_DIR}/{path.name}"


def _save(project, path: Path, doc, *, dry_run: bool = False) -> Change:
    """Write ``doc`` to ``path`` only if the schedule loader and the overflow check accept it."""
    return _save_all(project, {path: doc}, path, dry_run=dry_run)


def _save_all(project, docs: dict, primary: Path, *, dry_run: bool = False) -> Change:
    """Write several schedule files together, or none: each loaded, then all checked for overflow with the rest.

    Args:
        project: The working folder.
        docs: Schedule path → round-trip document to write, or None to delete the file.
        primary: The path the Change names.
        dry_run: Check only; write and delete nothing.

    An overflow counts against the change when it is reported in a changed file, or
    in another file at a place (FILE:LINE) that had no overflow before the change:
    an item moved into a session can make the session overflow at another file's item.
    """
    from .schedule.check import check_session_lengths

    temps: dict[Path, Path] = {}
    problems: list[Problem] = []
    try:
        new = []
        refused = False
        for path, doc in docs.items():
            if doc is None:
                continue
            out = io.StringIO()
            round_trip_yaml().dump(doc, out)
            path.parent.mkdir(parents=True, exist_ok=True)
            temps[path] = temp = temp_path_for(path)
            temp.write_text(out.getvalue(), encoding="utf-8")
            schedule, found = load_schedule(project, temp, display_name(path))
            problems += found
            if schedule is None or any(p.severity == "error" for p in found):
                refused = True
            else:
                new.append(schedule)
        if refused:
            return Change(None, problems)
        changed = {display_name(p) for p in docs}
        current, _ = read_schedule_files(project)
        together = [s for s in current if s.file not in changed] + new
        others_before = {(p.file, p.line) for p in check_session_lengths(project, current)
                         if p.severity == "error" and p.file not in changed}
        overflow = [p for p in check_session_lengths(project, together)
                    if p.file in changed or (p.file, p.line) not in others_before]
        problems += overflow
        if any(p.severity == "error" for p in overflow):
            return Change(None, problems)
        removed = [p for p, doc in docs.items() if doc is None]
        if dry_run:
            return Change(primary, problems, together, removed, saved=False)
        for path, temp in temps.items():
            portable.fsync_path(temp)
            portable.replace(temp, path)
        for path in removed:
            path.unlink(missing_ok=True)
        for folder in {p.parent for p in docs}:
            portable.fsync_dir(folder)
        return Change(primary, problems, together, removed)
    except OSError as exc:
        raise BroadcasterError(write_failed(display_name(primary), exc)) from exc
    finally:
        for temp in temps.values():
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
    path = _new_path(project, new_file or f"{script}.yaml")
    item.pop("days", None)
    return _save(project, path, _new_doc(project, item, stations, name or script, start, end, days))


def _new_path(project, name: str) -> Path:
    path = Path(project.root) / SCHEDULE_DIR / name
    if path.exists():
        raise BroadcasterError(MESSAGES["file_taken"].format(file=display_name(path)))
    return path


def _new_doc(project, item, stations: list[str], name: str, start: date | None, end: date | None,
             days: list[int] | None, campaign: str | None = None) -> CommentedMap:
    """A new schedule file for ``stations`` holding one item; range and weekdays at the top."""
    doc = CommentedMap()
    doc["name"] = name
    if campaign:
        doc["campaign"] = campaign
    doc["stations"] = "all" if set(stations) == {s.id for s in project.stations} else _flow(list(stations))
    if start is not None:
        doc["from"] = start
    if end is not None:
        doc["until"] = end
    if days and len(set(days)) < 7:
        doc["days"] = _flow([WEEKDAYS[d] for d in sorted(set(days))])
    doc["items"] = CommentedSeq([item])
    return doc


def _item_at(doc, file: str, index: int, script: str):
    """Item ``index`` (0-based) of a schedule document, checked to still name ``script`` (script or relay id)."""
    items = doc.get("items") or []
    raw = items[index] if 0 <= index < len(items) else None
    named = raw if isinstance(raw, str) else (raw.get("script") or raw.get("relay")) if isinstance(raw, dict) else None
    if named is None or str(named) != script:
        raise BroadcasterError(MESSAGES["stale_item"].format(index=index + 1, file=file, script=script))
    return items, raw


def remove_item(project, file: str, index: int, script: str) -> Change:
    """Remove item ``index`` (0-based) of a schedule, if it still names ``script``."""
    path, doc = _load(project, file)
    items, _ = _item_at(doc, file, index, script)
    if len(items) == 1:
        raise BroadcasterError(MESSAGES["last_item"].format(file=file))
    del items[index]
    return _save(project, path, doc)


TIMING_KEYS = ("sessions", "days", "from", "until")


def _moved_item(raw, timing: dict) -> CommentedMap:
    """A copy of ``raw`` (a mapping or the shorthand script id) with its timing keys replaced.

    Keys kept where they were; timing keys that were not there are added after the
    others in the order of `TIMING_KEYS`; a timing value None drops the key.
    """
    old = raw if isinstance(raw, dict) else {"script": raw}
    item = CommentedMap()
    for key, value in old.items():
        if key not in TIMING_KEYS:
            item[key] = value
        elif timing.get(key) is not None:
            item[key] = timing[key]
    for key in TIMING_KEYS:
        if key not in item and timing.get(key) is not None:
            item[key] = timing[key]
    if not isinstance(raw, CommentedMap) or raw.fa.flow_style():
        item.fa.set_flow_style()
    return item


def move_item(project, file: str, index: int, script: str, *, to_file: str | None = None,
              stations: list[str] | None = None, sessions: list[str] | None = None, days: list[int] | None = None,
              start: date | None = None, end: date | None = None, name: str | None = None,
              new_file: str | None = None, dry_run: bool = False) -> Change:
    """Move item ``index`` of ``file`` to other sessions, days or dates, in the same or another schedule.

    The item keeps its other keys (priority, per_week, dates, a relay's minutes).
    A timing equal to the target schedule's own (its from/until, days, sessions)
    is left out of the item, so that the item follows the schedule.

    Args:
        project: The working folder.
        file: The schedule holding the item (``schedules/NAME.yaml``).
        index: The item's position (0-based); it must still name ``script``.
        script: The item's script id (or relay id), as the page showed it.
        to_file: The schedule to move it to (None or ``file``: stays in ``file``).
        stations: Move into a new schedule file for these stations instead (``to_file`` is then ignored).
        sessions: Session names (empty: the target schedule's sessions).
        days: Weekday indexes, 0 = Monday (empty or all seven: the schedule's days).
        start, end: The item's first and last day (None: the target schedule's).
        name, new_file: Display name and ``NAME.yaml`` of a new schedule.
        dry_run: Check everything, write nothing (the Change then has ``saved`` False).

    Returns:
        The Change; refused (nothing written) with the loader's or the overflow check's problems.
        When the item was the last of ``file`` and leaves it, ``file`` is deleted (``removed``).

    Raises:
        BroadcasterError: The file is gone, the item changed since the page was shown, the new
            schedule has no stations or its file name is taken.
    """
    path, doc = _load(project, file)
    items, raw = _item_at(doc, file, index, script)
    days = sorted(set(days or []))
    days = [] if len(days) == 7 else days
    if stations is not None:
        if not stations:
            raise BroadcasterError(MESSAGES["need_stations"])
        target = _new_path(project, new_file or f"{script}.yaml")
        item = _moved_item(raw, {"sessions": _flow(list(sessions)) if sessions else None})
        campaign = doc.get("campaign") if "relay" in item and "campaign" not in item else None
        target_doc = _new_doc(project, item, stations, name or script, start, end, days, campaign)
        return _save_all(project, _without(path, doc, items, index) | {target: target_doc}, target,
                         dry_run=dry_run)
    target_file = to_file or file
    loaded = {s.file: s for s in read_schedule_files(project)[0]}
    current = loaded.get(target_file)

    def own(value, attr: str) -> bool:   # the target schedule's own value: the item follows it
        return current is not None and value == getattr(current, attr)

    timing = {
        "sessions": _flow(list(sessions)) if sessions and not own(tuple(sessions), "sessions") else None,
        "days": _flow([WEEKDAYS[d] for d in days]) if days and not own(tuple(days), "days") else None,
        "from": start if start is not None and not own(start, "start") else None,
        "until": end if end is not None and not own(end, "end") else None,
    }
    item = _moved_item(raw, timing)
    target = Path(project.root) / target_file
    if target.resolve() == path.resolve():
        items[index] = item
        return _save(project, path, doc, dry_run=dry_run)
    target, target_doc = _load(project, target_file)
    target_items = target_doc.get("items")
    if not isinstance(target_items, CommentedSeq):
        target_items = target_doc["items"] = CommentedSeq()
    target_items.append(item)
    return _save_all(project, _without(path, doc, items, index) | {target: target_doc}, target,
                     dry_run=dry_run)


def _without(path: Path, doc, items, index: int) -> dict:
    """The source file's change when its item leaves: the document without it, or None (delete) if it was the last."""
    del items[index]
    return {path: doc if len(items) else None}


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
