"""Schedule stage, programmes: planned sessions and built clips become one MP3 + M3U8 per station, day and session.

A programme (chương trình phát thanh của một phiên) is the session's pieces in
playing order (see `expand.layout`) with `ITEM_GAP_S` of silence between them.
Every clip of a project shares one MP3 profile, so the pieces are joined with
FFmpeg's concat demuxer and stream copy: no re-encoding, time linear in the
programme length and memory that does not grow with it. The silence is a short
MP3 of the same profile, encoded once and cached under
``audio_out/programs/_lang/``. Missing clips, and stale ones (built before
their script, the station's identity text or the settings changed), are built
first with the clip builder, and the rebuilt ones are named in ``notes``; a clip
that cannot be built stops the command (never silently skipped, never the old audio).

Output: ``audio_out/programs/STATION/YYYY-MM-DD/SESSION.mp3`` and beside it
``SESSION.m3u8`` naming that file, each written to a temporary name and renamed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ..atomic import atomic_path, atomic_write_text, temp_path_for
from ..errors import BroadcasterError
from ..models import PROFILES, PlannedPlay, Project, Session, Station
from ..timeutil import vn_date
from . import expand
from .expand import (IDENTITY_DIR, ITEM_GAP_S, identity_clip_id, identity_texts, identity_title, plays_of,
                     session_layout, session_word)
from .load import Schedule

PROGRAMS_DIR = "programs"
SILENCE_DIR = "_lang"

MESSAGES = {
    "no_builder": "chưa có bộ tạo tệp âm thanh (broadcaster.build) — cập nhật broadcaster rồi chạy lại",
    "clip_missing": 'không tạo được tệp âm thanh cho kịch bản "{script}" — chạy  broadcaster build {script}  để xem lỗi',
    "programme_title": "{station} — phiên {session} ngày {day}",
    "gap_title": "Khoảng lặng",
    "relay_title": "Tiếp sóng {name}",
    "nothing": "không có lượt phát nào từ {start} đến {end}{station} — kiểm tra lịch phát (schedules/) và ngày đã chọn",
    "for_station": " ở đài {station}",
    "rebuilt": "đã tạo lại {count} tệp âm thanh cũ (nội dung hoặc thiết lập đã sửa sau khi tạo): {clips}",
    "still_stale": "tệp âm thanh của {clip} vẫn chưa khớp nội dung hiện tại sau khi tạo lại — chạy  broadcaster build  rồi thử lại",
}


@dataclass(frozen=True)
class Piece:
    """One file of a programme in playing order.

    Attributes:
        kind: ``script``, ``opening``, ``closing``, ``gap`` or ``relay`` (tiếp sóng: a live source,
            not a file; ``url`` names it and ``script`` is the relay id).
        path: Absolute path of the MP3.
        title: Title for playlists and indexes.
        offset_s: Seconds from the session start.
        duration_s: Playing length in seconds.
        script: Script id for ``script`` pieces, else None.
        name: File name to use when the piece is copied into an export.
    """

    kind: str
    path: Path
    title: str
    offset_s: float
    duration_s: float
    script: str | None
    name: str
    url: str | None = None     # ``relay`` pieces: the stream or input relayed (path is then the silence clip)


@dataclass(frozen=True)
class Programme:
    """A session programme of one station on one day, ready to be joined or exported."""

    station: Station
    date: date
    session: Session
    pieces: tuple[Piece, ...]
    plays: tuple[PlannedPlay, ...]
    duration_s: float

    @property
    def title(self) -> str:
        return MESSAGES["programme_title"].format(station=self.station.name, session=session_word(self.session.name),
                                                  day=vn_date(self.date))

    def folder(self, project: Project) -> Path:
        """``audio_out/programs/STATION/YYYY-MM-DD``."""
        return project.out_dir / PROGRAMS_DIR / self.station.id / self.date.isoformat()


def _builder():
    api = expand.clip_api()
    if api is None:
        raise BroadcasterError(MESSAGES["no_builder"])
    return api


def silence_clip(project: Project, seconds: float = ITEM_GAP_S) -> Path:
    """The cached silent MP3 of ``seconds`` in the project's profile (made once).

    Returns:
        Its absolute path, ``audio_out/programs/_lang/PROFILE-MSms.mp3``.
    """
    profile = PROFILES.get(project.audio.profile, PROFILES["standard"])
    ms = int(round(seconds * 1000))
    path = project.out_dir / PROGRAMS_DIR / SILENCE_DIR / f"{project.audio.profile}-{ms}ms.mp3"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    from ..audio.ffmpeg import run_ffmpeg

    with atomic_path(path) as temp:
        run_ffmpeg(["-loglevel", "error", "-f", "lavfi", "-i", f"anullsrc=r={profile['rate']}:cl=mono",
                    "-t", f"{seconds:.3f}", "-ac", "1", "-ar", str(profile["rate"]), "-c:a", "libmp3lame",
                    "-b:a", profile["bitrate"], "-map_metadata", "-1", "-f", "mp3", str(temp)])
    return path


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
        jobs: Clips built at once (``build.build_clips``; None: BROADCASTER_JOBS, else one per core).
        notes: When given, Vietnamese notes for staff are appended: which stale clips
            were rebuilt, and which clips the fallback speech engine read.

    Returns:
        The programmes in order of day, station and session; each carries its
        pieces (files, offsets, real durations) and its plays with real start times.

    Raises:
        BroadcasterError: No clip builder, or a clip could not be built.
    """
    plans = list(expand.iter_sessions(project, schedules, start, end, station))
    if not plans:
        return []
    api = _builder()
    needed = sorted({e.script.id for plan in plans for e in plan.entries if e.relay is None})
    before = api.clip_states(project, needed, identity=True)
    built = api.build_clips(project, needed, progress=progress, jobs=jobs)
    records = {rec.script_id: rec for rec in built.records}
    for sid in needed:
        if sid not in records or not (project.root / records[sid].path).exists():
            raise BroadcasterError(MESSAGES["clip_missing"].format(script=sid))
    identity: dict[tuple[str, str, str], object] = {}
    for plan in plans:
        for kind in ("opening", "closing"):
            key = (plan.station.id, plan.session.name, kind)
            if key in identity or plan.session.relay:  # a relay session has no identity clips
                continue
            opening, closing = identity_texts(plan.station, plan.session.name)
            identity[key] = api.build_text_clip(
                project, identity_clip_id(plan.station, plan.session.name, kind),
                identity_title(plan.station, plan.session.name, kind),
                opening if kind == "opening" else closing, chime=kind == "opening")
    used = needed + [f"{IDENTITY_DIR}/{identity_clip_id(st, se, kind)}" for st, se, kind in
                     ((plan.station, plan.session.name, k) for plan in plans for k in ("opening", "closing")
                      if not plan.session.relay)]
    after = api.clip_states(project, needed, identity=True)
    for clip_id in dict.fromkeys(used):
        if clip_id in after and not after[clip_id].current:  # the build left it old: never assemble it
            raise BroadcasterError(MESSAGES["still_stale"].format(clip=clip_id))
    if notes is not None:
        rebuilt = [clip_id for clip_id in dict.fromkeys(used) if clip_id in before and before[clip_id].stale]
        if rebuilt:
            notes.append(MESSAGES["rebuilt"].format(count=len(rebuilt), clips=", ".join(rebuilt)))
        notes += api.fallback_warnings(list(records.values()) + list(identity.values()))
    gap = silence_clip(project)
    root = project.root
    programmes = []
    for plan in plans:
        name = plan.session.name
        opening, closing = identity.get((plan.station.id, name, "opening")), identity.get((plan.station.id, name, "closing"))
        slots, total = session_layout(plan, opening.duration_s if opening else 0.0,
                                      closing.duration_s if closing else 0.0,
                                      lambda e: (e.seconds or 0.0) if e.relay is not None else records[e.script.id].duration_s)
        pieces: list[Piece] = []
        for i, slot in enumerate(slots):
            if i:
                pieces.append(Piece("gap", gap, MESSAGES["gap_title"], slot.offset_s - ITEM_GAP_S, ITEM_GAP_S,
                                    None, f"_khoang-lang-{int(ITEM_GAP_S * 1000)}ms.mp3"))
            if slot.kind == "relay":
                relay = slot.entry.relay
                pieces.append(Piece("relay", gap, MESSAGES["relay_title"].format(name=relay.name), slot.offset_s,
                                    slot.duration_s, relay.id, f"_tiep-song-{relay.id}", url=relay.url))
            elif slot.kind == "script":
                rec = records[slot.entry.script.id]
                pieces.append(Piece("script", root / rec.path, slot.entry.script.title, slot.offset_s,
                                    slot.duration_s, rec.script_id, f"{rec.script_id}.mp3"))
            else:
                rec = opening if slot.kind == "opening" else closing
                clip_id = identity_clip_id(plan.station, name, slot.kind)
                pieces.append(Piece(slot.kind, root / rec.path, identity_title(plan.station, name, slot.kind),
                                    slot.offset_s, slot.duration_s, None, f"_{clip_id}.mp3"))
        plays = plays_of(plan, slots, lambda s: records[s.id].path if s.id in records else None)
        programmes.append(Programme(plan.station, plan.date, plan.session, tuple(pieces), tuple(plays), total))
    return programmes


def _concat_line(path: Path) -> str:
    # The concat demuxer reads 'file' directives; a quote inside the path is written '\''.
    return "file '" + str(path).replace("'", "'\\''") + "'\n"


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
    seconds = expand.mp3_seconds(mp3) or programme.duration_s
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
    from ..audio.ffmpeg import run_ffmpeg

    listing = temp_path_for(folder / f"{programme.session.name}.concat")
    try:
        with open(listing, "w", encoding="utf-8") as fh:
            fh.write("ffconcat version 1.0\n")
            for piece in pieces:
                fh.write(_concat_line(piece.path))
        with atomic_path(mp3) as temp:
            run_ffmpeg(["-loglevel", "error", "-f", "concat", "-safe", "0", "-i", str(listing),
                        "-map", "0:a", "-c", "copy", "-map_metadata", "-1", "-id3v2_version", "3",
                        "-metadata", f"title={programme.title}", "-metadata", f"artist={programme.station.name}",
                        "-metadata", f"album={project.organization}", "-f", "mp3", str(temp)])
    finally:
        if listing.exists():
            os.unlink(listing)


def day_range(start: date, days: int) -> tuple[date, date]:
    """(first, last) day of ``days`` days from ``start`` (``days`` ≥ 1)."""
    return start, start + timedelta(days=max(1, days) - 1)


def nothing_message(start: date, end: date, station: str | None) -> str:
    """The message for a range with no plays."""
    return MESSAGES["nothing"].format(start=vn_date(start), end=vn_date(end),
                                      station=MESSAGES["for_station"].format(station=station) if station else "")
