"""Report stage, text outputs: turns report figures into a terminal table (Vietnamese) or CSV (stable English headers).

The CSV has one row per campaign × form × medium × station and no totals
row, so summing its ``plays`` column gives exactly the plays of the period.
Its ``airtime_s`` counts the clip's length for plays logged with only a start
time; ``airtime_log_s``, ``airtime_clip_s`` and ``airtime_confirm_s`` split it
by where each play's length came from (``duration_source``),
``unknown_airtime_plays`` counts played plays whose length is unknown (only a
start time, no clip built), and ``chain_ok`` says whether the hash chain of
the period's rows is intact (1/0). ``voided`` counts the plays staff voided
(left out of every other column).
"""
from __future__ import annotations

import csv
import io

from ..texttable import text_table
from .aggregate import MESSAGES as FIGURE_MESSAGES, Report, notes
from .numbers import minutes, number, percent

MESSAGES = {
    "title": "BÁO CÁO KẾT QUẢ TRUYỀN THÔNG — {org}",
    "period": "Kỳ báo cáo: {label}",
    "campaign": "Chiến dịch: {name}",
    "station": "Đài: {name}",
    "summary": "1. Theo hình thức và phương tiện truyền thông",
    "stations": "2. Theo đài: kế hoạch và thực hiện",
    "days": "3. Số lượt phát theo ngày",
    "total": "Tổng cộng",
    "totals_line": "Tổng: {plays} lượt đã phát ({minutes} phút), {interrupted} bị ngắt, {failed} lỗi, {missed} bỏ lỡ{planned}.",
    "planned": "; theo kế hoạch {scheduled} lượt",
}

SUMMARY_HEADINGS = ["Chiến dịch", "Hình thức", "Phương tiện", "Số đài", "Số lượt", "Bị ngắt", "Thời lượng (phút)"]
STATION_HEADINGS = ["Đài", "Phương tiện", "Theo kế hoạch", "Đã phát", "Bị ngắt", "Lỗi", "Bỏ lỡ", "Tỉ lệ hoàn thành"]
CSV_HEADERS = ["campaign", "form", "medium", "station", "plays", "interrupted", "failed", "missed", "airtime_s",
               "campaign_name", "form_name", "medium_name", "station_name", "airtime_log_s", "airtime_clip_s",
               "airtime_confirm_s", "unknown_airtime_plays", "chain_ok", "voided"]


def summary_rows(report: Report) -> list[list]:
    """The campaign × form × medium table as display values (shared by table, docx)."""
    return [[report.campaign_name(r.campaign), report.form_name(r.form), report.medium_name(r.medium), r.stations,
             r.counts.plays, r.counts.interrupted, minutes(r.counts.airtime_s)] for r in report.summary]


def station_rows(report: Report) -> list[list]:
    """The per-station table as display values."""
    return [[r.name, report.medium_name(r.medium), "—" if r.scheduled is None else r.scheduled, r.counts.plays,
             r.counts.interrupted, r.counts.failed, r.counts.missed, percent(r.completion)] for r in report.stations]


def summary_total_row(report: Report) -> list:
    """The summary table's totals row as display values (the terminal table and the web page)."""
    return ["" if v is None else v for v in summary_totals(report)]


def totals_line(report: Report) -> str:
    """One sentence with the period's totals."""
    t = report.totals
    planned = "" if report.scheduled_total is None else MESSAGES["planned"].format(scheduled=report.scheduled_total)
    return MESSAGES["totals_line"].format(plays=t.plays, minutes=number(minutes(t.airtime_s)), interrupted=t.interrupted,
                                          failed=t.failed, missed=t.missed, planned=planned)


def _grid(headings: list[str], rows: list[list]) -> str:
    cells = [[str(number(v) if isinstance(v, (int, float)) else v) for v in row] for row in rows]
    numeric = [all(isinstance(row[i], (int, float)) for row in rows) if rows else False for i in range(len(headings))]
    return text_table(headings, cells, numeric=numeric)


def summary_totals(report: Report) -> list:
    """The totals row under the campaign × form × medium table (CLI table, docx, xlsx, web).

    Returns:
        [label, None, None, stations, plays, interrupted, airtime minutes]; None where a
        column has no total (each format shows it its own way: blank, "—" or an empty cell).
    """
    t = report.totals
    return [MESSAGES["total"], None, None, len({r.station for r in report.details if not r.counts.only_voided}),
            t.plays, t.interrupted,
            minutes(t.airtime_s)]


def station_totals(report: Report) -> list:
    """The totals row under the per-station table (docx, xlsx, web).

    Returns:
        [label, None, scheduled plays or None, plays, interrupted, failed, missed,
        completion as a fraction or None when there is no usable plan].
    """
    t = report.totals
    completion = (t.plays / report.scheduled_total) if report.scheduled_total else None
    return [MESSAGES["total"], None, report.scheduled_total, t.plays, t.interrupted, t.failed, t.missed, completion]


def detail_totals(report: Report) -> list:
    """The totals row under the detail table (xlsx): label, three blanks, plays … airtime minutes, voided plays."""
    t = report.totals
    return [MESSAGES["total"], None, None, None, t.plays, t.interrupted, t.failed, t.missed, minutes(t.airtime_s),
            t.voided]


def render_table(report: Report) -> str:
    """The report for the terminal, Vietnamese headings."""
    parts = [MESSAGES["title"].format(org=report.organization), MESSAGES["period"].format(label=report.period.label)]
    if report.campaign:
        parts.append(MESSAGES["campaign"].format(name=report.campaign_name(report.campaign)))
    if report.station:
        parts.append(MESSAGES["station"].format(name=report.station_name(report.station)))
    if report.empty:
        parts.append(FIGURE_MESSAGES["no_plays"])
    parts.append(totals_line(report))
    parts += notes(report)
    if report.scheduled_total is None:
        parts.append(FIGURE_MESSAGES["no_plan"])
    summary = summary_rows(report)
    summary.append(["" if v is None else v for v in summary_totals(report)])
    parts += ["", MESSAGES["summary"], _grid(SUMMARY_HEADINGS, summary)]
    parts += ["", MESSAGES["stations"], _grid(STATION_HEADINGS, station_rows(report))]
    days = [[d.strftime("%d/%m/%Y")] + [report.per_day[s.station][i] for s in report.stations]
            for i, d in enumerate(report.period.days)]
    parts += ["", MESSAGES["days"], _grid(["Ngày"] + [s.station for s in report.stations], days)]
    return "\n".join(parts) + "\n"


def render_csv(report: Report) -> str:
    """One row per campaign × form × medium × station; English headers; no totals row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADERS)
    chain = "" if report.chain_ok is None else int(report.chain_ok)
    for r in report.details:
        c = r.counts
        by = {src: (n, sec) for src, n, sec in r.sources}
        writer.writerow([r.campaign, r.form, r.medium, r.station, c.plays, c.interrupted, c.failed, c.missed,
                         round(c.airtime_s, 1), report.campaign_name(r.campaign), report.form_name(r.form),
                         report.medium_name(r.medium), report.station_name(r.station),
                         round(by.get("log", (0, 0.0))[1], 1), round(by.get("clip", (0, 0.0))[1], 1),
                         round(by.get("confirm", (0, 0.0))[1], 1), by.get("unknown", (0, 0.0))[0], chain,
                         c.voided])
    return buffer.getvalue()
