"""Web shell, exports page (writing a stick): the USB export written straight onto a removable drive of the machine the console runs on.

Offered only to a browser on that same machine (loopback address): a stick
plugged into the console's computer means nothing to a colleague across the
office, and the page must not let another computer write onto it. The drives
come from ``export.drives`` (the system's mount table, or the
``BROADCASTER_USB_DRIVES`` folders); the writing is the `export usb` command's
(``export.export`` in place, in play order, each file flushed), run as a
background job with its progress. Refused before anything is written: a drive
that is not FAT, files on it that are not ours, an earlier export not confirmed
for replacing, too little free space.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, request, url_for

from ...errors import BroadcasterError
from ...timeutil import vn_date
from ..state import console, load, loopback

MESSAGES = {
    "label": "Ghi thẻ nhớ {label}",
    "done": ("Đã ghi {files} tệp ({programmes} phiên, {plays} lượt phát, {first} – {last}) vào thẻ {label} theo đúng "
             "thứ tự phát. Tháo thẻ an toàn (Eject/Safely remove) trước khi rút ra cắm vào máy phát."),
    "queued": "Việc ghi thẻ đang chờ việc “{ahead}” xong rồi sẽ tự bắt đầu.",
    "need_station": ("ghi thẻ nhớ/USB cho một đài mỗi lần (mỗi thẻ một đài) — chọn một đài ở ô “Đài” rồi bấm "
                     "“Xem các phiên”"),
    "free_unknown": "không rõ",
}

bp = Blueprint("exports_drive", __name__)


@bp.post("/xuat/ghi-the")
def write_drive():
    """Write the USB export of one station onto the chosen drive (background job; loopback only)."""
    from ...export import MARKER, ExportError, export
    from ...export.drives import content, find_drive, refusal
    from ...schedule import inspect_schedules
    from .exports import add_remedy, choices

    if not loopback():
        abort(404)
    project, _ = load()
    station, first, days = choices(project)
    back = url_for("exports.page", station=station or "", **{"from": first.isoformat()}, days=days) + "#h-the"
    replace = request.form.get("replace") == "1"
    try:
        if station is None and len(project.stations) != 1:
            raise BroadcasterError(MESSAGES["need_station"])
        station = station or project.stations[0].id
        drive = find_drive(request.form.get("drive") or "")
        problem = refusal(drive, content(drive, MARKER), replace)
        if problem:
            raise BroadcasterError(problem)
    except BroadcasterError as exc:
        flash(f"lỗi: {exc}", "error")
        return redirect(back, 303)
    from ...workdir import load_project

    root = console().root
    last = first + timedelta(days=days - 1)

    def work(progress) -> tuple[str, list[str]]:
        current = load_project(root)
        schedules, problems = inspect_schedules(current)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise BroadcasterError("\n".join(str(p) for p in errors))
        notes: list[str] = []
        try:
            result = export(current, schedules, "usb", first, days, Path(drive.path), station, force=replace,
                            progress=progress, notes=notes, file_progress=progress)
        except ExportError as exc:
            add_remedy(exc, "drive")  # the page's words for the remedy (shared with the download)
            raise
        return MESSAGES["done"].format(files=len(result.files), programmes=result.programmes, plays=result.plays,
                                       first=vn_date(first), last=vn_date(last), label=drive.label), notes

    job, new = console().jobs.start("build", MESSAGES["label"].format(label=drive.label), back, work,
                                    key=f"drive:{drive.path}")
    if not new:
        flash(MESSAGES["queued"].format(ahead=job.ahead), "info")
    return redirect(url_for("jobs.job_page", job_id=job.id), 303)
