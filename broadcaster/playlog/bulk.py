"""Play-log stage, bulk path: turns finished play rows into a PostgreSQL COPY stream (large imports)."""
from __future__ import annotations

from typing import Sequence

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
