"""Speech stage, entry point: normalised announcement text → PCM, choosing engine, voice, cache and fallback.

An online engine that fails (no network, rate limit, service error) is replaced by
the configured fallback engine; the result records which engine really spoke, and
the cache is keyed by that engine.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from ..errors import EngineError
from ..models import Pcm, SpeechSettings
from .cache import SynthCache, key_for
from .engines import Engine, get_engine

MESSAGES = {
    "fallback_failed": "{error}; công cụ dự phòng {fallback} cũng lỗi: {fallback_error}",
}

_checked: set[str] = set()
_checked_lock = threading.Lock()


@dataclass(frozen=True)
class SynthResult:
    """Audio for one text and who made it.

    Attributes:
        pcm: the speech.
        engine: the engine that actually produced it (the fallback when one was used).
        voice: the voice that produced it.
        fallback_used: True when the chosen online engine failed and the fallback spoke.
        cached: True when the audio came from the cache.
    """

    pcm: Pcm
    engine: str
    voice: str
    fallback_used: bool
    cached: bool


def ensure_environment(engine: Engine) -> None:
    """Run ``engine.check_environment()`` once per engine per process; failures are re-checked next time."""
    with _checked_lock:
        if engine.name in _checked:
            return
    engine.check_environment()
    with _checked_lock:
        _checked.add(engine.name)


def forget_environment_checks() -> None:
    """Check every engine's environment again on next use (tests, long-running web shell)."""
    with _checked_lock:
        _checked.clear()


def pick_voice(engine: Engine, language: str, voice: str | None, settings: SpeechSettings) -> str:
    """The voice argument, else settings.voice when it belongs to ``engine`` and reads ``language``,
    else the engine's default for ``language``.

    Raises:
        EngineError: the engine cannot read ``language``, or ``voice`` is not one of its voices.
    """
    if voice is not None:
        return engine.resolve_voice(voice, language)
    if engine.voice_languages.get(settings.voice) == language:
        return settings.voice
    return engine.default_voice(language)


def fallback_voice(engine: Engine, language: str, settings: SpeechSettings) -> str:
    """The voice the fallback engine reads with: the one of ``settings.dialect`` when it has regional voices.

    ``settings.voice`` belongs to the main (online) engine; it is kept for the fallback only
    when it names one of the fallback's voices for ``language`` that is not a regional voice
    (e.g. eSpeak's central voice). A voice id both engines know (``vi``) does not override
    the dialect: with ``dialect: south`` eSpeak reads with ``vi-vn-x-south``.
    """
    by_dialect = engine.dialect_voice(language, settings.dialect)
    own = settings.voice if engine.voice_languages.get(settings.voice) == language else None
    if own is not None and own not in engine.dialect_voices.values():
        return own
    return by_dialect or pick_voice(engine, language, None, settings)


def synthesize(text: str, *, language: str, settings: SpeechSettings, engine: str | None = None,
               voice: str | None = None, cache: SynthCache | None = None) -> SynthResult:
    """Read ``text`` aloud with the chosen engine, or its fallback when an online engine fails.

    Args:
        text: normalised spoken text.
        language: "vi" or "km".
        settings: engine, voice, fallback, pace, timeouts and retries.
        engine: overrides ``settings.engine`` (per-script engine).
        voice: overrides ``settings.voice`` (per-script voice); must belong to the engine.
        cache: reuse and store audio here when given.

    Returns:
        The audio and which engine and voice made it.

    Raises:
        EngineError: unknown engine, language or voice (never replaced by the fallback), or
            the engine failed and there is no usable fallback.
    """
    primary = get_engine(engine or settings.engine)
    auto_fallback = None
    if hasattr(primary, "choose"):  # engine: auto picks the first available engine for this clip
        auto = primary
        primary, auto_fallback = auto.choose(settings, language)
        if cache is not None:
            earlier = _cached_from_skipped(auto, primary, text, language, voice, settings, cache)
            if earlier is not None:
                return earlier
        voice = voice if voice in primary.voices else None
    primary_voice = pick_voice(primary, language, voice, settings)
    try:
        return _speak(primary, primary_voice, text, language, settings, cache, fallback_used=False)
    except EngineError as error:
        fallback_name = settings.fallback or (auto_fallback.name if auto_fallback else None)
        if not primary.online or not fallback_name or fallback_name == primary.name:
            raise
        fallback = get_engine(fallback_name)
        try:
            voice_used = fallback_voice(fallback, language, settings)
            return _speak(fallback, voice_used, text, language, settings, cache, fallback_used=True)
        except EngineError as fallback_error:
            raise EngineError(MESSAGES["fallback_failed"].format(
                error=error.message, fallback=fallback.name,
                fallback_error=fallback_error.message)) from fallback_error


def _cached_from_skipped(auto, chosen: Engine, text: str, language: str, voice: str | None,
                         settings: SpeechSettings, cache: SynthCache) -> SynthResult | None:
    """With engine: auto offline, reuse what a better online engine of the list said before.

    Online voices (edge-tts) are the best quality but need the network; their audio is in
    the cache, so a rebuild without Internet keeps that voice for every unchanged sentence.
    """
    for name in settings.auto or ():
        if name == chosen.name:
            return None
        engine = get_engine(name)
        if not engine.online or language not in engine.languages:
            continue
        try:
            engine_voice = pick_voice(engine, language, voice if voice in engine.voices else None, settings)
        except EngineError:
            continue
        pcm = cache.get(key_for(text, engine.name, engine_voice, language, settings))
        if pcm is not None:
            return SynthResult(pcm, engine.name, engine_voice, fallback_used=False, cached=True)
    return None


def _speak(engine: Engine, voice: str, text: str, language: str, settings: SpeechSettings,
           cache: SynthCache | None, *, fallback_used: bool) -> SynthResult:
    identity = getattr(engine, "cache_identity", None)
    extra = identity(voice, settings) if identity is not None and cache is not None else None
    key = key_for(text, engine.name, voice, language, settings, extra) if cache is not None else ""
    if cache is not None:
        pcm = cache.get(key)
        if pcm is not None:
            return SynthResult(pcm, engine.name, voice, fallback_used, cached=True)
    ensure_environment(engine)
    pcm = engine.synthesize(text, language=language, voice=voice, settings=settings)
    if cache is not None:
        cache.put(key, pcm)
    return SynthResult(pcm, engine.name, voice, fallback_used, cached=False)
