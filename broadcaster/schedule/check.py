"""Schedule stage, checks: every schedule read and checked, including whether each session's programme fits.

`read_schedule_files` (``load.py``) checks what needs no audio; this module adds the
length check, which needs clip durations (built or estimated, `expand.Durations`):
a session's programme — its items, opening, closing and the gaps between them —
must not be longer than the session. Standing programmes (until 2099) are checked
without planning every day: only a week of each stretch between change days is
planned (`weekly_representatives`), and the days are counted by weekday arithmetic.
Days are planned through `expand.plan_day`, as every expansion is.
"""
from __future__ import annotations

from datetime import timedelta

from ..errors import Problem, ProblemsError
from ..models import Project
from ..timeutil import duration_text, vn_date
from . import expand
from .days import change_days, weekly_representatives  # noqa: F401 (re-exported for callers)
from .expand import ITEM_GAP_S, Durations, session_word
from .load import Schedule, read_schedule_files

# An open-ended schedule is length-checked over this many days from its start.
CHECK_HORIZON_DAYS = 366
MESSAGES = {
    "overflow": ("đài {station}, {when}: phiên {session} {start}–{end} dài {length}, chương trình dài {total} "
                 "({count} bài, mở đầu, kết thúc và khoảng lặng {gap:g} giây giữa các đoạn{estimated}) — "
                 "bớt mục trong lịch, chuyển bớt sang phiên khác hoặc kéo dài phiên trong broadcaster.yaml"),
    "overflow_when_one": "ngày {day}",
    "overflow_when_many": "{count} ngày, từ {day} đến {last}",
    "estimated": "; thời lượng ước tính vì chưa tạo tệp âm thanh",
}


def check_session_lengths(project: Project, schedules: list[Schedule],
                          durations: Durations | None = None) -> list[Problem]:
    """One error per (station, session, programme) whose programme is longer than the session.

    Every day of every schedule counts (open-ended ones for `CHECK_HORIZON_DAYS`), but
    only a week of each stretch between change days is planned (`weekly_representatives`);
    days with the same overflowing programme are reported once with their count.
    """
    firsts = [d for d in (s.first_day() for s in schedules) if d]
    if not firsts:
        return []
    start = min(firsts)
    lasts = [s.last_day() for s in schedules]
    end = max((d for d in lasts if d), default=start)
    if any(d is None for d in lasts):
        end = max(end, start + timedelta(days=CHECK_HORIZON_DAYS))
    durations = durations or Durations(project)
    seen: dict[tuple, list] = {}
    planner = expand._DayPlanner(project, schedules, None)
    # Count the days of each programme by weekday arithmetic instead of expanding a range
    # that may run to 2099 (a standing programme): only a week per unchanged stretch is planned.
    for day, weight, last_day in weekly_representatives(start, end, change_days(project, schedules)):
        for plan in expand.plan_day(planner, day):
            name = plan.session.name
            total = expand.programme_seconds(durations, plan)
            if total <= plan.session.length_s + 1e-6:
                continue
            key = (plan.station.id, name, tuple((e.script.id, e.seconds) for e in plan.entries))
            if key in seen:
                seen[key][1] += weight
                seen[key][2] = max(seen[key][2], last_day)
                continue
            seen[key] = [plan, weight, last_day, total]
    problems = []
    for plan, count, last, total in seen.values():
        session = plan.session
        when = (MESSAGES["overflow_when_one"].format(day=vn_date(plan.date)) if count == 1 else
                MESSAGES["overflow_when_many"].format(count=count, day=vn_date(plan.date), last=vn_date(last)))
        first = next((e for e in reversed(plan.entries) if e.schedule is not None), plan.entries[-1])
        problems.append(Problem(first.schedule.file if first.schedule else plan.station.file,
                                first.item.line if first.item else plan.station.line, MESSAGES["overflow"].format(
            station=plan.station.id, when=when, session=session_word(session.name),
            start=session.start.strftime("%H:%M"), end=session.end.strftime("%H:%M"),
            length=duration_text(session.length_s), total=duration_text(total), count=len(plan.entries),
            gap=ITEM_GAP_S, estimated=MESSAGES["estimated"] if durations.estimated else "")))
    return problems


def inspect_schedules(project: Project) -> tuple[list[Schedule], list[Problem]]:
    """Load and check every schedule, including whether each session's programme fits its length.

    Args:
        project: The loaded working folder.

    Returns:
        The usable schedules and every problem (errors and warnings), each with FILE:LINE.
    """
    schedules, problems = read_schedule_files(project)
    if not any(p.severity == "error" for p in problems):
        problems += check_session_lengths(project, schedules)
    return schedules, problems


def load_schedules(project: Project) -> list[Schedule]:
    """Load every schedule or raise `ProblemsError` listing all problems when any is an error."""
    schedules, problems = inspect_schedules(project)
    if any(p.severity == "error" for p in problems):
        raise ProblemsError(problems)
    return schedules
