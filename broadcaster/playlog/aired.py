"""Play-log stage, the "has it aired yet?" rule: turns a play's times and the station's sessions into a refusal or nothing.

One rule for every way a play enters the log (confirmation, import, the
player, the web forms): a play is only logged once it has happened, in
station time. A play whose start is after now has not happened; a play
whose end (logged, or start + length) is after now has not finished; and a
play vouched for by a confirmation or an import, inside a session (phiên)
that has not ended yet, is refused until the session's end — the operator
cannot know yet that the rest of the session aired. The player, which logs
what it has just aired, checks only the first two.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as time_of_day

from ..timeutil import station_now, vn_date

MESSAGES = {
    "future": "lượt phát lúc {start} chưa diễn ra (bây giờ là {now}, giờ đài){session} — chỉ ghi nhận lượt đã phát",
    "session_part": "; phiên {name} kết thúc lúc {end}",
    "unfinished": "lượt phát lúc {start} chưa phát xong (kết thúc lúc {end}, bây giờ là {now}, giờ đài)",
    "session_future": "phiên {name} ngày {day} của đài {station} chưa diễn ra (bắt đầu lúc {start}, kết thúc lúc {end}; "
                      "bây giờ là {now}, giờ đài) — chỉ xác nhận sau {end}",
    "session_open": "phiên {name} ngày {day} của đài {station} chưa kết thúc (kết thúc lúc {end}, bây giờ là {now}, "
                    "giờ đài) — xác nhận hoặc nhập các lượt của phiên này sau {end}",
}


def _hm(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def _moment(moment: datetime) -> str:
    return f"{_hm(moment)} ngày {vn_date(moment.date())}"


@dataclass(frozen=True)
class SessionSpan:
    """One session of a station on one day, as moments."""

    name: str
    start: datetime
    end: datetime


def session_span(station, day: date, name: str) -> SessionSpan | None:
    """The station's session ``name`` on ``day`` (a session ending at or before its start ends the next day)."""
    session = station.session(name) if station is not None else None
    if session is None:
        return None
    start = datetime.combine(day, session.start)
    end = datetime.combine(day, session.end)
    if end <= start:
        end += timedelta(days=1)
    return SessionSpan(session.name, start, end)


def session_at(station, moment: datetime) -> SessionSpan | None:
    """The station's session that contains ``moment`` (start ≤ moment < end), or None."""
    if station is None:
        return None
    for day in (moment.date(), moment.date() - timedelta(days=1)):
        for session in station.sessions:
            span = session_span(station, day, session.name)
            if span is not None and span.start <= moment < span.end:
                return span
    return None


def not_aired_yet(station, started_at: datetime, *, now: datetime | None = None, timezone: str | None = None,
                  ended_at: datetime | None = None, duration_s: float | None = None,
                  session: str | None = None, whole_session: bool = True, whole: bool = False) -> str | None:
    """Why a play may not be logged yet, in Vietnamese; None when it may.

    Args:
        station: The station (its sessions name the moment to wait for), or None.
        started_at: Naive local station time the play started (or was scheduled).
        now: The current station time (default: now in ``timezone``).
        timezone: IANA zone of the stations, for the default ``now``.
        ended_at: The logged end, if any.
        duration_s: The play's length, when there is no end.
        session: The session the play belongs to (default: the one containing its start).
        whole_session: Also refuse while the play's session has not ended (confirmations,
            imports); False for the player, which logs each play as it ends.
        whole: ``started_at`` is the start of the whole session (a confirmation): name the session.

    Returns:
        None, or a message naming the start, the end or the session's end.
    """
    now = now if now is not None else station_now(timezone)
    if started_at < datetime.combine(now.date() - timedelta(days=1), time_of_day.min):
        # Fast path (bulk imports of old plays): the play started before yesterday's midnight, so
        # its session (begun on the start's day or the day before, ended before the second midnight
        # after that day) is over; only the play's own end can still lie ahead.
        end = ended_at
        if end is None and duration_s:
            end = started_at + timedelta(seconds=float(duration_s))
        if end is None or end <= now:
            return None
    span = None
    if station is not None:
        span = session_span(station, started_at.date(), session) if session else session_at(station, started_at)
    if started_at > now and whole and span is not None:
        return MESSAGES["session_future"].format(name=span.name, day=vn_date(span.start.date()), station=station.id,
                                                 start=_moment(span.start), end=_moment(span.end), now=_moment(now))
    if started_at > now:
        part = MESSAGES["session_part"].format(name=span.name, end=_moment(span.end)) if span else ""
        return MESSAGES["future"].format(start=_moment(started_at), now=_moment(now), session=part)
    end = ended_at
    if end is None and duration_s:
        end = started_at + timedelta(seconds=float(duration_s))
    if end is not None and end > now:
        return MESSAGES["unfinished"].format(start=_moment(started_at), end=_moment(end), now=_moment(now))
    if whole_session and span is not None and span.end > now:
        return MESSAGES["session_open"].format(name=span.name, day=vn_date(span.start.date()), station=station.id,
                                               end=_moment(span.end), now=_moment(now))
    return None

