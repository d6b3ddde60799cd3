"""Export stage, M3U: session programmes become UTF-8 ``.m3u8`` playlists for software players.

Layout of the folder::

    audio/2g-thong-bao.mp3                    each clip once (scripts, identity clips, the silence)
    audio/_xa-dai-tam-sang-mo-dau.mp3         identity clips start with "_" (script ids never do)
    2024-08-05_xa-dai-tam_sang.m3u8           one playlist per day, station and session

Each playlist lists the session's pieces in playing order (opening, scripts,
closing, with the silence file between them) as ``#EXTINF:seconds,title`` and a
path relative to the playlist, so a player logs each script as its own track
and the whole list plays for the programme's length. A relay (tiếp sóng) is a
stream entry at its place: ``#EXTINF:seconds,Tiếp sóng NAME`` then its URL
(or ``input:NAME``), which players such as VLC and Liquidsoap relay.
"""
from __future__ import annotations

from pathlib import Path

from .. import portable
from ..models import Project
from ..schedule.program import Programme
from .folder import ExportEntry, write_entries

AUDIO_DIR = "audio"


def m3u_text(entries: list[tuple[float, str, str]], title: str | None = None) -> str:
    """An extended M3U playlist (UTF-8 text, ``\\n`` line ends).

    Args:
        entries: ``(seconds, title, relative path)`` in playing order.
        title: Optional ``#PLAYLIST:`` title.
    """
    lines = ["#EXTM3U"]
    if title:
        lines.append(f"#PLAYLIST:{title}")
    for seconds, name, path in entries:
        lines.append(f"#EXTINF:{seconds:.3f},{' '.join(name.split())}")
        lines.append(path)
    return "\n".join(lines) + "\n"


def playlist_name(programme: Programme) -> str:
    """``YYYY-MM-DD_STATION_SESSION.m3u8``: sorts by day in a file list.

    The session's name is free text; characters Windows and FAT sticks refuse in
    file names (``ca 1/2``, ``sáng: 5h``) become ``-``.
    """
    session = portable.file_name_part(programme.session.name)
    return f"{programme.date.isoformat()}_{programme.station.id}_{session}.m3u8"


def entries(project: Project, programmes: list[Programme]) -> list[ExportEntry]:
    """The audio (each clip once) and one playlist per programme, in writing order.

    Playlists are UTF-8 with ``\\n`` line ends and ``/`` in their relative paths on
    every platform (built as bytes, never through the platform's text mode).
    """
    del project  # same signature as the other formats
    planned: list[ExportEntry] = []
    copied: set[str] = set()
    for programme in programmes:
        lines = []
        for piece in programme.pieces:
            if piece.kind == "relay":  # tiếp sóng: a stream entry at its place, the player relays it
                lines.append((piece.duration_s, piece.title, piece.url))
                continue
            rel = f"{AUDIO_DIR}/{piece.name}"
            if rel not in copied:
                planned.append(ExportEntry(rel, source=piece.path))
                copied.add(rel)
            lines.append((piece.duration_s, piece.title, rel))
        planned.append(ExportEntry(playlist_name(programme), data=m3u_text(lines, programme.title).encode("utf-8")))
    return planned


def write(project: Project, programmes: list[Programme], folder: Path) -> list[str]:
    """Copy the audio and write one playlist per programme into ``folder``.

    Returns:
        The files written, relative to ``folder``, in writing order.
    """
    return write_entries(folder, entries(project, programmes))
