"""Benchmark of the voice sources: Piper real-time factor, and mastering a recording vs the FFmpeg floor.

Run:  python bench/bench_voice.py [--minutes 3]

1. Piper engine overhead: the sample campaign's normalised clauses read by the real Piper
   engine (piper-tts phonemiser + onnxruntime) with the tiny generated voice of the tests,
   whose network costs next to nothing, so the figure is what our engine adds per second of
   speech. Then the same with a compute stand-in: the tiny voice plus dense layers with
   random weights on every output sample (no torch needed), to show how inference cost
   enters. Published figures for real voices are printed beside them.
2. Recording path: a generated N-minute announcement (AAC in M4A, as phones save it) built
   into a finished clip (decode, checks, trim, high-pass, loudness, true peak, chime, tags)
   against FFmpeg alone decoding the same file and encoding it to the same MP3 profile.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from piper_tiny import make_voice  # noqa: E402

from broadcaster.audio.ffmpeg import ffmpeg_exe, run_ffmpeg  # noqa: E402
from broadcaster.build import build_clips  # noqa: E402
from broadcaster.manifest import spoken_form  # noqa: E402
from broadcaster.config import load_project  # noqa: E402
from broadcaster.models import PROFILES, SpeechSettings  # noqa: E402
from broadcaster.speech.engines import get_engine  # noqa: E402
from broadcaster.speech.engines import piper_engine  # noqa: E402
from broadcaster.speech.normalize import split_for_speech  # noqa: E402
from broadcaster.speech.voices import install_voice  # noqa: E402

PUBLISHED = [
    "en_GB-semaine-medium, piper C++ on x86-64 (8 threads): RTF 0.034 "
    "(NixOS/nixpkgs PR #267529, log in the description)",
    "high-quality voice on an AMD 5950X: RTF 0.082; low/medium voices faster than real time on a "
    "Raspberry Pi 4 (rhasspy/piper issue #235, benchmarks in issue #33)",
]
STAND_IN = {"hidden": 48, "layers": 4}   # 2·(48 + 4·48² + 48)·22050 ≈ 0.8 GFLOP per second of audio


def copy_folder(root: Path) -> Path:
    folder = root / "work"
    folder.mkdir()
    for name in ("broadcaster.yaml", "scripts", "schedules"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, folder / name)
    return folder


def clauses(project) -> list[str]:
    out = []
    for script in project.scripts:
        spoken, _ = spoken_form(project, script.text)
        out += [clause for clause, _ in split_for_speech(spoken)]
    return out


def piper_rtf(folder: Path, name: str, texts: list[str]) -> tuple[float, float, float]:
    """(load + first clause seconds, synthesis seconds, audio seconds) for ``texts``."""
    load_project(folder)
    piper_engine.forget_loaded_voices()
    engine = get_engine("piper")
    settings = SpeechSettings(engine="piper", voice=name)
    t = time.perf_counter()
    engine.synthesize(texts[0], voice=name, settings=settings)
    first = time.perf_counter() - t
    audio = 0.0
    t = time.perf_counter()
    for text in texts:
        audio += engine.synthesize(text, voice=name, settings=settings).duration_s
    return first, time.perf_counter() - t, audio


def speech_like(seconds: float, rate: int = 44100):
    import numpy as np

    rng = np.random.default_rng(1)
    t = np.arange(int(seconds * rate)) / rate
    f0 = 140 + 30 * np.sin(2 * np.pi * 0.5 * t)
    phase = np.cumsum(2 * np.pi * f0 / rate)
    voice = sum(np.sin(k * phase) / k for k in range(1, 6))
    envelope = np.sin(2 * np.pi * 3 * t) ** 2
    envelope[(t % 1.5) > 1.2] = 0.0
    x = 0.3 * voice / np.abs(voice).max() * envelope + rng.standard_normal(len(t)) * 10 ** (-70 / 20)
    return (np.clip(x, -1, 1) * 32767).astype("<i2")


def recording_bench(folder: Path, minutes: float, work: Path) -> tuple[float, float, float]:
    """(build seconds, FFmpeg floor seconds, clip seconds) for an N-minute M4A recording."""
    rec = folder / "recordings" / "dai.m4a"
    rec.parent.mkdir(exist_ok=True)
    run_ffmpeg(["-f", "s16le", "-ar", "44100", "-ac", "1", "-i", "pipe:0", "-c:a", "aac", "-b:a", "96k",
                "-f", "ipod", str(rec)], input=speech_like(minutes * 60).tobytes())
    (folder / "scripts" / "ghi-am.yaml").write_text(
        "id: ghi-am\ntitle: Bản ghi dài\ncampaign: dung-2g\nform: bai\nrepeat: 1\naudio: recordings/dai.m4a\n",
        encoding="utf-8")
    project = load_project(folder)
    t = time.perf_counter()
    record = build_clips(project, ["ghi-am"]).records[0]
    build_s = time.perf_counter() - t
    p = PROFILES[project.audio.profile]
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-i", str(rec), "-ac", "1", "-ar", str(p["rate"]),
           "-c:a", "libmp3lame", "-b:a", p["bitrate"], "-f", "mp3", str(work / "floor.mp3")]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return build_s, time.perf_counter() - t, record.duration_s


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=3.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        folder = copy_folder(tmp)
        texts = clauses(load_project(folder))
        tiny = make_voice(tmp / "dl", "vi_VN-tiny-x_low")
        heavy = make_voice(tmp / "dl2", "vi_VN-nang-medium", **STAND_IN)
        install_voice(folder, tiny)
        install_voice(folder, heavy)
        print(f"Piper: {len(texts)} clauses of the sample campaign (normalised), real piper-tts phonemiser "
              "and onnxruntime")
        for name, label in (("vi_VN-tiny-x_low", "tiny voice (engine overhead)"),
                            ("vi_VN-nang-medium", "compute stand-in (~0.8 GFLOP/s of audio)")):
            first, synth, audio = piper_rtf(folder, name, texts)
            print(f"  {label:42s} load+first {first:6.3f} s   synth {synth:6.2f} s for {audio:6.1f} s audio"
                  f"   RTF {synth / audio:.4f}  ({synth / len(texts) * 1000:.1f} ms/clause)")
        print("  published, real medium/high voices:")
        for line in PUBLISHED:
            print(f"    - {line}")
        build_s, floor_s, clip_s = recording_bench(folder, args.minutes, tmp)
        print(f"Recording: {args.minutes:g}-minute M4A → finished clip ({clip_s:.1f} s)")
        print(f"  build (decode, checks, trim, master, tags): {build_s:6.2f} s")
        print(f"  ffmpeg floor (decode + encode same file):    {floor_s:6.2f} s")
        print(f"  build / floor:                               {build_s / floor_s:6.2f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
