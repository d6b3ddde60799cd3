"""Field hardening of the play log and report (issue 8: items 1, 2, 4, 7, 14, 17, 18), on SQLite and PostgreSQL.

Airtime of plays logged with a start only, the "aired yet" rule, the report
over a tampered log, one month parser, huge CSV fields, the Word/Excel layout
and commands that must not create a log.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from broadcaster.cli import main
from broadcaster.config import load_project
from broadcaster.errors import BroadcasterError
from broadcaster.playlog.aired import not_aired_yet
from broadcaster.playlog.confirm import confirm_plan
from broadcaster.playlog.importer import ImportRejected, import_file
from broadcaster.playlog.store import MIGRATIONS, PlayIn, open_store, play_row
from broadcaster.playlog.verify import verify_log
from broadcaster.report import render
from broadcaster.report.aggregate import build_report, month_period
from broadcaster.timeutil import parse_month, station_today
from conftest import use_engine
from dbfixtures import session_plan

REPRO = [{"DichID": "xa-dai-tam", "BanTinID": "2g-nhac-nho", "ThoiDiemBatDau": "06/08/2024 17:00"}]


def run(capsys, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def built(workdir, db_url, monkeypatch):
    """The sample folder with its clips built (fake engine) and the test database; (folder, project)."""
    from broadcaster.build import build_clips

    use_engine(workdir, "fake", "fake")
    monkeypatch.setenv("BROADCASTER_DATABASE_URL", db_url)
    project = dataclasses.replace(load_project(workdir), database_url=db_url)
    build_clips(project, ["2g-nhac-nho", "2g-thong-bao"])
    return workdir, project


def manifest_seconds(folder: Path, script: str) -> float:
    return json.loads((folder / "audio_out" / "clips" / "manifest.json").read_text(encoding="utf-8"))["clips"][script][
        "duration_s"]


# --- 1. airtime of plays logged with a start only --------------------------------------------------------

def test_reproduction_start_only_play_counts_its_clip(built, tmp_path, capsys):
    folder, project = built
    seconds = manifest_seconds(folder, "2g-nhac-nho")
    assert seconds > 5
    path = tmp_path / "platform.json"
    path.write_text(json.dumps(REPRO), encoding="utf-8")
    code, _, err = run(capsys, "--project", folder, "log", "import", path)
    assert code == 0, err
    code, out, err = run(capsys, "--project", folder, "report", "--month", "2024-08", "--station", "xa-dai-tam",
                         "--format", "csv")
    assert code == 0, err
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert float(row["airtime_s"]) == round(seconds, 1) != 0.0
    assert float(row["airtime_clip_s"]) == round(seconds, 1) and float(row["airtime_log_s"]) == 0.0
    assert row["unknown_airtime_plays"] == "0" and row["chain_ok"] == "1"
    # The stored row says where its length came from, and the chain covers it.
    store = open_store(project)
    (stored,) = store.list_plays()
    assert (stored["duration_s"], stored["duration_source"], stored["ended_at"]) == (round(seconds, 3), "clip", None)
    assert verify_log(store).ok
    # log list shows the same airtime and its source
    code, out, _ = run(capsys, "--project", folder, "log", "list", "--format", "json")
    (listed,) = json.loads(out)
    assert (listed["airtime_s"], listed["duration_source"]) == (round(seconds, 3), "clip")
    code, out, _ = run(capsys, "--project", folder, "log", "list")
    assert "Theo tệp âm thanh" in out and f"{seconds:.1f}" in out and "Nhập tệp" in out
    # table, docx and xlsx show the minutes and the source
    code, out, _ = run(capsys, "--project", folder, "report", "--month", "8/2024", "--station", "xa-dai-tam")
    minutes = f"{round(seconds / 60, 1)}".replace(".", ",")
    assert f"({minutes} phút)" in out and f"theo tệp âm thanh {minutes} phút (1 lượt)" in out
    report = build_report(project, store, month_period("2024-08"), station="xa-dai-tam")
    assert report.totals.airtime_s == pytest.approx(seconds, abs=0.001)
    from docx import Document
    from openpyxl import load_workbook

    doc_text = "\n".join(p.text for p in Document(io.BytesIO(render(report, "docx", project))).paragraphs)
    assert f"{minutes} phút" in doc_text and "theo tệp âm thanh" in doc_text
    wb = load_workbook(io.BytesIO(render(report, "xlsx", project)))
    assert wb["Tổng hợp"].cell(row=2, column=7).value == round(seconds / 60, 1)
    assert any("theo tệp âm thanh" in str(c.value) for (c,) in wb["Thông tin"].iter_rows(min_col=2, max_col=2))
    store.close()


def test_start_only_play_before_the_clip_is_built_counts_once_it_is(workdir, project, store, tmp_path, monkeypatch):
    from broadcaster.build import build_clips

    path = tmp_path / "p.json"
    path.write_text(json.dumps(REPRO), encoding="utf-8")
    assert import_file(project, store, path).new == 1
    (row,) = store.list_plays()
    assert (row["duration_s"], row["duration_source"]) == (0.0, "unknown")
    before = build_report(project, store, month_period("2024-08"), plan=[])
    assert before.totals.airtime_s == 0.0 and before.unknown_airtime == 1
    assert "chưa có tệp âm thanh" in render(before, "table")
    use_engine(workdir, "fake", "fake")
    built = dataclasses.replace(load_project(workdir), database_url=project.database_url)
    build_clips(built, ["2g-nhac-nho"])
    after = build_report(built, store, month_period("2024-08"), plan=[])
    assert after.totals.airtime_s == pytest.approx(manifest_seconds(workdir, "2g-nhac-nho"), abs=0.001)
    assert (after.unknown_airtime, after.clip_airtime) == (0, 1)


def test_migration_0004_keeps_old_rows_verifiable_and_gives_them_airtime(built):
    folder, project = built
    seconds = manifest_seconds(folder, "2g-nhac-nho")
    store = open_store(project)
    # Rows as a database before 0004 holds them: no duration_source, hashed without it.
    old = [play_row("xa-dai-tam", "2g-nhac-nho", datetime(2024, 8, 6, 17, 0)),
           play_row("xa-dai-tam", "2g-thong-bao", datetime(2024, 8, 7, 17, 0), ended_at=datetime(2024, 8, 7, 17, 2)),
           play_row("xa-dai-tam", "2g-thong-bao", datetime(2024, 8, 8, 17, 0), source="confirm",
                    ended_at=datetime(2024, 8, 8, 17, 1))]
    for r in old:
        r["duration_source"] = None
    store.append(old)
    with store.write() as conn:
        # Undo the later steps too: 0006's report index and 0008's triggers name the column.
        from broadcaster.playlog import day_summary

        day_summary.drop(conn)
        conn.execute(text("DELETE FROM schema_migrations WHERE name = '0008_day_summary'"))
        conn.execute(text("DROP INDEX ix_plays_day"))
        conn.execute(text("DELETE FROM schema_migrations WHERE name = '0006_report_day_index'"))
        conn.execute(text("ALTER TABLE plays DROP COLUMN duration_source"))
        conn.execute(text("DELETE FROM schema_migrations WHERE name = '0004_duration_source'"))
    store.close()
    reopened = open_store(project)
    assert reopened.applied_migrations() == [name for name, _ in MIGRATIONS]
    assert "0004_duration_source" in [name for name, _ in MIGRATIONS]
    assert verify_log(reopened).ok
    rows = reopened.list_plays()
    assert [r["duration_source"] for r in rows] == [None, None, None]
    report = build_report(project, reopened, month_period("2024-08"), station="xa-dai-tam", plan=[])
    assert report.chain_ok is True
    assert report.totals.airtime_s == pytest.approx(seconds + 120 + 60, abs=0.001)
    from broadcaster.report.aggregate import airtime_sources

    found = airtime_sources(report)
    assert found["clip"][0] == 1 and found["clip"][1] == pytest.approx(seconds, abs=0.001)
    assert found["log"] == (1, 120.0) and found["confirm"] == (1, 60.0)
    # New rows after the migration carry a hashed source: changing it is tampering.
    reopened.append([PlayIn("xa-dai-tam", "2g-nhac-nho", datetime(2024, 8, 9, 17, 0))])
    assert verify_log(reopened).ok
    with reopened.write() as conn:
        conn.execute(text("UPDATE plays SET duration_source = 'log' WHERE started_at > :t"),
                     {"t": datetime(2024, 8, 9)})
    result = verify_log(reopened)
    assert not result.ok and result.problems[0].kind == "edited"
    reopened.close()


def test_web_log_page_shows_airtime_and_its_source(built, tmp_path):
    from broadcaster.web import create_app

    folder, project = built
    path = tmp_path / "p.json"
    path.write_text(json.dumps(REPRO), encoding="utf-8")
    store = open_store(project)
    import_file(project, store, path)
    store.close()
    app = create_app(folder)
    try:
        total = int(round(manifest_seconds(folder, "2g-nhac-nho")))
        body = app.test_client().get("/nhat-ky").get_data(as_text=True)
        assert "Theo tệp âm thanh" in body and f"{total // 60}:{total % 60:02d}" in body
        # The overview's recent plays count the same airtime, not the stored 0 s. A row imported
        # today already stores its clip length, so make it a row logged before migration 0004
        # (0 s, no source): only reading it through the clip lengths gives the right airtime.
        again = open_store(project)
        with again.write() as conn:
            conn.execute(text("UPDATE plays SET duration_s = 0, duration_source = NULL"))
        again.close()
        overview = app.test_client().get("/").get_data(as_text=True)
        assert f">{total // 60}:{total % 60:02d}<" in overview and ">0:00<" not in overview
    finally:
        app.extensions["broadcaster"].close()


# --- 2. nothing is logged before it has aired --------------------------------------------------------------

def test_the_rule_names_the_session_end(project):
    station = project.station("xa-dai-tam")   # sessions sang 05:30–06:00, chieu 17:00–17:30
    now = datetime(2024, 8, 5, 17, 10)
    assert not_aired_yet(station, datetime(2024, 8, 5, 5, 30), now=now) is None
    during = not_aired_yet(station, datetime(2024, 8, 5, 17, 0), now=now)
    assert "phiên chieu" in during and "17:30 ngày 05/08/2024" in during and "chưa kết thúc" in during
    future = not_aired_yet(station, datetime(2024, 8, 6, 5, 30), now=now)
    assert "chưa diễn ra" in future and "06:00 ngày 06/08/2024" in future
    # The player logs each play as it ends: only a future start or end is refused.
    assert not_aired_yet(station, datetime(2024, 8, 5, 17, 0), now=now, ended_at=datetime(2024, 8, 5, 17, 1),
                         whole_session=False) is None
    assert "chưa phát xong" in not_aired_yet(station, datetime(2024, 8, 5, 17, 5), now=now,
                                            ended_at=datetime(2024, 8, 5, 17, 15), whole_session=False)


def test_confirm_refuses_a_day_or_session_not_over(project, store):
    day = date(2024, 8, 5)
    plan = session_plan(project, day, "xa-dai-tam", "sang", "05:30", ["2g-thong-bao"]) + \
        session_plan(project, day, "xa-dai-tam", "chieu", "17:00", ["2g-nhac-nho"])
    with pytest.raises(BroadcasterError) as info:
        confirm_plan(project, store, day, "xa-dai-tam", plan=plan, now=datetime(2024, 8, 5, 17, 10))
    assert "phiên chieu" in str(info.value) and "17:30 ngày 05/08/2024" in str(info.value)
    assert store.count() == 0
    with pytest.raises(BroadcasterError, match="chưa diễn ra"):
        confirm_plan(project, store, date(2024, 8, 6), "xa-dai-tam", "sang", plan=plan,
                     now=datetime(2024, 8, 5, 23, 0))
    assert store.count() == 0
    done = confirm_plan(project, store, day, "xa-dai-tam", "sang", plan=plan, now=datetime(2024, 8, 5, 17, 10))
    assert done.new == 1
    assert confirm_plan(project, store, day, "xa-dai-tam", plan=plan, now=datetime(2024, 8, 5, 17, 30)).new == 1


def test_log_confirm_tomorrow_is_refused_and_creates_nothing(workdir, capsys):
    tomorrow = station_today(load_project(workdir).timezone) + timedelta(days=1)
    code, _, err = run(capsys, "--project", workdir, "log", "confirm", "--date", tomorrow.strftime("%d/%m/%Y"),
                       "--station", "xa-dai-tam")
    assert code == 1 and "chưa diễn ra" in err and "Traceback" not in err
    assert f"kết thúc lúc 06:00 ngày {tomorrow:%d/%m/%Y}" in err
    assert not (workdir / "broadcaster.db").exists()


def test_import_refuses_future_and_open_session_plays(project, store, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("station,script,started_at,ended_at\n"
                    "xa-dai-tam,2g-thong-bao,2024-08-05T05:30:00,2024-08-05T05:31:00\n"
                    "xa-dai-tam,2g-thong-bao,2024-08-05T17:00:00,2024-08-05T17:01:00\n"
                    "xa-dai-tam,2g-thong-bao,2024-08-06T05:30:00,\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        import_file(project, store, path, display="p.csv", now=datetime(2024, 8, 5, 17, 10))
    message = str(info.value)
    assert "p.csv:3:" in message and "phiên chieu" in message and "17:30 ngày 05/08/2024" in message
    assert "p.csv:4:" in message and "chưa diễn ra" in message and "p.csv:2:" not in message
    assert store.count() == 0
    assert import_file(project, store, path, now=datetime(2024, 8, 6, 6, 0)).new == 3


def test_player_does_not_log_a_play_that_has_not_aired(project, store):
    from broadcaster.player import Player
    from broadcaster.sinks import NullSink

    class Clock:
        def now(self):
            return datetime(2024, 8, 5, 17, 10)

        def sleep(self, seconds):
            pass

    said = []
    player = Player(project, store, "xa-dai-tam", NullSink(), clock=Clock(), say=said.append)
    player._log([PlayIn("xa-dai-tam", "2g-thong-bao", datetime(2024, 8, 5, 17, 20), source="player",
                        ended_at=datetime(2024, 8, 5, 17, 21)),
                 PlayIn("xa-dai-tam", "2g-thong-bao", datetime(2024, 8, 5, 17, 0), source="player",
                        ended_at=datetime(2024, 8, 5, 17, 1))])
    assert [r["started_at"] for r in store.list_plays()] == [datetime(2024, 8, 5, 17, 0)]
    assert any("chưa diễn ra" in s for s in said)


def test_web_confirm_future_is_refused_and_report_never_opens_on_a_future_month(fake_folder, db_url):
    from broadcaster.web import create_app

    from test_web import confirm, page, set_database

    set_database(fake_folder, db_url)
    app = create_app(fake_folder, today=date(2024, 8, 5))
    app.extensions["broadcaster"].fixed_now = datetime(2024, 8, 5, 17, 10)
    client = app.test_client()
    try:
        r = confirm(client, "06/08/2024", "xa-dai-tam")
        text = page(client.get(r.headers["Location"]))
        assert "chưa diễn ra" in text and "06:00 ngày 06/08/2024" in text
        r = confirm(client, "05/08/2024", "xa-dai-tam", "chieu")
        assert "17:30 ngày 05/08/2024" in page(client.get(r.headers["Location"]))
        project = dataclasses.replace(load_project(fake_folder), database_url=db_url)
        store = open_store(project)
        assert store.count() == 0
        # A play logged in the future by an older version must not pull the report page there.
        store.append([PlayIn("xa-dai-tam", "2g-thong-bao", datetime(2024, 9, 10, 5, 30))])
        store.close()
        text = page(client.get("/bao-cao"))
        assert 'value="08/2024"' in text and "tháng 8/2024" in text
    finally:
        app.extensions["broadcaster"].close()


# --- 4. a report over a tampered log says so ----------------------------------------------------------------

def _tampered(project, store, month_day=6):
    store.append([PlayIn("xa-dai-tam", "2g-thong-bao", datetime(2024, 8, d, 17, 0),
                         ended_at=datetime(2024, 8, d, 17, 1)) for d in range(1, 11)])
    with store.write() as conn:
        found = conn.execute(text("UPDATE plays SET duration_s = 600 WHERE id = (SELECT id FROM plays "
                                  "ORDER BY started_at LIMIT 1 OFFSET :n)"), {"n": month_day - 1})
        assert found.rowcount == 1


def test_report_over_a_tampered_log_warns_everywhere(project, store, workdir, capsys, monkeypatch, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    _tampered(project, store)
    monkeypatch.setenv("BROADCASTER_DATABASE_URL", project.database_url)
    code, out, err = run(capsys, "--project", workdir, "report", "--month", "2024-08", "--format", "csv")
    assert code == 0 and "không toàn vẹn" in err and "đã bị sửa" in err
    assert {r["chain_ok"] for r in csv.DictReader(io.StringIO(out))} == {"0"}
    code, out, err = run(capsys, "--project", workdir, "report", "--month", "2024-08")
    assert "CẢNH BÁO" in out and "không toàn vẹn" in err
    docx_path = tmp_path / "r.docx"
    assert main(["--project", str(workdir), "report", "--month", "2024-08", "--format", "docx", "-o",
                 str(docx_path)]) == 0
    doc_text = "\n".join(p.text for p in Document(str(docx_path)).paragraphs)
    assert "không toàn vẹn" in doc_text and "bảo vệ bằng chuỗi mã băm" not in doc_text
    assert "không có lượt nào bị sửa" not in doc_text
    xlsx_path = tmp_path / "r.xlsx"
    assert main(["--project", str(workdir), "report", "--month", "2024-08", "--format", "xlsx", "-o",
                 str(xlsx_path)]) == 0
    info = {row[0].value: row[1].value for row in load_workbook(str(xlsx_path))["Thông tin"].iter_rows()}
    assert "không toàn vẹn" in info["Toàn vẹn nhật ký"]
    from broadcaster.report.chart import render_png

    broken = build_report(project, store, month_period("2024-08"), plan=[])
    assert render_png(broken) != render_png(dataclasses.replace(broken, chain=None))   # the chart carries the warning
    # Another month of the same station is not affected.
    report = build_report(project, store, month_period("2024-07"), plan=[])
    assert report.chain_ok is True


def test_report_over_an_intact_log_says_it_was_checked(project, store):
    from docx import Document

    store.append([PlayIn("xa-dai-tam", "2g-thong-bao", datetime(2024, 8, 1, 17, 0),
                         ended_at=datetime(2024, 8, 1, 17, 1))])
    report = build_report(project, store, month_period("2024-08"), plan=[])
    doc_text = "\n".join(p.text for p in Document(io.BytesIO(render(report, "docx", project))).paragraphs)
    assert "đã kiểm tra chuỗi mã băm của 1 lượt phát" in doc_text and "không toàn vẹn" not in doc_text


def test_report_sees_rows_deleted_from_the_period(project, store):
    store.append([PlayIn("xa-dai-tam", "2g-thong-bao", datetime(2024, 8, d, 17, 0),
                         ended_at=datetime(2024, 8, d, 17, 1)) for d in range(1, 6)])
    with store.write() as conn:
        conn.execute(text("DELETE FROM plays WHERE started_at >= :t"), {"t": datetime(2024, 8, 4)})
    assert build_report(project, store, month_period("2024-08"), plan=[]).chain_ok is False
    with store.write() as conn:
        conn.execute(text("DELETE FROM plays"))
    report = build_report(project, store, month_period("2024-08"), plan=[])
    assert report.chain_ok is False and report.totals.plays == 0


def test_web_report_page_warns_of_a_tampered_log(project, store, fake_folder, db_url):
    from broadcaster.web import create_app

    from test_web import page, set_database

    _tampered(project, store)
    set_database(fake_folder, db_url)
    app = create_app(fake_folder)
    try:
        text = page(app.test_client().get("/bao-cao?month=08/2024"))
        assert 'id="canh-bao-nhat-ky"' in text and "không toàn vẹn" in text
    finally:
        app.extensions["broadcaster"].close()


# --- 7. one parser for months -------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["2024-08", "8/2024", "08/2024", "tháng 8/2024", "Tháng 8 năm 2024", " 2024/8 "])
def test_month_as_staff_write_it(value):
    assert parse_month(value) == (2024, 8)


@pytest.mark.parametrize("value", ["2024-13", "13/2024", "0/2024", "8/24", "2024-08-01", "tháng tám", ""])
def test_bad_months_are_explained(value):
    with pytest.raises(ValueError, match="tháng không hợp lệ|năm"):
        parse_month(value)


def test_cli_and_web_read_the_same_months(project, store, workdir, fake_folder, db_url, capsys, monkeypatch):
    from broadcaster.web import create_app

    from test_web import page, set_database

    store.append([PlayIn("xa-dai-tam", "2g-thong-bao", datetime(2024, 8, 1, 17, 0),
                         ended_at=datetime(2024, 8, 1, 17, 1))])
    monkeypatch.setenv("BROADCASTER_DATABASE_URL", project.database_url)
    outs = set()
    for month in ("2024-08", "8/2024", "08/2024", "tháng 8/2024"):
        code, out, err = run(capsys, "--project", workdir, "report", "--month", month, "--format", "csv")
        assert code == 0, err
        outs.add(out)
    assert len(outs) == 1
    code, out, err = run(capsys, "--project", workdir, "report", "--period", "8/2024", "--format", "csv")
    assert code == 0 and out in outs
    code, _, err = run(capsys, "--project", workdir, "report", "--month", "13/2024")
    assert code == 1 and 'tháng không hợp lệ "13/2024"' in err
    monkeypatch.delenv("BROADCASTER_DATABASE_URL")
    set_database(fake_folder, db_url)
    app = create_app(fake_folder)
    try:
        for month in ("8/2024", "2024-08", "tháng 8/2024"):
            text = page(app.test_client().get(f"/bao-cao?month={month}"))
            assert "Kỳ báo cáo: <strong>tháng 8/2024</strong>" in text and 'value="08/2024"' in text
        text = page(app.test_client().get("/bao-cao?month=13/2024"))
        assert 'tháng không hợp lệ "13/2024"' in text
    finally:
        app.extensions["broadcaster"].close()


# --- 14. huge fields ------------------------------------------------------------------------------------------

def test_csv_field_over_128_kib_is_a_line_error(project, store, workdir, tmp_path, capsys, monkeypatch):
    big = "x" * (200 * 1024)
    path = tmp_path / "big.csv"
    path.write_text("station,script,started_at,note\n"
                    "xa-dai-tam,2g-thong-bao,2024-08-01T05:30:00,ok\n"
                    f'xa-dai-tam,2g-thong-bao,2024-08-01T17:00:00,"{big}"\n', encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        import_file(project, store, path, display="big.csv")
    assert "big.csv:3:" in str(info.value) and "128 KiB" in str(info.value)
    assert store.count() == 0
    monkeypatch.setenv("BROADCASTER_DATABASE_URL", project.database_url)
    code, _, err = run(capsys, "--project", workdir, "log", "import", path)
    assert code == 1 and "128 KiB" in err and "Traceback" not in err and "field larger" not in err
    assert len(err) < 2000


def test_a_rejected_import_creates_no_log(workdir, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("station,script,started_at\nxa-khong-co,2g-thong-bao,2024-08-01T05:30:00\n", encoding="utf-8")
    code, _, err = run(capsys, "--project", workdir, "log", "import", bad)
    assert code == 1 and "bad.csv:2:" in err
    assert not (workdir / "broadcaster.db").exists()


def test_huge_values_in_json_and_platform_fields_are_line_errors(project, store, tmp_path):
    big = "y" * (300 * 1024)
    path = tmp_path / "big.json"
    path.write_text(json.dumps([
        {"DichID": big, "BanTinID": "2g-nhac-nho", "ThoiDiemBatDau": "06/08/2024 17:00"},
        {"station": "xa-dai-tam", "script": "2g-nhac-nho", "started_at": "2024-08-06T17:00", "NhatKyID": big},
        {"station": "xa-dai-tam", "script": "2g-nhac-nho", "started_at": big},
        {"station": "xa-dai-tam", "script": "2g-nhac-nho", "started_at": "2024-08-06T17:00", "TrangThai": big},
    ], indent=1), encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        import_file(project, store, path, display="big.json")
    message = str(info.value)
    assert len(message) < 4000 and "4 dòng lỗi" in message
    assert "dài quá 64 ký tự" in message and "dài quá 200 ký tự" in message
    assert store.count() == 0


def test_web_import_of_a_huge_field_is_400_not_500(fake_folder):
    from broadcaster.web import create_app

    from test_web import page, token

    app = create_app(fake_folder)
    client = app.test_client()
    try:
        content = "station,script,started_at\n" + f'xa-dai-tam,"{"z" * (150 * 1024)}",2024-08-01T05:30:00\n'
        r = client.post("/nhat-ky/nhap", data={"csrf_token": token(client, "/nhat-ky"),
                                              "file": (io.BytesIO(content.encode()), "nhat-ky.csv")},
                        content_type="multipart/form-data")
        assert r.status_code == 400
        text = page(r)
        assert "nhat-ky.csv:2:" in text and "128 KiB" in text and "field larger" not in text
    finally:
        app.extensions["broadcaster"].close()


# --- 17. report layout -----------------------------------------------------------------------------------------

def _august(project, store):
    plan = session_plan(project, date(2024, 8, 1), "xa-dai-tam", "sang", "05:30", ["2g-thong-bao", "2g-nhac-nho"]) + \
        session_plan(project, date(2024, 8, 1), "xa-ngoc-to", "sang", "05:30", ["2g-thong-bao", "2g-nhac-nho"])
    confirm_plan(project, store, date(2024, 8, 1), "xa-dai-tam", "sang", plan=plan)
    return build_report(project, store, month_period("2024-08"), plan=plan)


def test_docx_part_two_assesses_the_plan_and_keeps_headings_with_what_follows(project, store):
    from docx import Document

    report = _august(project, store)
    doc = Document(io.BytesIO(render(report, "docx", project)))
    texts = [p.text for p in doc.paragraphs]
    part2 = texts.index("II. ĐÁNH GIÁ, KIẾN NGHỊ")
    after = "\n".join(texts[part2:])
    assert "đã phát 2 lượt trên 4 lượt theo kế hoạch, đạt 50,0 %" in after
    assert "chưa đạt kế hoạch: Đài truyền thanh xã Ngọc Tố (0/2 lượt, 0,0 %)" in after
    assert "đạt hoặc vượt kế hoạch: Đài truyền thanh xã Đại Tâm (2/2 lượt, 100,0 %)" in after
    assert "2. Khó khăn, vướng mắc" in after and "3. Kiến nghị, đề xuất" in after
    assert sum(1 for t in texts[part2:] if t and set(t) == {"."}) >= 6    # blank lines for staff
    headings = [p for p in doc.paragraphs if p.text in (
        "I. KẾT QUẢ THỰC HIỆN", "II. ĐÁNH GIÁ, KIẾN NGHỊ",
        "1. Hình thức truyền thông, số lượt thực hiện và phương tiện truyền thông",
        "2. Kết quả thực hiện theo từng đài (kế hoạch và thực hiện)", "3. Số lượt phát theo ngày")]
    assert len(headings) == 5 and all(p.paragraph_format.keep_with_next for p in headings)
    body = doc.element.body
    for table in doc.tables[1:-1]:   # data tables: heading row repeats on each page
        assert table.rows[0]._tr.trPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") \
            is not None
    assert body is not None


def test_docx_issue_date_is_the_station_day(project, store):
    from docx import Document

    report = _august(project, store)
    for zone in ("Pacific/Kiritimati", "Etc/GMT+12"):   # UTC+14 and UTC−12: one differs from the machine's day
        if station_today(zone) != date.today():
            break
    local = dataclasses.replace(project, timezone=zone)
    day = station_today(zone)
    doc = Document(io.BytesIO(render(report, "docx", local)))
    header = doc.tables[0].cell(1, 1).text
    shown_day = f"{day.day:02d}" if day.day < 10 else str(day.day)
    shown_month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    assert f"ngày {shown_day} tháng {shown_month} năm {day.year}" in header


def test_xlsx_prints_landscape_fit_to_width_with_repeated_headers(project, store):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(render(_august(project, store), "xlsx", project)))
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
    for name in ("Tổng hợp", "Theo đài", "Chi tiết", "Theo ngày"):
        assert wb[name].print_title_rows in ("1:1", "$1:$1"), name


# --- 18. read-only commands and pages create no log ------------------------------------------------------------

def test_report_and_log_list_do_not_create_a_log(workdir, capsys):
    db = workdir / "broadcaster.db"
    for args, code_wanted, out_wanted in (
            (("report", "--month", "2024-08"), 1, ""), (("report", "--month", "2024-08", "--format", "csv"), 1, ""),
            (("log", "list"), 0, ""), (("log", "list", "--format", "json"), 0, "[]\n"), (("log", "verify"), 0, ""),
            (("log", "sync", "--to", f"sqlite:///{workdir / 'province.db'}"), 1, "")):
        code, out, err = run(capsys, "--project", workdir, *args)
        assert code == code_wanted, args
        assert "chưa có nhật ký phát" in err and "log import" in err and "Traceback" not in err
        assert out == out_wanted, args
        assert not db.exists(), args
    # The first write makes it.
    code, _, _ = run(capsys, "--project", workdir, "log", "confirm", "--date", "2024-08-01", "--station",
                     "xa-dai-tam", "--session", "sang")
    assert code == 0 and db.exists()
    code, out, _ = run(capsys, "--project", workdir, "log", "list", "--format", "json")
    assert code == 0 and len(json.loads(out)) >= 1


def test_postgresql_report_does_not_create_tables(workdir, pg_url, capsys, monkeypatch):
    from sqlalchemy import create_engine, inspect

    monkeypatch.setenv("BROADCASTER_DATABASE_URL", pg_url)
    code, _, err = run(capsys, "--project", workdir, "report", "--month", "2024-08")
    assert code == 1 and "chưa có nhật ký phát" in err
    engine = create_engine(pg_url)
    try:
        assert "plays" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_web_pages_do_not_create_a_log(fake_folder):
    from broadcaster.web import create_app

    from test_web import page

    app = create_app(fake_folder)
    client = app.test_client()
    try:
        for url in ("/", "/nhat-ky", "/nhat-ky/kiem-tra", "/bao-cao", "/bao-cao?month=2024-08"):
            r = client.get(url)
            assert r.status_code == 200, url
        assert "chưa có nhật ký phát" in page(client.get("/nhat-ky"))
        assert "chưa có nhật ký phát" in page(client.get("/bao-cao?month=2024-08"))
        assert not (fake_folder / "broadcaster.db").exists()
    finally:
        app.extensions["broadcaster"].close()


def test_xlsx_month_prints_one_page_per_sheet(project, store, tmp_path):
    """What LibreOffice prints: the five sheets of a month on five A4 pages (12 before fit-to-width)."""
    import re

    from dbfixtures import soffice_convert

    path = tmp_path / "bao-cao.xlsx"
    path.write_bytes(render(_august(project, store), "xlsx", project))
    pdf = soffice_convert(path, "pdf", tmp_path / "lo", tmp_path / "profile").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 5


@pytest.mark.parametrize("value", ["2024-08-05", "05/08/2024", "5/8/2024", "5.8.2024", "05-08-2024"])
def test_dates_as_staff_write_them(value):
    from broadcaster.timeutil import parse_date

    assert parse_date(value) == date(2024, 8, 5)


def test_cli_and_web_read_the_same_dates(project, store, fake_folder, db_url, workdir, capsys, monkeypatch):
    from broadcaster.web import create_app

    from test_web import page, set_database

    store.append([PlayIn("xa-dai-tam", "2g-thong-bao", datetime(2024, 8, d, 17, 0),
                         ended_at=datetime(2024, 8, d, 17, 1)) for d in (4, 5, 6)])
    monkeypatch.setenv("BROADCASTER_DATABASE_URL", project.database_url)
    for first, last in (("2024-08-05", "2024-08-05"), ("5/8/2024", "05.08.2024"), ("05-08-2024", "5/8/2024")):
        code, out, err = run(capsys, "--project", workdir, "log", "list", "--from", first, "--to", last,
                             "--format", "json")
        assert code == 0, err
        assert [r["started_at"] for r in json.loads(out)] == ["2024-08-05T17:00:00"]
    monkeypatch.delenv("BROADCASTER_DATABASE_URL")
    set_database(fake_folder, db_url)
    app = create_app(fake_folder)
    try:
        text = page(app.test_client().get("/nhat-ky?from=5.8.2024&to=05-08-2024"))
        assert text.count("data-row=") == 1
    finally:
        app.extensions["broadcaster"].close()
