"""A standing programme (schedule and campaign until 2099): nothing expands more days than it shows or counts.

The expander is spied on (every expansion plans one day at a time through
``expand.plan_day``), so the tests count the days asked for instead of timing.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from broadcaster.cli import main
from broadcaster.config import load_project
from broadcaster.schedule import check, expand, inspect_schedules
from broadcaster.schedule.load import read_schedule_files
from conftest import copy_sample, use_engine

UNTIL = "2099-12-31"


def standing_folder(tmp_path: Path, short_morning: bool = False) -> Path:
    """The sample with its campaign, schedule and scripts running until 2099 (fake engine)."""
    folder = copy_sample(tmp_path / "work")
    use_engine(folder, "fake", "fake")
    for path in (folder / "broadcaster.yaml", folder / "schedules" / "2g.yaml", *(folder / "scripts").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert "until: 2024-09-30" in text
        text = text.replace("until: 2024-09-30", f"until: {UNTIL}")
        if short_morning and path.name == "broadcaster.yaml":
            text = text.replace('{name: sang, start: "05:30", end: "06:00"}', '{name: sang, start: "05:30", end: "05:32"}', 1)
        path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def asked(monkeypatch) -> list[date]:
    """Every day the expander is asked to plan, in order."""
    days: list[date] = []
    real = expand.plan_day

    def spy(planner, day):
        days.append(day)
        return real(planner, day)

    monkeypatch.setattr(expand, "plan_day", spy)
    return days


def test_weekly_representatives_count_every_day_once():
    start, end = date(2024, 7, 15), date(2099, 12, 31)
    changes = {date(2024, 8, 1), date(2024, 9, 2), date(2024, 9, 3)}
    reps = list(check.weekly_representatives(start, end, changes))
    # Pieces: 15/07–31/07, 01/08–01/09, 02/09, 03/09–2099: 7 + 7 + 1 + 7 days planned.
    assert len(reps) == 22
    assert sum(count for _, count, _ in reps) == (end - start).days + 1
    for day, count, last in reps:
        assert last == day + timedelta(days=7 * (count - 1)) and last <= end
        assert last + timedelta(days=7) > end or last + timedelta(days=7) in changes or any(
            day < c <= last + timedelta(days=7) for c in changes)


def test_check_of_a_standing_programme_plans_a_few_weeks_not_75_years(tmp_path, asked):
    project = load_project(standing_folder(tmp_path))
    schedules, problems = inspect_schedules(project)
    assert not [p for p in problems if p.severity == "error"]
    pieces = len(check.change_days(project, schedules)) + 1
    assert 0 < len(asked) <= 7 * pieces
    assert len(asked) < 60  # the range holds 27,563 days


def test_overflow_over_a_standing_programme_counts_every_day(tmp_path, asked):
    project = load_project(standing_folder(tmp_path, short_morning=True))
    schedules, _ = read_schedule_files(project)
    problems = check.check_session_lengths(project, schedules)
    assert len(asked) < 60
    # The right figures, counted here day by day without the expander.
    start, end, holiday = date(2024, 7, 15), date(2099, 12, 31), date(2024, 9, 2)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    with_guide = [d for d in days if d.weekday() in (0, 2, 4) and d != holiday]
    alone = [d for d in days if d.weekday() not in (0, 2, 4) and d != holiday]
    texts = [p.message for p in problems if p.message.startswith("đài tt-my-xuyen, ")]
    assert texts[0].startswith(f"đài tt-my-xuyen, {len(with_guide)} ngày, từ 15/07/2024 đến "
                               f"{with_guide[-1]:%d/%m/%Y}: phiên sáng 05:30–05:32")
    assert texts[1].startswith(f"đài tt-my-xuyen, {len(alone)} ngày, từ 16/07/2024 đến "
                               f"{alone[-1]:%d/%m/%Y}: phiên sáng 05:30–05:32")
    assert (len(with_guide), len(alone)) == (11812, 15750)


def test_plan_day_range_is_what_is_asked(tmp_path, asked):
    project = load_project(standing_folder(tmp_path))
    schedules, _ = read_schedule_files(project)
    asked.clear()
    plays = expand.expand_plan(project, schedules, date(2050, 3, 1), date(2050, 3, 7))
    assert asked == [date(2050, 3, 1) + timedelta(days=i) for i in range(7)]
    assert {p.date for p in plays} == set(asked)


def test_cli_check_and_plan_stay_bounded(tmp_path, asked, capsys):
    folder = standing_folder(tmp_path)
    assert main(["--project", str(folder), "check"]) == 0
    assert len(asked) < 60
    asked.clear()
    assert main(["--project", str(folder), "plan", "--from", "2060-01-01"]) == 0
    checked = [d for d in asked if d != date(2060, 1, 1)]
    assert asked.count(date(2060, 1, 1)) == 1 and len(checked) < 60


def test_web_pages_plan_only_the_days_they_show(tmp_path, asked):
    from broadcaster.web import create_app

    folder = standing_folder(tmp_path)
    project = load_project(folder)
    schedules, _ = read_schedule_files(project)
    checked = {d for d, _, _ in check.weekly_representatives(
        min(s.first_day() for s in schedules), date(2099, 12, 31), check.change_days(project, schedules))}
    today = date(2024, 8, 6)
    app = create_app(folder, today=today)
    client = app.test_client()
    try:
        shown = {
            "/": {today},
            "/ke-hoach": {today + timedelta(days=i) for i in range(7)},
            "/bao-cao?month=2080-02": {date(2080, 2, 1) + timedelta(days=i) for i in range(29)},
            "/nhat-ky": set(),
        }
        for url, days in shown.items():
            asked.clear()
            assert client.get(url).status_code == 200, url
            extra = [d for d in asked if d not in days]
            # Besides the days on the page: at most one session-length check, a week per unchanged stretch.
            assert set(extra) <= checked and len(extra) <= len(checked), url
            # Every day shown was planned, or repeats a planned day of a whole number of weeks before it
            # on the same page (expand_plan reuses a week's plan between change days).
            first = min(days, default=None)
            assert all(any(d - timedelta(days=7 * k) in asked for k in range((d - first).days // 7 + 1))
                       for d in days), url
    finally:
        app.extensions["broadcaster"].close()


def test_report_planned_figures_plan_only_the_period(tmp_path, asked):
    """`report` (CLI and files) counts planned plays through load_plan: the period's days and one check."""
    from broadcaster.playlog.store import open_store
    from broadcaster.report.aggregate import build_report, month_period

    project = load_project(standing_folder(tmp_path))
    schedules, _ = read_schedule_files(project)
    checked = {d for d, _, _ in check.weekly_representatives(
        date(2024, 7, 15), date(2099, 12, 31), check.change_days(project, schedules))}
    store = open_store(project)
    try:
        asked.clear()
        report = build_report(project, store, month_period("2080-02"))
    finally:
        store.close()
    month = {date(2080, 2, 1) + timedelta(days=i) for i in range(29)}
    # Each day of the month planned, or a week's repeat of a planned day of the month (expand_plan).
    assert all(any(d - timedelta(days=7 * k) in asked for k in range((d - min(month)).days // 7 + 1))
               for d in month)
    assert set(asked) <= month | checked
    assert len(asked) <= len(month) + len(checked)
    # Every session: the notice; Mon/Wed/Fri mornings: the guide; every afternoon: the reminder.
    guide_days = sum(d.weekday() in (0, 2, 4) for d in month)
    assert guide_days == 12
    assert report.scheduled_total == 29 * 4 * 2 + guide_days * 4 + 29 * 4 == 396
