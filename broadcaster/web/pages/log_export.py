"""Web shell, log download: the log list with the log page's filters as CSV or Excel (the columns of `log list --format csv`).

Rows come from the log's ``list_plays`` and ``playlog.durations.airtime_of``,
as for the `log list` command; nothing is counted here.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

from flask import Blueprint, Response, abort, redirect, request, url_for

from ...errors import BroadcasterError
from ..state import check_range, choice_arg, console, content_disposition, day_arg, load, station_arg

# The stored columns, as `log list --format csv` writes them (spreadsheets filter on the stored values).
COLUMNS = ["id", "station", "script", "started_at", "ended_at", "duration_s", "status", "source", "campaign",
           "form", "medium", "priority", "scheduled_at", "source_id", "clip_hash", "uid", "seq", "prev_hash",
           "row_hash", "airtime_s", "duration_source", "voided_by", "void_reason", "voided_at"]
FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
MESSAGES = {"sheet": "Nhật ký phát", "name": "Nhật ký phát"}

bp = Blueprint("log_export", __name__)


def _value(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat(sep=" ", timespec="seconds") if isinstance(value, datetime) else value.isoformat()
    return "" if value is None else value


def log_rows(project, start: date | None, end: date | None, station: str | None, status: str | None) -> list[dict]:
    """The log rows of the filters with their airtime (as `log list`); [] when there is no log yet."""
    from ...playlog.durations import airtime_of, clip_durations
    from ...playlog.store import NoPlayLog

    try:
        store = console().store(project, must_exist=True)
    except NoPlayLog:
        return []
    stored = store.list_plays(start=datetime.combine(start, time.min) if start else None,
                              end=datetime.combine(end + timedelta(days=1), time.min) if end else None,
                              station=station, status=status)
    return [dict(r, airtime_s=a["duration_s"], duration_source=a["duration_source"])
            for r, a in zip(stored, airtime_of(stored, clip_durations(project)))]


@bp.get("/nhat-ky/tai")
def download():
    """The filtered log list as ``?format=csv`` or ``xlsx``: the log page's filter fields as submitted (its
    download buttons submit that form)."""
    from ...playlog.store import STATUSES

    project, _ = load()
    fmt = request.args.get("format", "csv")
    if fmt not in FORMATS:
        abort(404)
    try:
        start, end = day_arg("from", None), day_arg("to", None)
        station = station_arg(project)
        status = choice_arg("status", STATUSES)
        check_range(start, end)
    except BroadcasterError:
        # Filters that cannot be read: the log page with the values sent explains them next to the form.
        values = {k: (request.args.get(k) or "").strip() for k in ("from", "to", "station", "status")}
        return redirect(url_for("log.log_page", **values), 303)
    rows = log_rows(project, start, end, station, status)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for r in rows:
            writer.writerow([_value(r.get(k)) for k in COLUMNS])
        content = ("\ufeff" + buffer.getvalue()).encode("utf-8")  # Excel keeps the diacritics
    else:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = MESSAGES["sheet"]
        sheet.append(COLUMNS)
        for r in rows:
            sheet.append([r.get(k) if not isinstance(r.get(k), date) else r.get(k) for k in COLUMNS])
        sheet.freeze_panes = "A2"
        out = io.BytesIO()
        book.save(out)
        content = out.getvalue()
    parts = [p for p in (station, start and start.isoformat(), end and end.isoformat(), status) if p]
    stem = "-".join(["nhat-ky", *parts])
    response = Response(content, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = content_disposition(
        f"{MESSAGES['name']} {' '.join(parts)}".strip() + f".{fmt}", f"{stem}.{fmt}")
    response.headers["Cache-Control"] = "no-store"
    return response
