"""Web shell, Tổng quan page: organisation, stations, campaigns, today's plan, folder problems and the last plays.

The problems are those of `broadcaster check`, today's counts those of `plan`
for today, the last plays those of the log (``PlayStore.recent_plays``).
"""
from __future__ import annotations

from flask import Blueprint, render_template

from ...errors import BroadcasterError
from ..state import FolderBroken, can_do_without, console, default_week

RECENT_ROWS = 10
# Campaign.state → (label, tag style) on the page.
CAMPAIGN_STATES = {
    "running": ("Đang thực hiện", "ok"),
    "upcoming": ("Sắp bắt đầu", "info"),
    "over": ("Đã kết thúc", "muted"),
    "undated": ("—", None),
}

bp = Blueprint("overview", __name__)


@bp.get("/")
def overview():
    """Tổng quan: organisation, stations, campaigns, today's plan, folder problems, last plays."""
    from ...workdir import inspect_project
    from ...schedule import expand_plan, inspect_schedules
    from ...workdir import check_folder

    project, problems = inspect_project(console().root)
    if project is None:
        raise FolderBroken(check_folder(console().root)[0])
    # The same problems as `broadcaster check` (check_folder), with the schedules kept for today's count.
    schedules, schedule_problems = inspect_schedules(project)
    problems = problems + schedule_problems
    summary = {"stations": len(project.stations), "scripts": len(project.scripts), "schedules": len(schedules)}
    today = console().today(project)
    plan_counts: dict[str, int] | None = None
    plan_error = None
    if all(can_do_without(p) for p in problems):
        try:
            plan_counts = {}
            for play in expand_plan(project, schedules, today, today):
                plan_counts[play.station] = plan_counts.get(play.station, 0) + 1
        except BroadcasterError as exc:
            plan_error = str(exc)
    recent, log_error = [], None
    from ...playlog.durations import airtime_of, clip_durations
    from ...playlog.store import NoPlayLog

    try:
        # Airtime as the report counts it: a start-only play lasts as long as its clip.
        recent = airtime_of(console().store(project, must_exist=True).recent_plays(RECENT_ROWS),
                            clip_durations(project))
    except NoPlayLog:
        recent = []    # the page says the log has no plays yet; nothing is created
    except BroadcasterError as exc:
        log_error = str(exc)
    campaigns = [(c, *CAMPAIGN_STATES[c.state(today)]) for c in project.campaigns]
    week = default_week(project, today)
    return render_template("overview.html", project=project, problems=problems, summary=summary, today=today,
                           plan_counts=plan_counts, plan_total=sum((plan_counts or {}).values()),
                           plan_error=plan_error, recent=recent, log_error=log_error,
                           campaigns=campaigns, week=week, stale_clips=_stale_clips(project),
                           errors=sum(p.severity == "error" for p in problems))


def _stale_clips(project) -> list:
    """The ClipStates of scripts and station identity clips that need rebuilding (no synthesis)."""
    from ...manifest import clip_states

    try:
        return [st for st in clip_states(project, identity=True).values() if st.stale]
    except BroadcasterError:
        return []

