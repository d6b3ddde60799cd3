"""Web shell, Báo cáo tháng page: the `report --format table` figures as a printable page, and the report files.

The figures are ``report.aggregate.build_report``'s, the totals row the one of
the terminal table (``report.table.summary_total_row``), the files those of
``report.render``; months are read by the command line's parser
(``timeutil.parse_month``).
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from ...errors import BroadcasterError
from ..state import console, content_disposition, default_week, load, schedules_of

# How the page offers the report stage's formats (report.WRITERS): content type and button, in the page's
# order. The list itself is the table's: a format not named here is offered under its own name; "table" is
# the page itself.
DOWNLOADS = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word (.docx)"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (.xlsx)"),
    "csv": ("text/csv; charset=utf-8", "CSV"),
    "png": ("image/png", "Biểu đồ (.png)"),
}
PAGE_FORMAT = "table"


def downloads() -> dict[str, tuple[str, str]]:
    """The report files offered, ``name → (content type, button)``: every name of ``report.WRITERS`` but the table."""
    from ...report import BINARY, WRITERS

    names = [n for n in DOWNLOADS if n in WRITERS] + [n for n in WRITERS if n not in DOWNLOADS and n != PAGE_FORMAT]
    other = {True: "application/octet-stream", False: "text/plain; charset=utf-8"}
    return {n: DOWNLOADS.get(n, (other[n in BINARY], f"{n.upper()} (.{n})")) for n in names}

bp = Blueprint("report", __name__)


def month_text(value: str) -> str:
    """A month as staff write it (``08/2024``, ``8/2024``, ``2024-08``, ``tháng 8/2024``) → ``2024-08``.

    The one month parser of the command line (``timeutil.parse_month``); what it
    cannot read is left as typed for the report stage to explain.
    """
    from ...timeutil import month_iso, parse_month

    try:
        return month_iso(*parse_month(value))
    except ValueError:
        return value.strip()


def month_shown(month: str) -> str:
    """``2024-08`` → ``08/2024`` for the form."""
    from ...timeutil import parse_month, vn_month

    try:
        return vn_month(*parse_month(month))
    except ValueError:
        return month


def _report_args(project) -> tuple[str, str | None, str | None]:
    """(month, campaign, station) from the query string, with a month chosen for staff when absent."""
    month = month_text(request.args.get("month") or "")
    if not month:
        month = _default_month(project)
    campaign = (request.args.get("campaign") or "").strip() or None
    station = (request.args.get("station") or "").strip() or None
    return month, campaign, station


def _default_month(project) -> str:
    """The month of the newest play in the log, never after this month (station time); without plays, this
    month (or the last campaign's first month)."""
    try:
        newest = console().store(project, must_exist=True).recent_plays(1)
    except BroadcasterError:
        newest = []
    today = console().today(project)
    if newest:
        # A play logged in the future (before the "aired yet" rule) must not open the page on a future month.
        return f"{min(newest[0]['started_at'].date(), today):%Y-%m}"
    first, _ = default_week(project, today)
    return f"{min(first, today):%Y-%m}"


def _figures(project, month: str, campaign: str | None, station: str | None):
    """The report's figures, computed exactly as `report --month … --campaign … --station …` does."""
    from ...report.aggregate import build_report, check_filters, choose_period
    from ...schedule import expand_plan

    period = choose_period(project, month)
    check_filters(project, campaign, station)
    plan = None
    if station is None or project.station(station) is not None:
        # The usable schedules (a broken file is left out and named in the banner), not load_schedules.
        plan = expand_plan(project, schedules_of(project)[0], period.start, period.end, station)
    return build_report(project, console().store(project, must_exist=True), period, campaign=campaign,
                        station=station, plan=plan)


@bp.get("/bao-cao")
def report_page():
    """Báo cáo tháng: the `report --format table` figures as a printable page, with downloads."""
    from ...report import table
    from ...report.aggregate import notes
    from ...report.numbers import number

    project, _ = load()
    month, campaign, station = _report_args(project)
    figures, error = None, None
    try:
        figures = _figures(project, month, campaign, station)
    except BroadcasterError as exc:
        error = str(exc)
    context = {}
    if figures is not None:
        context = {
            "summary": table.summary_rows(figures), "summary_headings": table.SUMMARY_HEADINGS,
            "summary_total": table.summary_total_row(figures),
            "stations": table.station_rows(figures), "station_headings": table.STATION_HEADINGS,
            "totals_line": table.totals_line(figures), "notes": notes(figures),
            "chain_broken": figures.chain is not None and not figures.chain.ok,
            "days": [(d, [figures.per_day[s.station][i] for s in figures.stations])
                     for i, d in enumerate(figures.period.days)],
        }
    query = {"month": month, "campaign": campaign or "", "station": station or ""}
    return render_template("report.html", project=project, figures=figures, error=error, month=month,
                           month_shown=month_shown(month),
                           campaign=campaign, station=station, query=query, number=number,
                           downloads=downloads(), **context)


@bp.get("/bao-cao/tai")
def report_download():
    """The report as a file in one of the formats of ``report.WRITERS`` (not the table), with a Vietnamese name."""
    from ...report import default_filename, display_filename, render

    project, _ = load()
    fmt = request.args.get("format", "")
    offered = downloads()
    if fmt not in offered:
        abort(404)
    month, campaign, station = _report_args(project)
    figures = _figures(project, month, campaign, station)
    content = render(figures, fmt, project)
    if isinstance(content, str):
        # A byte-order mark lets Excel open the UTF-8 CSV with its diacritics intact.
        content = ("\ufeff" + content).encode("utf-8")
    response = Response(content, mimetype=offered[fmt][0])
    response.headers["Content-Disposition"] = content_disposition(display_filename(figures, fmt),
                                                                  default_filename(figures, fmt),
                                                                  inline=request.args.get("xem") == "1")
    response.headers["Cache-Control"] = "no-store"
    return response

