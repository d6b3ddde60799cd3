"""Export stage, M3U: session programmes become UTF-8 ``.m3u8`` playlists for software players.

Layout of the folder::

    audio/2g-thong-bao.mp3                    each clip once (scripts, identity clips, the silence)
    audio/_xa-dai-tam-sang-mo-dau.mp3         identity clips start with "_" (script ids never do)
    2024-08-05_xa-dai-tam_sang.m3u8           one playlist per day, station and session

Each playlist lists the session's pieces in playing order (opening, scripts,
closing, with the silence file between them) as ``#EXTINF:seconds,title`` and a
path relative to the playlist, so a player logs each script as its own track
and the whole list plays for the programme's length.
"""
from __future__ import annotations

from pathlib import Path

from ..models import Project
from ..schedule.program import Programme, m3u_text
from . import copy_in_order

AUDIO_DIR = "audio"


def playlist_name(programme: Programme) -> str:
    """``YYYY-MM-DD_STATION_SESSION.m3u8``: sorts by day in a file list."""
    return f"{programme.date.isoformat()}_{programme.station.id}_{programme.session.name}.m3u8"


def write(project: Project, programmes: list[Programme], folder: Path) -> list[str]:
    """Copy the audio and write one playlist per programme into ``folder``.

    Returns:
        The files written, relative to ``folder``, in writing order.
    """
    del project  # same signature as the other formats
    written: list[str] = []
    copied: set[str] = set()
    for programme in programmes:
        entries = []
        for piece in programme.pieces:
            rel = f"{AUDIO_DIR}/{piece.name}"
            if rel not in copied:
                copy_in_order(piece.path, folder / rel)
                copied.add(rel)
                written.append(rel)
            entries.append((piece.duration_s, piece.title, rel))
        name = playlist_name(programme)
        (folder / name).write_text(m3u_text(entries, programme.title), encoding="utf-8")
        written.append(name)
    return written
