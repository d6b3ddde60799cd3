"""Benchmark of the schedule stage: a year's plan for 100 stations, and joining a 30-minute programme.

Run: ``python bench/bench_plan.py`` (from the repository root). Targets:
``plan`` for 100 stations × 2 sessions × 365 days ≤ 3 s (loading and checking
the folder, expanding, printing JSON), and one 30-minute session programme
joined from built clips ≤ 1 s with ≤ 100 MB peak memory (FFmpeg child and
the Python process, each measured by its peak resident set size; the FFmpeg
figure is ru_maxrss of the children, an upper bound since Linux carries the
parent's peak over fork+exec).
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fake_engine import register as register_fake_engine  # noqa: E402  (test-only engine, not in the package)

register_fake_engine()

STATIONS = 100
DAYS = 365
PROGRAMME_MINUTES = 30
CLIP_SECONDS = 170


def synthetic_folder(root: Path) -> Path:
    """A working folder with 100 stations (2 sessions each), 3 scripts and one year-long schedule."""
    stations = "\n".join(
        f"""  - id: xa-{i:03d}
    name: Đài truyền thanh xã số {i}
    media: {('loa-day', 'fm', 'ip')[i % 3]}
    sessions:
      - {{name: sang, start: "05:30", end: "06:00"}}
      - {{name: chieu, start: "17:00", end: "17:30"}}""" for i in range(STATIONS))
    (root / "broadcaster.yaml").write_text(f"""organization: Trung tâm thử tải
stations:
{stations}
campaigns:
  - {{id: thu, name: Chiến dịch thử, from: 2025-01-01, until: 2025-12-31}}
speech: {{engine: fake, voice: fake}}
""", encoding="utf-8")
    (root / "scripts").mkdir()
    for n, priority in enumerate(("priority", "normal", "normal")):
        (root / "scripts" / f"bai-{n}.yaml").write_text(
            f"id: bai-{n}\ntitle: Bài số {n}\ncampaign: thu\nform: bai\npriority: {priority}\nrepeat: 1\n"
            f"text: Kính thưa bà con, đây là bài thông báo số {n} của chiến dịch thử tải.\n", encoding="utf-8")
    (root / "schedules").mkdir()
    (root / "schedules" / "nam.yaml").write_text("""stations: all
from: 2025-01-01
until: 2025-12-31
sessions: [sang, chieu]
items:
  - bai-0
  - {script: bai-1, days: [mon, wed, fri]}
  - {script: bai-2, per_week: 3}
""", encoding="utf-8")
    return root


def bench_plan(root: Path) -> dict:
    from broadcaster.commands.schedule_cmds import plan_json
    from broadcaster.config import load_project
    from broadcaster.schedule import Durations, expand_plan, inspect_schedules

    started = time.perf_counter()
    project = load_project(root)
    schedules, problems = inspect_schedules(project)
    assert not [p for p in problems if p.severity == "error"], problems
    checked = time.perf_counter()
    plays = expand_plan(project, schedules, date(2025, 1, 1), date(2025, 12, 31), durations=Durations(project))
    expanded = time.perf_counter()
    text = plan_json(plays)
    done = time.perf_counter()
    return {"plays": len(plays), "load_check_s": checked - started, "expand_s": expanded - checked,
            "json_s": done - expanded, "total_s": done - started, "json_mb": len(text.encode()) / 1e6}


def make_clips(folder: Path, count: int) -> list[Path]:
    """``count`` MP3 clips of the standard profile (44.1 kHz mono CBR 96 kbps), CLIP_SECONDS each."""
    from broadcaster.audio.ffmpeg import run_ffmpeg

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"clip-{i:02d}.mp3"
        run_ffmpeg(["-loglevel", "error", "-f", "lavfi", "-i", f"sine=f={300 + 20 * i}:d={CLIP_SECONDS}",
                    "-ac", "1", "-ar", "44100", "-c:a", "libmp3lame", "-b:a", "96k", "-f", "mp3", str(path)])
        paths.append(path)
    return paths


def _own_peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM). ru_maxrss is not used: Linux carries the parent's over fork+exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def programme_child(root: Path) -> None:
    """Runs in a fresh process so that its resource figures cover only the programme join."""
    from broadcaster.config import load_project
    from broadcaster.export.programme import silence_clip, write_programme
    from broadcaster.schedule.program import Piece, Programme

    project = load_project(root)
    station = project.stations[0]
    clips = sorted((root / "bench_clips").glob("clip-*.mp3"))
    gap = silence_clip(project)
    pieces, offset = [], 0.0
    for i, clip in enumerate(clips):
        if i:
            pieces.append(Piece("gap", gap, "Khoảng lặng", offset, 2.0, None, "gap.mp3"))
            offset += 2.0
        pieces.append(Piece("script", clip, f"Bài {i}", offset, CLIP_SECONDS, None, clip.name))
        offset += CLIP_SECONDS
    programme = Programme(station, date(2025, 1, 1), station.sessions[0], tuple(pieces), (), offset)
    from broadcaster.audio.ffmpeg import ffmpeg_exe

    ffmpeg_exe()  # one-time start-up (imports, locating the binary) is not part of a programme's cost
    tracemalloc.start()
    times = []
    for _ in range(3):  # the machine may be busy: report the median of three joins, and the slowest
        started = time.perf_counter()
        mp3, _ = write_programme(project, programme)
        times.append(time.perf_counter() - started)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    from mutagen.mp3 import MP3

    print(json.dumps({
        "programme_s": sorted(times)[1], "programme_max_s": max(times), "programme_minutes": MP3(str(mp3)).info.length / 60,
        "ffmpeg_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "python_maxrss_mb": _own_peak_rss_mb(),
        "python_traced_peak_mb": traced_peak / 1e6,
    }))


def bench_programme(root: Path) -> dict:
    count = -(-PROGRAMME_MINUTES * 60 // (CLIP_SECONDS + 2))
    make_clips(root / "bench_clips", count)
    from broadcaster.config import load_project
    from broadcaster.export.programme import silence_clip

    silence_clip(load_project(root))  # made once and cached, as in real use
    out = subprocess.run([sys.executable, __file__, "--programme-child", str(root)], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--programme-child":
        programme_child(Path(sys.argv[2]))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        root = synthetic_folder(Path(tmp))
        plan = bench_plan(root)
        print(f"plan: {STATIONS} đài × 2 phiên × {DAYS} ngày → {plan['plays']} lượt phát; "
              f"nạp+kiểm tra {plan['load_check_s']:.2f} s, mở rộng {plan['expand_s']:.2f} s, "
              f"JSON {plan['json_s']:.2f} s ({plan['json_mb']:.0f} MB); tổng {plan['total_s']:.2f} s (mục tiêu ≤ 3 s)")
        prog = bench_programme(root)
        peak = max(prog["ffmpeg_maxrss_mb"], prog["python_maxrss_mb"])
        print(f"program: phiên {prog['programme_minutes']:.1f} phút ghép trong {prog['programme_s']:.3f} s "
              f"(trung vị của 3 lần, chậm nhất {prog['programme_max_s']:.3f} s) "
              f"(mục tiêu ≤ 1 s); bộ nhớ đỉnh FFmpeg {prog['ffmpeg_maxrss_mb']:.0f} MB, "
              f"Python {prog['python_maxrss_mb']:.0f} MB (tracemalloc {prog['python_traced_peak_mb']:.2f} MB) "
              f"(mục tiêu ≤ 100 MB)")
        ok = plan["total_s"] <= 3 and prog["programme_s"] <= 1 and peak <= 100
    print("ĐẠT" if ok else "CHƯA ĐẠT")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
