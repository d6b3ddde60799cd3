"""Play-log stage, verification: turns the stored rows into findings about edited, inserted or deleted plays.

Each station's rows are read in chain order (``seq``) and checked three ways:
the row's own hash (an edited field changes it), the link to the previous row
and the sequence numbers (a deleted row leaves a gap or a broken link), and
the chain head (rows removed from the end, or rows written around the chain).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

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


def _check_station(station: str, rows: list, head) -> list[ChainProblem]:
    found: list[ChainProblem] = []
    head_seq, head_hash = (head if head is not None else (0, GENESIS))
    edited: list[int] = []
    duplicates: list[int] = []
    prev = None        # previous row (as a mapping)
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
