"""The build on several cores: worker processes master the clips, the files equal a serial build's."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from broadcaster.audio.ffmpeg import ffmpeg_exe
from broadcaster.build import JOBS_ENV, build_clips, build_jobs
from broadcaster.config import load_project
from broadcaster.errors import BroadcasterError
from broadcaster.manifest import read_manifest
from fake_engine import FakeEngine


def _files(folder: Path) -> dict[str, str]:
    clips = folder / "audio_out" / "clips"
    return {p.relative_to(clips).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(clips.rglob("*")) if p.is_file()}


def _cli_build(folder: Path, jobs: int, flag: int | None = None) -> None:
    env = {**os.environ, JOBS_ENV: str(jobs)}
    proc = subprocess.run([sys.executable, "-m", "broadcaster", "--project", str(folder), "build"]
                          + ([f"--jobs={flag}"] if flag else []), env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_parallel_build_gives_the_serial_build_byte_for_byte(tmp_path):
    """Real eSpeak and FFmpeg, `broadcaster build` with 1 and with `--jobs 2`: the same bytes in every file.

    Each build runs in its own process, as staff run it: eSpeak NG keeps state from one
    utterance to the next within a process, so the samples depend on what that process
    synthesised before (which is why the speech is always made in script order).
    """
    from conftest import copy_sample

    serial = copy_sample(tmp_path / "serial")
    parallel = copy_sample(tmp_path / "parallel")
    _cli_build(serial, 1)
    _cli_build(parallel, 1, flag=2)      # --jobs wins over BROADCASTER_JOBS
    serial_files, parallel_files = _files(serial), _files(parallel)
    assert "manifest.json" in serial_files and len(serial_files) == 20   # 3 scripts, 16 openings/closings
    assert serial_files == parallel_files
    manifest = read_manifest(load_project(parallel))
    assert len(manifest) == 19
    assert all(abs(c.loudness_lufs + 16) <= 1 and c.true_peak_dbtp <= -1 for c in manifest.values())


class Recorder:
    """A progress bar that checks it is truthful: a clip is counted only once its file is there."""

    def __init__(self, project):
        self.files = {s.title: project.clips_dir / f"{s.id}.mp3" for s in project.scripts}
        self.total = self.done = 0
        self.advanced: list[str] = []

    def start(self, total, done=0):
        self.total, self.done = total, done

    def advance(self, what=""):
        if what in self.files:
            assert self.files[what].is_file(), what
        self.done += 1
        self.advanced.append(what)


def test_progress_counts_finished_clips(fake_folder):
    project = load_project(fake_folder)
    progress = Recorder(project)
    calls = FakeEngine.calls
    result = build_clips(project, progress=progress, jobs=2)
    assert FakeEngine.calls > calls           # the speech was made in this process
    assert progress.total == progress.done == len(result.records) + len(result.identity) == 19
    assert sorted(progress.advanced) == sorted([r.title for r in result.records + result.identity])
    # A second build reuses everything and starts the bar full.
    again = Recorder(project)
    build_clips(load_project(fake_folder), progress=again, jobs=2)
    assert again.total == again.done == 19 and again.advanced == []


def test_worker_error_is_the_serial_error(fake_folder, tmp_path, monkeypatch):
    """FFmpeg failing inside the workers: the same Vietnamese message as a serial build, nothing written."""
    broken = tmp_path / "ffmpeg"
    broken.write_text("#!/bin/sh\necho 'giả lập FFmpeg hỏng' >&2\nexit 1\n", encoding="utf-8")
    broken.chmod(0o755)
    monkeypatch.setenv("BROADCASTER_FFMPEG", str(broken))
    ffmpeg_exe.cache_clear()
    try:
        messages = []
        for jobs in (1, 2):
            with pytest.raises(BroadcasterError) as caught:
                build_clips(load_project(fake_folder), jobs=jobs)
            messages.append(str(caught.value))
            assert not list((fake_folder / "audio_out").rglob("*.mp3"))
            assert read_manifest(load_project(fake_folder)) == {}
    finally:
        monkeypatch.undo()
        ffmpeg_exe.cache_clear()
    assert messages[0] == messages[1] == "FFmpeg báo lỗi khi xử lý âm thanh: giả lập FFmpeg hỏng"


def test_build_jobs_setting(monkeypatch):
    monkeypatch.delenv(JOBS_ENV, raising=False)
    assert build_jobs() == (os.cpu_count() or 1)
    assert build_jobs(1) == 1 and build_jobs(3) == 3 and build_jobs(0) == 1
    monkeypatch.setenv(JOBS_ENV, "3")
    assert build_jobs() == 3 and build_jobs(2) == 2
    monkeypatch.setenv(JOBS_ENV, "nhiều")
    assert build_jobs() == (os.cpu_count() or 1)


@pytest.mark.parametrize("command", [["build"], ["program", "--date", "2024-08-05"],
                                     ["export", "m3u", "--date", "2024-08-05", "--to", "OUT", "--force"]])
def test_jobs_option_reaches_the_clip_builder(fake_folder, monkeypatch, command):
    """`--jobs N` on build, program and export sets how many clips are made at once; without it, BROADCASTER_JOBS."""
    import shutil

    from click.testing import CliRunner

    import broadcaster.build as build
    from broadcaster.cli import cli

    asked: list = []
    real = build.build_jobs
    monkeypatch.setattr(build, "build_jobs", lambda jobs=None: asked.append(jobs) or real(jobs))
    monkeypatch.setenv(JOBS_ENV, "1")
    args = ["--project", str(fake_folder)] + [a.replace("OUT", str(fake_folder / "out")) for a in command]
    for extra, expected in ((["--jobs", "3"], 3), ([], 1)):
        shutil.rmtree(fake_folder / "audio_out" / "clips", ignore_errors=True)   # something to build
        asked.clear()
        result = CliRunner().invoke(cli, args + extra)
        assert result.exit_code == 0, result.output
        # The first call is the build of every clip needed; program/export then make any missing
        # station opening or closing one clip at a time (a single clip never uses the pool).
        assert asked and real(asked[0]) == expected, (command, extra, asked)
    bad = CliRunner().invoke(cli, args + ["--jobs", "0"])
    assert bad.exit_code == 2 and "--jobs" in bad.output
