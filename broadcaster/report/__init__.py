"""Report stage: turns the play log of a period into the monthly report the province asks for.

``aggregate`` computes the figures in the database; ``table`` (terminal and
CSV), ``xlsx``, ``docx_out`` and ``chart`` render them, each chosen by name from
``WRITERS``; ``numbers`` writes a figure the same way in all of them.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Callable

from ..errors import BroadcasterError

def _table(report, project, issued) -> str:
    from .table import render_table

    return render_table(report)


def _csv(report, project, issued) -> str:
    from .table import render_csv

    return render_csv(report)


def _xlsx(report, project, issued) -> bytes:
    from .xlsx import render_xlsx

    return render_xlsx(report, getattr(project, "timezone", None))


def _docx(report, project, issued) -> bytes:
    from .docx_out import render_docx

    return render_docx(report, project, issued=issued)


def _png(report, project, issued) -> bytes:
    from .chart import render_png

    return render_png(report)


# Format name → writer(report, project, issued): str for the text formats, bytes for the files. Each writer
# imports its renderer when called, so the CLI does not load python-docx, openpyxl or matplotlib for a table.
WRITERS: dict[str, Callable[[Any, Any, date | None], bytes | str]] = {
    "table": _table, "csv": _csv, "xlsx": _xlsx, "docx": _docx, "png": _png,
}
FORMATS = tuple(WRITERS)
BINARY = ("xlsx", "docx", "png")

MESSAGES = {
    "bad_format": "định dạng báo cáo không hợp lệ \"{fmt}\" — chọn {valid} hoặc {last}",
    "display_name": "Báo cáo {label}",
}


def render(report, fmt: str, project=None, *, issued: date | None = None) -> bytes | str:
    """The report in format ``fmt`` (a name of ``WRITERS``): str for table/csv, bytes for xlsx/docx/png.

    Raises:
        BroadcasterError: ``fmt`` is not a report format; the message lists them.
    """
    writer = WRITERS.get(fmt)
    if writer is None:
        names = tuple(WRITERS)  # the table as it is now: a writer added later is named too
        raise BroadcasterError(MESSAGES["bad_format"].format(fmt=fmt, valid=", ".join(names[:-1]), last=names[-1]))
    return writer(report, project, issued)


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

