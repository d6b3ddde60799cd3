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

from sqlalchemy import func, literal_column, select

from ..errors import Problem, ProblemsError
from .marks import headless_rows, save_marks, valid_marks
from .report_index import DAY_SQL
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
    """Rows and stations checked, and every finding.

    ``rows`` are the rows the check vouches for (``verify_period``: the period's rows); ``hashed`` how
    many rows this check read and re-hashed (None: not counted); ``earlier`` how many of ``rows`` were
    not re-hashed because a chain mark (``playlog.marks``) covers them: verified by an earlier check and,
    as the database's triggers guarantee, not changed since.
    """

    rows: int
    stations: int
    problems: tuple[ChainProblem, ...]
    hashed: int | None = None
    earlier: int = 0

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
    """Wraps a stream of row chunks; counts the rows, keeps the last one and the highest id."""

    def __init__(self, chunks):
        self.chunks, self.count, self.last, self.max_id = chunks, 0, None, 0

    def __iter__(self):
        for chunk in self.chunks:
            if chunk:
                self.count += len(chunk)
                self.last = chunk[-1]
                self.max_id = max(self.max_id, max(r[0] for r in chunk))
            yield chunk

    def mark(self, before=None) -> tuple[int, int, str] | None:
        """(seq, row_id, row_hash) for a chain mark when the rows read end the chain at its highest id."""
        if self.last is None:
            return None if before is None else (before[1], before[0], before[2])
        row_id, seq, _prev, stored, _ok = self.last
        return (seq, row_id, stored) if row_id == self.max_id and (before is None or row_id > before[0]) else None


def verify_log(store: PlayStore) -> VerifyResult:
    """Recompute every station's chain (always in full, marks or not); when intact, set every station's mark.

    Args:
        store: The play log.

    Returns:
        Rows and stations checked and the problems found (empty when intact).
    """
    problems: list[ChainProblem] = []
    total = 0
    new_marks: dict[str, tuple[int, int, str]] = {}
    with store.read(snapshot=True) as conn:
        heads = {r.station: (r.seq, r.last_hash) for r in conn.execute(select(chain_heads))}
        stations = sorted(set(heads) | {s for (s,) in conn.execute(select(plays.c.station).distinct())})
        for station in stations:
            head = heads.get(station)
            rows = _Counted(station_rows(conn, station, verify_to=head[0] if head else 0))
            problems += _check_station(station, rows, head)
            total += rows.count
            mark = rows.mark()
            if mark is not None:
                new_marks[station] = mark
        if not problems:
            save_marks(conn, new_marks)
    return VerifyResult(total, len(stations), tuple(problems), hashed=total)


def _in_period(conn, found: list[ChainProblem], start: datetime, end: datetime) -> list[ChainProblem]:
    """The findings a period's check keeps: deletions, findings without rows, and those naming a row of the period."""
    in_period = started_in(conn, {i for p in found for i in p.ids}, start, end)
    return [p for p in found if p.kind == "deleted" or not p.ids or in_period.intersection(p.ids)]


def _period_count(conn, start: datetime, end: datetime, station: str | None = None, after_id: int | None = None) -> int:
    """Rows started in [start, end) (of one station; with ``after_id``: only ids above it, by primary-key range)."""
    query = select(func.count()).select_from(plays)
    if after_id is None:
        query = query.where(plays.c.started_at >= start, plays.c.started_at < end)
        if station is not None:
            query = query.where(plays.c.station == station)
    else:
        # Wrapped columns keep the planner on the id range (a mark's new rows are few) rather than an
        # index over the station's or the period's rows.
        started = func.coalesce(plays.c.started_at, plays.c.started_at)
        query = query.where(plays.c.id > after_id, (plays.c.station + "") == station, started >= start, started < end)
    return conn.execute(query).scalar_one()


def _has_rows(conn, station: str, start: datetime, end: datetime) -> bool:
    """The station has a row started in [start, end); whole days are looked up in the report's index (day, station)."""
    query = select(plays.c.id).where(plays.c.station == station, plays.c.started_at >= start, plays.c.started_at < end)
    if start.time() == end.time() == datetime.min.time():
        backend = "sqlite" if conn.dialect.name == "sqlite" else "postgresql"
        day = literal_column(DAY_SQL[backend])
        first, after = ((start.date().isoformat(), end.date().isoformat()) if backend == "sqlite"
                        else (start.date(), end.date()))
        # Ordered by day: the index is walked from the first day and stops at the station's first row.
        query = select(literal_column("1")).select_from(plays).where(
            day >= first, day < after, plays.c.station == station).order_by(day)
    return conn.execute(query.limit(1)).first() is not None


def _whole_chain_mark(conn, st: str, head, lo: int, slice_rows: _Counted, before) -> tuple[int, int, str] | None:
    """After a clean slice [lo, …] of a chain without a mark: check the rest of the chain; its mark when all is intact.

    The findings of these extra rows are not reported (the period's check reports what it always did);
    they only decide whether the whole chain may be marked.
    """
    verify_to = head[0] if head else 0
    max_id = slice_rows.max_id
    if slice_rows.last is None or slice_rows.last[0] != max_id:
        return None     # ids not in chain order (not written by append): no mark, and no extra reading
    if lo > 1:
        prefix = _Counted(station_rows(conn, st, hi=lo - 1, verify_to=verify_to))
        if _check_station(st, prefix, head, None, to_end=False):
            return None
        if prefix.last is None or (prefix.last[0], prefix.last[1], prefix.last[3]) != tuple(before or ()):
            return None
        max_id = max(max_id, prefix.max_id)
    last = slice_rows.last
    if last is None:
        return None
    suffix = _Counted(station_rows(conn, st, lo=last[1] + 1, verify_to=verify_to))
    if _check_station(st, suffix, head, (last[0], last[1], last[3]), to_end=True):
        return None
    end = suffix.last or last
    if end[0] < max(max_id, suffix.max_id):
        return None
    return end[1], end[0], end[3]


def verify_period(store: PlayStore, start: datetime, end: datetime, station: str | None = None) -> VerifyResult:
    """Check the chain links of the rows a report counts: plays started in [start, end).

    A station with a chain mark (``playlog.marks``: verified intact up to a row, unchanged since, as the
    database's triggers guarantee) has only its rows after the mark re-hashed, linked to the mark's hash,
    up to the chain head; the period's older rows count as verified. A station without one has the part
    of its chain that holds the period's rows read (from the row before the first of them to the last of
    them, by ``seq``), so a report over one month does not re-hash years of log; when that is clean the
    rest of its chain is checked once, to set its mark. Findings are kept when they touch the period: an
    edited or inserted row of the period, a gap (deleted rows) among its rows, or rows deleted from the
    end of a chain whose last remaining row is in or before the period. When nothing at all was found,
    the marks move to the last row checked (in this transaction; not on a read-only database).

    Args:
        store: The play log.
        start, end: The period, naive local station time.
        station: Only this station.

    Returns:
        Rows of the period checked, their stations, the rows re-hashed, the rows covered by marks and the
        findings (empty when intact).
    """
    problems: list[ChainProblem] = []
    hashed = earlier = 0
    new_marks: dict[str, tuple[int, int, str]] = {}
    unmarked_found = False
    with store.read(snapshot=True) as conn:
        heads = {r.station: (r.seq, r.last_hash) for r in conn.execute(select(chain_heads))}
        marks = valid_marks(conn)
        wanted = [station] if station is not None else sorted(heads)
        marked = [st for st in wanted if st in marks]

        def check_marked(st: str) -> int:
            """Re-hash the rows after the station's mark; returns how many of the period's rows they hold."""
            nonlocal hashed
            seq, row_id, row_hash = marks[st]
            before = (row_id, seq, row_hash)
            rows = _Counted(station_rows(conn, st, verify_to=heads[st][0], after_id=row_id))
            found_here = _check_station(st, rows, heads[st], before, to_end=True)
            hashed += rows.count
            problems.extend(_in_period(conn, found_here, start, end))
            mark = rows.mark(before) if not found_here else None
            if mark is not None and mark[1] != row_id:
                new_marks[st] = mark
            return _period_count(conn, start, end, st, after_id=row_id) if rows.count else 0

        if wanted and len(marked) == len(wanted):
            # Every chain is marked: no pass over the period's rows, only a count of them.
            total = _period_count(conn, start, end, station)
            earlier = total - sum(check_marked(st) for st in marked)
            in_stations = sum(1 for st in marked if _has_rows(conn, st, start, end))
        else:
            spans = select(plays.c.station, func.min(plays.c.seq), func.max(plays.c.seq), func.count()) \
                .where(plays.c.started_at >= start, plays.c.started_at < end).group_by(plays.c.station)
            if station is not None:
                spans = spans.where(plays.c.station == station)
            found_spans = conn.execute(spans).all()
            total, in_stations = sum(n for *_, n in found_spans), len(found_spans)
            for st, lo, hi, count in found_spans:
                if st in marks and st in heads:
                    earlier += count - check_marked(st)
                    continue
                unmarked_found = True
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
                rows = _Counted(station_rows(conn, st, lo, hi, verify_to=head[0] if head else 0))
                found_here = _check_station(st, rows, head, before, to_end=not later)
                hashed += rows.count
                problems.extend(_in_period(conn, found_here, start, end))
                if not found_here and head is not None and not problems:
                    mark = _whole_chain_mark(conn, st, head, lo, rows, before)
                    if mark is not None:
                        new_marks[st] = mark
            # Rows deleted from the end of a chain may have been this period's: a chain whose
            # head is past its last remaining row, when that row is before the period's end.
            checked = {st for st, *_ in found_spans}
            for st, (head_seq, _) in sorted(heads.items()):
                if st in checked or (station is not None and st != station):
                    continue
                if st in marks:
                    check_marked(st)
                    continue
                unmarked_found = True
                last = conn.execute(select(plays.c.id, plays.c.seq, plays.c.row_hash, plays.c.started_at)
                                    .where(plays.c.station == st).order_by(plays.c.seq.desc(), plays.c.id)
                                    .limit(1)).first()
                if (last.seq if last else 0) < head_seq and (last is None or last.started_at < end):
                    problems += _check_station(st, [], (head_seq, heads[st][1]),
                                               tuple(last[:3]) if last is not None else ("—", 0, GENESIS))
                elif last is not None and not problems:
                    # No row in the period: the whole chain once, for its mark.
                    rows = _Counted(station_rows(conn, st, verify_to=head_seq))
                    if not _check_station(st, rows, heads[st]) and rows.mark() is not None:
                        new_marks[st] = rows.mark()
        if not problems and new_marks and not (unmarked_found and headless_rows(conn)):
            save_marks(conn, new_marks)
    return VerifyResult(total, in_stations, tuple(problems), hashed=hashed, earlier=earlier)
