"""Benchmark of the clip build: cold build vs the FFmpeg encoding floor, warm rebuild vs cold.

Run:  python bench/bench_build.py [--scripts 20]
Builds the sample folder plus N long scripts with the real eSpeak engine and FFmpeg,
then encodes the same total duration of audio with FFmpeg alone to the same MP3 profile,
in the same run, and prints the ratios (targets: cold ≤ 2× floor, warm ≤ 5 % of cold).
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

from broadcaster.audio.ffmpeg import decode_to_pcm, ffmpeg_exe  # noqa: E402
from broadcaster.build import build_clips  # noqa: E402
from broadcaster.config import load_project  # noqa: E402
from broadcaster.models import PROFILES  # noqa: E402

PARAGRAPH = (
    "Kính thưa bà con, thực hiện Công văn số 2482/CVT-CS ngày 4/7/2024 của Cục Viễn thông, "
    "UBND xã thông báo: từ ngày 16/9/2024, máy điện thoại chỉ dùng sóng 2G sẽ không liên lạc được nữa. "
    "Bà con mang máy đến cửa hàng Viettel, VNPT hoặc MobiFone để được hỗ trợ đổi máy 4G giá từ 500.000 đồng, "
    "trả góp 0% lãi suất. Mọi thắc mắc xin gọi tổng đài 18001091 từ 7h30 đến 17h00 hằng ngày. "
)


def make_folder(root: Path, count: int) -> Path:
    folder = root / "work"
    folder.mkdir()
    for name in ("broadcaster.yaml", "scripts", "schedules"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, folder / name)
    for i in range(count):
        text = "\n".join(f"  Đoạn {k + 1}. " + PARAGRAPH for k in range(4))
        (folder / "scripts" / f"dai-{i:02d}.yaml").write_text(
            f"id: dai-{i:02d}\ntitle: Bài dài số {i + 1}\ncampaign: dung-2g\nform: bai\nrepeat: 1\n"
            f"text: |\n{text}\n  Bài số {i + 1} xin hết.\n", encoding="utf-8")
    return folder


def encode_floor(clips: list[Path], profile: str, work: Path) -> float:
    """Time FFmpeg alone encoding the same audio (the built clips, decoded beforehand) to the profile."""
    p = PROFILES[profile]
    raw = work / "all.pcm"
    with open(raw, "wb") as fh:
        for clip in clips:  # decoding is not timed: the floor is the encode alone
            fh.write(decode_to_pcm(clip, p["rate"]).samples)
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-f", "s16le", "-ar", str(p["rate"]), "-ac", "1",
           "-i", str(raw), "-c:a", "libmp3lame", "-b:a", p["bitrate"], "-f", "mp3", str(work / "floor.mp3")]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scripts", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = make_folder(Path(tmp), args.scripts)
        project = load_project(folder)
        t = time.perf_counter()
        cold = build_clips(project)
        cold_s = time.perf_counter() - t
        clips = cold.records + cold.identity  # scripts plus station openings and closings
        total = sum(r.duration_s for r in clips)
        floor_s = encode_floor([folder / r.path for r in clips], project.audio.profile, Path(tmp))
        t = time.perf_counter()
        warm = build_clips(load_project(folder))
        warm_s = time.perf_counter() - t
    print(f"clips: {len(cold.records)} scripts + {len(cold.identity)} station openings/closings "
          f"({cold.synthesized} built), audio: {total:.1f} s")
    print(f"cold build:            {cold_s:8.2f} s")
    print(f"ffmpeg encode floor:   {floor_s:8.2f} s   (same {total:.0f} s of audio, same profile)")
    print(f"cold / floor:          {cold_s / floor_s:8.2f} x   (target <= 2)")
    print(f"warm rebuild:          {warm_s:8.3f} s   ({warm.synthesized} rebuilt)")
    print(f"warm / cold:           {100 * warm_s / cold_s:8.2f} %   (target <= 5 %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
