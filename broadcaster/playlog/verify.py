"""Play-log stage, verification: turns the stored rows into findings about edited, inserted or deleted plays.

Each station's rows are read in chain order (``seq``) and checked three ways:
the row's own hash (an edited field changes it), the link to the previous row
and the sequence numbers (a deleted row leaves a gap or a broken link), and
the chain head (rows removed from the end, or rows written around the chain).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..errors import Problem, ProblemsError
from .store import GENESIS, PlayStore, chain_heads, plays, row_hash

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


def _check_station(station: str, rows: list, head, before: dict | None = None,
                   to_end: bool = True) -> list[ChainProblem]:
    """Problems of one station's rows in seq order.

    Args:
        rows: The whole chain, or a slice of it (``before`` and ``to_end`` say where it sits).
        head: (seq, last_hash) of the station's chain head, or None.
        before: The row just before the slice (None: the slice starts the chain).
        to_end: The slice runs to the end of the chain (the head is compared).
    """
    found: list[ChainProblem] = []
    head_seq, head_hash = (head if head is not None else (0, GENESIS))
    edited: list[int] = []
    duplicates: list[int] = []
    prev = before      # previous row (as a mapping)
    for row in rows:
        if row["seq"] <= head_seq and row_hash(row, row["prev_hash"]) != row["row_hash"]:
            edited.append(row["id"])
        expected_seq = (prev["seq"] if prev else 0) + 1
        expected_prev = prev["row_hash"] if prev else GENESIS
        if row["seq"] > head_seq:
            pass  # reported below as inserted
        elif row["seq"] < expected_seq:
            # A second row with a number already used: written around the chain.
            duplicates.append(row["id"])
            continue
        elif row["seq"] > expected_seq:
            found.append(ChainProblem(station, "deleted", (row["id"],), MESSAGES["deleted"].format(
                station=station, count=row["seq"] - expected_seq, first=expected_seq, last=row["seq"] - 1,
                next_id=row["id"])))
        elif row["prev_hash"] != expected_prev and prev is not None and prev["id"] not in edited:
            # Contiguous numbers but a broken link: the previous row was changed and its hash recomputed.
            found.append(ChainProblem(station, "edited", (prev["id"],), MESSAGES["relinked"].format(
                station=station, ids=prev["id"], next_id=row["id"])))
        if row["seq"] <= head_seq:
            prev = row
    if edited:
        found.insert(0, ChainProblem(station, "edited", tuple(edited), MESSAGES["edited"].format(
            station=station, ids=_ids(edited))))
    inserted = duplicates + [r["id"] for r in rows if r["seq"] > head_seq]
    if inserted:
        found.append(ChainProblem(station, "inserted", tuple(inserted), MESSAGES["inserted"].format(
            station=station, ids=_ids(inserted))))
    last_seq = prev["seq"] if prev else 0
    if not to_end:
        return found
    if last_seq < head_seq:
        found.append(ChainProblem(station, "deleted", (), MESSAGES["deleted_tail"].format(
            station=station, count=head_seq - last_seq, first=last_seq + 1, last=head_seq,
            prev_id=prev["id"] if prev else "—")))
    elif prev is not None and prev["row_hash"] != head_hash and prev["id"] not in edited:
        found.append(ChainProblem(station, "edited", (prev["id"],), MESSAGES["head_edited"].format(
            station=station, ids=prev["id"])))
    return found


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
            rows = [dict(r._mapping) for r in conn.execute(
                select(plays).where(plays.c.station == station).order_by(plays.c.seq, plays.c.id))]
            total += len(rows)
            problems += _check_station(station, rows, heads.get(station))
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
        names = [c.name for c in plays.columns]
        for st, lo, hi, count in found_spans:
            total += count
            # Plain tuples zipped with the column names: SQLAlchemy's row mappings cost more than the hashing.
            rows = [dict(zip(names, t)) for t in conn.execute(
                select(plays).where(plays.c.station == st, plays.c.seq >= lo, plays.c.seq <= hi)
                .order_by(plays.c.seq, plays.c.id))]
            before = None
            if lo > 1:
                found = conn.execute(select(plays).where(plays.c.station == st, plays.c.seq == lo - 1)
                                     .order_by(plays.c.id).limit(1)).first()
                # No row before: the rows before this slice were deleted; report the gap as a deletion.
                before = dict(found._mapping) if found is not None else {"seq": lo - 2, "row_hash": None, "id": "—"}
            later = conn.execute(select(func.count()).select_from(plays)
                                 .where(plays.c.station == st, plays.c.seq > hi)).scalar_one()
            in_period = {r["id"] for r in rows if start <= r["started_at"] < end}
            for problem in _check_station(st, rows, heads.get(st), before, to_end=not later):
                if problem.kind == "deleted" or not problem.ids or in_period.intersection(problem.ids):
                    problems.append(problem)
        # Rows deleted from the end of a chain may have been this period's: a chain whose
        # head is past its last remaining row, when that row is before the period's end.
        checked = {st for st, *_ in found_spans}
        for st, (head_seq, _) in sorted(heads.items()):
            if st in checked or (station is not None and st != station):
                continue
            last = conn.execute(select(plays).where(plays.c.station == st).order_by(plays.c.seq.desc(), plays.c.id)
                                .limit(1)).first()
            last = dict(last._mapping) if last is not None else None
            if (last["seq"] if last else 0) < head_seq and (last is None or last["started_at"] < end):
                problems += _check_station(st, [], (head_seq, heads[st][1]), last or {"seq": 0, "id": "—",
                                                                                      "row_hash": GENESIS})
    return VerifyResult(total, len(found_spans), tuple(problems))
