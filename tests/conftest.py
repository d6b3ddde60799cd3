"""Shared fixtures: copies of the sample working folder, with the real or the fake speech engine."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Builds in tests make one clip after the other in the test process, so that monkeypatched
# functions and counters (FakeEngine.calls) see every clip; the tests of the parallel build
# ask for workers explicitly (build_clips(..., jobs=2)).
os.environ.setdefault("BROADCASTER_JOBS", "1")

# Database fixtures (SQLite and PostgreSQL) live in tests/dbfixtures.py.
pytest_plugins = ["dbfixtures"]

REPO = Path(__file__).resolve().parents[1]
SAMPLE_FILES = ("broadcaster.yaml", "scripts", "schedules", "lexicon.yaml")


def copy_sample(dest: Path) -> Path:
    """Copy the repository's working folder (config, scripts, schedules) into dest."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in SAMPLE_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


def use_engine(folder: Path, engine: str, voice: str | None = None) -> None:
    """Switch a copied folder's speech engine (e.g. to the fast fake engine)."""
    cfg = folder / "broadcaster.yaml"
    text = cfg.read_text(encoding="utf-8")
    text = text.replace("  engine: espeak\n", f"  engine: {engine}\n")
    if voice is not None:
        text = text.replace("  voice: vi-vn-x-south\n", f"  voice: {voice}\n")
    cfg.write_text(text, encoding="utf-8")


@pytest.fixture
def sample_folder(tmp_path: Path) -> Path:
    """A copy of the sample folder using the real eSpeak engine."""
    return copy_sample(tmp_path / "work")


@pytest.fixture
def fake_folder(tmp_path: Path) -> Path:
    """A copy of the sample folder using the fake engine (fast tone instead of speech)."""
    folder = copy_sample(tmp_path / "work")
    use_engine(folder, "fake", "fake")
    return folder
