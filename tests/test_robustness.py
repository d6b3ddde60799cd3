"""Robustness: bad input and real faults (killed processes, concurrent writers) through the real CLI.

Each test runs ``python -m broadcaster`` in a subprocess on a copy of the
sample folder, as staff would, and checks the exit status, that the message is
explained (no traceback, no "lỗi không mong đợi") and that nothing half-done
is left behind.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FAKE_CLI, REPO, copy_sample, use_engine

UNEXPECTED = "lỗi không mong đợi"


def run(folder: Path, *args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """``broadcaster --project FOLDER ARGS`` in a subprocess, run from the folder."""
    full_env = dict(os.environ, PYTHONPATH=str(REPO))
    full_env.pop("BROADCASTER_DATABASE_URL", None)
    full_env.update(env or {})
    return subprocess.run([*FAKE_CLI, "--project", str(folder), *args], cwd=folder,
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


# -- log import: values and files that used to crash or slip through ----------------------------------------------

HEADER = "station,script,started_at"
ROW = "tt-my-xuyen,2g-thong-bao,2024-08-01T05:30:00"


def import_text(folder: Path, name: str, content: str | bytes) -> subprocess.CompletedProcess:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return run(folder, "log", "import", name)


def logged(folder: Path) -> list[dict]:
    result = run(folder, "log", "list", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("duration", ["nan", "inf", "1e20", "-50", "99999:00:00"])
def test_import_rejects_impossible_durations_with_the_line(folder, duration):
    result = import_text(folder, "plays.csv", f"{HEADER},duration_s\n{ROW},{duration}\n")
    err = explained(result)
    assert "plays.csv:2:" in err and "thời lượng" in err
    assert logged(folder) == []


def test_import_of_deeply_nested_json_is_explained(folder):
    err = explained(import_text(folder, "deep.json", "[" * 100000 + "]" * 100000))
    assert "deep.json" in err and "JSON" in err
    assert logged(folder) == []


def test_json_items_that_are_not_objects_are_named_plainly(folder):
    err = explained(import_text(folder, "list.json", "[1, 2]"))
    assert "{station, script, started_at, …}" in err and "{{" not in err


@pytest.mark.parametrize("content", ["", "   \n\n"])
def test_import_of_an_empty_file_is_an_error(folder, content):
    err = explained(import_text(folder, "empty.csv", content))
    assert "empty.csv" in err and "không có lượt phát nào" in err


def test_import_with_excel_bom_and_duplicate_rows_counts_each_play_once(folder):
    result = import_text(folder, "bom.csv", "\ufeff" + f"{HEADER}\n{ROW}\n{ROW}\n")
    assert result.returncode == 0, result.stderr
    assert len(logged(folder)) == 1


# -- options that made a command silently do nothing or fail misleadingly -----------------------------------------

def test_sync_batch_of_zero_is_a_usage_error_not_an_empty_success(folder, tmp_path):
    assert import_text(folder, "plays.csv", f"{HEADER}\n{ROW}\n").returncode == 0
    result = run(folder, "log", "sync", "--to", f"sqlite:///{tmp_path / 'province.db'}", "--batch", "0")
    explained(result, 2)
    assert not (tmp_path / "province.db").exists()


@pytest.mark.parametrize("args", [["log", "list", "--limit", "-5"],
                                  ["play", "--station", "tt-my-xuyen", "--sink", "null", "--late-tolerance", "nan"],
                                  ["play", "--station", "tt-my-xuyen", "--sink", "null", "--late-tolerance", "-1"]])
def test_nonsense_numbers_in_options_are_usage_errors(folder, args):
    explained(run(folder, *args), 2)


def test_database_url_with_a_driver_that_is_not_installed(folder):
    if importlib.util.find_spec("psycopg2") is not None:
        pytest.skip("psycopg2 is installed here")
    set_config(folder, "database: sqlite:///broadcaster.db",
               "database: postgresql+psycopg2://postgres@127.0.0.1:5432/test")
    err = explained(run(folder, "log", "list"))
    assert "psycopg2" in err and "postgresql://" in err


# -- files and folders in the way -----------------------------------------------------------------------------------

@pytest.mark.parametrize("blocker", ["audio_out", "audio_out/clips"])
def test_a_file_where_the_output_folder_should_be_is_explained(folder, blocker):
    target = folder / blocker
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("not a folder", encoding="utf-8")
    err = explained(run(folder, "build"))
    assert "không dùng được" in err and "audio_out" in err


def test_init_under_a_missing_parent_that_cannot_be_created(tmp_path):
    result = subprocess.run([sys.executable, "-m", "broadcaster", "init", "/proc/broadcaster-cannot-be-here"],
                            env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True)
    assert "không dùng được" in explained(result)


def test_a_manifest_that_is_not_ours_and_a_damaged_clip_are_rebuilt(folder):
    assert run(folder, "build").returncode == 0
    clips = folder / "audio_out" / "clips"
    (clips / "2g-nhac-nho.mp3").write_bytes(b"garbage")
    result = run(folder, "build")
    assert result.returncode == 0, result.stderr
    assert (clips / "2g-nhac-nho.mp3").stat().st_size > 1000
    (clips / "manifest.json").write_text("[1, 2]", encoding="utf-8")
    result = run(folder, "build")
    assert result.returncode == 0, result.stderr
    assert json.loads((clips / "manifest.json").read_text(encoding="utf-8"))["clips"]


# -- real faults: killed processes ---------------------------------------------------------------------------------

def _decodes(path: Path) -> bool:
    from broadcaster.audio.ffmpeg import ffmpeg_exe

    result = subprocess.run([ffmpeg_exe(), "-v", "error", "-xerror", "-i", str(path), "-f", "null", "-"],
                            capture_output=True)
    return result.returncode == 0 and not result.stderr.strip()


def _temps(folder: Path) -> list[str]:
    from broadcaster.atomic import is_temp_path

    return sorted(str(p.relative_to(folder)) for p in (folder / "audio_out" / "clips").rglob(".*") if is_temp_path(p))


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.5, 1.0, 2.5])
def test_build_killed_at_any_moment_leaves_whole_clips_and_the_next_build_completes(sample_folder, delay):
    import signal
    import time

    text = (sample_folder / "scripts" / "2g-thong-bao.yaml").read_text(encoding="utf-8").split("text: |", 1)[1]
    for i in range(2):
        (sample_folder / "scripts" / f"dai-{i}.yaml").write_text(
            f"id: dai-{i}\ntitle: Bài dài {i}\ncampaign: dung-2g\nform: bai\ntext: |{text * 2}", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "broadcaster", "--project", str(sample_folder), "build"],
                            cwd=sample_folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    for mp3 in (sample_folder / "audio_out").rglob("*.mp3"):
        assert _decodes(mp3), f"{mp3} is truncated after SIGKILL at {delay}s"
    result = run(sample_folder, "build")
    assert result.returncode == 0, result.stderr
    assert _temps(sample_folder) == []  # what the killed build left is cleaned up
    manifest = json.loads((sample_folder / "audio_out" / "clips" / "manifest.json").read_text(encoding="utf-8"))
    # 5 scripts plus an opening and a closing clip for each of the 4 stations' 2 sessions.
    assert len(manifest["clips"]) == 5 + 16
    for record in manifest["clips"].values():
        path = sample_folder / record["path"]
        assert path.stat().st_size == record["size_bytes"] and _decodes(path)
    again = run(sample_folder, "build")
    assert "(0 tổng hợp mới, 21 dùng lại từ bộ nhớ đệm)" in again.stderr


def _play_folder(tmp_path: Path) -> tuple[Path, list[dict]]:
    """A one-station folder whose session started this minute, three short clips built (fake engine)."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    root = tmp_path / "station"
    (root / "scripts").mkdir(parents=True)
    (root / "schedules").mkdir()
    start = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).replace(tzinfo=None, second=0, microsecond=0)
    end = start + timedelta(minutes=30)
    if end.date() != start.date():
        pytest.skip("the session would cross midnight")
    today = start.date()
    (root / "broadcaster.yaml").write_text(f"""organization: Thử
timezone: Asia/Ho_Chi_Minh
stations:
  - id: xa-a
    name: Đài xã A
    media: loa-day
    opening: Xin chào.
    closing: Hết.
    sessions:
      - {{name: sang, start: "{start:%H:%M}", end: "{end:%H:%M}"}}
campaigns:
  - {{id: c, name: Chiến dịch, from: {today}, until: {today}}}
speech: {{engine: fake, voice: fake}}
audio: {{chime: false}}
""", encoding="utf-8")
    texts = ["Bà con chú ý, một.", "Bài thứ hai dài hơn. " * 6, "Bài ba."]
    for i, text in enumerate(texts):
        (root / f"scripts/b{i}.yaml").write_text(f"id: b{i}\ntitle: Bài {i}\ncampaign: c\ntext: {text}\n",
                                                 encoding="utf-8")
    (root / "schedules/s.yaml").write_text(
        f"stations: all\nfrom: {today}\nuntil: {today}\nsessions: [sang]\n"
        "items: [{script: b0}, {script: b1}, {script: b2}]\n", encoding="utf-8")
    assert run(root, "build").returncode == 0
    plan = json.loads(run(root, "plan", "--from", str(today), "--format", "json").stdout)
    return root, plan


@pytest.mark.slow
def test_player_killed_mid_play_marks_the_cut_play_and_replays_nothing(tmp_path, db_url):
    """SIGKILL `play --sink null` while the second clip is on air; the restart logs it interrupted."""
    import signal
    import time

    root, plan = _play_folder(tmp_path)
    assert [p["script"] for p in plan] == ["b0", "b1", "b2"]
    env = dict(os.environ, PYTHONPATH=str(REPO), BROADCASTER_DATABASE_URL=db_url)
    args = [*FAKE_CLI, "--project", str(root), "play", "--station", "xa-a",
            "--sink", "null", "--late-tolerance", "3600"]
    proc = subprocess.Popen(args, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if "▶" in line and " b1 " in line:
            break
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    assert any("■" in line and " b0 " in line for line in lines), lines
    first = [(r["script"], r["status"]) for r in json.loads(run(root, "log", "list", "--format", "json",
                                                                env={"BROADCASTER_DATABASE_URL": db_url}).stdout)]
    assert first == [("b0", "played")]
    # Restart: until a few seconds after the last play ends.
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    # b2 is hard-timed: when the test began early in the minute its slot may still be ahead.
    stop = max(datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).replace(tzinfo=None),
               datetime.fromisoformat(plan[-1]["start"])) + timedelta(seconds=plan[-1]["duration_s"] + 5)
    again = run(root, "play", "--station", "xa-a", "--sink", "null", "--late-tolerance", "3600",
                "--until", stop.isoformat(timespec="seconds"), env={"BROADCASTER_DATABASE_URL": db_url})
    assert again.returncode == 0, again.stderr
    rows = json.loads(run(root, "log", "list", "--format", "json", env={"BROADCASTER_DATABASE_URL": db_url}).stdout)
    assert sorted((r["script"], r["status"]) for r in rows) == [("b0", "played"), ("b1", "interrupted"),
                                                                 ("b2", "played")], (plan, lines, again.stderr)
    assert run(root, "log", "verify", env={"BROADCASTER_DATABASE_URL": db_url}).returncode == 0


def _plays_csv(path: Path, count: int) -> None:
    stations = ["tt-my-xuyen", "xa-dai-tam", "xa-tham-don", "xa-ngoc-to"]
    scripts = ["2g-thong-bao", "2g-huong-dan", "2g-nhac-nho"]
    lines = [f"{HEADER},source_id"]
    for i in range(count):
        lines.append(f"{stations[i % 4]},{scripts[i % 3]},2024-08-{1 + i // 1440:02d}T{i // 60 % 24:02d}:{i % 60:02d}:00"
                     f",dev-{i}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_concurrent_imports_of_the_same_file_count_every_row_once(folder, db_url):
    _plays_csv(folder / "plays.csv", 3000)
    env = dict(os.environ, PYTHONPATH=str(REPO), BROADCASTER_DATABASE_URL=db_url)
    procs = [subprocess.Popen([*FAKE_CLI, "--project", str(folder), "log", "import",
                               "plays.csv"], cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(3)]
    results = [(p.wait(timeout=300), p.communicate()[1]) for p in procs]
    assert all(code == 0 for code, _ in results), results
    assert sum(int(err.split(": ")[1].split(" ")[0]) for _, err in results) == 3000  # "N lượt mới" add up once
    rows = json.loads(run(folder, "log", "list", "--format", "json", env={"BROADCASTER_DATABASE_URL": db_url}).stdout)
    assert len(rows) == 3000 and len({r["source_id"] for r in rows}) == 3000
    assert run(folder, "log", "verify", env={"BROADCASTER_DATABASE_URL": db_url}).returncode == 0


@pytest.mark.slow
def test_sync_killed_midway_then_resumed_reaches_the_same_count(folder, pg_url):
    import signal
    import time

    _plays_csv(folder / "plays.csv", 20000)
    assert run(folder, "log", "import", "plays.csv").returncode == 0
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("BROADCASTER_DATABASE_URL", None)
    proc = subprocess.Popen([*FAKE_CLI, "--project", str(folder), "log", "sync", "--to",
                             pg_url, "--batch", "500"], cwd=folder, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    result = run(folder, "log", "sync", "--to", pg_url)
    assert result.returncode == 0, result.stderr
    remote = json.loads(run(folder, "log", "list", "--format", "json", env={"BROADCASTER_DATABASE_URL": pg_url}).stdout)
    assert len(remote) == 20000 == len(logged(folder))
    assert run(folder, "log", "verify", env={"BROADCASTER_DATABASE_URL": pg_url}).returncode == 0
