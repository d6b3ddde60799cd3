"""Play-log stage, schema step 0006: the report's index, keyed by the exact day expression the report groups on.

The month report groups every play of the period by (day, station, campaign,
form, medium, status) and splits the played rows by where their length came
from (``duration_source``, ``source``) and, for rows with only a start time,
by script. ``ix_plays_day`` holds those columns in that order, after the day
expression itself, plus ``duration_s``, ``ended_at`` and ``started_at``: the
report reads the index alone (no table rows), already in group order, so the
database aggregates as it reads (SQLite: no temporary B-tree; PostgreSQL: an
index-only scan feeding a GroupAggregate) instead of sorting the period's rows.
``started_at`` is there because neither database sees that the day expression
alone covers a query that names it; ``id`` because the report leaves voided plays
out by id (SQLite keeps the rowid in every index anyway; PostgreSQL needs it for
an index-only scan).

It replaces ``ix_plays_report`` (started_at first, then the grouped columns),
whose order made every report sort; a plain ``ix_plays_started`` keeps
``log list``, the recent-plays list and the chain check's period look-ups fast.
The expressions here must read exactly as ``report.aggregate.day_expr`` renders
them, or SQLite will not match the index.
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

DAY_SQL = {"sqlite": "substr(started_at, 1, 10)", "postgresql": "CAST(started_at AS DATE)"}
DAY_INDEX_COLUMNS = ("station", "campaign", "form", "medium", "status", "duration_source", "source", "script",
                     "duration_s", "ended_at", "started_at", "id")


def m0006_report_day_index(conn: Connection) -> None:
    """Migration step: create ix_plays_day and ix_plays_started, drop ix_plays_report (idempotent)."""
    backend = conn.dialect.name
    day = DAY_SQL["sqlite" if backend == "sqlite" else "postgresql"]
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS ix_plays_day ON plays (({day}), {', '.join(DAY_INDEX_COLUMNS)})"))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_plays_started ON plays (started_at)"))
    conn.execute(text("DROP INDEX IF EXISTS ix_plays_report"))
