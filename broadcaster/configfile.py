"""Folder settings, writing side: changes to broadcaster.yaml and lexicon.yaml from the console's forms, checked by their loaders before anything is replaced.

``config.load_config`` (with ``speech.checks`` for engine and voice names) and the lexicon reader stay the judges: the changed text
is written to a temporary folder (broadcaster.yaml) or a hidden temporary name
(lexicon.yaml), read back with the loader `check` uses, and replaces the file
only when no error is found. Comments and key order survive (ruamel.yaml round-trip).
"""
from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Callable

from ruamel.yaml.comments import CommentedMap

from . import portable
from .atomic import atomic_write_text, temp_path_for
from .config import CONFIG_NAME, load_config
from .errors import BroadcasterError, Problem, write_failed
from .speech.checks import settings_problems
from .yamlfile import round_trip_yaml

LEXICON_NAME = "lexicon.yaml"
MESSAGES = {
    "lexicon_head": "# Từ điển đọc riêng: từ viết → cách đọc (bảng điều khiển ghi tệp này).\n",
}


def _dump(doc) -> str:
    out = io.StringIO()
    round_trip_yaml().dump(doc, out)
    return out.getvalue()


def update_config(root: Path | str, change: Callable[[CommentedMap], None]) -> list[Problem]:
    """Apply ``change`` to broadcaster.yaml and write it only if ``load_config`` (and the speech check) finds no error.

    Args:
        root: The working folder.
        change: Edits the round-trip document in place.

    Returns:
        The errors found (nothing written), or [] when written.

    Raises:
        BroadcasterError: The file could not be read or written.
    """
    root = Path(root)
    path = root / CONFIG_NAME
    doc = round_trip_yaml().load(path.read_text(encoding="utf-8"))
    change(doc)
    text = _dump(doc)
    with tempfile.TemporaryDirectory(prefix="broadcaster-config-") as folder:
        (Path(folder) / CONFIG_NAME).write_text(text, encoding="utf-8")
        cfg, problems = load_config(Path(folder))
    if cfg:  # the engine and voice names are the speech stage's to judge
        problems += settings_problems(cfg["speech"], cfg["speech_lines"])
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        return errors
    atomic_write_text(path, text)
    return []


def set_default_voice(root: Path | str, engine: str, voice: str | None) -> list[Problem]:
    """The folder's speech engine and voice (``speech: engine, voice``)."""
    def change(doc) -> None:
        speech = doc.get("speech")
        if not isinstance(speech, CommentedMap):
            speech = CommentedMap()
            doc["speech"] = speech
        speech["engine"] = engine
        if voice:
            speech["voice"] = voice
        elif "voice" in speech:
            speech["voice"] = None

    return update_config(root, change)


def read_lexicon_rows(root: Path | str) -> list[tuple[str, str]]:
    """(written, spoken) pairs of lexicon.yaml in file order; [] when there is no file."""
    path = Path(root) / LEXICON_NAME
    if not path.is_file():
        return []
    doc = round_trip_yaml().load(path.read_text(encoding="utf-8"))
    return [(str(k), "" if v is None else str(v)) for k, v in (doc or {}).items()] if isinstance(doc, dict) else []


def save_lexicon(root: Path | str, rows: list[tuple[str, str]]) -> list[Problem]:
    """Write lexicon.yaml with these (written, spoken) pairs, keeping the comments of entries that stay.

    Returns:
        The errors of the lexicon reader (nothing written), or [] when written.
    """
    from .lexicon import read_lexicon

    path = Path(root) / LEXICON_NAME
    doc = round_trip_yaml().load(path.read_text(encoding="utf-8")) if path.is_file() else None
    if not isinstance(doc, CommentedMap):
        doc = CommentedMap()
    wanted = {}
    for written, spoken in rows:
        written, spoken = written.strip(), spoken.strip()
        if written:
            wanted[written] = spoken
    for key in [k for k in doc if str(k) not in wanted]:
        del doc[key]
    for written, spoken in wanted.items():
        doc[written] = spoken
    text = _dump(doc) if doc else "{}\n"
    if not path.is_file():
        text = MESSAGES["lexicon_head"] + text
    temp = temp_path_for(path)
    try:
        temp.write_text(text, encoding="utf-8")
        _, problems = read_lexicon(temp, LEXICON_NAME)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            return errors
        portable.fsync_path(temp)
        portable.replace(temp, path)
    except OSError as exc:
        raise BroadcasterError(write_failed(LEXICON_NAME, exc)) from exc
    finally:
        if temp.exists():
            temp.unlink()
    return []
