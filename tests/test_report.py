"""Report: periods, figures from the log on SQLite and PostgreSQL, and every output format (read back by LibreOffice)."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest

from broadcaster.cli import main
from broadcaster.errors import BroadcasterError
from broadcaster.playlog.store import PlayIn
from broadcaster.report import default_filename, render
from broadcaster.report.aggregate import build_report, choose_period, month_period, reporting_period
from dbfixtures import session_plan, soffice_convert

AUGUST = month_period("2024-08")


@pytest.fixture(scope="session")
def lo_profile(tmp_path_factory):
    return tmp_path_factory.mktemp("lo-profile")


def _fill(project, store):
    """A known August: returns how many rows have status played in August."""
    plays = []
    t0 = datetime(2024, 8, 1, 5, 30)
    for day in range(31):
        base = t0 + timedelta(days=day)
        plays.append(PlayIn("tt-my-xuyen", "2g-thong-bao", base, ended_at=base + timedelta(seconds=120)))
        if day % 2 == 0:
            plays.append(PlayIn("xa-dai-tam", "2g-huong-dan", base, ended_at=base + timedelta(seconds=180)))
        if day < 10:
            plays.append(PlayIn("xa-ngoc-to", "2g-nhac-nho", base + timedelta(hours=11),
                                ended_at=base + timedelta(hours=11, seconds=60)))
    plays.append(PlayIn("xa-ngoc-to", "2g-thong-bao", t0 + timedelta(hours=1), status="interrupted",
                        ended_at=t0 + timedelta(hours=1, seconds=30)))
    plays.append(PlayIn("xa-ngoc-to", "2g-thong-bao", t0 + timedelta(hours=2), status="failed"))
    # Outside the month: must not be counted.
    plays.append(PlayIn("tt-my-xuyen", "2g-thong-bao", datetime(2024, 7, 31, 23, 59, 59)))
    plays.append(PlayIn("tt-my-xuyen", "2g-thong-bao", datetime(2024, 9, 1, 0, 0)))
    for p in plays:
        s, st = project.script(p.script), project.station(p.station)
        p.campaign, p.form, p.medium, p.priority = s.campaign, s.form, st.medium, s.priority
    store.append(plays)
    return 31 + 16 + 10


def _plan(project):
    plan = []
    for day in AUGUST.days:
        for sid in ("tt-my-xuyen", "xa-dai-tam", "xa-ngoc-to", "xa-tham-don"):
            plan += session_plan(project, day, sid, "sang", "05:30", ["2g-thong-bao"])
    return plan


def test_periods():
    assert (AUGUST.start, AUGUST.end, AUGUST.label) == (date(2024, 8, 1), date(2024, 8, 31), "tháng 8/2024")
    p = reporting_period("2024-08", 15)
    assert (p.start, p.end) == (date(2024, 7, 16), date(2024, 8, 15)) and "16/07/2024" in p.label
    jan = reporting_period("2025-01", 15)
    assert (jan.start, jan.end) == (date(2024, 12, 16), date(2025, 1, 15))
    mar = reporting_period("2024-03", 31)
    assert (mar.start, mar.end) == (date(2024, 3, 1), date(2024, 3, 31))
    assert reporting_period("2024-02", None) == month_period("2024-02")
    with pytest.raises(BroadcasterError, match="YYYY-MM"):
        month_period("2024-13")


def test_choose_period_options(project):
    assert choose_period(project, period="2024-08").start == date(2024, 7, 16)     # sample folder: end day 15
    assert choose_period(project, start="01/08/2024", end="2024-08-10").end == date(2024, 8, 10)
    with pytest.raises(BroadcasterError):
        choose_period(project)
    with pytest.raises(BroadcasterError):
        choose_period(project, month="2024-08", period="2024-08")
    with pytest.raises(BroadcasterError):
        choose_period(project, start="2024-08-10", end="2024-08-01")


def test_figures_match_the_log(project, store):
    played = _fill(project, store)
    report = build_report(project, store, AUGUST, plan=_plan(project))
    assert report.totals.plays == played
    assert (report.totals.interrupted, report.totals.failed) == (1, 1)
    assert report.totals.airtime_s == 31 * 120 + 16 * 180 + 10 * 60
    by_station = {r.station: r for r in report.stations}
    assert by_station["tt-my-xuyen"].counts.plays == 31 and by_station["tt-my-xuyen"].scheduled == 31
    assert by_station["tt-my-xuyen"].completion == 1.0
    assert by_station["xa-tham-don"].counts.plays == 0 and by_station["xa-tham-don"].completion == 0.0
    assert report.scheduled_total == 124
    assert sum(report.per_day["xa-ngoc-to"]) == 10 and report.per_day["xa-dai-tam"][:3] == [1, 0, 1]
    summary = {(r.form, r.medium): r.counts.plays for r in report.summary}
    assert summary == {("thong-bao", "loa-day"): 31, ("bai", "fm"): 16, ("nhac-nho", "ip"): 10,
                       ("thong-bao", "ip"): 0}
    only = build_report(project, store, AUGUST, station="xa-dai-tam", plan=_plan(project))
    assert only.totals.plays == 16 and [r.station for r in only.stations] == ["xa-dai-tam"]
    assert build_report(project, store, AUGUST, campaign="dung-2g", plan=[]).totals.plays == played
    with pytest.raises(BroadcasterError, match="chiến dịch"):
        build_report(project, store, AUGUST, campaign="dung-3g")


def test_csv_rows_sum_to_the_plays_and_have_no_totals_row(project, store):
    played = _fill(project, store)
    text = render(build_report(project, store, AUGUST, plan=_plan(project)), "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:9] == ["campaign", "form", "medium", "station", "plays", "interrupted", "failed", "missed",
                                 "airtime_s"]
    assert sum(int(r["plays"]) for r in rows) == played
    assert {r["station"] for r in rows} <= {s.id for s in project.stations}
    assert len({(r["campaign"], r["form"], r["medium"], r["station"]) for r in rows}) == len(rows)
    row = next(r for r in rows if r["station"] == "xa-dai-tam")
    assert (row["form"], row["medium"], row["plays"], row["airtime_s"], row["form_name"]) == (
        "bai", "fm", "16", "2880.0", "Bài")


def test_xlsx_is_a_real_spreadsheet(project, store, tmp_path, lo_profile):
    from openpyxl import load_workbook

    played = _fill(project, store)
    data = render(build_report(project, store, AUGUST, plan=_plan(project)), "xlsx")
    path = tmp_path / "bao-cao.xlsx"
    path.write_bytes(data)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Tổng hợp", "Theo đài", "Chi tiết", "Theo ngày", "Thông tin"]
    ws = wb["Tổng hợp"]
    assert [c.value for c in ws[1]] == ["Chiến dịch", "Hình thức", "Phương tiện", "Số đài", "Số lượt", "Bị ngắt",
                                        "Thời lượng (phút)"]
    assert ws.freeze_panes == "A2"
    last = [c.value for c in ws[ws.max_row]]
    assert last[0] == "Tổng cộng" and last[4] == played and isinstance(last[4], int) and ws[ws.max_row][4].font.b
    assert sum(ws.cell(row=r, column=5).value for r in range(2, ws.max_row)) == played
    stations = wb["Theo đài"]
    assert stations.cell(row=2, column=3).value == 31 and stations.cell(row=2, column=8).value == 1.0
    days = wb["Theo ngày"]
    assert days.cell(row=2, column=1).value.date() == date(2024, 8, 1) and days.max_row == 1 + 31 + 1
    # What LibreOffice shows.
    shown = soffice_convert(path, "csv:Text - txt - csv (StarCalc):44,34,76,1", tmp_path / "lo", lo_profile)
    rows = list(csv.reader(io.StringIO(shown.read_text(encoding="utf-8"))))
    assert rows[0][0] == "Chiến dịch" and rows[0][4] == "Số lượt"
    assert rows[-1][0] == "Tổng cộng" and int(rows[-1][4]) == played
    assert sum(int(r[4]) for r in rows[1:-1]) == played


def test_docx_follows_the_administrative_layout(project, store, tmp_path, lo_profile):
    from docx import Document
    from docx.shared import Mm

    played = _fill(project, store)
    data = render(build_report(project, store, AUGUST, plan=_plan(project)), "docx", project, issued=date(2024, 9, 5))
    path = tmp_path / "bao-cao.docx"
    path.write_bytes(data)
    doc = Document(str(path))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.left_margin.mm), round(section.right_margin.mm), round(section.top_margin.mm)) == (30, 15, 20)
    assert doc.styles["Normal"].font.name == "Times New Roman"
    header = doc.tables[0]
    left, right = header.cell(0, 0), header.cell(0, 1)
    assert left.paragraphs[0].text == "UBND HUYỆN MỸ XUYÊN"
    org = left.paragraphs[1]
    assert org.text == project.organization.upper() and org.runs[0].bold
    assert right.paragraphs[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and right.paragraphs[0].runs[0].bold
    motto = right.paragraphs[1]
    assert motto.text == "Độc lập - Tự do - Hạnh phúc" and motto.runs[0].underline
    assert header.cell(1, 0).text.startswith("Số:") and "/BC-TTVHTTTT" in header.cell(1, 0).text
    place = header.cell(1, 1).paragraphs[0]
    assert place.text == "Mỹ Xuyên, ngày 05 tháng 9 năm 2024" and place.runs[0].italic
    texts = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in texts
    assert any("Công văn số 2482/CVT-CS" in t for t in texts)
    summary = doc.tables[1]
    assert summary.rows[1].cells[0].text == "Truyền thông về dừng công nghệ di động 2G"     # campaign group row
    assert summary.rows[-1].cells[0].text == "Tổng cộng" and summary.rows[-1].cells[3].text == str(played)
    footer = doc.tables[-1]
    assert footer.cell(0, 0).paragraphs[0].text == "Nơi nhận:"
    assert "Sở Thông tin và Truyền thông" in footer.cell(0, 0).text
    assert footer.cell(0, 1).paragraphs[0].text == "GIÁM ĐỐC"
    assert len(doc.inline_shapes) == 1 and doc.inline_shapes[0].width <= Mm(165)
    # What LibreOffice shows.
    shown = soffice_convert(path, "txt:Text (encoded):UTF8", tmp_path / "lo", lo_profile).read_text(encoding="utf-8")
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO", "Nơi nhận:",
                     "Số lượt", "Tổng cộng", "tháng 8/2024", "Truyền thanh có dây", "GIÁM ĐỐC"):
        assert expected in shown, expected
    assert f"{played} lượt phát" in shown


def test_empty_month_is_an_honest_report(project, store, tmp_path):
    report = build_report(project, store, month_period("2024-11"), plan=[])
    assert report.empty and report.totals.plays == 0
    assert render(report, "csv").strip().splitlines() == [
        "campaign,form,medium,station,plays,interrupted,failed,missed,airtime_s,campaign_name,form_name,medium_name,"
        "station_name,airtime_log_s,airtime_clip_s,airtime_confirm_s,unknown_airtime_plays,chain_ok,voided"]
    table = render(report, "table")
    assert "chưa có lượt phát nào" in table and "0 lượt đã phát" in table
    assert render(report, "png")[:8] == b"\x89PNG\r\n\x1a\n"
    from docx import Document
    from openpyxl import load_workbook

    doc = Document(io.BytesIO(render(report, "docx", project)))
    assert any("chưa có lượt phát nào" in p.text for p in doc.paragraphs)
    wb = load_workbook(io.BytesIO(render(report, "xlsx")))
    assert wb["Tổng hợp"].cell(row=2, column=1).value == "Tổng cộng" and wb["Tổng hợp"].cell(row=2, column=5).value == 0


def test_default_filenames():
    assert default_filename(build_dummy(month_period("2024-08")), "xlsx") == "bao-cao-2024-08.xlsx"
    assert default_filename(build_dummy(reporting_period("2024-08", 15)), "docx") == \
        "bao-cao-2024-07-16_2024-08-15.docx"


def build_dummy(period):
    from broadcaster.report.aggregate import Counts, Report

    return Report("x", period, None, None, (), (), (), {}, Counts(), None)


def test_report_command(project, store, workdir, tmp_path, capsys, monkeypatch):
    played = _fill(project, store)
    monkeypatch.setenv("BROADCASTER_DATABASE_URL", project.database_url)
    assert main(["--project", str(workdir), "report", "--month", "2024-08", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert sum(int(r["plays"]) for r in rows) == played
    out = tmp_path / "r.xlsx"
    assert main(["--project", str(workdir), "report", "--month", "2024-08", "--format", "xlsx", "-o", str(out)]) == 0
    assert out.read_bytes()[:2] == b"PK" and str(out) in capsys.readouterr().err
    assert main(["--project", str(workdir), "report", "--period", "2024-08", "--format", "png"]) == 0
    assert (workdir / "audio_out" / "reports" / "bao-cao-2024-07-16_2024-08-15.png").exists()
    capsys.readouterr()
    assert main(["--project", str(workdir), "report", "--from", "2024-08-01", "--to", "2024-08-02",
                 "--station", "tt-my-xuyen"]) == 0
    table = capsys.readouterr().out
    assert "Số lượt" in table and "từ ngày 01/08/2024 đến ngày 02/08/2024" in table
    assert main(["--project", str(workdir), "report", "--month", "2024-08", "--campaign", "dung-3g"]) == 1
    assert "dung-2g" in capsys.readouterr().err


def test_totals_rows_are_one_function_shared_by_the_table_and_the_spreadsheet(project, store):
    """summary_totals/station_totals: the CLI table's last summary line and the xlsx totals rows come from them."""
    from openpyxl import load_workbook

    from broadcaster.report.numbers import minutes, number
    from broadcaster.report.table import station_totals, summary_totals

    played = _fill(project, store)
    report = build_report(project, store, AUGUST, plan=_plan(project))
    totals = summary_totals(report)
    assert totals[0] == "Tổng cộng" and totals[4] == played == report.totals.plays
    assert totals[6] == minutes(report.totals.airtime_s)
    stations = station_totals(report)
    assert stations[2] == report.scheduled_total and stations[3] == played
    assert stations[7] == pytest.approx(played / report.scheduled_total)
    wb = load_workbook(io.BytesIO(render(report, "xlsx")))
    sheets = wb.worksheets
    last = [c.value for c in list(sheets[0].iter_rows())[-1]]
    assert last == totals
    text = render(report, "table")
    assert any(line.startswith("Tổng cộng") and line.split()[-1] == number(totals[6])
               for line in text.splitlines())


def test_report_writers_are_one_name_to_function_table(monkeypatch):
    """report.render picks the writer by name from report.WRITERS; the formats and the error follow the table."""
    import broadcaster.report as report_stage
    from broadcaster.errors import BroadcasterError

    assert report_stage.FORMATS == ("table", "csv", "xlsx", "docx", "png") == tuple(report_stage.WRITERS)
    assert set(report_stage.BINARY) <= set(report_stage.FORMATS)
    seen = []
    monkeypatch.setitem(report_stage.WRITERS, "txt", lambda report, project, issued: seen.append(issued) or "ok")
    assert report_stage.render("R", "txt", issued=date(2024, 9, 5)) == "ok" and seen == [date(2024, 9, 5)]
    with pytest.raises(BroadcasterError) as info:
        report_stage.render("R", "pdf")
    # The added writer is a choice too: the message reads the table when it is raised.
    assert str(info.value) == 'định dạng báo cáo không hợp lệ "pdf" — chọn table, csv, xlsx, docx, png hoặc txt'


def _long_name_report(count: int, name: str):
    from broadcaster.report.aggregate import Counts, Report, StationRow

    ids = [f"s{i}" for i in range(count)]
    days = len(AUGUST.days)
    return Report("x", AUGUST, None, None, (), (), tuple(StationRow(s, name, "fm", None, Counts()) for s in ids),
                  {s: [i] * days for i, s in enumerate(ids)}, Counts(), None, names={("station", s): name for s in ids})


@pytest.mark.parametrize("count", [1, 12])
def test_a_long_station_name_draws_the_chart_without_a_layout_warning(count):
    # Trial B3: a 200-character station name made matplotlib warn "Tight layout not applied" on the terminal.
    import warnings

    from broadcaster.report.chart import legend_label

    name = ("Đài truyền thanh xã Ngọc Tố huyện Mỹ Xuyên tỉnh Sóc Trăng " * 4)[:200]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert render(_long_name_report(count, name), "png")[:8] == b"\x89PNG\r\n\x1a\n"
    assert legend_label(name) == "Đài truyền thanh xã Ngọc Tố\nhuyện Mỹ Xuyên tỉnh Sóc …"
    assert legend_label(name, 1) == "Đài truyền thanh xã Ngọc Tố …"
    assert legend_label("Đài xã Đại Tâm") == "Đài xã Đại Tâm"


def test_no_library_warning_reaches_the_terminal_without_debug(monkeypatch, tmp_path):
    import warnings

    from broadcaster import cli as cli_module

    def noisy(self, *args, **kwargs):
        warnings.warn("Tight layout not applied.", UserWarning)
        raise SystemExit(0)

    monkeypatch.setattr(type(cli_module.cli), "main", noisy)
    with warnings.catch_warnings(record=True) as seen:  # records what would be printed on the terminal
        warnings.simplefilter("always")
        assert main(["--project", str(tmp_path), "check"]) == 0
    assert seen == []
    with warnings.catch_warnings(record=True) as seen:  # with --debug the warning is kept for the technical staff
        warnings.simplefilter("always")
        assert main(["--project", str(tmp_path), "--debug", "check"]) == 0
    assert [str(w.message) for w in seen] == ["Tight layout not applied."]
