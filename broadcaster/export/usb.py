"""Export stage, USB/SD: one station's session programmes become numbered folders for timer players.

The DFPlayer Mini convention (YX5200 modules inside most cheap timer players,
research §3.2): folders ``01``–``99`` in the root, files ``001.mp3``–``255.mp3``
inside each, FAT16/32. Layout chosen here:

* one export = one station (one stick per station's player); a multi-station
  selection is refused before anything is built;
* one folder per (day, session), numbered in broadcast order: ``01`` is the
  first day's first session, ``02`` the next session, and so on — the timer
  is set to play folder NN at the session's start time;
* inside a folder, one file per piece in playing order: emergency items,
  the opening identity clip, priority and normal items, the closing clip.
  No separate silence files: the player's own pause between tracks separates
  the pieces, so times in the index are those of the plan (gaps included);
* files are copied folder by folder, file by file, each flushed to the
  device before the next (FAT players play in writing order; see
  :mod:`broadcaster.export.folder` for writing straight onto a stick's root);
* ``MUCLUC.TXT`` (mục lục, the index) lists folder/file → date, session,
  start time and title, in ASCII without diacritics and with CRLF line ends,
  so that any old Windows Notepad or the player's PC software shows it.
  The players themselves never read it (they only know ``NN/NNN.mp3``), so its
  paths are written ``01/001.mp3`` on every platform, as the players' manuals
  write "thư mục 01 / tệp 001".

More than 99 folders or 255 files in a folder is refused with the numbers,
before anything is written.
"""
from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

from ..errors import BroadcasterError
from ..models import Project
from ..schedule.program import Programme
from ..timeutil import vn_date
from .folder import FEWER_DAYS, ONE_STATION, ExportEntry, ExportError, write_entries

MAX_FOLDERS = 99
MAX_FILES = 255
INDEX = "MUCLUC.TXT"

MESSAGES = {
    "too_many_folders": ("cần {count} thư mục (mỗi phiên một thư mục) nhưng máy phát hẹn giờ chỉ đọc được tối đa {most} "
                         "(01–99) — xuất ít ngày hơn, ví dụ {days} ngày"),
    "too_many_files": ("phiên {session} ngày {day} có {count} tệp nhưng mỗi thư mục chỉ chứa được tối đa {most} "
                       "(001–255) — bớt mục trong lịch phát"),
    "one_station": "xuất USB chỉ cho một đài mỗi lần, nhưng đang có {count} đài: {stations} — chọn một đài",
    # The index is written without diacritics (ascii_text), as the players' PC software expects.
    "index_title": "MỤC LỤC THẺ NHỚ / USB - {station} ({station_id})",
    "index_period": "Từ ngày {first} đến ngày {last}: {folders} thư mục, {files} tệp",
    "index_header": "Thư mục/tệp   Ngày        Phiên    Giờ       Nội dung",
    "index_hint": "Hẹn giờ: mỗi thư mục là một phiên, cài máy phát thư mục NN vào giờ bắt đầu của phiên.",
    "relay_row": "TIẾP SÓNG     {day:<11} {session:<8} {start}-{end} {name} (nguồn: {url})",
    "relay_hint": ("Tiếp sóng: thẻ nhớ không chứa được luồng trực tiếp — bật máy thu FM/nguồn tiếp sóng trong các giờ "
                   "ghi TIẾP SÓNG; thư mục sau giờ tiếp sóng được cài giờ riêng."),
}


def ascii_text(text: str) -> str:
    """Vietnamese text without diacritics, ASCII only: "Đài truyền thanh" → "Dai truyen thanh"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    stripped = stripped.replace("—", "-").replace("–", "-")
    return stripped.encode("ascii", "replace").decode("ascii")


def _segments(programme: Programme) -> list[list]:
    """The programme cut at its relays: runs of file pieces (no gaps) and single relay pieces, in order."""
    out: list[list] = []
    run: list = []
    for piece in programme.pieces:
        if piece.kind == "gap":
            continue
        if piece.kind == "relay":
            if run:
                out.append(run)
            out.append([piece])
            run = []
        else:
            run.append(piece)
    if run:
        out.append(run)
    return out


def _check_limits(programmes: list[Programme]) -> None:
    stations = sorted({p.station.id for p in programmes})
    if len(stations) > 1:
        raise ExportError(MESSAGES["one_station"].format(count=len(stations), stations=", ".join(stations)),
                          remedy=ONE_STATION)
    folders = sum(1 for p in programmes for seg in _segments(p) if seg[0].kind != "relay")
    if folders > MAX_FOLDERS:
        days = max(1, len({p.date for p in programmes}))
        per_day = max(1, -(-folders // days))
        fewer = max(1, MAX_FOLDERS // per_day)
        raise ExportError(MESSAGES["too_many_folders"].format(count=folders, most=MAX_FOLDERS, days=fewer),
                          remedy=FEWER_DAYS, days=fewer)
    for p in programmes:
        count = sum(1 for piece in p.pieces if piece.kind != "gap")
        if count > MAX_FILES:
            raise BroadcasterError(MESSAGES["too_many_files"].format(
                session=p.session.name, day=vn_date(p.date), count=count, most=MAX_FILES))


def entries(project: Project, programmes: list[Programme]) -> list[ExportEntry]:
    """``NN/NNN.mp3`` in broadcast order, then ``MUCLUC.TXT``, as entries in writing order.

    Paths use ``/`` on every platform, in the index too (the index is for people:
    "thư mục 01 / tệp 001", as the players' manuals write it).

    Raises:
        BroadcasterError: Several stations, or a limit of the player exceeded (nothing written).
    """
    del project
    programmes = sorted(programmes, key=lambda p: (p.date, p.session.start))
    _check_limits(programmes)
    planned: list[ExportEntry] = []
    station = programmes[0].station
    rows = []
    number = 0
    relays = False
    for programme in programmes:
        base = datetime.combine(programme.date, programme.session.start)
        for segment in _segments(programme):
            if segment[0].kind == "relay":  # a live source: named with its hours, the stick plays around it
                piece = segment[0]
                relays = True
                rows.append(MESSAGES["relay_row"].format(
                    day=vn_date(programme.date), session=programme.session.name,
                    start=(base + timedelta(seconds=round(piece.offset_s))).strftime("%H:%M:%S"),
                    end=(base + timedelta(seconds=round(piece.offset_s + piece.duration_s))).strftime("%H:%M:%S"),
                    name=' '.join(piece.title.split()), url=piece.url))
                continue
            number += 1
            for index, piece in enumerate(segment, 1):
                rel = f"{number:02d}/{index:03d}.mp3"
                planned.append(ExportEntry(rel, source=piece.path))
                at = (base + timedelta(seconds=round(piece.offset_s))).strftime("%H:%M:%S")
                rows.append(f"{rel:<13} {vn_date(programme.date):<11} {ascii_text(programme.session.name):<8} "
                            f"{at:<9} {ascii_text(' '.join(piece.title.split()))}")  # one row per file
    lines = [
        MESSAGES["index_title"].format(station=station.name, station_id=station.id),
        MESSAGES["index_period"].format(first=vn_date(programmes[0].date), last=vn_date(programmes[-1].date),
                                        folders=number, files=len(planned)),
        MESSAGES["index_hint"],
        *([MESSAGES["relay_hint"]] if relays else []),
        "",
        MESSAGES["index_header"],
        *rows,
    ]
    lines = [ascii_text(line) for line in lines]
    planned.append(ExportEntry(INDEX, data=("\r\n".join(lines) + "\r\n").encode("ascii")))
    return planned


def write(project: Project, programmes: list[Programme], folder: Path) -> list[str]:
    """Write ``NN/NNN.mp3`` in broadcast order and ``MUCLUC.TXT`` into ``folder``, each flushed in turn.

    Returns:
        The files written, relative to ``folder``, in writing order.

    Raises:
        BroadcasterError: Several stations, or a limit of the player exceeded (nothing written).
    """
    return write_entries(folder, entries(project, programmes))
