"""Play-log stage, verification: turns the stored rows into findings about edited, inserted or deleted plays.

Each station's rows are read in chain order (``seq``) and checked three ways:
the row's own hash (an edited field changes it), the link to the previous row
and the sequence numbers (a deleted row leaves a gap or a broken link), and
the chain head (rows removed from the end, or rows written around the chain).
The rows are streamed in chunks by ``scan.station_rows`` (driver cursor, the
import's hash function), so memory stays flat however long the chain.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..errors import Problem, ProblemsError
from .scan import started_in, station_rows
from .store import GENESIS, PlayStore, chain_heads, plays

MESSAGES = {
    "edited": "đài {station}: lượt phát id {ids} đã bị sửa sau khi ghi (mã băm không khớp nội dung)",
    "relinked": "đài {station}: lượt phát id {ids} đã bị sửa và tính lại mã băm (lượt kế tiếp id {next_id} không còn nối đúng)",
    "deleted": "đài {station}: đã bị xóa {count} lượt phát (số thứ tự {first}–{last}) ngay trước lượt id {next_id}",
    "deleted_tail": "đài {station}: đã bị xóa {count} lượt phát ở cuối nhật ký (số thứ tự {first}–{last}, sau lượt id {prev_id})",
    "inserted": "đài {station}: lượt phát id {ids} được chèn vào ngoài chuỗi ghi nhật ký",
    "head_edited": "đài {station}: lượt phát cuối id {ids} không khớp đầu chuỗi — đã bị sửa hoặc thay thế",
    "failed": "nhật ký {url} không toàn vẹn: {count} vấn đề — các lượt phát nêu trên đã bị sửa, chèn hoặc xóa ngoài phần mềm; đối chiếu với bản sao lưu",
    "ok": "Nhật ký toàn vẹn: {rows} lượt phát, {stations} đài.",
}


@dataclass(frozen=True)
class ChainProblem:
    """One finding of `verify_log`: what happened (edited | deleted | inserted) to which rows of a station."""

    station: str
    kind: str
    ids: tuple[int, ...]
    message: str


@dataclass(frozen=True)
class VerifyResult:
    """Rows and stations checked, and every finding."""

    rows: int
    stations: int
    problems: tuple[ChainProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


class ChainBroken(ProblemsError):
    """``log verify`` found tampering; the message names the row ids."""

    def __init__(self, result: VerifyResult, url: str):
        # __str__ runs inside the base constructor: set the summary first.
        self.summary = MESSAGES["failed"].format(url=url, count=len(result.problems))
        self.result = result
        super().__init__([Problem(None, None, p.message) for p in result.problems])

    def __str__(self) -> str:
        return super().__str__() + "\n" + self.summary


def _ids(ids) -> str:
    return ", ".join(str(i) for i in ids)


def _check_station(station: str, chunks, head, before: tuple | None = None,
                   to_end: bool = True) -> list[ChainProblem]:
    """Problems of one station's rows in seq order, read once (rows may be a stream).

    Args:
        chunks: Lists of (id, seq, prev_hash, row_hash, hash_ok) in chain order (``scan.station_rows``): the whole
            chain, or a slice of it (``before`` and ``to_end`` say where it sits). ``hash_ok`` is False
            when the stored hash does not match the row's values (rows past the head are not judged).
        head: (seq, last_hash) of the station's chain head, or None.
        before: (id, seq, row_hash) of the row just before the slice (None: the slice starts the chain).
        to_end: The slice runs to the end of the chain (the head is compared).
    """
    found: list[ChainProblem] = []
    head_seq, head_hash = (head if head is not None else (0, GENESIS))
    edited: list[int] = []
    edited_set: set = set()
    duplicates: list[int] = []
    beyond: list[int] = []
    prev = before      # previous row: (id, seq, row_hash)
    for chunk in chunks:
        for row_id, seq, prev_hash, stored, hash_ok in chunk:
            if seq > head_seq:
                beyond.append(row_id)  # reported below as inserted
                continue
            if not hash_ok:
                edited.append(row_id)
                edited_set.add(row_id)
            expected_seq = (prev[1] if prev else 0) + 1
            if seq < expected_seq:
                # A second row with a number already used: written around the chain.
                duplicates.append(row_id)
                continue
            if seq > expected_seq:
                found.append(ChainProblem(station, "deleted", (row_id,), MESSAGES["deleted"].format(
                    station=station, count=seq - expected_seq, first=expected_seq, last=seq - 1, next_id=row_id)))
            elif prev is not None and prev_hash != prev[2] and prev[0] not in edited_set:
                # Contiguous numbers but a broken link: the previous row was changed and its hash recomputed.
                found.append(ChainProblem(station, "edited", (prev[0],), MESSAGES["relinked"].format(
                    station=station, ids=prev[0], next_id=row_id)))
            prev = (row_id, seq, stored)
    if edited:
        found.insert(0, ChainProblem(station, "edited", tuple(edited), MESSAGES["edited"].format(
            station=station, ids=_ids(edited))))
    inserted = duplicates + beyond
    if inserted:
        found.append(ChainProblem(station, "inserted", tuple(inserted), MESSAGES["inserted"].format(
            station=station, ids=_ids(inserted))))
    last_seq = prev[1] if prev else 0
    if not to_end:
        return found
    if last_seq < head_seq:
        found.append(ChainProblem(station, "deleted", (), MESSAGES["deleted_tail"].format(
            station=station, count=head_seq - last_seq, first=last_seq + 1, last=head_seq,
            prev_id=prev[0] if prev else "—")))
    elif prev is not None and prev[2] != head_hash and prev[0] not in edited_set:
        found.append(ChainProblem(station, "edited", (prev[0],), MESSAGES["head_edited"].format(
            station=station, ids=prev[0])))
    return found


class _Counted:
    """Wraps a stream of row chunks and counts the rows that went through."""

    def __init__(self, chunks):
        self.chunks, self.count = chunks, 0

    def __iter__(self):
        for chunk in self.chunks:
            self.count += len(chunk)
            yield chunk


def verify_log(store: PlayStore) -> VerifyResult:
    """Recompute every station's chain.

    Args:
        store: The play log.

    Returns:
        Rows and stations checked and the problems found (empty when intact).
    """
    problems: list[ChainProblem] = []
    total = 0
    with store.read() as conn:
        heads = {r.station: (r.seq, r.last_hash) for r in conn.execute(select(chain_heads))}
        stations = sorted(set(heads) | {s for (s,) in conn.execute(select(plays.c.station).distinct())})
        for station in stations:
            head = heads.get(station)
            rows = _Counted(station_rows(conn, station, verify_to=head[0] if head else 0))
            problems += _check_station(station, rows, head)
            total += rows.count
    return VerifyResult(total, len(stations), tuple(problems))


def verify_period(store: PlayStore, start: datetime, end: datetime, station: str | None = None) -> VerifyResult:
    """Check the chain links of the rows a report counts: plays started in [start, end).

    Only the part of each station's chain that holds those rows is read (from
    the row before the first of them to the last of them, by ``seq``), so a
    report over one month does not re-hash years of log. Findings are kept when
    they touch the period: an edited or inserted row of the period, a gap
    (deleted rows) among its rows, or rows deleted from the end of a chain whose
    last remaining row is in or before the period.

    Args:
        store: The play log.
        start, end: The period, naive local station time.
        station: Only this station.

    Returns:
        Rows of the period checked, their stations and the findings (empty when intact).
    """
    problems: list[ChainProblem] = []
    total = 0
    with store.read() as conn:
        spans = select(plays.c.station, func.min(plays.c.seq), func.max(plays.c.seq), func.count()) \
            .where(plays.c.started_at >= start, plays.c.started_at < end).group_by(plays.c.station)
        if station is not None:
            spans = spans.where(plays.c.station == station)
        heads = {r.station: (r.seq, r.last_hash) for r in conn.execute(select(chain_heads))}
        found_spans = conn.execute(spans).all()
        for st, lo, hi, count in found_spans:
            total += count
            head = heads.get(st)
            before = None
            if lo > 1:
                found = conn.execute(select(plays.c.id, plays.c.seq, plays.c.row_hash)
                                     .where(plays.c.station == st, plays.c.seq == lo - 1)
                                     .order_by(plays.c.id).limit(1)).first()
                # No row before: the rows before this slice were deleted; report the gap as a deletion.
                before = tuple(found) if found is not None else ("—", lo - 2, None)
            later = conn.execute(select(plays.c.id).where(plays.c.station == st, plays.c.seq > hi)
                                 .limit(1)).first() is not None
            rows = station_rows(conn, st, lo, hi, verify_to=head[0] if head else 0)
            found_here = _check_station(st, rows, head, before, to_end=not later)
            in_period = started_in(conn, {i for p in found_here for i in p.ids}, start, end)
            for problem in found_here:
                if problem.kind == "deleted" or not problem.ids or in_period.intersection(problem.ids):
                    problems.append(problem)
        # Rows deleted from the end of a chain may have been this period's: a chain whose
        # head is past its last remaining row, when that row is before the period's end.
        checked = {st for st, *_ in found_spans}
        for st, (head_seq, _) in sorted(heads.items()):
            if st in checked or (station is not None and st != station):
                continue
            last = conn.execute(select(plays.c.id, plays.c.seq, plays.c.row_hash, plays.c.started_at)
                                .where(plays.c.station == st).order_by(plays.c.seq.desc(), plays.c.id)
                                .limit(1)).first()
            if (last.seq if last else 0) < head_seq and (last is None or last.started_at < end):
                problems += _check_station(st, [], (head_seq, heads[st][1]),
                                           tuple(last[:3]) if last is not None else ("—", 0, GENESIS))
    return VerifyResult(total, len(found_spans), tuple(problems))
