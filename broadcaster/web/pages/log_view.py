"""Web shell, Nhật ký phát pages: rows of the play log, the confirm and import forms, and the hash-chain check.

Each view is a `log` command: ``list_plays``/``recent_plays`` for `log list`,
``confirm_plan`` for `log confirm`, ``import_file`` for `log import`,
``void_play`` for `log void` and ``verify_log`` for `log verify`; only
``playlog`` reads or writes the log.
"""
from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ...errors import BroadcasterError, error_line
from ..state import check_range, choice_arg, console, day_arg, default_week, load, station_arg

MESSAGES = {
    "need_date": "chưa chọn ngày phát",
    "need_station": "chưa chọn đài",
    "need_file": "chưa chọn tệp nhật ký để nhập (CSV hoặc JSON)",
}
LOG_LIMIT = 2000
UNFILTERED_ROWS = 100

bp = Blueprint("log", __name__)


@bp.get("/nhat-ky")
def log_page():
    """Nhật ký phát: rows of the log (newest first without filters), confirm and import forms."""
    return _render_log()


def _render_log(import_problems: list[str] | None = None, import_summary: str | None = None, status: int = 200):
    from ...playlog.durations import airtime_of, clip_durations
    from ...playlog.schema import REASON_MAX
    from ...playlog.store import STATUSES, NoPlayLog

    project, _ = load()
    error, rows, filtered, limited, no_log = None, [], False, False, None
    start = end = station = status_filter = None
    try:
        start = day_arg("from", None)
        end = day_arg("to", None)
        station = station_arg(project)
        status_filter = choice_arg("status", STATUSES)
        check_range(start, end)
        store = console().store(project, must_exist=True)
        filtered = any(v is not None for v in (start, end, station, status_filter))
        if filtered:
            # The same filters as `log list --from --to --station --status`.
            rows = store.list_plays(
                start=datetime.combine(start, datetime.min.time()) if start else None,
                end=datetime.combine(end + timedelta(days=1), datetime.min.time()) if end else None,
                station=station, status=status_filter, limit=LOG_LIMIT + 1)
            limited = len(rows) > LOG_LIMIT
            rows = rows[:LOG_LIMIT]
        else:
            rows = store.recent_plays(UNFILTERED_ROWS)
        # The airtime the report counts: a play logged with only a start time lasts as long as its clip.
        rows = airtime_of(rows, clip_durations(project))
    except NoPlayLog as exc:
        no_log = exc.message
    except BroadcasterError as exc:
        error = str(exc)
    today = console().today(project)
    return render_template("log.html", project=project, rows=rows, filtered=filtered, limited=limited, no_log=no_log,
                           start=start, end=end, station=station, status=status_filter, error=error,
                           statuses=STATUSES, import_problems=import_problems, import_summary=import_summary,
                           confirm_day=default_week(project, today)[0] if not start else start,
                           limit=LOG_LIMIT, reason_max=REASON_MAX,
                           session_names=list(dict.fromkeys(x.name for s in project.stations for x in s.sessions))), status


@bp.post("/nhat-ky/xac-nhan")
def log_confirm():
    """Xác nhận đã phát: the `log confirm` command for one station, day and optional session."""
    from ...playlog.confirm import check_day_aired, confirm_plan

    project, _ = load()
    back = url_for("log.log_page")
    try:
        day_text = (request.form.get("date") or "").strip()
        if not day_text:
            raise BroadcasterError(MESSAGES["need_date"])
        day = day_arg("date", None)
        station = (request.form.get("station") or "").strip()
        if not station:
            raise BroadcasterError(MESSAGES["need_station"])
        session = (request.form.get("session") or "").strip() or None
        # Refused, with the session's end, while the day or session has not aired yet (station time).
        check_day_aired(project, day, station, session, console().now(project))
        result = confirm_plan(project, console().store(project), day, station, session, now=console().now(project))
    except BroadcasterError as exc:
        flash(error_line(exc), "error")
        return redirect(back, 303)
    flash(result.message(), "success" if result.planned else "info")
    return redirect(url_for("log.log_page", station=station, **{"from": day.isoformat(), "to": day.isoformat()}),
                    303)


@bp.post("/nhat-ky/nhap")
def log_import():
    """Nhập nhật ký: the `log import` command for an uploaded CSV/JSON file; a bad row rejects the whole file."""
    from ...playlog.importer import ImportRejected, import_file

    project, _ = load()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(MESSAGES["need_file"], "error")
        return redirect(url_for("log.log_page"), 303)
    display = Path(upload.filename.replace("\\", "/")).name or "nhat-ky"
    fmt = request.form.get("format") or None
    suffix = Path(display).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="broadcaster-upload-") as folder:
        path = Path(folder) / f"upload{suffix if suffix in ('.csv', '.json', '.jsonl', '.ndjson', '.txt') else ''}"
        upload.save(path)
        try:
            result = import_file(project, lambda: console().store(project), path,
                                 fmt if fmt in ("csv", "json") else None,
                                 display=display, now=console().now(project))
        except ImportRejected as exc:
            return _render_log([str(p) for p in exc.problems], exc.summary, status=400)
        except BroadcasterError as exc:
            flash(error_line(exc), "error")
            return redirect(url_for("log.log_page"), 303)
    flash(result.message(), "success")
    return redirect(url_for("log.log_page"), 303)


@bp.post("/nhat-ky/huy")
def log_void():
    """Hủy lượt phát: the `log void` command for one play of the list, with the staff's reason."""
    from ...playlog.voids import void_play

    project, _ = load()
    back = request.form.get("back") or ""
    # Back to the list the form was on (same filters); only a path of this page, never another site.
    if not back.startswith("/nhat-ky") or back.startswith("//"):
        back = url_for("log.log_page")
    try:
        result = void_play(console().store(project, must_exist=True), request.form.get("id"),
                           request.form.get("reason"), now=console().now(project))
    except BroadcasterError as exc:
        flash(f"lỗi: {exc}", "error")
        return redirect(back, 303)
    flash(result.message(), "success")
    return redirect(back, 303)


@bp.get("/nhat-ky/kiem-tra")
def log_verify():
    """Kiểm tra nhật ký: the `log verify` hash-chain check."""
    from ...playlog.store import NoPlayLog
    from ...playlog.verify import MESSAGES as VERIFY_MESSAGES, VerifyResult, verify_log

    project, _ = load()
    try:
        store = console().store(project, must_exist=True)
    except NoPlayLog as exc:   # nothing to check, and nothing is created
        return render_template("verify.html", project=project, result=VerifyResult(0, 0, ()), summary="",
                               ok_message=exc.message)
    result = verify_log(store)
    summary = VERIFY_MESSAGES["failed"].format(url=store.display_url, count=len(result.problems))
    return render_template("verify.html", project=project, result=result, summary=summary,
                           ok_message=VERIFY_MESSAGES["ok"].format(rows=result.rows, stations=result.stations))

