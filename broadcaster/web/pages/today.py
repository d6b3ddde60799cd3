"""Web shell, today page: each station's sessions today — played, confirmed, missed or not yet due — with one-click confirmation.

The plan comes from ``schedule.expand_plan`` and the plays from the log's
``list_plays``, as for `plan` and `log list`; the button calls
``playlog.confirm.confirm_plan`` for one session, as `log confirm --session`
does, and only for a session that has ended.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from ...errors import BroadcasterError, error_line
from ..state import console, day_arg, load, schedules_of

MESSAGES = {
    "no_day": "chưa chọn ngày — chọn ngày ở ô “Ngày” rồi bấm “Xác nhận đã phát” lần nữa",
    "not_ended": ("phiên {session} của {station} ngày {day} chưa kết thúc ({end}) — chỉ xác nhận được sau khi "
                  "phiên đã phát xong"),
    "unknown_session": 'đài {station} không có phiên "{session}"',
}
# Session states, in the words staff use.
STATES = {
    "due": "Chưa đến giờ",
    "on_air": "Đang phát",
    "confirmed": "Đã xác nhận",
    "played": "Đã phát",
    "partial": "Phát thiếu",
    "missed": "Chưa ghi nhận",
    "empty": "Không có bài",
}

bp = Blueprint("today", __name__)


@dataclass
class SessionDay:
    """One session of one station on one day, with its plan and what the log holds for it."""

    name: str
    start: datetime
    end: datetime
    planned: list = field(default_factory=list)
    logged: list = field(default_factory=list)
    state: str = "due"

    @property
    def can_confirm(self) -> bool:
        return self.state in ("missed", "partial")


def now_for(project) -> datetime:
    """The stations' local time now (naive), or the moment fixed for tests (``BROADCASTER_NOW``)."""
    fixed = current_app.config.get("BROADCASTER_NOW")
    if fixed is not None:
        return fixed
    zone = ZoneInfo(getattr(project, "timezone", None) or "Asia/Ho_Chi_Minh")
    now = datetime.now(zone).replace(tzinfo=None)
    if console().fixed_today is not None:
        return datetime.combine(console().fixed_today, now.time())
    return now


def session_days(project, schedules, store, day: date, now: datetime) -> list[tuple[object, list[SessionDay]]]:
    """[(station, [SessionDay …])] for ``day``: each session's plan, log rows and state at ``now``."""
    from ...schedule import Durations, expand_plan

    plan = expand_plan(project, schedules, day, day, durations=Durations(project))
    rows = [] if store is None else store.list_plays(start=datetime.combine(day, time.min),
                                                     end=datetime.combine(day + timedelta(days=1), time.min))
    result = []
    for station in project.stations:
        sessions = []
        for session in station.sessions:
            item = SessionDay(session.name, datetime.combine(day, session.start), datetime.combine(day, session.end))
            item.planned = [p for p in plan if p.station == station.id and p.session == session.name]
            # A voided play (hủy lượt phát: logged by mistake) did not air: it is not the session's.
            item.logged = [r for r in rows if r["station"] == station.id and not r.get("voided_by")
                           and item.start <= (r.get("scheduled_at") or r["started_at"]) < item.end]
            item.state = _state(item, now)
            sessions.append(item)
        result.append((station, sessions))
    return result


def _state(item: SessionDay, now: datetime) -> str:
    if now < item.start:
        return "due"
    if now < item.end:
        return "on_air"
    if not item.planned:
        return "empty"
    played = {(r["script"], r.get("scheduled_at")) for r in item.logged if r["status"] == "played"}
    done = sum((p.script, p.start) in played for p in item.planned)
    if done >= len(item.planned):
        sources = {r["source"] for r in item.logged if r["status"] == "played"}
        return "confirmed" if sources == {"confirm"} else "played"
    return "partial" if done or item.logged else "missed"


@bp.get("/hom-nay")
def page():
    """Hôm nay: every station's sessions of the day and their state.

    The day field and the sessions' confirm buttons share one form (``#hom-nay``): "Xem" submits it here,
    so the guard token and the button's target would be in the address; a redirect drops them.
    """
    if {"csrf_token", "target"} & set(request.args):
        return redirect(url_for("today.page", date=request.args.get("date") or None), 303)
    project, _ = load()
    schedules, _ = schedules_of(project)
    now = now_for(project)
    day = day_arg("date", now.date())
    from ...playlog.store import NoPlayLog

    try:
        store = console().store(project, must_exist=True)  # a page that only shows creates no log
    except NoPlayLog:
        store = None
    stations = session_days(project, schedules, store, day, now)
    return render_template("today.html", project=project, day=day, now=now, stations=stations, states=STATES)


@bp.post("/hom-nay/xac-nhan")
def confirm():
    """Confirm one finished session of one station (the `log confirm` command for that session).

    The day is the page's "Ngày" field as submitted (the button submits that form); the button names the
    station and session (``target`` = ``station|session``, or the ``station`` and ``session`` fields). The
    page comes back on that day, with the result.
    """
    from ...playlog.confirm import confirm_plan

    project, _ = load()
    station_id, _, session_name = (request.form.get("target") or "").partition("|")
    station_id = (station_id or request.form.get("station") or "").strip()
    session_name = (session_name or request.form.get("session") or "").strip()
    back = url_for("today.page")  # a day that cannot be read: today's page says why
    try:
        day = day_arg("date", None)
        if day is None:
            raise BroadcasterError(MESSAGES["no_day"])
        back = url_for("today.page", date=day.isoformat())
        station = project.require_station(station_id)
        session = station.session(session_name)
        if session is None:
            raise BroadcasterError(MESSAGES["unknown_session"].format(station=station.name, session=session_name))
        end = datetime.combine(day, session.end)
        if now_for(project) < end:
            raise BroadcasterError(MESSAGES["not_ended"].format(session=session.name, station=station.name,
                                                                day=day.strftime("%d/%m/%Y"), end=f"{end:%H:%M}"))
        result = confirm_plan(project, console().store(project), day, station.id, session.name)
    except BroadcasterError as exc:
        flash(error_line(exc), "error")
        return redirect(back, 303)
    flash(result.message(), "success" if result.planned else "info")
    return redirect(back, 303)
