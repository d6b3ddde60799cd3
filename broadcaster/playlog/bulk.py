"""Play-log stage, bulk path: turns checked, de-duplicated play rows into chained database records in one pass.

``log import`` writes hundreds of thousands of rows at once; the per-row cost
of the general path (a dict lookup and a str() call per hashed field, a second
ISO formatting of every time for the insert, psycopg's per-value adaptation in
``COPY … write_row``) was most of the import's time. Here one loop per row
computes the chain hash over the same canonical text as ``chain.row_hash``
(the script/campaign/form/medium/priority piece, the same for most rows, is
built once per combination and reused) and, from the same ISO strings, the
record the database takes: a tuple for SQLite's ``executemany`` or a line of
PostgreSQL's ``COPY`` text format. ``copy_plays`` is the general COPY of row dicts.

Safety: the canonical text is written out here a second time (``chain_digest``,
which ``playlog.scan`` also hashes with, so ``log verify`` and the report's chain
check judge rows by the same text import wrote), so ``chain_records`` checks its
first row against the reference ``row_hash`` it is given and falls back to the
reference for every row when they differ (a hashed field added to the chain but
not here can then cost speed, never a broken chain); ``scan`` falls back to the
reference for any row whose hash does not match. tests/test_bulk_import.py
compares both on varied rows; tests/test_chain_scan.py checks both call it.
"""
from __future__ import annotations

import os
import time
from datetime import datetime
from hashlib import sha256
from typing import Callable, Sequence

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from .schema import plays

# From this many new rows on, PostgreSQL gets them through COPY instead of INSERT batches.
COPY_MIN_ROWS = 1000


def copy_plays(conn: Connection, rows: Sequence[dict]) -> None:
    """Write finished rows (seq, prev_hash and row_hash already set) into ``plays`` with COPY FROM STDIN.

    PostgreSQL only (psycopg 3's ``Cursor.copy``), inside the caller's transaction on the
    same connection, so the chain-head locks and the head update commit or roll back with
    the rows. Every column of ``plays`` except ``id`` is sent, taken from the row dict by
    name (a column the dict lacks is sent as NULL), so columns added by later migrations
    travel without change here. The rows are stored exactly as given: the hash chain
    was computed by the caller over these values.

    Args:
        conn: An open write transaction on a PostgreSQL PlayStore.
        rows: Row dicts as ``PlayStore._append`` prepares them.

    Raises:
        sqlalchemy.exc.IntegrityError: A row repeats a unique key (uid, source_id, or station +
            script + start) — the same error an INSERT gives, so ``append`` retries alike.
        sqlalchemy.exc.DBAPIError: Any other database failure.
    """
    import psycopg

    columns = [c.name for c in plays.columns if c.name != "id"]
    statement = f"COPY plays ({', '.join(columns)}) FROM STDIN"
    raw = conn.connection.driver_connection
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for r in rows:
                copy.write_row([r.get(c) for c in columns])
    except psycopg.Error as exc:
        raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc


# The row fields this module knows how to hash, in the canonical order (store.HASHED_FIELDS).
KNOWN_HASHED = ("uid", "station", "seq", "script", "clip_hash", "campaign", "form", "medium", "priority",
                "scheduled_at", "started_at", "ended_at", "duration_s", "status", "source", "source_id",
                "duration_source", "voids", "reason")
# Columns written, in this order, by the records made here (schema._INSERT_COLUMNS).
KNOWN_COLUMNS = KNOWN_HASHED[:16] + ("prev_hash", "row_hash", "duration_source", "voids", "reason")

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class UidSource:
    """Time-ordered global row ids like ``store.new_uid`` (16 hex digits of nanoseconds, 16 random), made in blocks.

    One ``os.urandom`` call per 4,096 ids instead of one per id; the time part is
    the clock at the block's start plus the id's position, kept strictly rising
    across blocks, so ids stay unique and in the order they were made.
    """

    BLOCK = 4096

    def __init__(self):
        self._ids: list[str] = []
        self._last = 0

    def __call__(self) -> str:
        if not self._ids:
            base = max(time.time_ns(), self._last + 1)
            rand = os.urandom(8 * self.BLOCK).hex()
            self._ids = [f"{base + i:016x}{rand[16 * i:16 * i + 16]}" for i in range(self.BLOCK - 1, -1, -1)]
            self._last = base + self.BLOCK - 1
        return self._ids.pop()


def _text(value) -> str:
    return "" if value is None else str(value)


def _iso(value) -> str:
    if value is None:
        return ""
    return value.isoformat(timespec="microseconds") if isinstance(value, datetime) else str(value)


def _copy_field(value: str | None) -> str:
    return "\\N" if value is None else value.translate(_COPY_ESCAPES)


def middle_piece(pieces: dict, key: tuple) -> str:
    """The canonical text of (script, clip_hash, campaign, form, medium, priority), made once per combination.

    Args:
        pieces: Cache of earlier results, filled here (the caller's, one per pass).
        key: The six values in that order (None allowed).
    """
    middle = pieces.get(key)
    if middle is None:
        middle = pieces[key] = "\x1f".join(_text(v) for v in key)
    return middle


def chain_digest(uid, station, seq, middle: str, s_iso: str, t_iso: str, e_iso: str, duration, status, source,
                 source_id, d_source, voids, reason, prev: str) -> str:
    """The chain hash of one row from its pieces: the same canonical text as ``chain.row_hash``, built once.

    Shared by ``chain_records`` (import) and ``playlog.scan`` (verify), so what one writes the other checks.

    Args:
        uid, station, seq, status, source, source_id, d_source (duration_source), voids, reason: The row's
            values as stored (None allowed where the column allows NULL; ``reason`` counts only with ``voids``).
        middle: ``middle_piece`` of the row's script, clip_hash, campaign, form, medium, priority.
        s_iso, t_iso, e_iso: scheduled_at, started_at, ended_at as ISO 8601 with microseconds ("" for None).
        duration: duration_s in seconds (None allowed).
        prev: The previous row's hash (GENESIS for the first).

    Returns:
        64 hex digits.
    """
    return sha256(
        f"{uid if uid.__class__ is str else _text(uid)}\x1f"
        f"{station if station.__class__ is str else _text(station)}\x1f{seq}\x1f{middle}\x1f{s_iso}\x1f"
        f"{t_iso}\x1f{e_iso}\x1f{'' if duration is None else format(float(duration), '.3f')}\x1f"
        f"{status if status.__class__ is str else _text(status)}\x1f"
        f"{source if source.__class__ is str else _text(source)}\x1f{'' if source_id is None else source_id}"
        f"{'' if d_source is None else chr(31) + d_source}"
        f"{'' if voids is None else chr(29) + voids + chr(31) + _text(reason)}"
        f"\x1e{prev}".encode("utf-8")).hexdigest()


def chain_records(rows: Sequence[dict], heads: dict[str, tuple[int, str]], backend: str,
                  reference: Callable[[dict, str], str], hashed_fields: Sequence[str]) -> list:
    """Chain ``rows`` onto ``heads`` and return the records to insert.

    Args:
        rows: Row dicts (``store.play_row`` shape), in chain order (station, then start time).
            Each gets ``seq``, ``prev_hash`` and ``row_hash`` set, as the general path does.
        heads: Station → (last seq, last hash); advanced in place.
        backend: ``sqlite`` → tuples in KNOWN_COLUMNS order with times as SQLAlchemy's SQLite
            text ("YYYY-MM-DD HH:MM:SS.ffffff"); ``postgresql`` → lines of COPY text format
            (tab-separated, ``\\N`` for NULL, ending in a newline), same columns.
        reference: ``store.row_hash``, the canonical definition.
        hashed_fields: ``store.HASHED_FIELDS``; when it differs from KNOWN_HASHED, or the first
            row's hash differs from the reference's, every hash comes from ``reference``.

    Returns:
        One record per row, in the order given.
    """
    fast = tuple(hashed_fields) == KNOWN_HASHED
    pieces: dict[tuple, str] = {}
    copy_pieces: dict[tuple, str] = {}
    tails: dict[tuple, tuple] = {}
    isos: dict[datetime, str] = {}
    sqlite = backend == "sqlite"
    out: list = []
    append = out.append
    for r in rows:
        station = r["station"]
        seq, prev = heads[station]
        seq += 1
        uid = r["uid"]
        key = (r["script"], r["clip_hash"], r["campaign"], r["form"], r["medium"], r["priority"])
        middle = pieces.get(key) or middle_piece(pieces, key)
        scheduled, started, ended = r["scheduled_at"], r["started_at"], r["ended_at"]
        # Stations play the same programme at the same times: each naive moment's ISO text is made once
        # (_iso keeps store.row_hash's rules for the rest: None, str, and aware datetimes, which compare
        # equal across zones but print differently, so they are never cached).
        s_iso = "" if scheduled is None else _iso(scheduled)
        t_iso = isos.get(started) if started.__class__ is datetime and started.tzinfo is None else _iso(started)
        if t_iso is None:
            t_iso = isos[started] = started.isoformat(timespec="microseconds")
        e_iso = isos.get(ended) if ended.__class__ is datetime and ended.tzinfo is None else _iso(ended)
        if e_iso is None:
            e_iso = isos[ended] = ended.isoformat(timespec="microseconds")
        duration = r["duration_s"]
        status, source, source_id = r["status"], r["source"], r["source_id"]
        d_source, voids = r.get("duration_source"), r.get("voids")
        reason = r.get("reason") if voids is not None else None
        if fast:
            digest = chain_digest(uid, station, seq, middle, s_iso, t_iso, e_iso, duration, status, source,
                                  source_id, d_source, voids, reason, prev)
            if not out:   # first row: the canonical text here must be the store's
                r["seq"] = seq
                if digest != reference(r, prev):
                    fast = False
        if not fast:
            r["seq"] = seq
            digest = reference(r, prev)
        r["seq"], r["prev_hash"], r["row_hash"] = seq, prev, digest
        heads[station] = (seq, digest)
        if sqlite:
            append((uid, station, seq, r["script"], r["clip_hash"], r["campaign"], r["form"], r["medium"],
                    r["priority"], s_iso[:10] + " " + s_iso[11:] if scheduled is not None else None,
                    t_iso[:10] + " " + t_iso[11:], e_iso[:10] + " " + e_iso[11:] if ended is not None else None,
                    duration, status, source, source_id, prev, digest, d_source, voids, r.get("reason")))
        else:
            head = copy_pieces.get(key)
            if head is None:
                head = copy_pieces[key] = "\t".join(_copy_field(v) for v in key)
            # Station, status, source and length source repeat: their escaped forms are looked up.
            tail = tails.get((station, status, source, d_source))
            if tail is None:
                tail = tails[(station, status, source, d_source)] = (
                    _copy_field(station), _copy_field(status), _copy_field(source), _copy_field(d_source))
            append(f"{_copy_field(uid)}\t{tail[0]}\t{seq}\t{head}\t"
                   f"{s_iso if scheduled is not None else chr(92) + 'N'}\t{t_iso}\t"
                   f"{e_iso if ended is not None else chr(92) + 'N'}\t{duration!r}\t{tail[1]}\t"
                   f"{tail[2]}\t{chr(92) + 'N' if source_id is None else _copy_field(source_id)}\t{prev}\t"
                   f"{digest}\t{tail[3]}\t{_copy_field(voids)}\t{_copy_field(r.get('reason'))}\n")
    return out


# Rows chained and sent per COPY write: the server files one batch into the table and its indexes
# while this process chains the next (measured: 2,048 to 8,192 alike; one write of everything is slower).
COPY_BATCH = 4096


def copy_chained(raw_connection, statement: str, rows: Sequence[dict], heads: dict[str, tuple[int, str]],
                 reference: Callable[[dict, str], str], hashed_fields: Sequence[str]) -> None:
    """Chain ``rows`` and send them through psycopg 3's ``Cursor.copy`` (text format), COPY_BATCH rows per write.

    Each batch is chained (``chain_records``, which checks the batch's first row against the
    reference) and written before the next is chained, so the PostgreSQL server inserts and
    indexes one batch while this process hashes the next; the rows, their order and their
    hashes are what one ``chain_records`` call over all rows would give.

    Args:
        raw_connection: The psycopg connection inside the caller's transaction.
        statement: ``COPY plays (…) FROM STDIN`` naming KNOWN_COLUMNS in that order.
        rows, heads, reference, hashed_fields: As for ``chain_records``; ``heads`` advance in place.

    Raises:
        sqlalchemy.exc.IntegrityError: A row repeats a unique key (as an INSERT would say).
        sqlalchemy.exc.DBAPIError: Any other database failure.
    """
    import psycopg

    try:
        with raw_connection.cursor() as cursor, cursor.copy(statement) as copy:
            for i in range(0, len(rows), COPY_BATCH):
                copy.write("".join(chain_records(rows[i:i + COPY_BATCH], heads, "postgresql", reference,
                                                 hashed_fields)))
    except psycopg.Error as exc:
        raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc
