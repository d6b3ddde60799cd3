"""Report stage: turns the play log of a period into the monthly report the province asks for.

``aggregate`` computes the figures in the database; ``table`` (terminal and
CSV), ``xlsx``, ``docx_out`` and ``chart`` render them.
"""
from __future__ import annotations

from datetime import date, timedelta

from ..errors import BroadcasterError

MESSAGES = {
    "bad_format": 'định dạng báo cáo không hợp lệ "{fmt}" — chọn table, csv, xlsx, docx hoặc png',
    "display_name": "Báo cáo {label}",
}

FORMATS = ("table", "csv", "xlsx", "docx", "png")
BINARY = ("xlsx", "docx", "png")


def render(report, fmt: str, project=None, *, issued: date | None = None) -> bytes | str:
    """The report in one format: str for table/csv, bytes for xlsx/docx/png."""
    if fmt == "table":
        from .table import render_table

        return render_table(report)
    if fmt == "csv":
        from .table import render_csv

        return render_csv(report)
    if fmt == "xlsx":
        from .xlsx import render_xlsx

        return render_xlsx(report, getattr(project, "timezone", None))
    if fmt == "docx":
        from .docx_out import render_docx

        return render_docx(report, project, issued=issued)
    if fmt == "png":
        from .chart import render_png

        return render_png(report)
    raise BroadcasterError(MESSAGES["bad_format"].format(fmt=fmt))


def default_filename(report, fmt: str) -> str:
    """bao-cao-2024-08.xlsx or bao-cao-2024-07-16_2024-08-15.docx."""
    p = report.period
    if p.start.day == 1 and (p.end.month != (p.end + timedelta(days=1)).month) \
            and p.start.month == p.end.month:
        stem = f"bao-cao-{p.start:%Y-%m}"
    else:
        stem = f"bao-cao-{p.start:%Y-%m-%d}_{p.end:%Y-%m-%d}"
    if report.campaign:
        stem += f"-{report.campaign}"
    if report.station:
        stem += f"-{report.station}"
    return f"{stem}.{fmt}"


def display_filename(report, fmt: str) -> str:
    """The file name staff see when they download the report: ``Báo cáo tháng 8-2024 - dung-2g.xlsx``.

    Vietnamese, with the campaign and station chosen; ``/`` (as in ``8/2024``)
    becomes ``-``. ``default_filename`` is its ASCII form.
    """
    name = MESSAGES["display_name"].format(label=report.period.label)
    for part in (report.campaign, report.station):
        if part:
            name += f" - {part}"
    return f"{name}.{fmt}".replace("/", "-")

