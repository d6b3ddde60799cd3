"""Play-log stage, confirmation: turns the plan of one station, day (and session) into plays the operator vouches for.

For hardware that cannot log (timer players, wired amplifiers with a USB
player), the operator confirms that the day's programme was aired; each
planned play becomes a row with ``source=confirm``, ``status=played``, started
at its scheduled time. Confirming twice adds nothing; a slot already logged by
the player or an import is left alone. A day or session that has not ended
yet in station time is refused (``aired.not_aired_yet``): nothing is written,
and the message names the session's end.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from ..errors import BroadcasterError, did_you_mean, valid_list
from ..timeutil import station_now
from . import load_plan
from .aired import not_aired_yet, session_span
from .store import PlayIn, PlayStore

MESSAGES = {
    "unknown_session": 'đài {station} không có phiên "{value}"{hint} — các phiên: {valid}',
    "not_yet": "chưa xác nhận được: {reasons}",
    "not_yet_hint": "chưa ghi lượt nào; xác nhận được riêng từng phiên đã kết thúc",
    "nothing": "Không có lượt phát nào theo lịch của đài {station} ngày {day}{session}.",
    "done": "Đã xác nhận đài {station} ngày {day}{session}: {new} lượt mới, {existing} lượt đã có.",
}


class NotAiredYet(BroadcasterError):
    """The day or session asked for has not aired yet in station time (nothing is written).

    The hint says a finished session can be confirmed on its own; each shell
    adds how (the CLI names its option, the web has the session field).
    """


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
    return project.require_station(station_id)


def check_day_aired(project, day: date, station_id: str, session: str | None = None, now: datetime | None = None,
                    plan=()) -> None:
    """Refuse confirming a day (or session) of a station that has not aired yet in station time.

    Every session asked for must have ended (``aired.not_aired_yet``), even one
    without planned plays; planned plays outside the station's sessions must
    have ended too.

    Raises:
        BroadcasterError: Names each session not over yet and its end; nothing is written.
    """
    station = check_station(project, station_id)
    now = now if now is not None else station_now(project.timezone)
    names = [session] if session is not None else [s.name for s in station.sessions]
    reasons = []
    for name in names:
        span = session_span(station, day, name)
        if span is not None:
            reason = not_aired_yet(station, span.start, now=now, session=name, whole=True)
            if reason and reason not in reasons:
                reasons.append(reason)
    for p in plan:
        if p.session in names and station.session(p.session) is not None:
            continue  # judged with its session above
        reason = not_aired_yet(station, p.start, now=now, duration_s=p.duration_s)
        if reason and reason not in reasons:
            reasons.append(reason)
    if reasons:
        raise NotAiredYet(MESSAGES["not_yet"].format(reasons="; ".join(reasons)), hint=MESSAGES["not_yet_hint"])


def confirm_plan(project, store: PlayStore, day: date, station_id: str, session: str | None = None,
                 plan=None, now: datetime | None = None) -> ConfirmResult:
    """Log the planned plays of a station's day (or one session) as aired.

    Args:
        project: The working folder.
        store: The play log.
        day: The broadcast day.
        station_id: The station.
        session: Only this session (phiên), e.g. ``sang``.
        plan: PlannedPlay list to use instead of expanding the schedules (tests).
        now: The current station time (default: the clock in the folder's time zone).

    Returns:
        Planned, new and already-logged counts.

    Raises:
        BroadcasterError: Unknown station or session, or a play of the day (session) that has
            not aired yet — its session has not ended; nothing is written.
    """
    station = check_station(project, station_id)
    if session is not None and station.session(session) is None:
        names = [s.name for s in station.sessions]
        raise BroadcasterError(MESSAGES["unknown_session"].format(
            station=station.id, value=session, hint=did_you_mean(session, names), valid=valid_list(names)))
    if plan is None:
        plan = load_plan(project, day, day, station=station.id)
    chosen = [p for p in plan if p.station == station.id and p.date == day and (session is None or p.session == session)]
    check_day_aired(project, day, station.id, session, now, plan=chosen)
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
