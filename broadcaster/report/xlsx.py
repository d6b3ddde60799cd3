"""Report stage, spreadsheet: turns report figures into an Excel workbook (numbers as numbers, Vietnamese headings).

Sheets: Tổng hợp (campaign × form × medium, the provincial letter's table),
Theo đài (scheduled versus played), Chi tiết (× station, the CSV rows),
Theo ngày (plays per day and station), Thông tin (period, organisation).
Voided plays (hủy lượt phát) are in no count; Chi tiết has a "Số lượt đã hủy"
column and Thông tin a note with the total.
Each data sheet has a bold frozen header row and a totals row at the bottom,
and prints on A4 landscape, fitted to the page width, with the header row
repeated on every printed page. The Thông tin sheet says whether the hash
chain of the rows counted is intact, and where the airtime came from.
"""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..timeutil import station_now
from .aggregate import MESSAGES as FIGURE_MESSAGES, Report, notes
from .chain_note import chain_ok_text
from .numbers import minutes
from .table import STATION_HEADINGS, SUMMARY_HEADINGS, detail_totals, station_totals, summary_totals

MESSAGES = {
    "summary": "Tổng hợp",
    "stations": "Theo đài",
    "details": "Chi tiết",
    "days": "Theo ngày",
    "info": "Thông tin",
    "total": "Tổng cộng",
    "day": "Ngày",
    "organization": "Đơn vị",
    "period": "Kỳ báo cáo",
    "from": "Từ ngày",
    "to": "Đến ngày",
    "campaign": "Chiến dịch",
    "station": "Đài",
    "generated": "Lập lúc",
    "note": "Ghi chú",
    "all": "Tất cả",
    "integrity": "Toàn vẹn nhật ký",
    "sources": "Nguồn thời lượng",
}
DETAIL_HEADINGS = ["Chiến dịch", "Hình thức", "Phương tiện", "Đài", "Số lượt", "Bị ngắt", "Lỗi", "Bỏ lỡ",
                   "Thời lượng (phút)", "Số lượt đã hủy"]

BOLD = Font(bold=True)


def _print_setup(ws, header_rows: str | None = "1:1") -> None:
    """A4 landscape, all columns on one page width (as many pages down as needed), header rows repeated."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    if header_rows:
        ws.print_title_rows = header_rows


def _sheet(wb: Workbook, title: str, headings: list[str], rows: list[list], totals: list | None,
           formats: dict[int, str] | None = None, first: bool = False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append(headings)
    for cell in ws[1]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows:
        ws.append(row)
    if totals is not None:
        ws.append(totals)
        for cell in ws[ws.max_row]:
            cell.font = BOLD
    for col, fmt in (formats or {}).items():
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = fmt
    ws.freeze_panes = "A2"
    _print_setup(ws)
    for i, heading in enumerate(headings, 1):
        longest = max([len(str(heading))] + [len(str(r[i - 1])) for r in rows if i - 1 < len(r)])
        ws.column_dimensions[get_column_letter(i)].width = min(max(10, longest + 2), 60)
    return ws


def render_xlsx(report: Report, timezone: str | None = None) -> bytes:
    """The report as .xlsx bytes.

    Args:
        report: The figures.
        timezone: The stations' time zone, for the "Lập lúc" time (Asia/Ho_Chi_Minh by default).
    """
    wb = Workbook()
    t = report.totals
    summary = [[report.campaign_name(r.campaign), report.form_name(r.form), report.medium_name(r.medium), r.stations,
                r.counts.plays, r.counts.interrupted, minutes(r.counts.airtime_s)] for r in report.summary]
    _sheet(wb, MESSAGES["summary"], SUMMARY_HEADINGS, summary, summary_totals(report), {7: "0.0"}, first=True)

    stations = [[r.name, report.medium_name(r.medium), r.scheduled, r.counts.plays, r.counts.interrupted,
                 r.counts.failed, r.counts.missed, r.completion] for r in report.stations]
    _sheet(wb, MESSAGES["stations"], STATION_HEADINGS, stations, station_totals(report), {8: "0.0%"})

    details = [[report.campaign_name(r.campaign), report.form_name(r.form), report.medium_name(r.medium),
                report.station_name(r.station), r.counts.plays, r.counts.interrupted, r.counts.failed,
                r.counts.missed, minutes(r.counts.airtime_s), r.counts.voided] for r in report.details]
    _sheet(wb, MESSAGES["details"], DETAIL_HEADINGS, details, detail_totals(report), {9: "0.0"})

    ids = [s.station for s in report.stations]
    days = [[d] + [report.per_day[s][i] for s in ids] + [sum(report.per_day[s][i] for s in ids)]
            for i, d in enumerate(report.period.days)]
    _sheet(wb, MESSAGES["days"], [MESSAGES["day"]] + [report.station_name(s) for s in ids] + [MESSAGES["total"]],
           days, [MESSAGES["total"]] + [sum(report.per_day[s]) for s in ids] + [t.plays], {1: "dd/mm/yyyy"})

    info = wb.create_sheet(MESSAGES["info"])
    for label, value in ((MESSAGES["organization"], report.organization), (MESSAGES["period"], report.period.label),
                         (MESSAGES["from"], report.period.start), (MESSAGES["to"], report.period.end),
                         (MESSAGES["campaign"], report.campaign_name(report.campaign) if report.campaign else MESSAGES["all"]),
                         (MESSAGES["station"], report.station_name(report.station) if report.station else MESSAGES["all"]),
                         (MESSAGES["generated"], station_now(timezone).replace(microsecond=0))):
        info.append([label, value])
    if report.chain is not None:
        info.append([MESSAGES["integrity"], chain_ok_text(report.chain)
                     if report.chain.ok else FIGURE_MESSAGES["chain_broken"].format(count=len(report.chain.problems))])
        if not report.chain.ok:
            info.cell(row=info.max_row, column=2).font = Font(bold=True, color="C00000")
    for note in notes(report):
        if not note.startswith("CẢNH BÁO"):
            info.append([MESSAGES["note"], note])
    if report.empty:
        info.append([MESSAGES["note"], FIGURE_MESSAGES["no_plays"]])
    for (cell,) in info.iter_rows(min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    _print_setup(info, None)
    for (cell,) in info.iter_rows(min_col=1, max_col=1):
        cell.font = BOLD
    for row in info.iter_rows(min_row=3, max_row=4, min_col=2, max_col=2):
        row[0].number_format = "dd/mm/yyyy"
    info.column_dimensions["A"].width = 16
    info.column_dimensions["B"].width = 70
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
