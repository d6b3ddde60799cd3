"""Play-log stage, corrections: turns "this play was logged by mistake, because …" into a chained void row.

A play that was logged by mistake (the wrong station, a confirmation of a
session that did not air, a duplicate typed in by hand) is never edited or
deleted: ``log verify`` would rightly call that tampering. Staff void it
instead (hủy lượt phát): a new row is appended to the same station's hash
chain with status and source ``void``, ``voids`` = the voided play's uid and
the staff's ``reason``. The voided row stays exactly as it was; the report
leaves it out of every count and airtime and says how many plays were voided;
``log list`` and the web log show it as voided, with the reason.

A void cannot be voided, nor a play voided twice (the database refuses a
second void of the same play too, through a unique index on ``voids``).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import BroadcasterError
from .chain import play_row
from .schema import REASON_MAX, STATUS_LABELS, VOID_STATUS, plays
from .store import PlayStore

MESSAGES = {
    "bad_id": 'mã lượt phát không hợp lệ "{value}" — mã là số nguyên dương ở cột "Mã" của danh sách nhật ký phát',
    "unknown": "không có lượt phát mã {id} trong nhật ký {url} — xem mã ở cột \"Mã\" của danh sách nhật ký phát; "
               "không có gì thay đổi",
    "is_void": "mã {id} là một dòng hủy lượt phát (đã hủy lượt mã {target}), không phải lượt phát — không hủy được "
               "dòng hủy; không có gì thay đổi",
    "already": "lượt phát mã {id} đã được hủy lúc {at} (dòng hủy mã {by}, lý do: {reason}) — mỗi lượt chỉ hủy "
               "một lần; không có gì thay đổi",
    "no_reason": "chưa ghi lý do hủy lượt phát mã {id} — ghi rõ vì sao lượt này sai (ví dụ: nhập nhầm đài, "
                 "xác nhận nhầm phiên không phát, trùng lượt); không có gì thay đổi",
    "long_reason": "lý do hủy lượt phát mã {id} dài {length} ký tự, quá {limit} ký tự — viết ngắn lại; "
                   "không có gì thay đổi",
    "busy": "chưa hủy được lượt phát mã {id}: quá nhiều lượt cùng kịch bản đang được hủy cùng lúc — thử lại; "
            "không có gì thay đổi",
    "done": "Đã hủy lượt phát mã {id} ({station}, {script}, bắt đầu {started}, {status}) — lý do: {reason}. "
            "Dòng hủy mã {by} được nối vào chuỗi mã băm; lượt này không còn được tính trong báo cáo.",
}


KEY_TRIES = 1000
ID_MAX = 2**63 - 1  # ids are 64-bit integers in SQLite and PostgreSQL; a longer number names no play


class VoidRefused(BroadcasterError):
    """The play cannot be voided (unknown id, a void row, voided already, no reason); nothing was written."""


@dataclass(frozen=True)
class VoidResult:
    """A play that was voided: its id, the void row's id and the reason, and what the play was."""

    play_id: int
    void_id: int
    reason: str
    station: str
    script: str
    started_at: datetime
    status: str

    def message(self) -> str:
        """The Vietnamese confirmation staff see."""
        return MESSAGES["done"].format(id=self.play_id, station=self.station, script=self.script,
                                       started=self.started_at.strftime("%d/%m/%Y %H:%M:%S"),
                                       status=STATUS_LABELS.get(self.status, self.status).lower(),
                                       reason=self.reason, by=self.void_id)


def play_id(value) -> int:
    """A play's id as staff type it (``"12"``, `` 12 ``) → 12.

    Raises:
        VoidRefused: Not a positive whole number.
    """
    text = str(value if value is not None else "").strip()
    if not text.isdecimal() or int(text) < 1:  # isdigit() lets "²" through, which int() refuses
        raise VoidRefused(MESSAGES["bad_id"].format(value=text))
    return int(text)


def clean_reason(play: int, reason: str | None) -> str:
    """The reason as stored: NFC, control characters dropped, spaces collapsed, at most REASON_MAX characters.

    Raises:
        VoidRefused: Empty (or only spaces and control characters) or too long.
    """
    # Control characters (NUL, BEL …) are never meant and PostgreSQL refuses NUL in text.
    printable = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in reason or "")
    text = " ".join(unicodedata.normalize("NFC", printable).split())
    if not text:
        raise VoidRefused(MESSAGES["no_reason"].format(id=play))
    if len(text) > REASON_MAX:
        raise VoidRefused(MESSAGES["long_reason"].format(id=play, length=len(text), limit=REASON_MAX))
    return text


def _refuse_existing(conn, target, play: int) -> None:
    found = conn.execute(select(plays.c.id, plays.c.reason, plays.c.started_at)
                         .where(plays.c.voids == target.uid)).first()
    if found is not None:
        raise VoidRefused(MESSAGES["already"].format(id=play, by=found.id, reason=found.reason,
                                                     at=found.started_at.strftime("%d/%m/%Y %H:%M:%S")))


def void_play(store: PlayStore, play: int | str, reason: str | None, *, now: datetime | None = None) -> VoidResult:
    """Void one play of the log: append a chained void row naming it, with the reason.

    The void row belongs to the voided play's station chain; its ``started_at`` is
    the moment of voiding (naive local station time), its script, campaign, form
    and medium are the play's (so a reader of the raw table sees what was voided),
    its length 0 and it has no scheduled time (it is never a slot of the plan).

    Args:
        store: The play log.
        play: The play's id (the "Mã" column of ``log list`` and the web log), int or text.
        reason: Why it is voided (required; NFC, at most REASON_MAX characters).
        now: The moment of voiding in station time (default: the computer's clock).

    Returns:
        The play voided and the void row's id.

    Raises:
        VoidRefused: A bad or unknown id, a void row, a play voided already, an empty or
            too long reason. Nothing is written.
        BroadcasterError: The database cannot be reached; nothing is written.
    """
    ident = play_id(play)
    text = clean_reason(ident, reason)
    moment = (now or datetime.now()).replace(tzinfo=None)
    try:
        with store.write() as conn:
            target = conn.execute(select(plays).where(plays.c.id == ident)).first() if ident <= ID_MAX else None
            if target is None:
                raise VoidRefused(MESSAGES["unknown"].format(id=ident, url=store.display_url))
            if target.status == VOID_STATUS or target.voids is not None:
                raise VoidRefused(MESSAGES["is_void"].format(id=ident, target=_target_id(conn, target.voids)))
            _refuse_existing(conn, target, ident)
            for step in range(KEY_TRIES):
                # (station, script, started_at) is unique in the log: two plays of one script voided at the
                # same moment (a fixed clock, a fast hand) take the next free microsecond.
                row = play_row(target.station, target.script, moment + timedelta(microseconds=step),
                               status=VOID_STATUS, source=VOID_STATUS, duration_s=0.0, clip_hash=target.clip_hash,
                               campaign=target.campaign, form=target.form, medium=target.medium,
                               priority=target.priority)
                row["voids"], row["reason"] = target.uid, text
                if store.append([row], conn=conn).new == 1:
                    break
            else:  # pragma: no cover - a thousand voids of one script in one millisecond
                raise VoidRefused(MESSAGES["busy"].format(id=ident))
            void_id = conn.execute(select(plays.c.id).where(plays.c.uid == row["uid"])).scalar_one()
    except IntegrityError:
        # Another writer voided the same play between our check and our insert (unique index on voids).
        with store.read() as conn:
            target = conn.execute(select(plays).where(plays.c.id == ident)).first() if ident <= ID_MAX else None
            _refuse_existing(conn, target, ident)
        raise
    return VoidResult(ident, void_id, text, target.station, target.script, target.started_at, target.status)


def _target_id(conn, uid: str | None):
    if uid is None:
        return "—"
    found = conn.execute(select(plays.c.id).where(plays.c.uid == uid)).scalar()
    return found if found is not None else "—"
