"""Play-log stage, migrations: turns an older play-log database into the current schema by named, recorded steps.

Each step is a function of an open write transaction, applied once, in order
(``PlayStore.migrate`` records the names in ``schema_migrations``). A step may
add tables and columns but never rewrite hashed fields of existing rows, or
``log verify`` could no longer tell a migration from tampering.
"""
from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from .day_summary import m0008_day_summary
from .marks import m0007_chain_marks
from .report_index import m0006_report_day_index
from .schema import REASON_MAX, chain_heads, play_progress, plays, sync_progress, voids_index


def _m0001_plays(conn: Connection) -> None:
    # Table.create also creates the indexes bound to the table (report, scheduled, source_id).
    plays.create(conn, checkfirst=True)
    chain_heads.create(conn, checkfirst=True)


def _m0002_play_progress(conn: Connection) -> None:
    play_progress.create(conn, checkfirst=True)


def _m0003_sync_progress(conn: Connection) -> None:
    sync_progress.create(conn, checkfirst=True)


def _m0004_duration_source(conn: Connection) -> None:
    # A database made by 0001 in this same run already has the column (the table
    # definition carries it); an older one gets it added. Existing rows stay NULL
    # (see the module docstring): their hashes do not cover the column.
    columns = {c["name"] for c in inspect(conn).get_columns("plays")}
    if "duration_source" not in columns:
        conn.execute(text("ALTER TABLE plays ADD COLUMN duration_source VARCHAR(16)"))


def _m0005_void_rows(conn: Connection) -> None:
    # Voiding a play appends a chained row naming it (voids) with the staff's reason; older rows
    # stay NULL in both columns and keep their hashes (the chain hash covers them only when set).
    columns = {c["name"] for c in inspect(conn).get_columns("plays")}
    if "voids" not in columns:
        conn.execute(text("ALTER TABLE plays ADD COLUMN voids VARCHAR(32)"))
    if "reason" not in columns:
        conn.execute(text(f"ALTER TABLE plays ADD COLUMN reason VARCHAR({REASON_MAX})"))
    # IF NOT EXISTS instead of checkfirst: checking by reflection warns about ix_plays_day (an expression index).
    conn.execute(text(f"CREATE UNIQUE INDEX IF NOT EXISTS {voids_index.name} ON plays (voids) WHERE voids IS NOT NULL"))


MIGRATIONS: list[tuple[str, object]] = [
    ("0001_plays_and_chain_heads", _m0001_plays),
    ("0002_play_progress", _m0002_play_progress),
    ("0003_sync_progress", _m0003_sync_progress),
    ("0004_duration_source", _m0004_duration_source),
    ("0005_void_rows", _m0005_void_rows),
    ("0006_report_day_index", m0006_report_day_index),
    ("0007_chain_marks", m0007_chain_marks),
    ("0008_day_summary", m0008_day_summary),
]
