"""Export stage: session programmes become a self-contained folder for broadcast hardware or platforms.

Formats (one module each): ``m3u`` (playlists for software players), ``usb``
(numbered folders for DFPlayer-class timer players), ``csv`` and ``json``
(records for IP loudspeaker platforms). Every export copies its audio inside
the folder, so the folder can be carried to the station as it is.

Safety rules, shared by every format:

* The export is written into a hidden temporary sibling folder
  (``.DIR.tmp-PID-RANDOM``) and renamed to DIR only when complete, so a
  failed export leaves nothing half-written. When DIR is a mount point (the
  root of a USB stick) it cannot be renamed; the staging folder is then made
  inside DIR and its entries are moved up one by one, in writing order.
* A non-empty DIR is refused. With ``--force`` it is replaced only if it holds
  nothing but the files of a previous export, as listed in that export's
  marker file `MARKER`; a folder with any other file is refused even with
  ``--force`` (we never delete what we did not write). The old export is
  removed only after the new one is complete.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import BroadcasterError, did_you_mean, valid_list
from ..models import Project
from ..schedule.load import Schedule
from ..schedule.program import Programme, day_range, nothing_message, prepare_programmes

MARKER = ".broadcaster-export.json"
FORMATS = ("m3u", "usb", "csv", "json")

MESSAGES = {
    "format": 'định dạng xuất không hợp lệ "{value}"{hint} — chọn một trong: {valid}',
    "not_dir": "{path} không phải là thư mục — chọn một thư mục để xuất",
    "not_empty": "thư mục {path} không trống — chọn một thư mục trống (hoặc chưa có), hoặc thêm --force để thay bản xuất trước đó",
    "foreign": "thư mục {path} có tệp không do broadcaster xuất ({files}{more}) — không xóa các tệp này; chọn thư mục khác hoặc tự dọn thư mục",
    "more": " và {count} tệp khác",
    "write_failed": "không ghi được bản xuất vào {path}: {detail} — kiểm tra chỗ trống và quyền ghi; thư mục đích không bị thay đổi",
    "usb_station": "xuất USB chỉ cho một đài mỗi lần (mỗi thẻ nhớ/USB một đài) — thêm --station với một trong: {valid}",
}


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    folder: Path
    format: str
    files: tuple[str, ...]        # relative to the folder, in writing order (marker excluded)
    programmes: int
    plays: int


def _all_files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def _previous_export(dest: Path, force: bool) -> bool:
    """Check DIR may be written; True when it holds a previous export to replace."""
    if not dest.exists():
        return False
    if not dest.is_dir():
        raise BroadcasterError(MESSAGES["not_dir"].format(path=dest))
    if not any(dest.iterdir()):
        return False
    if not force:
        raise BroadcasterError(MESSAGES["not_empty"].format(path=dest))
    listed: set[str] = set()
    try:
        listed = set(json.loads((dest / MARKER).read_text(encoding="utf-8")).get("files", []))
    except (OSError, ValueError, AttributeError):
        pass
    foreign = [f for f in _all_files(dest) if f != MARKER and f not in listed]
    if foreign:
        more = MESSAGES["more"].format(count=len(foreign) - 5) if len(foreign) > 5 else ""
        raise BroadcasterError(MESSAGES["foreign"].format(path=dest, files=", ".join(foreign[:5]), more=more))
    return True


def copy_in_order(source: Path, target: Path) -> None:
    """Copy one file and flush it to the device before the next is written.

    FAT timer players play in the order files were written, so each copy is
    made durable before the next one starts.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(source, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, 1024 * 1024)
        dst.flush()
        os.fsync(dst.fileno())


def _writer(fmt: str):
    if fmt == "m3u":
        from .m3u import write
    elif fmt == "usb":
        from .usb import write
    elif fmt == "csv":
        from .tables import write_csv as write
    else:
        from .tables import write_json as write
    return write


def _publish(staging: Path, dest: Path, replace_old: bool) -> None:
    """Put the finished staging folder at ``dest`` (rename, or move entries into a mount point)."""
    if os.path.ismount(dest):
        if replace_old:
            for entry in sorted(dest.iterdir()):
                if entry != staging:
                    shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
        for entry in sorted(staging.iterdir()):  # sorted = writing order (01, 02 … then index files)
            os.rename(entry, dest / entry.name)
        staging.rmdir()
        return
    old = None
    if dest.exists():
        old = dest.with_name(f".{dest.name}.old-{os.getpid()}-{secrets.token_hex(4)}")
        os.rename(dest, old)
    try:
        os.rename(staging, dest)
    except OSError:
        if old is not None:
            os.rename(old, dest)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def export(project: Project, schedules: list[Schedule], fmt: str, start: date, days: int, dest: Path,
           station: str | None = None, *, force: bool = False, progress=None,
           notes: list[str] | None = None) -> ExportResult:
    """Export the programmes of ``days`` days from ``start`` into the folder ``dest``.

    Args:
        project: The working folder.
        schedules: Loaded schedules.
        fmt: ``m3u``, ``usb``, ``csv`` or ``json``.
        start: First day.
        days: Number of days (≥ 1).
        dest: The export folder (created; must be empty, see the module notes for ``force``).
        station: Only this station (required for ``usb`` when the folder has several stations).
        force: Replace a previous export in ``dest``.
        progress: Passed to the clip builder.
        notes: Receives the clip builder's notes (stale clips rebuilt, fallback engine used).

    Returns:
        What was written.

    Raises:
        BroadcasterError: Bad format, a refused folder, nothing to export, a limit of
            the format exceeded, or a write failure; ``dest`` is then left as it was.
    """
    if fmt not in FORMATS:
        raise BroadcasterError(MESSAGES["format"].format(value=fmt, hint=did_you_mean(fmt, FORMATS),
                                                         valid=", ".join(FORMATS)))
    if fmt == "usb" and station is None:
        if len(project.stations) != 1:
            raise BroadcasterError(MESSAGES["usb_station"].format(valid=valid_list(s.id for s in project.stations)))
        station = project.stations[0].id
    dest = Path(dest).absolute()
    replace_old = _previous_export(dest, force)
    first, last = day_range(start, days)
    programmes: list[Programme] = prepare_programmes(project, schedules, first, last, station, progress=progress,
                                                        notes=notes)
    if not programmes:
        raise BroadcasterError(nothing_message(first, last, station))
    write = _writer(fmt)
    if os.path.ismount(dest):
        staging = dest / f".broadcaster.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging = dest.with_name(f".{dest.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    staging.mkdir()
    try:
        files = write(project, programmes, staging)
        marker = {"format": fmt, "from": first.isoformat(), "until": last.isoformat(),
                  "stations": sorted({p.station.id for p in programmes}), "files": list(files)}
        (staging / MARKER).write_text(json.dumps(marker, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        _publish(staging, dest, replace_old)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise BroadcasterError(MESSAGES["write_failed"].format(path=dest, detail=exc.strerror or exc)) from exc
        raise
    return ExportResult(dest, fmt, tuple(files), len(programmes), sum(len(p.plays) for p in programmes))
