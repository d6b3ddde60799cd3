"""Play-log stage, rows and hash chain: turns what is known about a play into a row dict and its chain hash.

``row_hash = sha256(canonical(fields) + prev_hash)``, where ``prev_hash`` is
the ``row_hash`` of the station's previous row (GENESIS for the first) and
``seq`` counts the station's rows from 1. Fields added by later migrations
enter the canonical form only when set, so rows written before them keep
their hash.
"""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from datetime import datetime

GENESIS = "0" * 64

HASHED_FIELDS = ("uid", "station", "seq", "script", "clip_hash", "campaign", "form", "medium", "priority",
                 "scheduled_at", "started_at", "ended_at", "duration_s", "status", "source", "source_id",
                 "duration_source", "voids", "reason")


def new_uid() -> str:
    """A global row id: 32 hex digits, time-ordered like a UUIDv7 (nanoseconds, then 64 random bits).

    Time order keeps inserts at the end of the uid index instead of scattered
    over it, which matters for imports of hundreds of thousands of rows.
    """
    return f"{time.time_ns():016x}{os.urandom(8).hex()}"


def _t(value) -> str:
    if value is None:
        return ""
    return value.isoformat(timespec="microseconds") if isinstance(value, datetime) else str(value)


def _o(value) -> str:
    return "" if value is None else str(value)


def row_hash(row: dict, prev_hash: str) -> str:
    """The chain hash of one row: sha256 over its canonical fields and the previous row's hash.

    The canonical form is the HASHED_FIELDS in that order, joined by U+001F:
    None as "", datetimes as ISO 8601 with microseconds, the duration with
    three decimals, everything else as str(); then U+001E and ``prev_hash``.
    ``duration_source`` is appended (after another U+001F) only when it is set:
    rows written before migration 0004 have it NULL and keep their hash. A
    void row (migration 0005) appends U+001D, ``voids``, U+001F and ``reason``;
    rows that void nothing append nothing and keep their hash.
    (Written out rather than looped: this runs for every imported row.)

    Args:
        row: Column values (at least HASHED_FIELDS).
        prev_hash: ``row_hash`` of the station's previous row (GENESIS for the first).

    Returns:
        64 hex digits.
    """
    g = row.get
    d = g("duration_s")
    canonical = (
        f"{_o(g('uid'))}\x1f{_o(g('station'))}\x1f{_o(g('seq'))}\x1f{_o(g('script'))}\x1f{_o(g('clip_hash'))}\x1f"
        f"{_o(g('campaign'))}\x1f{_o(g('form'))}\x1f{_o(g('medium'))}\x1f{_o(g('priority'))}\x1f"
        f"{_t(g('scheduled_at'))}\x1f{_t(g('started_at'))}\x1f{_t(g('ended_at'))}\x1f"
        f"{'' if d is None else format(float(d), '.3f')}\x1f{_o(g('status'))}\x1f{_o(g('source'))}\x1f"
        f"{_o(g('source_id'))}{'' if g('duration_source') is None else chr(31) + g('duration_source')}"
        f"{'' if g('voids') is None else chr(29) + g('voids') + chr(31) + _o(g('reason'))}"
        f"\x1e{prev_hash}")
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class PlayIn:
    """A play to append (lượt phát): what the player, an import or a confirmation knows about it."""

    station: str
    script: str
    started_at: datetime
    status: str = "played"
    source: str = "import"
    ended_at: datetime | None = None
    duration_s: float | None = None
    scheduled_at: datetime | None = None
    source_id: str | None = None
    clip_hash: str | None = None
    campaign: str | None = None
    form: str | None = None
    medium: str | None = None
    priority: str | None = None
    uid: str | None = None
    duration_source: str | None = None

    def key(self) -> tuple:
        return (self.station, self.script, _strip_tz(self.started_at))

    def as_row(self) -> dict:
        return play_row(self.station, self.script, self.started_at, status=self.status, source=self.source,
                        ended_at=self.ended_at, duration_s=self.duration_s, scheduled_at=self.scheduled_at,
                        source_id=self.source_id, clip_hash=self.clip_hash, campaign=self.campaign, form=self.form,
                        medium=self.medium, priority=self.priority, uid=self.uid,
                        duration_source=self.duration_source)


def play_row(station: str, script: str, started_at: datetime, *, status: str = "played", source: str = "import",
             ended_at: datetime | None = None, duration_s: float | None = None, scheduled_at: datetime | None = None,
             source_id: str | None = None, clip_hash: str | None = None, campaign: str | None = None,
             form: str | None = None, medium: str | None = None, priority: str | None = None,
             uid: str | None = None, duration_source: str | None = None) -> dict:
    """The row dict ``PlayStore.append`` takes (PlayIn.as_row; the importer calls it directly, per row).

    The duration defaults to ended − started (0 without an end) and is kept to
    milliseconds. ``duration_source`` defaults to ``confirm`` for confirmations,
    ``log`` when an end time or length is given (or the play did not air), else
    ``unknown`` (a played row with only a start time: its clip's length is
    counted when the log is read). Everything after the play's station, script
    and start is keyword-only: thirteen optional columns are too many to pass
    by position without mixing two up.
    """
    started = _strip_tz(started_at)
    ended = _strip_tz(ended_at) if ended_at else None
    if duration_source is None:
        if source == "confirm":
            duration_source = "confirm"
        elif ended is not None or duration_s is not None or status != "played":
            duration_source = "log"
        else:
            duration_source = "unknown"
    if duration_s is None:
        duration_s = (ended - started).total_seconds() if ended else 0.0
    return {
        "uid": uid or new_uid(), "station": station, "script": script, "clip_hash": clip_hash,
        "campaign": campaign, "form": form, "medium": medium, "priority": priority,
        "scheduled_at": _strip_tz(scheduled_at) if scheduled_at else None, "started_at": started, "ended_at": ended,
        "duration_s": round(float(duration_s if duration_s > 0 else 0.0), 3), "status": status, "source": source,
        "source_id": source_id, "duration_source": duration_source,
    }


def _strip_tz(value: datetime | None) -> datetime | None:
    # The log keeps naive local station time; tz-aware values were converted by the caller.
    return value.replace(tzinfo=None) if value is not None and value.tzinfo else value


@dataclass
class AppendResult:
    """How many plays were new and how many were already in the log (by source_id, uid or key)."""

    new: int = 0
    existing: int = 0
