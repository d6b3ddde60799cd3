"""Test engine (not part of the package): text → a deterministic tone whose length follows the text.

Later stages (mastering, scheduling, reports) are tested with it quickly; the tone is
amplitude-modulated like syllables so loudness measurement and silence trimming work.
It lives beside the tests, as Mopidy keeps its dummy backend in tests/: the test
conftest (and the benchmarks) call :func:`register` to add it to the engine table,
and ``tests/fake_cli.py`` does the same for a ``broadcaster`` run in a subprocess.
"""
from __future__ import annotations

import hashlib
import threading

import numpy as np

from broadcaster.models import Pcm, SpeechSettings
from broadcaster.speech.engines import Engine, register_engine

RATE = 22050
MS_PER_CHAR = 60
SYLLABLE_HZ = 4.0  # syllable-like loudness envelope


class FakeEngine(Engine):
    """A complete stand-in engine: 60 ms of tone per character, 220–440 Hz by text and voice.

    Attributes:
        calls: how many times any FakeEngine synthesised (tests assert "nothing synthesised").
        texts: the texts synthesised, in order.
    """

    name = "fake"
    online = False
    suggested = False
    languages = frozenset({"vi", "km"})
    voices = {
        "fake": "Giọng thử (tiếng Việt)",
        "fake-2": "Giọng thử thứ hai (tiếng Việt)",
        "fake-km": "Giọng thử (tiếng Khmer)",
    }
    voice_languages = {"fake": "vi", "fake-2": "vi", "fake-km": "km"}

    calls = 0
    texts: list[str] = []
    _count_lock = threading.Lock()

    @classmethod
    def reset(cls) -> None:
        """Forget the calls counted so far."""
        with cls._count_lock:
            cls.calls = 0
            cls.texts = []

    def check_environment(self) -> None:
        """Nothing is needed."""

    def synthesize(self, text: str, *, language: str = "vi", voice: str | None = None,
                   settings: SpeechSettings) -> Pcm:
        voice = self.resolve_voice(voice, language)
        text = self.require_text(text)
        with FakeEngine._count_lock:
            FakeEngine.calls += 1
            FakeEngine.texts.append(text)
        return Pcm(tone_for(f"{voice}|{settings.rate}|{settings.pitch}|{text}", len(text)), RATE)


def tone_for(seed: str, characters: int) -> bytes:
    """Deterministic int16 samples: a 220–440 Hz tone with a syllable envelope.

    Args:
        seed: picks the frequency, so different texts or voices sound different.
        characters: length of the text; the audio lasts 60 ms per character.
    """
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    frequency = 220.0 + 220.0 * digest[0] / 255.0
    count = RATE * MS_PER_CHAR * max(1, characters) // 1000
    t = np.arange(count, dtype=np.float64) / RATE
    envelope = 0.55 + 0.45 * np.sin(2 * np.pi * SYLLABLE_HZ * t) ** 2
    wave = 0.3 * envelope * np.sin(2 * np.pi * frequency * t)
    return (wave * 32767).astype("<i2").tobytes()


def register() -> None:
    """Add the fake engine to the engine table under the name ``fake`` (idempotent)."""
    register_engine("fake", FakeEngine)
