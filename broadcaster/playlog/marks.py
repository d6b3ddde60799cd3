"""Play-log stage, chain marks: turns a clean chain check into a per-station mark, so the next check re-hashes only new rows.

A mark (table ``chain_marks``, migration ``0007_chain_marks``) says: "this
station's chain was verified intact from seq 1 up to ``seq``, whose row is
``row_id`` with hash ``row_hash``; at that moment the station had no other rows
and ``row_id`` was its highest id". The report's chain check
(``verify.verify_period``) then re-hashes only the station's rows with
``id > row_id`` (a primary-key range: no (station, seq) index is needed),
linked to ``row_hash``, and counts the period's older rows as verified.

The marks stay true because the database itself drops them — triggers, so a
change made outside broadcaster (sqlite3 shell, psql) is noticed too:

- UPDATE or DELETE of any ``plays`` row (PostgreSQL: also TRUNCATE) deletes every
  mark. Broadcaster never updates or deletes plays (voids are appended rows,
  migrations 0004/0005 only added columns), so a dropped mark costs one full
  check, never a wrong answer.
- INSERT of a row that is not a normal append deletes every mark: a row of a
  station without a chain head, a row whose ``seq`` is at or below its station's
  chain head (appends insert the rows first and move the head after), or a row
  whose ``id`` is at or below its station's mark (it would hide below the range
  read next time). Normal appends pass one indexed look-up per row (SQLite,
  a ``WHEN`` clause) or one join per statement (PostgreSQL, a transition table;
  ``log import`` uses COPY there).

A mark is also checked when read (``valid_marks``): its row must still exist
with that station, seq and hash, and its seq must not be past the chain head;
anything else is ignored. Like the chain itself (sha256 without a key), this
protects against edits made without knowledge of the scheme, not against
someone who rewrites ``plays``, ``chain_heads`` and ``chain_marks`` together.

Marks are written (``save_marks``) in the check's own transaction, so that no
change can fall between the rows checked and the mark: on SQLite the read
transaction is upgraded to a write, which fails if anything was committed
since it began; on PostgreSQL the check runs in REPEATABLE READ and first locks
the one row of ``chain_mark_epoch``, which every dropping trigger bumps, so
a change committed since the snapshot is a serialization failure, and a change
under way waits for the mark and then drops it. Either failure, a read-only
database or a lock held by another writer leaves the marks as they were.
"""
from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Iterator

from sqlalchemy import Column, DateTime, Integer, String, Table, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from .schema import chain_heads, metadata, plays

chain_marks = Table(
    "chain_marks", metadata,
    Column("station", String(64), primary_key=True),
    Column("seq", Integer, nullable=False),               # verified intact from seq 1 up to this seq
    Column("row_id", Integer, nullable=False),            # id of that row: the station's highest id then
    Column("row_hash", String(64), nullable=False),       # and its row_hash
    Column("marked_at", DateTime, nullable=False),
)

# PostgreSQL only: one row, bumped by every trigger that drops marks (see the module docstring).
chain_mark_epoch = Table(
    "chain_mark_epoch", metadata,
    Column("id", Integer, primary_key=True),
    Column("epoch", Integer, nullable=False),
)

# A row that is not a normal append: no chain head for its station, seq at or below the head,
# or an id at or below the station's mark (NEW: the new row).
_SUSPECT_SQLITE = ("COALESCE((SELECT h.seq FROM chain_heads h WHERE h.station = NEW.station) >= NEW.seq, 1) "
                   "OR NEW.id <= COALESCE((SELECT m.row_id FROM chain_marks m WHERE m.station = NEW.station), 0)")

_SQLITE_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS chain_mark_update AFTER UPDATE ON plays "
    "WHEN EXISTS (SELECT 1 FROM chain_marks) BEGIN DELETE FROM chain_marks; END",
    "CREATE TRIGGER IF NOT EXISTS chain_mark_delete AFTER DELETE ON plays "
    "WHEN EXISTS (SELECT 1 FROM chain_marks) BEGIN DELETE FROM chain_marks; END",
    "CREATE TRIGGER IF NOT EXISTS chain_mark_insert AFTER INSERT ON plays "
    f"WHEN EXISTS (SELECT 1 FROM chain_marks) AND ({_SUSPECT_SQLITE}) BEGIN DELETE FROM chain_marks; END",
)

_PG_FUNCTIONS = (
    """CREATE OR REPLACE FUNCTION chain_mark_drop() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    BEGIN
        DELETE FROM chain_marks;
        UPDATE chain_mark_epoch SET epoch = epoch + 1 WHERE id = 1;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION chain_mark_changed() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM changed_rows) THEN
            DELETE FROM chain_marks;
            UPDATE chain_mark_epoch SET epoch = epoch + 1 WHERE id = 1;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION chain_mark_inserted() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM new_rows n
                   LEFT JOIN chain_heads h ON h.station = n.station
                   LEFT JOIN chain_marks m ON m.station = n.station
                   WHERE h.station IS NULL OR n.seq <= h.seq OR n.id <= m.row_id) THEN
            DELETE FROM chain_marks;
            UPDATE chain_mark_epoch SET epoch = epoch + 1 WHERE id = 1;
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
    if conn.dialect.name == "sqlite":
        for sql in _SQLITE_TRIGGERS:
            conn.execute(text(sql))
        return
    chain_mark_epoch.create(conn, checkfirst=True)
    conn.execute(text("INSERT INTO chain_mark_epoch (id, epoch) VALUES (1, 0) ON CONFLICT (id) DO NOTHING"))
    for sql in _PG_FUNCTIONS:
        conn.execute(text(sql))
    for name, body in _PG_TRIGGERS:
        conn.execute(text(f"DROP TRIGGER IF EXISTS {name} ON plays"))
        conn.execute(text(f"CREATE TRIGGER {name} {body}"))


@contextlib.contextmanager
def check_transaction(store) -> Iterator[Connection]:
    """A read transaction for a chain check that may end by writing marks (PostgreSQL: REPEATABLE READ).

    Raises:
        BroadcasterError: The database cannot be reached (as ``PlayStore.read``).
    """
    try:
        with store.engine.connect() as conn:
            if store.backend == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn
    except (OperationalError, DBAPIError) as exc:
        if isinstance(exc, IntegrityError):
            raise
        raise store._error(exc) from exc


def valid_marks(conn: Connection) -> dict[str, tuple[int, int, str]]:
    """Marks whose row still holds that station, seq and hash, at or below the chain head.

    Returns:
        station → (seq, row_id, row_hash).
    """
    m = chain_marks
    query = (select(m.c.station, m.c.seq, m.c.row_id, m.c.row_hash)
             .join(plays, (plays.c.id == m.c.row_id) & (plays.c.station == m.c.station)
                   & (plays.c.seq == m.c.seq) & (plays.c.row_hash == m.c.row_hash))
             .join(chain_heads, (chain_heads.c.station == m.c.station) & (m.c.seq <= chain_heads.c.seq)))
    return {st: (seq, row_id, h) for st, seq, row_id, h in conn.execute(query)}


def headless_rows(conn: Connection) -> bool:
    """Some row belongs to a station without a chain head (written around the chain)."""
    query = select(plays.c.id).where(plays.c.station.not_in(select(chain_heads.c.station))).limit(1)
    return conn.execute(query).first() is not None


def save_marks(conn: Connection, marks: dict[str, tuple[int, int, str]]) -> bool:
    """Write marks at the end of the check's transaction (``check_transaction``); False when not written.

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
                conn.execute(text("SELECT epoch FROM chain_mark_epoch WHERE id = 1 FOR UPDATE"))
            now = datetime.now()
            conn.execute(chain_marks.delete().where(chain_marks.c.station.in_(sorted(marks))))
            conn.execute(chain_marks.insert(), [{"station": st, "seq": seq, "row_id": row_id, "row_hash": h,
                                                 "marked_at": now} for st, (seq, row_id, h) in sorted(marks.items())])
        return True
    except (OperationalError, DBAPIError):
        # Written to since the check began, read-only, or locked: the next check sets the marks.
        return False
    finally:
        if sqlite:
            with contextlib.suppress(OperationalError, DBAPIError):
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait_ms)}")
