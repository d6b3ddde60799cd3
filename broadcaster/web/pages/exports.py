"""Web shell, exports page: the `export` and `program` commands as downloads (M3U8, USB and CSV/JSON as zips, each session's MP3).

The export is written by ``export.export`` into a temporary folder exactly as
the command writes it onto a stick, then zipped with its entries in the order
the export wrote them (play order for the USB layout, ``MUCLUC.TXT`` last) and
sent to the browser. A session programme is joined by
``export.programme.write_programme`` as `program` does. On the console's own
machine the USB export can also go straight onto a stick (``exports_drive``).
"""
from __future__ import annotations

import tempfile
import zipfile
from datetime import timedelta
from pathlib import Path

from flask import Blueprint, render_template, request, send_file

from ...errors import BroadcasterError
from ...timeutil import vn_date
from ..state import console, content_disposition, day_arg, default_week, load, loopback, schedules_of, station_arg

MESSAGES = {
    "days": "số ngày phải từ 1 đến {most}",
    "no_session": 'không có phiên "{session}" của đài {station} ngày {day} trong kế hoạch — chọn lại phiên',
    "usb_station": "bản xuất cho thẻ nhớ/USB là cho một đài — chọn một đài",
    "other_format": "Định dạng {name}",
    "bad_format": 'định dạng xuất không hợp lệ "{value}" — chọn một nút tải trong mục "Tải bản xuất": {valid}',
    # What the page adds to an export error (export.ExportError.remedy), in the form's own words. The
    # download and the stick-writing form (exports_drive) share the remedy and each says what to do again.
    "remedies": {"station": "chọn một đài ở ô “Đài”",
                 "days": "đặt “Số ngày” là {days} hoặc ít hơn",
                 "replace": "chọn ô “Thay bản xuất cũ trên thẻ”"},
    "again": {"download": "rồi tải lại", "drive": "rồi bấm “Ghi vào thẻ nhớ” lần nữa"},
}
# How the page names the formats of the export stage's table (export.WRITERS): (button, short name in the
# zip's name). The list itself is the table's: a format not named here is offered under its own name.
LABELS = {
    "usb": ("Thẻ nhớ / USB (máy phát hẹn giờ)", "USB"),
    "m3u": ("Danh sách phát M3U8", "M3U8"),
    "csv": ("Bảng CSV cho loa IP", "CSV"),
    "json": ("Tệp JSON cho loa IP", "JSON"),
}
MAX_DAYS = 31


def formats() -> dict[str, tuple[str, str]]:
    """The export formats offered, ``name → (button label, short name)``: every name of ``export.WRITERS``.

    The USB stick comes first (the usual job); the others keep the table's order.
    """
    from ...export import WRITERS

    return {name: LABELS.get(name, (MESSAGES["other_format"].format(name=name), name.upper()))
            for name in sorted(WRITERS, key=lambda name: name != "usb")}

bp = Blueprint("exports", __name__)


def choices(project):
    """(station id or None, first day, days) from the form or query string, checked."""
    today = console().today(project)
    first = day_arg("from", default_week(project, today)[0])
    try:
        days = int((request.values.get("days") or "7").strip())
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_DAYS:
        raise BroadcasterError(MESSAGES["days"].format(most=MAX_DAYS))
    station = station_arg(project)
    return station, first, days


@bp.get("/xuat")
def page():
    """Xuất: choose stations and days; the sessions in that period, each with its MP3."""
    from ...schedule import Durations, expand_plan

    project, _ = load()
    schedules, _ = schedules_of(project)
    error, sessions = None, []
    station, first, days = None, console().today(project), 7
    try:
        station, first, days = choices(project)
        plays = expand_plan(project, schedules, first, first + timedelta(days=days - 1), station,
                            durations=Durations(project))
        grouped: dict[tuple, dict] = {}
        for play in plays:
            key = (play.date, play.station, play.session)
            row = grouped.setdefault(key, {"date": play.date, "station": project.station(play.station),
                                           "session": play.session, "start": play.start, "count": 0, "seconds": 0.0})
            row["count"] += 1
            row["seconds"] += play.duration_s
        sessions = sorted(grouped.values(), key=lambda r: (r["date"], r["station"].id, r["start"]))
    except BroadcasterError as exc:
        error = str(exc)
    return render_template("exports.html", project=project, station=station, first=first, days=days,
                           last=first + timedelta(days=days - 1), sessions=sessions, error=error,
                           formats=formats(), max_days=MAX_DAYS, drives=drive_rows() if loopback() else None)


def add_remedy(exc, again: str) -> None:
    """Word an export error's remedy (``ExportError.remedy``) in this page's terms, as the error's hint.

    Args:
        exc: The ``export.ExportError``; its ``hint`` is set when the page has words for its remedy.
        again: What the user does after the remedy: ``"download"`` (this page's buttons) or ``"drive"``
            (the stick-writing form of ``exports_drive``).
    """
    remedy = MESSAGES["remedies"].get(exc.remedy)
    if remedy:
        exc.hint = f"{remedy.format(**exc.values)} {MESSAGES['again'][again]}"


def drive_rows() -> list[dict]:
    """The removable drives for the USB section (``exports_drive`` writes onto them).

    Returns:
        One dict per drive: ``drive``, ``previous`` and ``foreign`` (file counts) and ``problem``
        (why writing is refused now, even when replacing is confirmed; None when it may go ahead).
    """
    from ...export import MARKER
    from ...export.drives import content, list_drives, refusal

    rows = []
    for drive in list_drives():
        row = {"drive": drive, "previous": 0, "foreign": 0, "problem": None}
        if drive.is_fat:
            try:
                found = content(drive, MARKER)
                row.update(previous=len(found.previous), foreign=len(found.foreign),
                           problem=refusal(drive, found, True))
            except OSError:
                pass
        rows.append(row)
    return rows


def _zip(folder: Path, files: list[str], target: Path) -> None:
    """Zip ``files`` (relative to ``folder``) in the given order; MP3s are stored, text compressed."""
    with zipfile.ZipFile(target, "w") as archive:
        for rel in files:
            kind = zipfile.ZIP_STORED if rel.lower().endswith(".mp3") else zipfile.ZIP_DEFLATED
            archive.write(folder / rel, rel, compress_type=kind)


@bp.post("/xuat/tai")
def download():
    """The chosen export as a zip: entries in the order the export wrote them (play order for USB)."""
    from ...export import ExportError, export

    project, _ = load()
    schedules, _ = schedules_of(project)
    fmt = request.form.get("format") or ""
    offered = formats()
    if fmt not in offered:
        raise BroadcasterError(MESSAGES["bad_format"].format(value=fmt, valid=", ".join(offered)))
    station, first, days = choices(project)
    if fmt == "usb" and station is None and len(project.stations) != 1:
        raise BroadcasterError(MESSAGES["usb_station"])
    work = Path(tempfile.mkdtemp(prefix="broadcaster-export-"))
    dest = work / "xuat"
    try:
        result = export(project, schedules, fmt, first, days, dest, station)
    except Exception as exc:
        _remove(work)
        if isinstance(exc, ExportError):
            add_remedy(exc, "download")
        raise
    archive = work / "xuat.zip"
    _zip(dest, list(result.files), archive)
    last = first + timedelta(days=days - 1)
    who = station or "tat-ca"
    name = f"Xuất {offered[fmt][1]} {who} {vn_date(first)}–{vn_date(last)}.zip".replace("/", "-")
    fallback = f"xuat-{fmt}-{who}-{first.isoformat()}-{days}d.zip"
    response = send_file(archive, mimetype="application/zip", max_age=0)
    response.headers["Content-Disposition"] = content_disposition(name, fallback)
    response.call_on_close(lambda: _remove(work))
    return response


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


@bp.post("/xuat/chuong-trinh")
def programme():
    """One session's programme as one MP3 (the `program` command for that session)."""
    from ...export.programme import prepare_programmes, write_programme

    project, _ = load()
    schedules, _ = schedules_of(project)
    day = day_arg("date", None)
    station = (request.form.get("station") or "").strip()
    session = (request.form.get("session") or "").strip()
    project.require_station(station)
    found = [p for p in prepare_programmes(project, schedules, day, day, station) if p.session.name == session]
    if not found:
        raise BroadcasterError(MESSAGES["no_session"].format(session=session, station=station, day=vn_date(day)))
    mp3, _ = write_programme(project, found[0])
    name = f"{found[0].title}.mp3".replace("/", "-")
    response = send_file(mp3, mimetype="audio/mpeg", max_age=0)
    response.headers["Content-Disposition"] = content_disposition(
        name, f"{station}-{day.isoformat()}-{session}.mp3")
    return response

