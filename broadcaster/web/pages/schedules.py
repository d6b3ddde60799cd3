"""Web shell, schedules page: a week or month calendar per station (or all) with each session's items, length and fullness, and the forms that change schedules/*.yaml.

The calendar is laid out by ``schedule.iter_sessions`` and ``schedule.layout``
with the clip lengths of ``schedule.Durations``, as `plan` and `check` count
them; the forms call ``schedulefile`` (add a script, remove an item, exclude a
holiday), which refuses any change `check` would refuse, the overflow check included.
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ...errors import BroadcasterError, error_line
from ..filters import WEEKDAYS as WEEKDAY_NAMES
from ..state import console, day_arg, default_week, load, schedules_of, station_arg

MESSAGES = {
    "added": "Đã thêm “{title}” vào lịch “{schedule}”; mục này phát ở {stations}.",
    "removed": "Đã bỏ {script} khỏi {file}.",
    "excluded": "Đã đặt ngày {day} là ngày nghỉ trong {file}.",
    "refused": "Chưa lưu {file} — sau khi thay đổi, lịch sẽ có lỗi:",
    "add_refused_new": "Chưa tạo lịch mới — lịch sẽ có lỗi:",
    "add_refused_existing": "Chưa thêm vào lịch “{schedule}” — sau khi thêm, lịch sẽ có lỗi:",
    "range_order": ("“Đến ngày” ({end}) trước “Từ ngày” ({start}) — chọn “Đến ngày” cùng ngày hoặc sau "
                    "“Từ ngày”"),
    "never_plays": ("mục “{title}” sẽ không bao giờ phát: từ {start} đến {end} không có ngày nào là {days} — "
                    "tick thêm thứ ở “Ngày trong tuần” hoặc đổi “Từ ngày”/“Đến ngày”"),
    "stations_differ": ("lịch “{schedule}” phát ở mọi đài của nó ({all}); một mục trong lịch không thể chỉ phát ở "
                        "một số đài — để phát chỉ ở {chosen}, chọn “Lịch mới cho các đài chọn dưới đây” ở ô "
                        "“Thêm vào lịch”; hoặc bỏ tick hết các đài để mục phát ở mọi đài của lịch này"),
    "unknown_schedule": "không thấy lịch {file} — có thể tệp vừa bị xóa hoặc đang có lỗi; tải lại trang",
    "need_schedule": "chưa chọn lịch",
    "bad_index": "mục lịch không hợp lệ",
    "need_day": "chưa chọn ngày",
}
VIEWS = {"week": "Tuần", "month": "Tháng"}

bp = Blueprint("schedules", __name__)


def _period(view: str, day: date) -> tuple[date, date]:
    if view == "month":
        first = day.replace(day=1)
        return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def session_fullness(durations, plan) -> dict:
    """How full one planned session is, laid out as the overflow check of `check` does (check_session_lengths).

    Returns:
        ``total_s`` (programme, s), ``length_s`` (session, s), ``percent`` (int) and ``over`` (bool).
    """
    from ...schedule.expand import programme_seconds

    total = programme_seconds(durations, plan)
    length = plan.session.length_s
    return {"total_s": total, "length_s": length, "percent": round(100 * total / length) if length else 0,
            "over": total > length}


def calendar_days(project, schedules, start: date, end: date, station: str | None) -> list[dict]:
    """One dict per day: its sessions with titles, programme length (s), session length (s) and fullness (%)."""
    from ...schedule.expand import Durations, iter_sessions

    durations = Durations(project)
    days: dict[date, list] = {start + timedelta(days=i): [] for i in range((end - start).days + 1)}
    for plan in iter_sessions(project, schedules, start, end, station):
        days[plan.date].append({"station": plan.station, "session": plan.session,
                                "titles": [e.script.title for e in plan.entries],
                                **session_fullness(durations, plan)})
    return [{"date": d, "sessions": s} for d, s in days.items()]


@bp.get("/lich-phat")
def page():
    """Lịch phát: the calendar and the schedule forms."""
    return _render()


def _render(add: dict | None = None, add_errors: list[str] | None = None, status: int = 200):
    """The page; ``add`` echoes a refused add form's values, ``add_errors`` says why (in the form's words)."""
    project, _ = load()
    schedules, problems = schedules_of(project)
    today = console().today(project)
    error, days = None, []
    view = request.values.get("view") if request.values.get("view") in VIEWS else "week"
    station = None
    start, end = _period(view, default_week(project, today)[0])
    try:
        station = station_arg(project)
        start, end = _period(view, day_arg("date", default_week(project, today)[0]))
        days = calendar_days(project, schedules, start, end, station)
    except BroadcasterError as exc:
        error = str(exc)
    session_names = list(dict.fromkeys(x.name for s in project.stations for x in s.sessions))
    add = add or {"script": "", "schedule": schedules[0].file if schedules else "", "from": start.isoformat(),
                  "until": end.isoformat(), "sessions": [], "days": [], "stations": []}
    return render_template(
        "schedules.html", project=project, schedules=schedules, days=days, view=view, views=VIEWS,
        station=station, start=start, end=end, error=error, session_names=session_names,
        weekdays=list(zip(range(7), WEEKDAY_NAMES)), today=today,
        previous=_period(view, start - timedelta(days=1))[0], following=end + timedelta(days=1),
        warnings=[p for p in problems if p.severity != "error"], add=add, add_errors=add_errors or []), status


def _back(day: date | None = None, stations: tuple[str, ...] | None = None):
    """Back to the calendar as the form's page showed it (view, station, period), or at the period holding ``day``.

    Args:
        day: A day the change is about (the added item's first play, the holiday), or None: the period
            the page showed (its hidden ``date``), else the default week.
        stations: The stations the change concerns; the station filter is kept only when it is one of them.
    """
    form = request.form
    view = form.get("view") if form.get("view") in VIEWS else "week"
    station = (form.get("station") or "").strip()
    if stations is not None and station not in stations:
        station = ""
    shown = (form.get("date") or "").strip()
    if day is None and not shown:
        return redirect(url_for("schedules.page", view=view, station=station), 303)
    return redirect(url_for("schedules.page", view=view, station=station,
                            date=day.isoformat() if day is not None else shown), 303)


def first_play(project, change, script: str, start: date | None) -> tuple[date | None, tuple[str, ...]]:
    """The first day the item just added plays, and the stations of its schedule.

    Args:
        project: The working folder.
        change: The ``schedulefile.Change`` that added the item (the item is the last one naming
            ``script`` in the schedule written, ``change.path``).
        script: The script id added.
        start: The item's "from" day as the form gave it (None: the schedule's).

    Returns:
        (day or None when it never plays within 400 days of its first possible day, station ids).
    """
    import dataclasses

    from ...schedule.expand import iter_sessions

    written = next((s for s in change.schedules if change.path and s.file.endswith(change.path.name)), None)
    if written is None:
        return start, ()
    index = max((i for i, item in enumerate(written.items) if item.script == script), default=None)
    if index is None:
        return start, written.stations
    item = written.items[index]
    alone = dataclasses.replace(written, items=(item,))
    first = start or item.start or written.start or min(item.dates | written.dates, default=None) \
        or console().today(project)
    last = first + timedelta(days=400)
    for plan in iter_sessions(project, [alone], first, last):
        return plan.date, written.stations
    return start, written.stations


def _report(change, file: str, done: str) -> None:
    if change.ok:
        flash(done, "success")
        for problem in change.problems:
            flash(str(problem), "warning")
        return
    flash(MESSAGES["refused"].format(file=file) + "\n" + "\n".join(str(p) for p in change.problems), "error")


def _add_values() -> dict:
    """The add form's values as typed (dates as the raw text), to echo back on a refusal."""
    form = request.form
    return {"script": (form.get("script") or "").strip(), "schedule": (form.get("schedule") or "").strip(),
            "from": (form.get("from") or "").strip(), "until": (form.get("until") or "").strip(),
            "sessions": [s for s in form.getlist("sessions") if s],
            "days": sorted({int(d) for d in form.getlist("days") if d.isdigit() and int(d) < 7}),
            "stations": [s for s in form.getlist("stations") if s]}


def _station_names(project, ids) -> str:
    return ", ".join(project.station(s).name if project.station(s) else s for s in ids)


def add_form_errors(project, schedules, values: dict, start: date | None, end: date | None) -> list[str]:
    """What is wrong with the add form, in its own field labels ("Từ ngày", "Ngày trong tuần", "Đài").

    Args:
        project: The working folder.
        schedules: The loaded schedules (the target's stations, range and weekdays).
        values: The form's values (`_add_values`).
        start, end: "Từ ngày" and "Đến ngày" parsed (None: empty, the schedule's).

    Returns:
        Messages, empty when the form may go to ``schedulefile.add_script`` (which still checks the
        schedule as `check` does).
    """
    from ...schedule.days import never_on_weekdays, weekdays_text
    from ...timeutil import vn_date

    errors = []
    target = next((s for s in schedules if s.file == values["schedule"]), None) if values["schedule"] else None
    if values["schedule"] and target is None:
        return [MESSAGES["unknown_schedule"].format(file=values["schedule"])]
    if start and end and end < start:
        errors.append(MESSAGES["range_order"].format(start=vn_date(start), end=vn_date(end)))
    script = project.script(values["script"])
    title = script.title if script else values["script"]
    first = start or (target.start if target else None)
    last = end or (target.end if target else None)
    weekdays = set(values["days"]) if values["days"] else set(range(7))
    allowed = weekdays & set(target.days) if target else weekdays
    if not (first and last and last < first) and not (target and target.dates) and \
            (not allowed or never_on_weekdays(first, last, allowed)):
        errors.append(MESSAGES["never_plays"].format(
            title=title, start=vn_date(first) if first else "…", end=vn_date(last) if last else "…",
            days=weekdays_text(values["days"] or (target.days if target else range(7)))))
    ticked = [s for s in values["stations"] if project.station(s)]
    if target is not None and ticked and set(ticked) != set(target.stations):
        errors.append(MESSAGES["stations_differ"].format(
            schedule=target.name, all=_station_names(project, target.stations), chosen=_station_names(project, ticked)))
    return errors


@bp.post("/lich-phat/them")
def add():
    """Add a script to sessions over a date range and weekdays (an existing schedule or a new file).

    A refusal shows the page again with the form as the user filled it and the reasons in the
    form's own words; nothing is written.
    """
    from ...schedulefile import add_script

    project, _ = load()
    schedules, _ = schedules_of(project)
    values = _add_values()
    script, target = values["script"], values["schedule"]
    try:
        start, end = day_arg("from", None), day_arg("until", None)
        errors = add_form_errors(project, schedules, values, start, end)
        if errors:
            return _render(values, errors, 400)
        common = dict(sessions=values["sessions"], days=values["days"], start=start, end=end)
        if target:
            change = add_script(project, script, file=target, **common)
        else:
            stations = [s for s in values["stations"] if project.station(s)]
            title = project.script(script).title if project.script(script) else script
            change = add_script(project, script, stations=stations, name=title,
                                new_file=f"{script}-{(start or console().today(project)).isoformat()}.yaml", **common)
    except BroadcasterError as exc:
        return _render(values, [str(exc)], 400)
    if not change.ok:
        head = MESSAGES["add_refused_existing"].format(
            schedule=next((s.name for s in schedules if s.file == target), target)) if target \
            else MESSAGES["add_refused_new"]
        # The web user never sees the file: messages without FILE:LINE (the CLI's `check` keeps them).
        return _render(values, [head, *(p.message for p in change.problems if p.severity == "error")], 400)
    day, stations = first_play(project, change, script, start)
    written = next((s for s in change.schedules if change.path and s.file.endswith(change.path.name)), None)
    flash(MESSAGES["added"].format(
        title=project.script(script).title if project.script(script) else script,
        schedule=written.name if written else change.path.name,
        stations=_station_names(project, stations) or "không đài nào"), "success")
    for problem in change.problems:
        flash(problem.message, "warning")
    return _back(day, stations)


@bp.post("/lich-phat/bo")
def remove():
    """Remove one item of a schedule."""
    from ...schedulefile import remove_item

    project, _ = load()
    file = (request.form.get("schedule") or "").strip()
    script = (request.form.get("script") or "").strip()
    try:
        index = int(request.form.get("index") or "-1")
        change = remove_item(project, file, index, script)
        _report(change, file, MESSAGES["removed"].format(script=script, file=file))
    except ValueError:
        flash(MESSAGES["bad_index"], "error")
    except BroadcasterError as exc:
        flash(error_line(exc), "error")
    return _back()


@bp.post("/lich-phat/nghi")
def holiday():
    """Exclude a day (holiday) from one schedule or from all of them."""
    from ...schedulefile import exclude_day

    project, _ = load()
    schedules, _ = schedules_of(project)
    file = (request.form.get("schedule") or "").strip()
    try:
        day = day_arg("day", None)
        if day is None:
            raise BroadcasterError(MESSAGES["need_day"])
        files = [file] if file else [s.file for s in schedules]
        for name in files:
            change = exclude_day(project, name, day)
            _report(change, name, MESSAGES["excluded"].format(day=day.strftime("%d/%m/%Y"), file=name))
    except BroadcasterError as exc:
        flash(error_line(exc), "error")
        return _back()
    return _back(day)
