"""Export stage: session programmes become a self-contained folder for broadcast hardware or platforms.

Formats (one module each): ``m3u`` (playlists for software players), ``usb``
(numbered folders for DFPlayer-class timer players), ``csv`` and ``json``
(records for IP loudspeaker platforms). `WRITERS` maps each format name to the
function listing its files, as the speech engine table maps a name to an engine;
adding a format is one module and one line there. Every export copies its audio
inside the folder, so the folder can be carried to the station as it is. The
programmes themselves come from `programme.prepare_programmes`.

Safety rules, shared by every format:

* Each format lists its files first (:class:`~broadcaster.export.folder.ExportEntry`,
  in play order); nothing is written before the whole export is known, the
  player's limits are checked and the free space is enough.
* The export is written into a hidden temporary sibling folder
  (``.DIR.tmp-PID-RANDOM``) and renamed to DIR only when complete, so a
  failed export leaves nothing half-written.
* The root of a USB stick (a mount point: ``/media/STICK``, ``E:\\``) cannot be
  renamed, and a folder holding operating-system folders must keep them: the
  export is then written in place, one file at a time in play order, each
  flushed (timer players play in FAT directory order, which is writing order);
  see :func:`~broadcaster.export.folder.write_in_place` for what happens when
  that stops half-way.
* Operating-system folders (``System Volume Information``, ``$RECYCLE.BIN``,
  ``.Trash-1000``, ``.Spotlight-V100``, ``.fseventsd``, ``.Trashes`` …, see
  :func:`~broadcaster.export.folder.is_os_entry`) are left alone: they do not
  make DIR "not empty" and are never counted as foreign files.
* A non-empty DIR is refused. With ``force`` (the CLI's ``--force``) it is replaced
  only if it holds nothing but the files of a previous export, as listed in that
  export's marker file `MARKER`; a folder with any other file is refused even then
  (we never delete what we did not write).
* Messages never name a command-line flag: an error the user can fix by choosing
  differently is an `ExportError` whose ``remedy`` the shell words its own way.
"""
from __future__ import annotations

import functools
import json
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from .. import portable
from ..errors import BroadcasterError, did_you_mean, os_error_reason, valid_list
from ..models import Project
from ..schedule.load import Schedule
from ..schedule.program import Programme, day_range, nothing_message
from . import m3u, tables, usb
from .folder import (FEWER_DAYS, ONE_STATION, REPLACE, ExportEntry, ExportError, check_space, is_mount_point,
                     previous_size, scan, write_entries, write_in_place)
from .programme import prepare_programmes

MARKER = ".broadcaster-export.json"
# Format name → the function listing its files: entries(project, programmes) → [ExportEntry] in writing order.
WRITERS: dict[str, Callable[[Project, list[Programme]], list[ExportEntry]]] = {
    "m3u": m3u.entries,
    "usb": usb.entries,
    "csv": tables.csv_entries,
    "json": tables.json_entries,
}
FORMATS = tuple(WRITERS)

MESSAGES = {
    "format": 'định dạng xuất không hợp lệ "{value}"{hint} — chọn một trong: {valid}',
    "not_dir": "{path} không phải là thư mục — chọn một thư mục để xuất",
    "not_empty": "thư mục {path} không trống — chọn một thư mục trống (hoặc chưa có), hoặc cho phép thay bản xuất trước đó",
    "foreign": "thư mục {path} có tệp không do broadcaster xuất ({files}{more}) — không xóa các tệp này; chọn thư mục khác hoặc tự dọn thư mục",
    "more": " và {count} tệp khác",
    "write_failed": "không ghi được bản xuất vào {path}: {detail} — kiểm tra chỗ trống và quyền ghi; thư mục đích không bị thay đổi",
    "usb_station": "xuất USB chỉ cho một đài mỗi lần (mỗi thẻ nhớ/USB một đài) — chọn một đài trong: {valid}",
}


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    folder: Path
    format: str
    files: tuple[str, ...]        # relative to the folder, in writing order (marker excluded)
    programmes: int
    plays: int


@dataclass(frozen=True)
class _Target:
    """What DIR holds before the export: a previous export to replace, and operating-system entries to keep."""

    previous: list[str] | None   # files of our previous export (marker excluded), or None
    os_entries: tuple[str, ...]


def _inspect(dest: Path, force: bool) -> _Target:
    """Check DIR may be written; say what it holds (a previous export, OS folders)."""
    if not dest.exists():
        return _Target(None, ())
    if not dest.is_dir():
        raise BroadcasterError(MESSAGES["not_dir"].format(path=dest))
    content = scan(dest)
    if not content.files:
        return _Target(None, content.os_entries)
    if not force:
        raise ExportError(MESSAGES["not_empty"].format(path=dest), remedy=REPLACE)
    listed: list[str] = []
    try:
        listed = [str(f) for f in json.loads((dest / MARKER).read_text(encoding="utf-8")).get("files", [])]
    except (OSError, ValueError, AttributeError):
        pass
    foreign = [f for f in content.files if f != MARKER and f not in set(listed)]
    if foreign:
        more = MESSAGES["more"].format(count=len(foreign) - 5) if len(foreign) > 5 else ""
        raise BroadcasterError(MESSAGES["foreign"].format(path=dest, files=", ".join(foreign[:5]), more=more))
    return _Target([f for f in listed if f in set(content.files)], content.os_entries)


def _publish(staging: Path, dest: Path) -> None:
    """Put the finished staging folder at ``dest``, swapping out a previous export (not a mount point)."""
    old = None
    if dest.exists():
        old = dest.with_name(f".{dest.name}.old-{os.getpid()}-{secrets.token_hex(4)}")
        os.rename(dest, old)  # folders: the new name never exists, so rename is portable here
    try:
        os.rename(staging, dest)
    except OSError:
        if old is not None:
            os.rename(old, dest)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write_staged(dest: Path, entries: list[ExportEntry], marker_doc: dict, on_written=None) -> list[str]:
    """Write into a hidden sibling folder, then rename it to ``dest`` (atomic for a plain folder)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = dest.with_name(f".{dest.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    staging.mkdir()
    try:
        files = write_entries(staging, entries, on_written=on_written)
        doc = dict(marker_doc, files=list(files), complete=True)
        write_entries(staging, [ExportEntry(MARKER, data=(json.dumps(doc, ensure_ascii=False, indent=2)
                                                            + "\n").encode("utf-8"))])
        _publish(staging, dest)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise BroadcasterError(MESSAGES["write_failed"].format(path=dest, detail=os_error_reason(exc))) from exc
        raise
    return files


def export(project: Project, schedules: list[Schedule], fmt: str, start: date, days: int, dest: Path,
           station: str | None = None, *, force: bool = False, progress=None,
           notes: list[str] | None = None, file_progress=None, jobs: int | None = None) -> ExportResult:
    """Export the programmes of ``days`` days from ``start`` into the folder ``dest``.

    Args:
        project: The working folder.
        schedules: Loaded schedules.
        fmt: A name of `WRITERS`: ``m3u``, ``usb``, ``csv`` or ``json``.
        start: First day.
        days: Number of days (≥ 1).
        dest: The export folder (created; must be empty, see the module notes for ``force``),
            or the root of a USB stick (written in place, in play order).
        station: Only this station (required for ``usb`` when the folder has several stations).
        force: Replace a previous export in ``dest``.
        progress: Passed to the clip builder.
        notes: Receives the clip builder's notes (stale clips rebuilt, fallback engine used).
        file_progress: Told ``start(number of files)`` before writing and ``advance(rel)`` after each
            file (the ``Progress`` interface), or None.
        jobs: Clips built at once (``build.build_clips``; None: BROADCASTER_JOBS, else one per core).

    Returns:
        What was written.

    Raises:
        BroadcasterError: (`ExportError` when the user can choose differently: see its ``remedy``)
            Bad format, a refused folder, nothing to export, a limit of
            the format exceeded, not enough free space, or a write failure; ``dest`` is then
            left as it was (in place: as the message says).
    """
    if fmt not in WRITERS:  # the table as it is now (FORMATS is its names when the module was loaded)
        raise BroadcasterError(MESSAGES["format"].format(value=fmt, hint=did_you_mean(fmt, WRITERS),
                                                         valid=", ".join(WRITERS)))
    if fmt == "usb" and station is None:
        if len(project.stations) != 1:
            raise ExportError(MESSAGES["usb_station"].format(valid=valid_list(s.id for s in project.stations)),
                              remedy=ONE_STATION)
        station = project.stations[0].id
    dest = Path(portable.drive_root(str(dest))).absolute()
    target = _inspect(dest, force)
    first, last = day_range(start, days)
    programmes: list[Programme] = prepare_programmes(project, schedules, first, last, station, progress=progress,
                                                        notes=notes, jobs=jobs)
    if not programmes:
        raise BroadcasterError(nothing_message(first, last, station))
    entries = WRITERS[fmt](project, programmes)
    in_place = dest.exists() and (is_mount_point(dest) or bool(target.os_entries))
    reclaimed = previous_size(dest, target.previous or []) if in_place else 0
    check_space(dest, entries, reclaimed)
    marker_doc = {"format": fmt, "from": first.isoformat(), "until": last.isoformat(),
                  "stations": sorted({p.station.id for p in programmes})}
    on_written = None
    if file_progress is not None:
        file_progress.start(len(entries))
        on_written = file_progress.advance
    if in_place:
        files = write_in_place(dest, entries, MARKER, marker_doc, previous=target.previous,
                               write=functools.partial(write_entries, on_written=on_written))
    else:
        files = _write_staged(dest, entries, marker_doc, on_written)
    return ExportResult(dest, fmt, tuple(files), len(programmes), sum(len(p.plays) for p in programmes))


__all__ = ["FEWER_DAYS", "FORMATS", "MARKER", "ONE_STATION", "REPLACE", "WRITERS", "ExportError", "ExportResult",
           "export"]
