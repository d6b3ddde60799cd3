"""The console's structure (issue 10): facts in one place — campaign state, recent plays, the report totals row — and
stage messages that name no command-line option."""
from __future__ import annotations

import ast
import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from docx import Document
from flask import url_for
from openpyxl import load_workbook
from werkzeug.routing import BuildError

from broadcaster.cli import main
from broadcaster.config import load_project
from broadcaster.errors import BroadcasterError
from broadcaster.models import Campaign
from broadcaster.playlog.confirm import NotAiredYet, check_day_aired
from broadcaster.playlog.store import PlayIn, open_store
from broadcaster.report import render
from broadcaster.report.aggregate import PeriodChoice, build_report, choose_period, month_period
from broadcaster.report.table import summary_total_row, summary_totals
from broadcaster.web import create_app

PACKAGE = Path(__file__).resolve().parent.parent / "broadcaster"
AUGUST = month_period("2024-08")


def _campaign(start, end) -> Campaign:
    return Campaign("c", "Chiến dịch", "CV 1", start, end)


@pytest.mark.parametrize("start, end, today, state", [
    (date(2024, 8, 1), date(2024, 8, 31), date(2024, 8, 1), "running"),      # first day counts
    (date(2024, 8, 1), date(2024, 8, 31), date(2024, 8, 31), "running"),     # last day counts
    (date(2024, 8, 1), date(2024, 8, 31), date(2024, 7, 31), "upcoming"),
    (date(2024, 8, 1), date(2024, 8, 31), date(2024, 9, 1), "over"),
    (None, None, date(2024, 8, 15), "undated"),
    (date(2024, 8, 1), None, date(2030, 1, 1), "running"),                   # open-ended
    (None, date(2024, 8, 31), date(2024, 9, 1), "over"),
])
def test_campaign_state(start, end, today, state):
    assert _campaign(start, end).state(today) == state


def _append(project, store, plays):
    for p in plays:
        s, st = project.script(p.script), project.station(p.station)
        p.campaign, p.form, p.medium, p.priority = s.campaign, s.form, st.medium, s.priority
    store.append(plays)


def test_recent_plays_newest_first(project, store):
    t = datetime(2024, 8, 1, 5, 30)
    _append(project, store, [PlayIn("tt-my-xuyen", "2g-thong-bao", t + timedelta(hours=h)) for h in (0, 2, 1)])
    assert [r["started_at"] for r in store.recent_plays(2)] == [t + timedelta(hours=2), t + timedelta(hours=1)]
    assert [r["started_at"] for r in store.list_plays()] == [t, t + timedelta(hours=1), t + timedelta(hours=2)]
    assert len(store.recent_plays(10)) == 3


def test_the_web_runs_no_sql_on_the_play_table():
    """The console asks playlog for plays (``recent_plays``, ``list_plays``); no web module imports the table or SQL."""
    offenders = []
    for path in (PACKAGE / "web").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("playlog.store"):
                offenders += [f"{path.name}:{node.lineno}" for a in node.names if a.name == "plays"]
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.name}:{node.lineno}" for m in modules if m.split(".")[0] == "sqlalchemy"]
    assert offenders == []


def _august(project, store):
    t0 = datetime(2024, 8, 1, 5, 30)
    plays = [PlayIn("tt-my-xuyen", "2g-thong-bao", t0 + timedelta(days=d), ended_at=t0 + timedelta(days=d, seconds=120))
             for d in range(10)]
    plays += [PlayIn("xa-dai-tam", "2g-huong-dan", t0 + timedelta(days=d), ended_at=t0 + timedelta(days=d, seconds=180))
              for d in range(4)]
    plays.append(PlayIn("xa-dai-tam", "2g-thong-bao", t0 + timedelta(days=5), ended_at=t0 + timedelta(days=5, seconds=25)))
    plays.append(PlayIn("xa-dai-tam", "2g-thong-bao", t0 + timedelta(hours=1), status="interrupted",
                        ended_at=t0 + timedelta(hours=1, seconds=30)))
    _append(project, store, plays)


def test_totals_row_is_one_fact_in_table_docx_and_xlsx(project, store):
    _august(project, store)
    report = build_report(project, store, AUGUST)
    # 2 stations, 15 played, 1 interrupted; airtime of the played rows: 10×120 + 4×180 + 25 s.
    assert summary_totals(report) == ["Tổng cộng", None, None, 2, 15, 1, 32.4]
    assert report.totals.airtime_s == 1945.0
    assert summary_total_row(report) == ["Tổng cộng", "", "", 2, 15, 1, 32.4]
    assert re.search(r"^Tổng cộng\s+2\s+15\s+1\s+32,4$", render(report, "table", project), re.M)
    sheet = load_workbook(io.BytesIO(render(report, "xlsx", project))).worksheets[0]
    last = [c.value for c in list(sheet.iter_rows())[-1]]
    assert last == ["Tổng cộng", None, None, 2, 15, 1, 32.4]
    doc = Document(io.BytesIO(render(report, "docx", project)))
    rows = [[c.text for c in r.cells] for t in doc.tables for r in t.rows if r.cells[0].text == "Tổng cộng"]
    assert ["Tổng cộng", "", "2", "15", "1", "32,4"] in rows


def test_report_file_names_come_from_the_report_stage(project, store):
    from broadcaster.report import default_filename, display_filename

    report = build_report(project, store, AUGUST, campaign="dung-2g", station="xa-ngoc-to")
    assert display_filename(report, "xlsx") == "Báo cáo tháng 8-2024 - dung-2g - xa-ngoc-to.xlsx"
    assert default_filename(report, "xlsx") == "bao-cao-2024-08-dung-2g-xa-ngoc-to.xlsx"
    assert display_filename(build_report(project, store, AUGUST), "csv") == "Báo cáo tháng 8-2024.csv"


def test_web_report_shows_the_same_totals_row(workdir):
    project = load_project(workdir)
    store = open_store(project)
    try:
        _august(project, store)
    finally:
        store.close()
    app = create_app(workdir, today=date(2024, 9, 2))
    try:
        body = app.test_client().get("/bao-cao?month=2024-08").get_data(as_text=True)
    finally:
        app.extensions["broadcaster"].close()
    foot = re.search(r"<tfoot>(.*?)</tfoot>", body, re.S).group(1)
    assert re.findall(r"<th[^>]*>([^<]*)</th>", foot) == ["Tổng cộng", "", "", "2", "15", "1", "32,4"]


def test_old_endpoint_names_still_build(fake_folder):
    app = create_app(fake_folder)
    with app.test_request_context():
        assert url_for("console.scripts") == url_for("scripts.scripts") == "/kich-ban"
        assert url_for("console.script_page", script_id="x") == "/kich-ban/x"
        assert url_for("console.log_page", station="a") == "/nhat-ky?station=a"
        with pytest.raises(BuildError):
            url_for("console.no_such_page")


# -- stage messages name no command-line option ---------------------------------------------------------------

FLAG = re.compile(r"(?<![\w-])--[a-z]")


def _message_strings(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "MESSAGES" for t in node.targets) \
                and isinstance(node.value, ast.Dict):
            found += [c.value for v in node.value.values for c in ast.walk(v)
                      if isinstance(c, ast.Constant) and isinstance(c.value, str)]
    return found


@pytest.mark.parametrize("room", ["playlog", "report", "schedule", "build.py", "web/pages", "web/state.py",
                                  "web/filters.py"])
def test_stage_messages_name_no_option(room):
    paths = [PACKAGE / room] if room.endswith(".py") else sorted((PACKAGE / room).rglob("*.py"))
    flagged = [(p.name, m) for p in paths for m in _message_strings(p) if FLAG.search(m)]
    assert flagged == []


def test_the_flag_hint_is_added_by_the_cli_only(project, capsys):
    with pytest.raises(PeriodChoice) as info:
        choose_period(project)
    assert "--" not in str(info.value)
    assert main(["--project", str(project.root), "report"]) == 1
    assert "--month YYYY-MM" in capsys.readouterr().err


def test_confirm_not_aired_yet_names_no_option_but_the_cli_does(project, capsys):
    day = date(2024, 8, 1)
    with pytest.raises(NotAiredYet) as info:
        check_day_aired(project, day, "tt-my-xuyen", now=datetime(2024, 8, 1, 4, 0))
    assert "--" not in str(info.value) and "từng phiên" in str(info.value)
    assert isinstance(info.value, BroadcasterError)
    # The CLI adds its option to the hint; the day is far in the future, so it has not aired on any clock.
    assert main(["--project", str(project.root), "log", "confirm", "--date", "2099-01-01",
                 "--station", "tt-my-xuyen"]) == 1
    err = capsys.readouterr().err
    assert "từng phiên đã kết thúc" in err and "--session PHIÊN" in err


def test_default_week_is_a_rule_of_the_project(workdir):
    project = load_project(workdir)
    # Every campaign of the sample folder is over by 2030: the first week of the one that ended last.
    last = max((c for c in project.campaigns if c.start), key=lambda c: c.end)
    assert project.default_week(date(2030, 1, 1)) == (last.start, last.start + timedelta(days=6))
    during = last.start + timedelta(days=1)
    assert project.default_week(during) == (during, during + timedelta(days=6))
