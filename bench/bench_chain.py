"""Benchmark helpers for the chain check a report adds: real chains for generated rows, and the check as it was.

``load_chained`` writes generated plays with their real hash chain and chain
heads, so ``verify_period`` re-hashes every row as it would on a real log. ``verify_period_before`` is the chain check
as it was before the streaming path (``playlog.scan``): every row of the period
read through SQLAlchemy into a dict, kept in a list, hashed by ``chain.row_hash``;
the bench runs it beside the current one, in the same run, for the before/after row.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from broadcaster.playlog.store import GENESIS, PlayStore, chain_heads, plays, row_hash
from broadcaster.playlog.verify import MESSAGES, ChainProblem, VerifyResult


def load_chained(store, stations: list[tuple[str, str]], scripts: list[tuple[str, str, str, int]], n: int,
                 batch: int = 100_000) -> int:
    """Append ``n`` generated plays over August 2024, chained, through the store's own insert path.

    Stations × scripts take turns, every 97th play is interrupted, one slot every ``step`` seconds (the
    plays an ``INSERT … SELECT`` used to make inside the database, same rows and hashes); each batch is chained and
    written as ``log import`` writes its rows (``PlayStore._insert``: ``bulk.chain_records`` with
    ``executemany`` on SQLite, COPY on PostgreSQL), in one transaction, with the chain heads at the
    end. Ids follow each chain's order, as appends write them. No de-duplication (the rows are
    distinct by construction). On PostgreSQL this replaces an ``INSERT … SELECT`` followed by an
    UPDATE of every row (the former ``fill_chain``), which took about 45 minutes at 10,000,000 plays here.

    Args:
        store: An open, migrated ``PlayStore``.
        stations: (id, medium) per station.
        scripts: (id, campaign, form, priority) per script.
        n: Plays to write.
        batch: Rows chained and written per call.

    Returns:
        The rows written.
    """
    from datetime import timedelta

    ns, nc = len(stations), len(scripts)
    per_slot = ns * nc
    step = max(1, int(31 * 86400 / (n / per_slot + 1)))
    base = datetime(2024, 8, 1)
    heads = {st: (0, GENESIS) for st, _ in stations}
    done = 0
    with store.write() as conn:
        for lo in range(0, n, batch):
            rows = []
            for i in range(lo, min(n, lo + batch)):
                st, medium = stations[i % ns]
                sc, campaign, form, priority = scripts[(i // ns) % nc]
                start = base + timedelta(seconds=(i // per_slot) * step)
                rows.append({"uid": f"{i:032x}", "station": st, "seq": None, "script": sc, "clip_hash": None,
                             "campaign": campaign, "form": form, "medium": medium, "priority": priority,
                             "scheduled_at": None, "started_at": start, "ended_at": start + timedelta(seconds=75),
                             "duration_s": 75.0, "status": "interrupted" if i % 97 == 0 else "played",
                             "source": "import", "source_id": None, "duration_source": None, "voids": None,
                             "reason": None})
            store._insert(conn, rows, heads)
            done += len(rows)
        conn.execute(chain_heads.delete())
        conn.execute(chain_heads.insert(), [{"station": s, "seq": q, "last_hash": h} for s, (q, h) in heads.items()])
    return done

# --- the check before playlog.scan (verbatim but for the names), for the before/after row -----------------


def _ids(ids) -> str:
    return ", ".join(str(i) for i in ids)


def _check_station_before(station: str, rows: list, head, before: dict | None = None,
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


def verify_period_before(store: PlayStore, start: datetime, end: datetime, station: str | None = None) -> VerifyResult:
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
            for problem in _check_station_before(st, rows, heads.get(st), before, to_end=not later):
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
                problems += _check_station_before(st, [], (head_seq, heads[st][1]), last or {"seq": 0, "id": "—",
                                                                                      "row_hash": GENESIS})
    return VerifyResult(total, len(found_spans), tuple(problems))
