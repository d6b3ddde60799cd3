"""Export stage, CSV and JSON: planned plays become records for IP loudspeaker platforms, with their audio.

Both formats copy each played script's clip once into ``audio/`` and point to it
with ``file`` (relative to the export folder). Identity clips are not plays and
are not listed: platforms announce the station themselves.

``plays.csv``: one row per play, UTF-8, RFC 4180 (CRLF), stable English headers
`CSV_COLUMNS`.

``schedule.json``: grouped like the provincial source systems' schedules
(lịch phát → ngày phát → thời điểm phát → bản tin, research §2.2)::

    {"schedule": {"organization", "from", "until", "stations": [{"id", "name", "medium"}]},
     "days": [{"date": "2024-08-05",
               "starts": [{"time": "05:30", "station": "xa-dai-tam", "session": "sang",
                           "end": "06:00", "bulletins": [{"position": 1, "start": "…", "script": …,
                                                          "file": "audio/2g-thong-bao.mp3", …}]}]}]}
"""
from __future__ import annotations

import csv
import io
import json

from ..models import PlannedPlay, Project
from ..schedule.program import Programme
from .folder import ExportEntry

AUDIO_DIR = "audio"
CSV_NAME = "plays.csv"
JSON_NAME = "schedule.json"
CSV_COLUMNS = ["station", "date", "session", "start", "position", "script", "title", "campaign", "form",
               "priority", "medium", "duration_s", "file"]


def _audio_entries(programmes: list[Programme]) -> tuple[list[ExportEntry], dict[str, str]]:
    """Each played script's clip once; return the entries and script → relative file."""
    planned, files = [], {}
    for programme in programmes:
        for piece in programme.pieces:
            if piece.kind == "script" and piece.script not in files:
                rel = f"{AUDIO_DIR}/{piece.name}"
                planned.append(ExportEntry(rel, source=piece.path))
                files[piece.script] = rel
            elif piece.kind == "relay":  # tiếp sóng: the platform pulls the source itself
                files.setdefault(piece.script, piece.url)
    return planned, files


def play_record(play: PlannedPlay, file: str) -> dict:
    """One play as a record: the plan's public keys plus the exported ``file``."""
    record = play.as_dict()
    record.pop("clip", None)
    record["file"] = file
    return record


def csv_entries(project: Project, programmes: list[Programme]) -> list[ExportEntry]:
    """``audio/`` and ``plays.csv`` (CRLF on every platform), in writing order."""
    del project
    planned, files = _audio_entries(programmes)
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    for programme in programmes:
        for play in programme.plays:
            writer.writerow(play_record(play, files[play.script]))
    return planned + [ExportEntry(CSV_NAME, data=buffer.getvalue().encode("utf-8"))]


def schedule_document(project: Project, programmes: list[Programme], files: dict[str, str]) -> dict:
    """The JSON document of `json_entries` (schedule → days → start times → bulletins)."""
    stations = {p.station.id: p.station for p in programmes}
    days: dict[str, list] = {}
    for programme in sorted(programmes, key=lambda p: (p.date, p.session.start, p.station.id)):
        days.setdefault(programme.date.isoformat(), []).append({
            "time": programme.session.start.strftime("%H:%M"),
            "end": programme.session.end.strftime("%H:%M"),
            "station": programme.station.id,
            "session": programme.session.name,
            "duration_s": round(programme.duration_s, 2),
            "bulletins": [play_record(play, files[play.script]) for play in programme.plays],
        })
    return {
        "schedule": {
            "organization": project.organization,
            "from": min(days), "until": max(days),
            "stations": [{"id": s.id, "name": s.name, "medium": s.medium} for s in stations.values()],
        },
        "days": [{"date": day, "starts": starts} for day, starts in days.items()],
    }


def json_entries(project: Project, programmes: list[Programme]) -> list[ExportEntry]:
    """``audio/`` and ``schedule.json`` (UTF-8, ``\\n`` line ends on every platform), in writing order."""
    planned, files = _audio_entries(programmes)
    document = schedule_document(project, programmes, files)
    data = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return planned + [ExportEntry(JSON_NAME, data=data)]

