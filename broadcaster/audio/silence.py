"""Audio stage, silence: a short silent MP3 in a clip profile, the gap between the pieces of a programme.

Every clip of a project shares one MP3 profile (sample rate, mono, bitrate), so a
programme can be joined by stream copy; the gap between its pieces must be an MP3
of that same profile. It is encoded once by FFmpeg and reused.
"""
from __future__ import annotations

from pathlib import Path

from ..atomic import atomic_path
from ..models import PROFILES
from .ffmpeg import run_ffmpeg


def silent_mp3(path: Path, seconds: float, profile: str) -> Path:
    """The silent MP3 at ``path`` of ``seconds`` in the MP3 ``profile`` (``models.PROFILES``), made once.

    Args:
        path: Where the file is (or goes); its folder is created. An existing file is reused as it is.
        seconds: Length in seconds.
        profile: A name of ``models.PROFILES`` (an unknown one: ``standard``).

    Returns:
        ``path``.

    Raises:
        BroadcasterError: FFmpeg failed (nothing is left half-written).
    """
    if path.exists():
        return path
    settings = PROFILES.get(profile, PROFILES["standard"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as temp:
        run_ffmpeg(["-loglevel", "error", "-f", "lavfi", "-i", f"anullsrc=r={settings['rate']}:cl=mono",
                    "-t", f"{seconds:.3f}", "-ac", "1", "-ar", str(settings["rate"]), "-c:a", "libmp3lame",
                    "-b:a", settings["bitrate"], "-map_metadata", "-1", "-f", "mp3", str(temp)])
    return path
