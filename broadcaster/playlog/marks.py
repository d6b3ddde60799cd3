"""Play-log stage, chain marks: turns a clean chain check into a per-station mark, so the next check re-hashes only new rows.

A mark (table ``chain_marks``, migration ``0007_chain_marks``) says: "this
station's chain was verified intact from seq 1 up to ``seq``, whose row is
``row_id`` with hash ``row_hash``; at that moment the station had no other rows
and ``row_id`` was its highest id". The report's chain check
(``verify.verify_period``) then re-hashes only the station's rows with
``id > row_id`` (a primary-key range: there is no (station, seq) index, and
appends give each chain increasing ids), linked to ``row_hash``, and counts the
period's older rows as verified.

The marks stay true because changes to verified rows are noticed even when made
outside broadcaster (sqlite3 shell, psql):

- UPDATE or DELETE of any ``plays`` row deletes every mark (triggers; PostgreSQL:
  statement triggers with a transition table, and TRUNCATE too). Broadcaster never
  updates or deletes plays (voids are appended rows, migrations 0004/0005 only
  added columns), so a dropped mark costs one full check, never a wrong answer.
- INSERT, PostgreSQL: a statement trigger (a transition table; ``log import``
  uses COPY) deletes every mark when a new row is not a normal append: no chain
  head for its station, ``seq`` at or below the head (appends insert the rows
  first and move the head after), or ``id`` at or below its station's mark.
- INSERT, SQLite: no trigger — any row trigger on INSERT, even ``WHEN 0``, cost
  about 10 µs per row of ``log import`` (+50 %). Instead ``chain_mark_state``
  keeps the highest marked id and how many rows had an id up to it; when the
  marks are read (``valid_marks``), a different count (a row inserted with a
  low id) or a row after the marks of a station without a chain head voids
  every mark. Any other inserted row has an id above its station's mark and is
  read and judged by the check like any new row (a repeated seq is reported as
  inserted, as the full check reports it).

A mark is also checked when read: its row must still exist with that station,
seq and hash, and its seq must not be past the chain head; anything else is
ignored. Like the chain itself (sha256 without a key), this protects against
edits made without knowledge of the scheme, not against someone who rewrites
``plays``, ``chain_heads`` and ``chain_marks`` together.

Marks are written (``save_marks``) in the check's own transaction, so that no
change can fall between the rows checked and the mark: on SQLite the read
transaction is upgraded to a write, which fails if anything was committed
since it began; on PostgreSQL the check runs in REPEATABLE READ and first locks
the one row of ``chain_mark_state``, whose ``epoch`` every dropping trigger bumps,
so a change committed since the snapshot is a serialization failure, and a
change under way waits for the mark and then drops it. Either failure, a
read-only database or a lock held by another writer leaves the marks as they were.
"""
from __future__ import annotations

import contextlib
from datetime import datetime

from sqlalchemy import Column, DateTime, Integer, String, Table, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

from .schema import chain_heads, metadata, plays

chain_marks = Table(
    "chain_marks", metadata,
    Column("station", String(64), primary_key=True),
    Column("seq", Integer, nullable=False),               # verified intact from seq 1 up to this seq
    Column("row_id", Integer, nullable=False),            # id of that row: the station's highest id then
    Column("row_hash", String(64), nullable=False),       # and its row_hash
    Column("marked_at", DateTime, nullable=False),
)

# One row. PostgreSQL: ``epoch``, bumped by every trigger that drops marks. SQLite: ``max_id`` (the highest
# marked row id) and ``row_count`` (rows with id ≤ max_id when the marks were written): see the module docstring.
chain_mark_state = Table(
    "chain_mark_state", metadata,
    Column("id", Integer, primary_key=True),
    Column("epoch", Integer, nullable=False),
    Column("max_id", Integer, nullable=False),
    Column("row_count", Integer, nullable=False),
)

# SQLite: no INSERT trigger. Any row trigger on INSERT, even ``WHEN 0``, cost about 10 µs per row of
# ``log import`` here (+50 %); inserts are judged when the marks are read instead (``valid_marks``).
_SQLITE_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS chain_mark_update AFTER UPDATE ON plays "
    "WHEN EXISTS (SELECT 1 FROM chain_marks) BEGIN DELETE FROM chain_marks; END",
    "CREATE TRIGGER IF NOT EXISTS chain_mark_delete AFTER DELETE ON plays "
    "WHEN EXISTS (SELECT 1 FROM chain_marks) BEGIN DELETE FROM chain_marks; END",
)

_PG_FUNCTIONS = (
    """CREATE OR REPLACE FUNCTION chain_mark_drop() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
    BEGIN
        DELETE FROM chain_marks;
        UPDATE chain_mark_state SET epoch = epoch + 1 WHERE id = 1;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION chain_mark_changed() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM changed_rows) THEN
            DELETE FROM chain_marks;
            UPDATE chain_mark_state SET epoch = epoch + 1 WHERE id = 1;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION chain_mark_inserted() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM new_rows n
                   LEFT JOIN chain_heads h ON h.station = n.station
                   LEFT JOIN chain_marks m ON m.station = n.station
                   WHERE h.station IS NULL OR n.seq <= h.seq OR n.id <= m.row_id) THEN
            DELETE FROM chain_marks;
            UPDATE chain_mark_state SET epoch = epoch + 1 WHERE id = 1;
        END IF;
        RETURN NULL;
    END $$""",
)

_PG_TRIGGERS = (
    ("chain_mark_update", "AFTER UPDATE ON plays REFERENCING OLD TABLE AS changed_rows "
                          "FOR EACH STATEMENT EXECUTE FUNCTION chain_mark_changed()"),
    ("chain_mark_delete", "AFTER DELETE ON plays REFERENCING OLD TABLE AS changed_rows "
                          "FOR EACH STATEMENT EXECUTE FUNCTION chain_mark_changed()"),
    ("chain_mark_truncate", "AFTER TRUNCATE ON plays FOR EACH STATEMENT EXECUTE FUNCTION chain_mark_drop()"),
    ("chain_mark_insert", "AFTER INSERT ON plays REFERENCING NEW TABLE AS new_rows "
                          "FOR EACH STATEMENT EXECUTE FUNCTION chain_mark_inserted()"),
)


def m0007_chain_marks(conn: Connection) -> None:
    """Migration step: the chain_marks table and the triggers that drop marks (idempotent)."""
    chain_marks.create(conn, checkfirst=True)
    chain_mark_state.create(conn, checkfirst=True)
    conn.execute(text("INSERT INTO chain_mark_state (id, epoch, max_id, row_count) VALUES (1, 0, 0, 0) "
                      "ON CONFLICT (id) DO NOTHING"))
    if conn.dialect.name == "sqlite":
        for sql in _SQLITE_TRIGGERS:
            conn.execute(text(sql))
        return
    for sql in _PG_FUNCTIONS:
        conn.execute(text(sql))
    for name, body in _PG_TRIGGERS:
        conn.execute(text(f"DROP TRIGGER IF EXISTS {name} ON plays"))
        conn.execute(text(f"CREATE TRIGGER {name} {body}"))


def valid_marks(conn: Connection) -> dict[str, tuple[int, int, str]]:
    """Marks whose row still holds that station, seq and hash, at or below the chain head.

    SQLite (no INSERT trigger): no mark at all when a row was inserted with an id at or below the
    highest marked one (the count of those rows changed) or a row of a station without a chain head
    came after the lowest mark; rows after a mark are read by the check anyway.

    Returns:
        station → (seq, row_id, row_hash).
    """
    m = chain_marks
    query = (select(m.c.station, m.c.seq, m.c.row_id, m.c.row_hash)
             .join(plays, (plays.c.id == m.c.row_id) & (plays.c.station == m.c.station)
                   & (plays.c.seq == m.c.seq) & (plays.c.row_hash == m.c.row_hash))
             .join(chain_heads, (chain_heads.c.station == m.c.station) & (m.c.seq <= chain_heads.c.seq)))
    found = {st: (seq, row_id, h) for st, seq, row_id, h in conn.execute(query)}
    if not found or conn.dialect.name != "sqlite":
        return found
    state = conn.execute(select(chain_mark_state.c.max_id, chain_mark_state.c.row_count)).first()
    if state is None or state.max_id < max(row_id for _, row_id, _ in found.values()):
        return {}
    if _rows_up_to(conn, state.max_id) != state.row_count:
        return {}
    lowest = min(row_id for _, row_id, _ in found.values())
    headless = (select(plays.c.id).where(plays.c.id > lowest, (plays.c.station + "").not_in(
        select(chain_heads.c.station))).limit(1))
    return {} if conn.execute(headless).first() is not None else found


def _rows_up_to(conn: Connection, row_id: int) -> int:
    """Rows with id ≤ row_id: all rows (SQLite counts a whole table from its smallest index, about 16 ms per
    million rows here) less those above (a primary-key range: the few rows since the marks)."""
    total = conn.execute(select(func.count()).select_from(plays)).scalar_one()
    return total - conn.execute(select(func.count()).select_from(plays).where(plays.c.id > row_id)).scalar_one()


def headless_rows(conn: Connection) -> bool:
    """Some row belongs to a station without a chain head (written around the chain)."""
    query = select(plays.c.id).where(plays.c.station.not_in(select(chain_heads.c.station))).limit(1)
    return conn.execute(query).first() is not None


def save_marks(conn: Connection, marks: dict[str, tuple[int, int, str]]) -> bool:
    """Write marks at the end of the check's transaction (``PlayStore.read(snapshot=True)``); False when not written.

    Args:
        conn: The transaction the check read in.
        marks: station → (seq, row_id, row_hash) of the last row verified.
    """
    if not marks:
        return False
    sqlite = conn.dialect.name == "sqlite"
    wait_ms = conn.exec_driver_sql("PRAGMA busy_timeout").scalar() if sqlite else None
    try:
        with conn.begin_nested():
            if sqlite:
                conn.exec_driver_sql("PRAGMA busy_timeout = 200")   # another writer: skip, do not wait
            else:
                conn.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
                conn.execute(text("SELECT epoch FROM chain_mark_state WHERE id = 1 FOR UPDATE"))
            now = datetime.now()
            conn.execute(chain_marks.delete().where(chain_marks.c.station.in_(sorted(marks))))
            conn.execute(chain_marks.insert(), [{"station": st, "seq": seq, "row_id": row_id, "row_hash": h,
                                                 "marked_at": now} for st, (seq, row_id, h) in sorted(marks.items())])
            if sqlite:
                top = conn.execute(select(func.max(chain_marks.c.row_id))).scalar_one()
                conn.execute(chain_mark_state.update().where(chain_mark_state.c.id == 1)
                             .values(max_id=top, row_count=_rows_up_to(conn, top)))
        return True
    except (OperationalError, DBAPIError):
        # Written to since the check began, read-only, or locked: the next check sets the marks.
        return False
    finally:
        if sqlite:
            with contextlib.suppress(OperationalError, DBAPIError):
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait_ms)}")
