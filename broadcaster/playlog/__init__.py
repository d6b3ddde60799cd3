"""Play-log stage: turns plays (from the player, as-played files, operator confirmations) into a verifiable log.

Modules: ``store`` (opening a database, appending, reading), ``schema``
(tables and labels), ``migrations`` (named schema steps), ``chain`` (row
dicts and their hash chain), ``bulk`` (PostgreSQL COPY), ``importer``
(CSV/JSON as-played files), ``confirm`` (operator confirms the plan was
aired), ``sync`` (station → provincial database), ``verify`` (detect edited,
inserted or deleted rows).
"""
from __future__ import annotations

from datetime import date

MESSAGES = {
    "no_schedule": "chưa có phần lập lịch (broadcaster.schedule) — không tính được các lượt phát theo kế hoạch",
}


def load_plan(project, start: date, end: date, station: str | None = None):
    """The scheduled plays (lượt phát theo kế hoạch) from ``start`` to ``end`` inclusive.

    The schedule stage is imported here, not at module level, so the log and
    the report work (without planned figures) in a folder or build that has no
    schedule stage.

    Raises:
        ImportError: The schedule stage is not available.
    """
    from ..schedule import expand_plan, load_schedules

    return expand_plan(project, load_schedules(project), start, end, station=station)
