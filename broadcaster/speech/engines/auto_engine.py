"""Speech stage, engine choice: ``engine: auto`` → the first available engine of an ordered list.

The default list is piper (when a voice is installed), edge (when Microsoft's service
can be reached), espeak (always there). An online engine is tried with a quick TCP
connection, remembered for a minute so that a build does not probe per sentence.
The synthesis entry point asks :meth:`AutoEngine.choose` and records the engine that
really spoke, so the manifest shows which engine made each clip.
"""
from __future__ import annotations

import socket
import threading
import time
from typing import Callable

from ...errors import EngineError, valid_list
from ...models import Pcm, SpeechSettings
from .base import Engine
from .registry import get_engine

MESSAGES = {
    "none": "engine: auto không tìm được công cụ đọc nào dùng được cho {language} trong danh sách {order} — {reasons}",
    "reason": "{engine}: {why}",
    "unreachable": "không kết nối được máy chủ",
    "no_voice": "chưa cài giọng",
    "direct": "engine: auto chỉ chọn công cụ đọc, không tự đọc — lỗi lập trình",
}

# Where each online engine's service lives (host, port); reachability is a TCP connect.
HOSTS = {"edge": ("speech.platform.bing.com", 443), "gtts": ("translate.google.com", 443)}
PROBE_TIMEOUT_S = 2.0
PROBE_TTL_S = 60.0

_probe_lock = threading.Lock()
_probe_cache: dict[str, tuple[float, bool]] = {}


def tcp_probe(host: str, port: int) -> bool:
    """True when a TCP connection to (host, port) opens within PROBE_TIMEOUT_S."""
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S):
            return True
    except OSError:
        return False


_probe: Callable[[str, int], bool] = tcp_probe


def set_probe(probe: Callable[[str, int], bool] | None) -> None:
    """Replace the reachability test (tests, offline shells); None restores the TCP probe."""
    global _probe
    with _probe_lock:
        _probe = probe or tcp_probe
        _probe_cache.clear()


def reachable(engine: str) -> bool:
    """Whether the online ``engine``'s service answers, remembered for PROBE_TTL_S."""
    host = HOSTS.get(engine)
    if host is None:
        return True
    now = time.monotonic()
    with _probe_lock:
        found = _probe_cache.get(engine)
        if found is not None and now - found[0] < PROBE_TTL_S:
            return found[1]
        probe = _probe
    ok = bool(probe(*host))
    with _probe_lock:
        _probe_cache[engine] = (now, ok)
    return ok


class AutoEngine(Engine):
    """Not an engine of its own: picks, per clip, the first usable engine of ``speech.auto``."""

    name = "auto"
    online = False
    suggested = False
    languages = frozenset({"vi", "km"})
    dynamic_voices = True
    voices: dict[str, str] = {}
    voice_languages: dict[str, str] = {}

    def check_environment(self) -> None:
        """Nothing: the chosen engine is checked when it is used."""

    def unavailable_reason(self, engine: Engine, language: str) -> str | None:
        """None when ``engine`` can read ``language`` now, else a short Vietnamese reason."""
        if language not in engine.languages:
            return "không đọc được ngôn ngữ này"
        if getattr(engine, "dynamic_voices", False):
            if not engine.voice_languages:
                return MESSAGES["no_voice"]
        if engine.online:
            # The probe is the whole test: synthesis falls back to the next offline engine anyway.
            return None if reachable(engine.name) else MESSAGES["unreachable"]
        try:
            engine.check_environment()
        except EngineError as error:
            return error.message
        return None

    def choose(self, settings: SpeechSettings, language: str) -> tuple[Engine, Engine | None]:
        """The first available engine of ``settings.auto`` and, when it is online, the next offline one.

        Returns:
            (engine to use, offline engine to fall back on or None).

        Raises:
            EngineError: no engine of the list can be used; the message gives each one's reason.
        """
        order = [n for n in (settings.auto or ("piper", "edge", "espeak")) if n != self.name]
        reasons, chosen = [], None
        for name in order:
            engine = get_engine(name)
            why = self.unavailable_reason(engine, language)
            if why is None:
                if chosen is None:
                    chosen = engine
                    if not engine.online:
                        return chosen, None
                    continue
                if not engine.online:
                    return chosen, engine
                continue
            reasons.append(MESSAGES["reason"].format(engine=name, why=why))
        if chosen is not None:
            return chosen, None
        from ...models import LANGUAGES

        raise EngineError(MESSAGES["none"].format(language=LANGUAGES.get(language, language),
                                                  order=valid_list(order), reasons="; ".join(reasons)))

    def synthesize(self, text: str, *, language: str = "vi", voice: str | None = None,
                   settings: SpeechSettings) -> Pcm:
        engine, _ = self.choose(settings, language)
        voice = voice if voice in engine.voices else None
        return engine.synthesize(text, language=language, voice=voice, settings=settings)
