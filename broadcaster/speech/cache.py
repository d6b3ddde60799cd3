"""Speech stage, synthesis cache: (spoken text, engine, voice, language, pace) → the PCM made before.

Online engines are slow and rate-limited, so every synthesised text is kept as a
small WAV file under ``directory/ab/abcdef….wav`` and reused when nothing that
changes the sound has changed.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import unicodedata
import wave
from pathlib import Path

from .. import portable
from ..models import Pcm, SpeechSettings

KEY_VERSION = 1  # bump when engines change how they sound, to ignore old entries


def key_for(text: str, engine: str, voice: str, language: str, settings: SpeechSettings,
            extra: dict | None = None) -> str:
    """The cache key: sha256 of the spoken text and everything that changes the sound.

    Args:
        text: the normalised spoken text (NFC-normalised here, so equal texts match).
        engine: name of the engine that produces (or produced) the audio.
        voice: the voice id used.
        language: "vi" or "km".
        settings: only ``rate`` and ``pitch`` count; timeouts and retries do not change the sound.
        extra: what else an engine says changes its sound (Piper: the model's hash and scales);
            None leaves the key as it always was.

    Returns:
        64 lower-case hex digits.
    """
    payload = {
        "v": KEY_VERSION,
        "text": unicodedata.normalize("NFC", text),
        "engine": engine,
        "voice": voice,
        "language": language,
        "rate": settings.rate,
        "pitch": settings.pitch,
    }
    if extra:
        payload["extra"] = extra
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


class SynthCache:
    """Synthesised speech kept on disk (bộ nhớ đệm giọng đọc), safe to share between processes.

    Args:
        directory: where the WAV files live; created on first write.
    """

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)

    key_for = staticmethod(key_for)

    def path_for(self, key: str) -> Path:
        """Where the entry for ``key`` lives: ``directory/ab/abcdef….wav``."""
        return self.directory / key[:2] / f"{key}.wav"

    def get(self, key: str) -> Pcm | None:
        """The cached audio, or None when absent or unreadable (then it is made again)."""
        path = self.path_for(key)
        try:
            with wave.open(str(path), "rb") as wav:
                if wav.getnchannels() != 1 or wav.getsampwidth() != 2:
                    return None
                return Pcm(wav.readframes(wav.getnframes()), wav.getframerate())
        except (OSError, EOFError, wave.Error):
            return None

    def put(self, key: str, pcm: Pcm) -> Path:
        """Store ``pcm`` under ``key`` atomically: readers see the old file or the whole new one."""
        path = self.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{key[:8]}-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as raw, wave.open(raw, "wb") as wav:
                wav.setnchannels(1)
                wav.setsampwidth(2)
                wav.setframerate(pcm.rate)
                wav.writeframes(pcm.samples)
            portable.replace(temp, path)  # retried on Windows while another reader holds the file
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return path
