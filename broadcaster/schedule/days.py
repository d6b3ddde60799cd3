"""Schedule stage, calendar: turns schedules into the days on which what plays may change.

Between two change days every day plays what the same weekday a week earlier
played, which lets expansion (`expand._repeating_sessions`) and the overflow
check (`expand.check_session_lengths`) plan one week per stretch instead of
every day.
"""
from __future__ import annotations

import bisect
from datetime import date, timedelta
from typing import Callable, Iterator


def each_day(start: date, end: date) -> Iterator[date]:
    """Every day from ``start`` to ``end``, both included."""
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def change_days(project, schedules) -> set[date]:
    """Days on which the set of items that play may change for another reason than the weekday.

    ``project`` is a models.Project, ``schedules`` a list of load.Schedule (not imported here:
    the loader reaches this module through the expander).

    Between two consecutive change days every day plays what the same weekday a
    week earlier played: schedule and item ranges, extra and excluded dates,
    script validity and campaign dates are the only dated inputs of `plan_day`
    (``per_week`` slots repeat every week).
    """
    days: set[date] = set()
    one = timedelta(days=1)

    def edge(first: date | None, last: date | None) -> None:
        if first is not None:
            days.add(first)
        if last is not None:
            days.add(last + one)

    scripts = {s.id: s for s in project.scripts}
    for schedule in schedules:
        edge(schedule.start, schedule.end)
        for day in schedule.dates | schedule.exclude:
            edge(day, day)
        for item in schedule.items:
            edge(item.start, item.end)
            for day in item.dates:
                edge(day, day)
            if item.relay and item.campaign:   # a relay item's own campaign gates it (plan_day)
                campaign = project.campaign(item.campaign)
                if campaign is not None:
                    edge(campaign.start, campaign.end)
            script = scripts.get(item.script)
            if script is None:
                continue
            edge(script.valid_from, script.valid_until)
            campaign = project.campaign(script.campaign) if script.campaign else None
            if campaign is not None:
                edge(campaign.start, campaign.end)
    return days


def weekly_representatives(start: date, end: date, changes: set[date]) -> Iterator[tuple[date, int, date]]:
    """(day, count, last) standing for every day of start…end without visiting each.

    The range is cut at the change days; inside each piece the first (at most)
    seven days are returned, each with how many days of the piece fall on the same
    weekday (``count``) and the last of them (``last``). At most 7 × (pieces) days
    are returned, whatever the length of the range.
    """
    cuts = sorted(d for d in changes if start < d <= end)
    bounds = [start, *cuts, end + timedelta(days=1)]
    for first, after in zip(bounds, bounds[1:]):
        last_day = after - timedelta(days=1)
        for offset in range(min(7, (after - first).days)):
            day = first + timedelta(days=offset)
            count = (last_day - day).days // 7 + 1
            yield day, count, day + timedelta(days=7 * (count - 1))


def week_before_finder(changes: set[date]) -> Callable[[date], date | None]:
    """A function day → the day a week before when no change day lies in (that day, day], else None."""
    ordered = sorted(changes)
    week = timedelta(days=7)

    def same_as(day: date) -> date | None:
        earlier = day - week
        return earlier if bisect.bisect_right(ordered, day) == bisect.bisect_right(ordered, earlier) else None
    return same_as


# Vietnamese weekday names (0 = Monday), as the console's day boxes and messages write them.
WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def weekdays_text(days) -> str:
    """``Thứ Hai, Thứ Tư``: weekday indexes (0 = Monday) as the staff say them."""
    return ", ".join(WEEKDAY_NAMES[d] for d in sorted(set(days)))


def never_on_weekdays(start: date | None, end: date | None, days) -> bool:
    """True when no day from ``start`` to ``end`` (both included) falls on one of ``days`` (0 = Monday).

    An open range (None at either end), an empty ``days`` (every day) or a reversed range
    (reported on its own) is never "never": only a closed range shorter than a week can miss
    every chosen weekday.
    """
    if start is None or end is None or end < start or not days:
        return False
    chosen = set(days)
    return not any(d.weekday() in chosen for d in each_day(start, min(end, start + timedelta(days=6))))
