"""Web shell, Kế hoạch phát page: the planned plays of a date range, one block per day (the `plan` command as a table).

The plays are ``schedule.expand_plan``'s, with ``schedule.Durations`` for clip
lengths, from the folder's usable schedules (a broken file is left out and
named in the banner).
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, render_template, request

from ...errors import BroadcasterError
from ..state import check_range, console, day_arg, default_week, load, schedules_of, station_arg

MESSAGES = {
    "range_long": "chỉ xem được tối đa {days} ngày một lần — chọn khoảng ngắn hơn",
}
PLAN_MAX_DAYS = 31

bp = Blueprint("plan", __name__)


@bp.get("/ke-hoach")
def plan():
    """Kế hoạch phát: the planned plays of a date range (the `plan` command as a table)."""
    from ...schedule import Durations, expand_plan

    project, _ = load()
    schedules, warnings = schedules_of(project)
    today = console().today(project)
    first, last = default_week(project, today)
    error, plays, estimated, stale = None, [], False, []
    station = None
    try:
        start = day_arg("from", first)
        end = day_arg("to", start + timedelta(days=6) if request.args.get("from") else last)
        first, last = start, end
        station = station_arg(project)
        check_range(start, end)
        if (end - start).days + 1 > PLAN_MAX_DAYS:
            raise BroadcasterError(MESSAGES["range_long"].format(days=PLAN_MAX_DAYS))
        durations = Durations(project)
        plays = expand_plan(project, schedules, start, end, station, durations=durations)
        estimated = durations.estimated
        stale = sorted(durations.stale)
    except BroadcasterError as exc:
        error = str(exc)
    # One block per day, each station's plays together (the CLI lists them by time across stations).
    order = {s.id: i for i, s in enumerate(project.stations)}
    days: list[tuple[date, list]] = []
    for play in plays:
        if not days or days[-1][0] != play.date:
            days.append((play.date, []))
        days[-1][1].append(play)
    for _, day_plays in days:
        day_plays.sort(key=lambda p: (order.get(p.station, 0), p.start, p.position))
    return render_template("plan.html", project=project, days=days, plays=plays, first=first, last=last,
                           station=station, error=error, estimated=estimated, stale=stale,
                           warnings=[w for w in warnings if w.severity != "error"],  # errors: in the banner
                           total_s=sum(p.duration_s for p in plays))

