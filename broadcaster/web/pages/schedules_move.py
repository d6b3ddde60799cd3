"""Web shell, schedules page (moving an item): one schedule item to other sessions, days, dates or stations, checked before it is saved.

The form is filled with the item as it plays now. "Kiểm tra" runs
``schedulefile.move_item`` as a trial (nothing written): the page then shows the
problems `check` would report — the overflow check included — and how full each
session the item lands in would be; "Lưu thay đổi" runs the same move for real,
which checks again and writes nothing when anything is wrong.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ...errors import BroadcasterError
from ..filters import WEEKDAYS as WEEKDAY_NAMES
from ..state import console, day_arg, load, schedules_of
from .schedules import session_fullness

MESSAGES = {
    "moved": "Đã chuyển {script} sang {file}.",
    "removed": "{file} không còn mục nào nên đã được xóa.",
    "checked": "Đã kiểm tra: lịch sau khi chuyển không có lỗi và không phiên nào quá giờ. Bấm “Lưu thay đổi” để ghi.",
    "refused": "Chưa lưu — lịch sau khi chuyển sẽ có lỗi:",
    "no_item": "không thấy mục thứ {index} của lịch {file} — tải lại trang Lịch phát",
    "no_plays": "Sau khi chuyển, mục này không phát lần nào từ {start} đến {end} — kiểm tra ngày, thứ và phiên.",
    "bad_index": "mục lịch không hợp lệ",
}
ACTIONS = ("check", "save")
PREVIEW_DAYS = 92   # the fullness table covers at most this many days from the item's first day

bp = Blueprint("schedules_move", __name__)


def _source(schedules):
    """(schedule, item index, item) named by the request (``schedule``, ``index``)."""
    file = (request.values.get("schedule") or "").strip()
    try:
        index = int(request.values.get("index") or "-1")
    except ValueError as exc:
        raise BroadcasterError(MESSAGES["bad_index"]) from exc
    schedule = next((s for s in schedules if s.file == file), None)
    if schedule is None or not 0 <= index < len(schedule.items):
        raise BroadcasterError(MESSAGES["no_item"].format(index=index + 1, file=file))
    return schedule, index, schedule.items[index]


def _current_values(schedule, item) -> dict:
    """The form's values for the item as it plays now."""
    days = item.days or (schedule.days if len(schedule.days) < 7 else ())
    return {"target": schedule.file, "start": item.start or schedule.start, "end": item.end or schedule.end,
            "sessions": list(item.sessions or schedule.sessions), "days": list(days),
            "stations": list(schedule.stations)}


def _posted_values(project) -> dict:
    form = request.form
    return {"target": (form.get("target") or "").strip(), "start": day_arg("from", None),
            "end": day_arg("until", None), "sessions": [s for s in form.getlist("sessions") if s],
            "days": sorted({int(d) for d in form.getlist("days") if d.isdigit() and int(d) < 7}),
            "stations": [s for s in form.getlist("stations") if project.station(s)]}


def _free_name(project, script: str, start: date | None) -> str:
    """``SCRIPT-YYYY-MM-DD.yaml`` for a new schedule, with -2, -3 … when taken."""
    from ...schedule.load import SCHEDULE_DIR

    stem = f"{script}-{start.isoformat()}" if start else script
    folder = Path(project.root) / SCHEDULE_DIR
    name, n = f"{stem}.yaml", 1
    while (folder / name).exists():
        n += 1
        name = f"{stem}-{n}.yaml"
    return name


def landing(project, change, script: str, start: date | None, end: date | None) -> dict:
    """Where the moved item plays after the change, per station and session, and how full those sessions get.

    Args:
        project: The working folder.
        change: A Change from ``move_item`` that was accepted (its ``schedules`` are the new set).
        script: The item's script (or relay) id.
        start, end: The item's days (None: its schedule's); at most `PREVIEW_DAYS` are laid out.

    Returns:
        ``{"first", "last", "plays", "rows"}``; each row: station, session, sessions (count),
        percent (the fullest), total_s and length_s of that fullest one.
    """
    from ...schedule.expand import Durations, iter_sessions
    from ...schedulefile import display_name

    target = display_name(change.path)
    schedule = next((s for s in change.schedules if s.file == target), None)
    first = start or (schedule.first_day() if schedule else None) or console().today(project)
    last = end or (schedule.last_day() if schedule else None) or first + timedelta(days=PREVIEW_DAYS - 1)
    last = min(last, first + timedelta(days=PREVIEW_DAYS - 1))
    durations = Durations(project)
    rows: dict[tuple, dict] = {}
    plays = 0
    for plan in iter_sessions(project, change.schedules, first, max(first, last)):
        if not any(e.schedule is not None and e.schedule.file == target and e.script.id == script
                   for e in plan.entries):
            continue
        plays += 1
        full = session_fullness(durations, plan)
        row = rows.setdefault((plan.station.id, plan.session.name), {
            "station": plan.station, "session": plan.session, "sessions": 0, "percent": -1})
        row["sessions"] += 1
        if full["percent"] > row["percent"]:
            row.update(full, day=plan.date)
    ordered = sorted(rows.values(), key=lambda r: (-r["percent"], r["station"].id, r["session"].start))
    return {"first": first, "last": last, "plays": plays, "rows": ordered}


def _render(project, schedules, source, index, item, values, change=None, preview=None, status=200):
    session_names = list(dict.fromkeys(x.name for s in project.stations for x in s.sessions))
    name = item.script or item.relay
    return render_template(
        "schedule_move.html", project=project, schedules=schedules, source=source, index=index, item=item,
        item_name=name, title=(project.script(item.script).title if item.script and project.script(item.script)
                               else f"tiếp sóng {item.relay}" if item.relay else name),
        values=values, change=change, preview=preview, session_names=session_names,
        weekdays=list(zip(range(7), WEEKDAY_NAMES)), messages=MESSAGES), status


@bp.get("/lich-phat/chuyen")
def form():
    """The move form for one item, filled with how it plays now."""
    project, _ = load()
    schedules, _ = schedules_of(project)
    source, index, item = _source(schedules)
    return _render(project, schedules, source, index, item, _current_values(source, item))


@bp.post("/lich-phat/chuyen")
def move():
    """Check the move (``action=check``, nothing written) or make it (``action=save``, checked again)."""
    from ...schedulefile import display_name, move_item

    project, _ = load()
    schedules, _ = schedules_of(project)
    source, index, item = _source(schedules)
    # The item the form was opened for: if another tab changed the file since, move_item refuses (stale_item).
    name = request.form.get("script") or item.script or item.relay
    action = request.form.get("action") if request.form.get("action") in ACTIONS else "check"
    values = _posted_values(project)
    try:
        common = dict(sessions=values["sessions"], days=values["days"], start=values["start"], end=values["end"],
                      dry_run=action != "save")
        if values["target"]:
            change = move_item(project, source.file, index, name, to_file=values["target"], **common)
        else:
            title = project.script(name).title if project.script(name) else source.name
            change = move_item(project, source.file, index, name, stations=values["stations"], name=title,
                               new_file=_free_name(project, name, values["start"]), **common)
    except BroadcasterError as exc:
        flash(f"lỗi: {exc}", "error")
        return _render(project, schedules, source, index, item, values, status=400)
    if not change.ok:
        return _render(project, schedules, source, index, item, values, change=change)
    if action == "check":
        preview = landing(project, change, name, values["start"], values["end"])
        return _render(project, schedules, source, index, item, values, change=change, preview=preview)
    flash(MESSAGES["moved"].format(script=name, file=change.path.name), "success")
    for path in change.removed:
        flash(MESSAGES["removed"].format(file=display_name(path)), "info")
    for problem in change.problems:
        flash(str(problem), "warning")
    when = values["start"] or console().today(project)
    return redirect(url_for("schedules.page", date=when.isoformat()), 303)
