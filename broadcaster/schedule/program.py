"""Schedule stage, programmes: a planned session and its clips' records become a `Programme` (pure planning).

A programme (chương trình phát thanh của một phiên) is the session's pieces in
playing order (see `expand.layout`) with `ITEM_GAP_S` of silence between them,
each with its file, offset and real duration. This module only lays pieces out
from clip records it is given; building the clips is ``build.build_programme_clips``,
rendering the silence ``audio.silence``, and preparing and writing programmes
(MP3 + M3U8) ``export.programme``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ..models import PlannedPlay, Project, Session, Station
from ..timeutil import vn_date
from .expand import ITEM_GAP_S, SessionPlan, identity_clip_id, identity_title, plays_of, session_layout, session_word

PROGRAMS_DIR = "programs"

MESSAGES = {
    "programme_title": "{station} — phiên {session} ngày {day}",
    "gap_title": "Khoảng lặng",
    "relay_title": "Tiếp sóng {name}",
    "nothing": "không có lượt phát nào từ {start} đến {end}{station} — kiểm tra lịch phát (schedules/) và ngày đã chọn",
    "for_station": " ở đài {station}",
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


def programme_of(project: Project, plan: SessionPlan, scripts: dict, identity: dict, gap: Path) -> Programme:
    """Lay out one planned session as a programme from its clips' records.

    Args:
        project: The working folder (record paths are relative to its root).
        plan: The session (one station, day and session).
        scripts: Script id → clip record (``manifest.ClipRecord``: ``path``, ``duration_s``,
            ``script_id``) of every script the plan plays.
        identity: (station id, session name, ``opening``/``closing``) → clip record; a relay
            session needs none.
        gap: The silent MP3 of `ITEM_GAP_S` placed between pieces (and standing for a relay's file).

    Returns:
        The programme: pieces in playing order with offsets and real durations, and its plays
        with real start times.
    """
    root = project.root
    name = plan.session.name
    opening, closing = identity.get((plan.station.id, name, "opening")), identity.get((plan.station.id, name, "closing"))
    slots, total = session_layout(plan, opening.duration_s if opening else 0.0, closing.duration_s if closing else 0.0,
                                  lambda e: (e.seconds or 0.0) if e.relay is not None else scripts[e.script.id].duration_s)
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
            rec = scripts[slot.entry.script.id]
            pieces.append(Piece("script", root / rec.path, slot.entry.script.title, slot.offset_s,
                                slot.duration_s, rec.script_id, f"{rec.script_id}.mp3"))
        else:
            rec = opening if slot.kind == "opening" else closing
            clip_id = identity_clip_id(plan.station, name, slot.kind)
            pieces.append(Piece(slot.kind, root / rec.path, identity_title(plan.station, name, slot.kind),
                                slot.offset_s, slot.duration_s, None, f"_{clip_id}.mp3"))
    plays = plays_of(plan, slots, lambda s: scripts[s.id].path if s.id in scripts else None)
    return Programme(plan.station, plan.date, plan.session, tuple(pieces), tuple(plays), total)


def day_range(start: date, days: int) -> tuple[date, date]:
    """(first, last) day of ``days`` days from ``start`` (``days`` ≥ 1)."""
    return start, start + timedelta(days=max(1, days) - 1)


def nothing_message(start: date, end: date, station: str | None) -> str:
    """The message for a range with no plays."""
    return MESSAGES["nothing"].format(start=vn_date(start), end=vn_date(end),
                                      station=MESSAGES["for_station"].format(station=station) if station else "")
