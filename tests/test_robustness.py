"""Robustness: bad input and real faults (killed processes, concurrent writers) through the real CLI.

Each test runs ``python -m broadcaster`` in a subprocess on a copy of the
sample folder, as staff would, and checks the exit status, that the message is
explained (no traceback, no "lỗi không mong đợi") and that nothing half-done
is left behind.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, copy_sample, use_engine

UNEXPECTED = "lỗi không mong đợi"


def run(folder: Path, *args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """``broadcaster --project FOLDER ARGS`` in a subprocess, run from the folder."""
    full_env = dict(os.environ, PYTHONPATH=str(REPO))
    full_env.pop("BROADCASTER_DATABASE_URL", None)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "broadcaster", "--project", str(folder), *args], cwd=folder,
                          env=full_env, capture_output=True, text=True, timeout=timeout)


def explained(result: subprocess.CompletedProcess, code: int = 1) -> str:
    """Assert an explained failure (exit ``code``, no traceback, not the catch-all) and return stderr."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert UNEXPECTED not in result.stderr, result.stderr
    return result.stderr


def set_config(folder: Path, old: str, new: str) -> None:
    cfg = folder / "broadcaster.yaml"
    text = cfg.read_text(encoding="utf-8")
    assert old in text
    cfg.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the sample folder with the fast fake engine."""
    work = copy_sample(tmp_path / "work")
    use_engine(work, "fake", "fake")
    return work


# -- dates far outside any campaign ------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["plan", "--from", "2024-08-01", "--to", "9999-12-31"],
    ["program", "--date", "9999-12-31", "--days", "2"],
    ["log", "confirm", "--date", "9999-12-31", "--station", "tt-my-xuyen"],
    ["report", "--month", "0000-01"],
    ["report", "--month", "9999-12", "--format", "csv"],
    ["log", "list", "--from", "9999-12-31"],
])
def test_out_of_range_years_are_explained(folder, args):
    result = run(folder, *args)
    assert result.returncode in (1, 2)
    err = explained(result, result.returncode)
    assert "năm" in err and "1970" in err


def test_schedule_until_year_9999_is_a_check_error_with_line(folder):
    path = folder / "schedules" / "2g.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("until: 2024-09-30", "until: 9999-12-31"),
                    encoding="utf-8")
    result = run(folder, "check")
    explained(result)
    assert "schedules/2g.yaml:" in result.stdout and "9999" in result.stdout


# -- broadcaster.yaml values that used to pass check and crash later ----------------------------------------------

@pytest.mark.parametrize("old,new,expect", [
    ("timezone: Asia/Ho_Chi_Minh", "timezone: Mars/Olympus", "múi giờ"),
    ("timezone: Asia/Ho_Chi_Minh", "timezone: ../../etc/passwd", "múi giờ"),
    ("loudness_lufs: -16", "loudness_lufs: loud", "loudness_lufs"),
    ("loudness_lufs: -16", "loudness_lufs: 40", "loudness_lufs"),
    ("highpass_hz: 150", "highpass_hz: -5", "highpass_hz"),
    ("true_peak_dbtp: -1.5", "true_peak_dbtp: 5", "true_peak_dbtp"),
    ("chime: true", "chime: maybe", "chime"),
])
def test_bad_settings_are_found_by_check_with_their_line(folder, old, new, expect):
    set_config(folder, old, new)
    result = run(folder, "check")
    explained(result)
    line = next(n for n, text in enumerate((folder / "broadcaster.yaml").read_text(encoding="utf-8").splitlines(), 1)
                if text.strip().startswith(new.split(":")[0]))
    assert f"broadcaster.yaml:{line}:" in result.stdout and expect in result.stdout


def test_bad_timezone_stops_import_and_play_with_an_explanation(folder, tmp_path):
    set_config(folder, "timezone: Asia/Ho_Chi_Minh", "timezone: Mars/Olympus")
    plays = tmp_path / "plays.csv"
    plays.write_text("station,script,started_at\ntt-my-xuyen,2g-thong-bao,2024-08-01T05:30:00\n", encoding="utf-8")
    assert "múi giờ" in explained(run(folder, "log", "import", str(plays)))
    assert "múi giờ" in explained(run(folder, "play", "--station", "tt-my-xuyen", "--sink", "null"))
