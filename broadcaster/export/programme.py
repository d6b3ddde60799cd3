"""Export stage, programmes: planned sessions and built clips become one MP3 + M3U8 per station, day and session.

`prepare_programmes` plans the sessions (``schedule.expand``), builds every missing or
stale clip they play in one job run (``build.build_programme_clips``: the rebuilt ones
are named in ``notes``; a clip that cannot be built stops the command — never silently
skipped, never the old audio), renders the gap (``audio.silence``) and lays each session
out (``schedule.program.programme_of``). The export formats and the `program` command
start from these programmes.

`write_programme` joins a programme: every clip of a project shares one MP3 profile,
so the pieces are joined with FFmpeg's concat demuxer and stream copy — no re-encoding,
time linear in the programme length and memory that does not grow with it. The silence
is a short MP3 of the same profile, encoded once and cached under
``audio_out/programs/_lang/``.

Output: ``audio_out/programs/STATION/YYYY-MM-DD/SESSION.mp3`` and beside it
``SESSION.m3u8`` naming that file, each written to a temporary name and renamed.
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from ..atomic import atomic_path, atomic_write_text, temp_path_for
from ..audio.ffmpeg import run_ffmpeg
from ..audio.silence import silent_mp3
from ..build import build_programme_clips
from ..models import Project
from ..schedule.expand import ITEM_GAP_S, iter_sessions, mp3_seconds
from ..schedule.load import Schedule
from ..schedule.program import PROGRAMS_DIR, Piece, Programme, programme_of
from .m3u import m3u_text

SILENCE_DIR = "_lang"


def silence_clip(project: Project, seconds: float = ITEM_GAP_S) -> Path:
    """The cached silent MP3 of ``seconds`` in the project's profile (made once).

    Returns:
        Its absolute path, ``audio_out/programs/_lang/PROFILE-MSms.mp3``.

    Raises:
        BroadcasterError: FFmpeg failed.
    """
    ms = int(round(seconds * 1000))
    path = project.out_dir / PROGRAMS_DIR / SILENCE_DIR / f"{project.audio.profile}-{ms}ms.mp3"
    return silent_mp3(path, seconds, project.audio.profile)


def prepare_programmes(project: Project, schedules: list[Schedule], start: date, end: date,
                       station: str | None = None, *, progress=None, notes: list[str] | None = None,
                       jobs: int | None = None) -> list[Programme]:
    """Build every missing clip and lay out each session programme between two days.

    Args:
        project: The working folder.
        schedules: Loaded schedules.
        start: First day, inclusive.
        end: Last day, inclusive.
        station: Only this station id, or all.
        progress: Passed to the clip builder (a `Progress` or None).
        jobs: Clips built at once (``build.build_jobs``; None: BROADCASTER_JOBS, else one per core).
        notes: When given, Vietnamese notes for staff are appended: which stale clips
            were rebuilt, and which clips the fallback speech engine read.

    Returns:
        The programmes in order of day, station and session; each carries its
        pieces (files, offsets, real durations) and its plays with real start times.

    Raises:
        BroadcasterError: A clip could not be built (or is still stale), or the gap could not be made.
    """
    plans = list(iter_sessions(project, schedules, start, end, station))
    if not plans:
        return []
    clips = build_programme_clips(project, plans, progress=progress, jobs=jobs)
    if notes is not None:
        notes += clips.notes
    gap = silence_clip(project)
    return [programme_of(project, plan, clips.scripts, clips.identity, gap) for plan in plans]


def _concat_line(path: Path) -> str:
    # The concat demuxer reads 'file' directives; a quote inside the path is written '\''.
    return "file '" + str(path).replace("'", "'\\''") + "'\n"


def write_programme(project: Project, programme: Programme) -> tuple[Path, Path]:
    """Join a programme's pieces into ``SESSION.mp3`` (stream copy) and write ``SESSION.m3u8``.

    A programme with relays (tiếp sóng): the MP3 holds its clips only and the
    playlist lists the pieces in playing order, each relay as its stream URL
    (players such as VLC and Liquidsoap relay it); a relay session without
    cut-ins has no MP3 and its playlist path is returned twice.

    Returns:
        The MP3 and playlist paths.

    Raises:
        BroadcasterError: FFmpeg failed or the folder is not writable; nothing is left half-written.
    """
    folder = programme.folder(project)
    folder.mkdir(parents=True, exist_ok=True)
    stem = programme.session.name
    mp3 = folder / f"{stem}.mp3"
    playlist = folder / f"{stem}.m3u8"
    files = [piece for piece in programme.pieces if piece.kind != "relay"]
    relays = len(files) != len(programme.pieces)
    if files and not (relays and all(piece.kind == "gap" for piece in files)):
        _join(project, programme, files, folder, mp3)
    elif relays:  # a relay session without cut-ins: nothing to join, the playlist relays the source
        atomic_write_text(playlist, m3u_text(_relay_entries(programme, folder), programme.title))
        return playlist, playlist
    if relays:
        # The MP3 holds the clips only; the playlist gives the playing order with the source at its place.
        atomic_write_text(playlist, m3u_text(_relay_entries(programme, folder), programme.title))
        return mp3, playlist
    seconds = mp3_seconds(mp3) or programme.duration_s
    atomic_write_text(playlist, m3u_text([(seconds, programme.title, mp3.name)], programme.title))
    return mp3, playlist


def _relay_entries(programme: Programme, folder: Path) -> list[tuple[float, str, str]]:
    """Playlist lines of a programme with relays: clips by relative path, each relay as its stream URL."""
    out = []
    for piece in programme.pieces:
        target = piece.url if piece.kind == "relay" else Path(os.path.relpath(piece.path, folder)).as_posix()
        out.append((piece.duration_s, piece.title, target))
    return out


def _join(project: Project, programme: Programme, pieces: list[Piece], folder: Path, mp3: Path) -> None:
    """Concatenate ``pieces`` (stream copy) into ``mp3``, written atomically."""
    listing = temp_path_for(folder / f"{programme.session.name}.concat")
    try:
        text = "ffconcat version 1.0\n" + "".join(_concat_line(piece.path) for piece in pieces)
        with open(listing, "wb") as fh:  # bytes: the same \n line ends on every platform
            fh.write(text.encode("utf-8"))
        with atomic_path(mp3) as temp:
            run_ffmpeg(["-loglevel", "error", "-f", "concat", "-safe", "0", "-i", str(listing),
                        "-map", "0:a", "-c", "copy", "-map_metadata", "-1", "-id3v2_version", "3",
                        "-metadata", f"title={programme.title}", "-metadata", f"artist={programme.station.name}",
                        "-metadata", f"album={project.organization}", "-f", "mp3", str(temp)])
    finally:
        if listing.exists():
            os.unlink(listing)
