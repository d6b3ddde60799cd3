"""Benchmark of `stream`: CPU share for one station, and how many stations one machine streams on time.

Run: ``python bench/bench_stream.py [--seconds 120] [--max-stations 16]`` from the repository root
(needs Debian's ``icecast2``). A real Icecast 2 on loopback receives every stream.

1. One station streams for ``--seconds`` (the issue asks for 10 minutes; the default here is
   2 minutes so that the bench fits a shared machine — pass ``--seconds 600`` for the full run)
   with a session of one clip every 30 s. CPU share = (CPU seconds of the Python process and
   of its FFmpeg encoder) / wall seconds, in % of one core.
2. N stations at once (N = 1, 2, 4, 8 … ``--max-stations``), each its own `stream` process
   (as a station's service would run), all with session starts at the same seconds.
   A station slips when a play's start (the player's log: started_at − scheduled_at) or the
   encoder's real-time feed (how far the writer fell behind) is late by more than 0.5 s.
   The largest N with no slip is reported. Each station logs to its own SQLite file, so the
   figure is about streaming, not about a shared database.

Measured 29/11/2026 on the shared 2-core build machine (load average 4–19 from other
work, so these are lower bounds): one station over 125 s used 0.9 % of one core
(Python 0.3 %, FFmpeg encoder 0.6 %), start slip 25 ms; at once, 1/2/4/8 stations
slipped at most 23/85/169/474 ms (8 with the encoder feed 100 ms behind at load 14.6),
16 stations slipped 5.9 s (load 19) — about 8 stations per such machine.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

SLIP_S = 0.5
GAP_S = 30.0


def make_folder(root: Path) -> Path:
    """The sample folder with the fake engine and one short built clip (tin-a)."""
    from conftest import copy_sample, use_engine

    from broadcaster.build import build_clips
    from broadcaster.config import load_project

    folder = copy_sample(root / "work")
    use_engine(folder, "fake", "fake")
    (folder / "scripts" / "tin-a.yaml").write_text(
        "id: tin-a\ntitle: Tin ngắn\nform: tin\ntext: |\n  Chiều nay có họp tổ dân phố lúc năm giờ.\n",
        encoding="utf-8")
    build_clips(load_project(folder), ["tin-a"])
    return folder


def worker(args) -> None:
    """One station's stream (a child process): prints its figures as JSON."""
    import dataclasses

    from broadcaster.models import PlannedPlay
    from broadcaster.player import SystemClock
    from broadcaster.playlog.store import open_store
    from broadcaster.config import load_project
    from broadcaster.schedule.expand import mp3_seconds
    from broadcaster.stream import run_stream

    project = load_project(args.folder)
    project = dataclasses.replace(project, database_url=f"sqlite:///{args.db}")
    clip_s = mp3_seconds(project.clips_dir / "tin-a.mp3")
    first = datetime.fromisoformat(args.first)
    station = project.stations[0]
    plan = []
    t = first
    while t + timedelta(seconds=clip_s) < first + timedelta(seconds=args.seconds):
        plan.append(PlannedPlay(station=station.id, date=t.date(), session="sang", start=t, position=len(plan) + 1,
                                script="tin-a", title="Tin ngắn", campaign="", form="tin", priority="normal",
                                medium=station.medium, duration_s=clip_s, clip=None))
        t += timedelta(seconds=args.gap)
    until = first + timedelta(seconds=args.seconds)
    store = open_store(project)
    wall0, cpu0 = time.monotonic(), time.process_time()
    report, sink = run_stream(project, store, station.id, args.target, until, clock=SystemClock(project.timezone),
                              plan=plan)
    wall = time.monotonic() - wall0
    self_cpu = time.process_time() - cpu0
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    rows = store.list_plays(station=station.id)
    jitters = [(r["started_at"] - r["scheduled_at"]).total_seconds() for r in rows if r["scheduled_at"]]
    print(json.dumps({"wall_s": wall, "self_cpu_s": self_cpu, "ffmpeg_cpu_s": children.ru_utime + children.ru_stime,
                      "played": report.played, "plays": len(plan), "max_jitter_s": max(jitters, default=0.0),
                      "max_behind_s": sink.max_behind_s, "lost_s": sink.lost_s}))


def run_stations(folder: Path, icecast, count: int, seconds: float, gap: float, work: Path) -> list[dict]:
    first = datetime.now().astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh")).replace(tzinfo=None)
    # Time for every process to start (Python imports, Icecast connection) before the first session.
    first = (first + timedelta(seconds=12 + count * 1.0)).replace(microsecond=0)
    procs = []
    for i in range(count):
        cmd = [sys.executable, __file__, "--worker", "--folder", str(folder), "--db", str(work / f"log-{count}-{i}.db"),
               "--target", icecast.target(f"/s{count}-{i}.mp3"), "--first", first.isoformat(),
               "--seconds", str(seconds), "--gap", str(gap)]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=seconds + 120)
        if p.returncode != 0:
            out.append({"error": stderr.strip().splitlines()[-1:] if stderr else "?"})
            continue
        out.append(json.loads(stdout.strip().splitlines()[-1]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--folder")
    parser.add_argument("--db")
    parser.add_argument("--target")
    parser.add_argument("--first")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--gap", type=float, default=GAP_S)
    parser.add_argument("--max-stations", type=int, default=16)
    parser.add_argument("--scale-seconds", type=float, default=35.0)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    from icecast_server import Icecast

    work = Path(tempfile.mkdtemp(prefix="bench-stream-"))
    icecast = Icecast(sources=args.max_stations + 4).start()
    try:
        folder = make_folder(work)
        print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}")
        one = run_stations(folder, icecast, 1, args.seconds, args.gap, work)[0]
        share = (one["self_cpu_s"] + one["ffmpeg_cpu_s"]) / one["wall_s"] * 100
        print(f"1 station, {one['wall_s']:.0f} s: CPU {share:.1f}% of one core "
              f"(Python {one['self_cpu_s'] / one['wall_s'] * 100:.1f}%, FFmpeg encoder "
              f"{one['ffmpeg_cpu_s'] / one['wall_s'] * 100:.1f}%); {one['played']}/{one['plays']} plays, "
              f"max start slip {one['max_jitter_s'] * 1000:.0f} ms, writer behind at most {one['max_behind_s']:.2f} s")
        best = 0
        count = 1
        while count <= args.max_stations:
            results = run_stations(folder, icecast, count, args.scale_seconds, 10.0, work)
            errors = [r for r in results if "error" in r]
            good = [r for r in results if "error" not in r]
            start_slip = max((r["max_jitter_s"] for r in good), default=0.0)
            behind = max((r["max_behind_s"] for r in good), default=0.0)
            slip = max(start_slip, behind)
            missing = sum(r["plays"] - r["played"] for r in good)
            cpu = sum(r["self_cpu_s"] + r["ffmpeg_cpu_s"] for r in good) / max(1e-9, max(r["wall_s"] for r in good)) * 100
            ok = not errors and slip <= SLIP_S and missing == 0
            print(f"{count:3d} stations at once: worst start slip {start_slip * 1000:.0f} ms, encoder feed behind "
                  f"{behind * 1000:.0f} ms, plays not played {missing}, errors {len(errors)}, CPU {cpu:.0f}% of one core"
                  f" -> {'ok' if ok else 'SLIPS'}  (load {os.getloadavg()[0]:.2f})")
            if not ok:
                break
            best = count
            count *= 2
        print(f"stations streamed on time (slip <= {SLIP_S} s): {best}"
              + (" (the largest count tried)" if best * 2 > args.max_stations else ""))
    finally:
        icecast.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
