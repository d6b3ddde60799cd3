"""Where FFmpeg lives and how the stages call it (the binary from the imageio-ffmpeg wheel).

imageio-ffmpeg ships no ffprobe, so nothing here or elsewhere may need one: formats
are always given explicitly and durations are measured by decoding.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

from ..errors import BroadcasterError
from ..models import Pcm

MESSAGES = {
    "missing": "không tìm thấy chương trình FFmpeg",
    "missing_hint": "cài lại gói: pip install imageio-ffmpeg, hoặc đặt biến BROADCASTER_FFMPEG trỏ tới tệp ffmpeg",
    "failed": "FFmpeg báo lỗi khi xử lý âm thanh: {detail}",
}


@functools.lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    """Path of the FFmpeg binary: $BROADCASTER_FFMPEG, else the wheel's, else one on PATH."""
    env = os.environ.get("BROADCASTER_FFMPEG")
    if env and Path(env).exists():
        return env
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except Exception:  # the wheel is missing or has no binary for this platform
        found = shutil.which("ffmpeg")
        if found:
            return found
    raise BroadcasterError(MESSAGES["missing"], hint=MESSAGES["missing_hint"])


def run_ffmpeg(args: list[str], *, input: bytes | None = None, capture_stderr: bool = True) -> subprocess.CompletedProcess:
    """Run FFmpeg quietly with ``args``; raise BroadcasterError with its last stderr lines on failure."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", *args]
    proc = subprocess.run(cmd, input=input, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE if capture_stderr else None)
    if proc.returncode != 0:
        tail = (proc.stderr or b"").decode("utf-8", "replace").strip().splitlines()[-3:]
        raise BroadcasterError(MESSAGES["failed"].format(detail=" | ".join(tail)))
    return proc


def decode_to_pcm(source: bytes | Path | str, rate: int, fmt: str | None = None) -> Pcm:
    """Decode an encoded file or bytes (MP3, WAV…) to mono 16-bit PCM at ``rate``."""
    args: list[str] = []
    if fmt:
        args += ["-f", fmt]
    if isinstance(source, (bytes, bytearray)):
        args += ["-i", "pipe:0"]
        data = bytes(source)
    else:
        args += ["-i", str(source)]
        data = None
    args += ["-vn", "-ac", "1", "-ar", str(rate), "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1"]
    proc = run_ffmpeg(args, input=data)
    return Pcm(proc.stdout, rate)
