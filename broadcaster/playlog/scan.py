"""Play-log stage, chain scan: turns a station's stored rows into chain facts, streamed and re-hashed in one pass.

``log verify`` and the report's chain check read every row of a chain. Row
mappings of SQLAlchemy and a dict per row cost more than the hashing and held
every row in memory (about 920 MB at 1,000,000 rows), so rows are read here
with the driver's own cursor (sqlite3, or a psycopg server-side cursor), in
chunks of CHUNK rows, only the columns the hash covers plus ``id`` and the two
hash columns, and each is re-hashed by ``bulk.chain_digest``, the function
``log import`` hashes with: the two cannot disagree about the canonical text.

Times arrive as SQLite's text ("YYYY-MM-DD HH:MM:SS.ffffff", as SQLAlchemy
writes them) or as datetimes (PostgreSQL). A row whose time has another shape,
or whose fast hash does not match its ``row_hash``, is read again through
SQLAlchemy and hashed by the reference ``chain.row_hash``, so a row is called
edited exactly when the reference says so.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.engine import Connection

from . import bulk
from .chain import row_hash
from .schema import plays

CHUNK = 2000
# id, seq, prev_hash, row_hash, then every hashed column (chain.HASHED_FIELDS without seq).
COLUMNS = ("id", "seq", "prev_hash", "row_hash", "uid", "station", "script", "clip_hash", "campaign", "form",
           "medium", "priority", "scheduled_at", "started_at", "ended_at", "duration_s", "status", "source",
           "source_id", "duration_source", "voids", "reason")


def _iso(value):
    """ISO 8601 text of a stored time as chain.row_hash writes it, or None when the shape is not a known one."""
    if value is None:
        return ""
    if value.__class__ is str:
        if len(value) == 26 and value[10] == " " and value[19] == ".":
            return value[:10] + "T" + value[11:]
        return None
    if value.__class__ is datetime:
        return value.isoformat(timespec="microseconds")
    return None


def reference_ok(conn: Connection, row_id: int) -> bool:
    """The row's stored hash matches ``chain.row_hash`` over its values as SQLAlchemy reads them."""
    found = conn.execute(select(plays).where(plays.c.id == row_id)).first()
    if found is None:  # pragma: no cover - read inside the same transaction
        return False
    values = dict(found._mapping)
    return row_hash(values, values["prev_hash"]) == values["row_hash"]


def station_rows(conn: Connection, station: str, lo: int | None = None, hi: int | None = None,
                 verify_to: int = 0, after_id: int | None = None) -> Iterator[list[tuple[int, int, str, str, bool]]]:
    """A station's rows in chain order (seq, then id), as chunks of (id, seq, prev_hash, row_hash, hash_ok).

    Args:
        conn: An open read transaction.
        station: The chain.
        lo, hi: Only rows with lo ≤ seq ≤ hi (None: no bound).
        verify_to: Rows with seq ≤ this are re-hashed (``hash_ok``: the stored hash matches the
            row's values); later rows (past the chain head) are not, and get True.
        after_id: Only rows with id > this (a chain mark's row, ``playlog.marks``): read by
            primary-key range, not through the station's other rows.

    Yields:
        Lists of up to CHUNK tuples, one per row; memory stays at one chunk of rows.
    """
    sqlite = conn.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    # After a mark, the id range is the narrow one: SQLite is kept off the station indexes ("+station").
    where, params = [f"{'+' if sqlite and after_id is not None else ''}station = {mark}"], [station]
    if after_id is not None:
        where.append(f"id > {mark}")
        params.append(after_id)
    if lo is not None:
        where.append(f"seq >= {mark}")
        params.append(lo)
    if hi is not None:
        where.append(f"seq <= {mark}")
        params.append(hi)
    sql = f"SELECT {', '.join(COLUMNS)} FROM plays WHERE {' AND '.join(where)} ORDER BY seq, id"
    raw = conn.connection.driver_connection
    cursor = raw.cursor() if sqlite else raw.cursor(name="broadcaster_chain_scan")
    pieces: dict[tuple, str] = {}
    digest, middle_piece = bulk.chain_digest, bulk.middle_piece   # looked up per call: tests spy on them
    try:
        if not sqlite:
            cursor.itersize = CHUNK
        cursor.execute(sql, params)
        while True:
            chunk = cursor.fetchmany(CHUNK)
            if not chunk:
                break
            out = []
            append = out.append
            for (row_id, seq, prev_hash, stored, uid, st, script, clip_hash, campaign, form, medium, priority,
                 scheduled, started, ended, duration, status, source, source_id, d_source, voids,
                 reason) in chunk:
                if seq > verify_to:
                    append((row_id, seq, prev_hash, stored, True))
                    continue
                # SQLite's text of the times, the usual case, inline; _iso for the rest (None: unknown shape).
                t_iso = (started[:10] + "T" + started[11:] if started.__class__ is str and len(started) == 26
                         and started[10] == " " and started[19] == "." else _iso(started))
                e_iso = (ended[:10] + "T" + ended[11:] if ended.__class__ is str and len(ended) == 26
                         and ended[10] == " " and ended[19] == "." else _iso(ended))
                s_iso = "" if scheduled is None else _iso(scheduled)
                ok = False
                if s_iso is not None and t_iso is not None and e_iso is not None:
                    key = (script, clip_hash, campaign, form, medium, priority)
                    ok = digest(uid, st, seq, pieces.get(key) or middle_piece(pieces, key), s_iso, t_iso,
                                e_iso, duration, status, source, source_id, d_source, voids, reason,
                                prev_hash) == stored
                if not ok:
                    ok = reference_ok(conn, row_id)
                append((row_id, seq, prev_hash, stored, ok))
            yield out
    finally:
        cursor.close()


def started_in(conn: Connection, ids, start: datetime, end: datetime) -> set[int]:
    """Those of ``ids`` whose play started in [start, end), compared as SQLAlchemy reads the times."""
    found: set[int] = set()
    ids = [i for i in ids if isinstance(i, int)]
    for i in range(0, len(ids), 500):
        for row_id, started in conn.execute(select(plays.c.id, plays.c.started_at)
                                            .where(plays.c.id.in_(ids[i:i + 500]))):
            if start <= started < end:
                found.add(row_id)
    return found
