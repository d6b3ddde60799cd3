"""Play-log stage, airtime of plays logged without an end: turns script ids into their clips' lengths.

Many timer players and the provincial platform's export give only a start
time (``ThoiDiemBatDau``). Such a play lasted as long as the clip that was
scheduled; the clip manifest (``audio_out/clips/manifest.json``, written by
``build``) holds that length. The importer stores it with
``duration_source='clip'``; rows that still have no length (logged before
migration 0004, or before the clip was built: ``unknown``) get it when the
log is read, by ``airtime_of`` — the report and ``log list`` use the same
function, so they always agree.
"""
from __future__ import annotations


def clip_durations(project) -> dict[str, float]:
    """script id → seconds of its built clip (only clips whose file exists); {} without a manifest.

    Args:
        project: The working folder (its clip manifest).
    """
    from ..manifest import read_manifest

    out: dict[str, float] = {}
    for clip_id, record in read_manifest(project).items():
        try:
            if (project.root / record.path).exists() and float(record.duration_s) > 0:
                out[clip_id] = round(float(record.duration_s), 3)
        except (TypeError, ValueError, OSError):
            continue
    return out


def needs_clip_length(row: dict) -> bool:
    """True for a played row logged with only a start time and no length (its clip's length applies)."""
    return row.get("status") == "played" and row.get("ended_at") is None and not row.get("duration_s")


def effective_duration_source(row: dict) -> str:
    """The row's duration source; for rows older than migration 0004 (NULL) derived from its fields."""
    found = row.get("duration_source")
    if found:
        return found
    if row.get("source") == "confirm":
        return "confirm"
    return "unknown" if needs_clip_length(row) else "log"


def airtime_of(rows: list[dict], durations: dict[str, float]) -> list[dict]:
    """Copies of log rows with ``duration_s`` and ``duration_source`` as the report counts them.

    A played row without an end and without a length gets its script's clip
    length and the source ``clip``; without a built clip it stays 0 s, ``unknown``.

    Args:
        rows: Rows of ``PlayStore.list_plays``.
        durations: ``clip_durations(project)``.
    """
    out = []
    for row in rows:
        row = dict(row)
        source = effective_duration_source(row)
        if needs_clip_length(row):
            seconds = durations.get(row.get("script"))
            if seconds:
                row["duration_s"] = seconds
                source = "clip"
            else:
                source = "unknown"
        row["duration_source"] = source
        out.append(row)
    return out

