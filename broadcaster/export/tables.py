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
from pathlib import Path

from ..models import PlannedPlay, Project
from ..schedule.program import Programme
from . import copy_in_order

AUDIO_DIR = "audio"
CSV_NAME = "plays.csv"
JSON_NAME = "schedule.json"
CSV_COLUMNS = ["station", "date", "session", "start", "position", "script", "title", "campaign", "form",
               "priority", "medium", "duration_s", "file"]


def _copy_audio(programmes: list[Programme], folder: Path) -> tuple[list[str], dict[str, str]]:
    """Copy each played script's clip once; return the written files and script → relative file."""
    written, files = [], {}
    for programme in programmes:
        for piece in programme.pieces:
            if piece.kind == "script" and piece.script not in files:
                rel = f"{AUDIO_DIR}/{piece.name}"
                copy_in_order(piece.path, folder / rel)
                files[piece.script] = rel
                written.append(rel)
    return written, files


def play_record(play: PlannedPlay, file: str) -> dict:
    """One play as a record: the plan's public keys plus the exported ``file``."""
    record = play.as_dict()
    record.pop("clip", None)
    record["file"] = file
    return record


def write_csv(project: Project, programmes: list[Programme], folder: Path) -> list[str]:
    """Write ``audio/`` and ``plays.csv``; return the files written in order."""
    del project
    written, files = _copy_audio(programmes, folder)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    for programme in programmes:
        for play in programme.plays:
            writer.writerow(play_record(play, files[play.script]))
    (folder / CSV_NAME).write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return written + [CSV_NAME]


def schedule_document(project: Project, programmes: list[Programme], files: dict[str, str]) -> dict:
    """The JSON document of `write_json` (schedule → days → start times → bulletins)."""
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


def write_json(project: Project, programmes: list[Programme], folder: Path) -> list[str]:
    """Write ``audio/`` and ``schedule.json``; return the files written in order."""
    written, files = _copy_audio(programmes, folder)
    document = schedule_document(project, programmes, files)
    (folder / JSON_NAME).write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return written + [JSON_NAME]
