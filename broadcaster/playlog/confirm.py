"""Play-log stage, confirmation: turns the plan of one station, day (and session) into plays the operator vouches for.

For hardware that cannot log (timer players, wired amplifiers with a USB
player), the operator confirms that the day's programme was aired; each
planned play becomes a row with ``source=confirm``, ``status=played``, started
at its scheduled time. Confirming twice adds nothing; a slot already logged by
the player or an import is left alone.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ..errors import BroadcasterError, did_you_mean, valid_list
from . import load_plan
from .store import PlayIn, PlayStore

MESSAGES = {
    "unknown_station": 'đài không tồn tại "{value}"{hint} — các đài: {valid}',
    "unknown_session": 'đài {station} không có phiên "{value}"{hint} — các phiên: {valid}',
    "no_schedule": "chưa có phần lập lịch (broadcaster.schedule) nên chưa xác nhận được theo kế hoạch",
    "nothing": "Không có lượt phát nào theo lịch của đài {station} ngày {day}{session}.",
    "done": "Đã xác nhận đài {station} ngày {day}{session}: {new} lượt mới, {existing} lượt đã có.",
}


@dataclass(frozen=True)
class ConfirmResult:
    """Counts of a confirmation."""

    station: str
    day: date
    session: str | None
    planned: int
    new: int
    existing: int

    def message(self) -> str:
        session = f" phiên {self.session}" if self.session else ""
        if not self.planned:
            return MESSAGES["nothing"].format(station=self.station, day=self.day.strftime("%d/%m/%Y"), session=session)
        return MESSAGES["done"].format(station=self.station, day=self.day.strftime("%d/%m/%Y"), session=session,
                                       new=self.new, existing=self.existing)


_HASHES: dict[tuple[str, float, int], str] = {}


def clip_file_hash(project, clip: str | None, script: str) -> str | None:
    """sha256 of the clip file that was (or would be) played, or None when it is not built.

    Args:
        project: The working folder.
        clip: The clip path relative to the root (PlannedPlay.clip) or None.
        script: Script id, for the default ``audio_out/clips/<id>.mp3``.
    """
    path = Path(project.root) / clip if clip else Path(project.clips_dir) / f"{script}.mp3"
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path), stat.st_mtime, stat.st_size)
    if key not in _HASHES:
        _HASHES[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _HASHES[key]


def check_station(project, station_id: str):
    """The station, or a BroadcasterError naming the valid ones."""
    station = project.station(station_id)
    if station is None:
        ids = [s.id for s in project.stations]
        raise BroadcasterError(MESSAGES["unknown_station"].format(
            value=station_id, hint=did_you_mean(station_id, ids), valid=valid_list(ids)))
    return station


def confirm_plan(project, store: PlayStore, day: date, station_id: str, session: str | None = None,
                 plan=None) -> ConfirmResult:
    """Log the planned plays of a station's day (or one session) as aired.

    Args:
        project: The working folder.
        store: The play log.
        day: The broadcast day.
        station_id: The station.
        session: Only this session (phiên), e.g. ``sang``.
        plan: PlannedPlay list to use instead of expanding the schedules (tests).

    Returns:
        Planned, new and already-logged counts.
    """
    station = check_station(project, station_id)
    if session is not None and station.session(session) is None:
        names = [s.name for s in station.sessions]
        raise BroadcasterError(MESSAGES["unknown_session"].format(
            station=station.id, value=session, hint=did_you_mean(session, names), valid=valid_list(names)))
    if plan is None:
        try:
            plan = load_plan(project, day, day, station=station.id)
        except ImportError as exc:
            raise BroadcasterError(MESSAGES["no_schedule"]) from exc
    chosen = [p for p in plan if p.station == station.id and p.date == day and (session is None or p.session == session)]
    logged = store.logged_slots(station.id, min((p.start for p in chosen), default=None)) if chosen else set()
    items = []
    already = 0
    for p in chosen:
        if (p.script, p.start) in logged:
            already += 1
            continue
        items.append(PlayIn(
            station=p.station, script=p.script, started_at=p.start, ended_at=p.start + timedelta(seconds=p.duration_s),
            duration_s=p.duration_s, status="played", source="confirm", scheduled_at=p.start,
            source_id=f"confirm:{p.station}:{p.start.isoformat(timespec='seconds')}:{p.script}",
            clip_hash=clip_file_hash(project, p.clip, p.script), campaign=p.campaign or None, form=p.form,
            medium=p.medium, priority=p.priority))
    result = store.append(items)
    return ConfirmResult(station.id, day, session, len(chosen), result.new, result.existing + already)
