"""Speech stage, engine contract: what every engine that turns spoken text into PCM must offer.

Also holds the one retry policy shared by the online engines (gTTS, edge-tts):
exponential backoff with jitter over failures classified by probable cause.
"""
from __future__ import annotations

import random
import time
from abc import ABC, abstractmethod
from typing import Callable, TypeVar

from ...errors import EngineError, did_you_mean, valid_list
from ...models import LANGUAGES, Pcm, SpeechSettings
from .registry import engines_for

MESSAGES = {
    "language": "công cụ {engine} không đọc được {language_name} ({language}); các công cụ đọc được: {engines}",
    "language_none": "công cụ {engine} không đọc được {language_name} ({language}); chưa có công cụ nào đọc được ngôn ngữ này",
    "voice": 'công cụ {engine} không có giọng "{voice}"{hint}; các giọng có: {voices}',
    "voice_language": 'giọng "{voice}" của công cụ {engine} không đọc {language_name} ({language}); các giọng đọc được: {voices}',
    "empty": "không có chữ nào để đọc",
}

T = TypeVar("T")

# Causes an online call can fail with; the first four are worth trying again.
RETRYABLE_CAUSES = frozenset({"network", "timeout", "rate_limited", "server"})


class ServiceFailure(Exception):
    """One failed call to an online speech service, classified by probable cause.

    Args:
        cause: "network", "timeout", "rate_limited", "server", "token", "no_audio" or "other".
        detail: short technical detail (status code, exception text) for the message.
    """

    def __init__(self, cause: str, detail: str = ""):
        self.cause = cause
        self.detail = detail
        super().__init__(f"{cause}: {detail}" if detail else cause)

    @property
    def retryable(self) -> bool:
        return self.cause in RETRYABLE_CAUSES


def call_with_retries(attempt: Callable[[], T], *, tries: int, base_delay: float,
                      sleep: Callable[[float], None] = time.sleep,
                      jitter: Callable[[], float] = random.random,
                      max_delay: float = 60.0) -> T:
    """Call ``attempt`` until it succeeds, retrying transient ServiceFailures.

    The n-th retry waits ``base_delay * 2**(n-1)`` plus up to 25 % jitter (capped at
    ``max_delay``), so a rate-limited service is not hammered by every station at once.

    Args:
        attempt: makes one request; raises ServiceFailure on failure.
        tries: total attempts, at least 1.
        base_delay: seconds before the first retry.
        sleep: waits between attempts (tests inject a recorder).
        jitter: returns a float in [0, 1).
        max_delay: upper bound of one wait.

    Returns:
        What ``attempt`` returned.

    Raises:
        ServiceFailure: the last failure, when it is not retryable or tries ran out.
    """
    tries = max(1, int(tries))
    for number in range(1, tries + 1):
        try:
            return attempt()
        except ServiceFailure as failure:
            if not failure.retryable or number == tries:
                raise
            delay = base_delay * 2 ** (number - 1)
            sleep(min(max_delay, delay * (1.0 + 0.25 * jitter())))
    raise AssertionError("unreachable")  # pragma: no cover


def failure_error(messages: dict[str, str], failure: ServiceFailure, *, tries: int,
                  **fields: object) -> EngineError:
    """Turn the last ServiceFailure into an EngineError using an engine's message table.

    Args:
        messages: the engine's MESSAGES, with one entry per cause plus "other" and "tries".
        failure: the failure that ended the retries.
        tries: how many attempts were allowed (named in the message for transient causes).
        fields: extra placeholders for the messages (timeout, chunk…).
    """
    template = messages.get(failure.cause, messages["other"])
    message = template.format(detail=failure.detail or failure.cause, **fields)
    if failure.retryable:
        message += messages["tries"].format(tries=max(1, tries))
    return EngineError(message)


class Engine(ABC):
    """A speech engine (công cụ đọc): turns normalised text into mono 16-bit PCM.

    Attributes:
        name: the id used in settings and the ENGINES table.
        online: True when the engine needs the Internet (fallback applies to these).
        languages: language codes it can read ("vi", "km").
        voices: voice id -> Vietnamese description for staff.
        voice_languages: voice id -> language code the voice reads.
        dialect_voices: (language, dialect) -> the voice of that regional accent
            (``speech.dialect``: south, north), for engines that have regional voices.
    """

    name: str = ""
    online: bool = False
    languages: frozenset[str] = frozenset()
    voices: dict[str, str] = {}
    voice_languages: dict[str, str] = {}
    dialect_voices: dict[tuple[str, str], str] = {}
    #: Whether messages name this engine as one that can read a language (not ``auto``, not test engines).
    suggested: bool = True

    def dialect_voice(self, language: str, dialect: str | None) -> str | None:
        """The voice of ``dialect`` for ``language`` (e.g. espeak, vi, south → vi-vn-x-south), or None."""
        return self.dialect_voices.get((language, dialect or ""))

    def default_voice(self, language: str) -> str:
        """The first voice that reads ``language``; EngineError when there is none."""
        self.require_language(language)
        return next(v for v, lang in self.voice_languages.items() if lang == language)

    def require_language(self, language: str) -> None:
        """Raise EngineError naming the engines that can read ``language`` when this one cannot."""
        if language in self.languages:
            return
        able = engines_for(language)
        fields = dict(engine=self.name, language=language,
                      language_name=LANGUAGES.get(language, language))
        if able:
            raise EngineError(MESSAGES["language"].format(engines=valid_list(able), **fields))
        raise EngineError(MESSAGES["language_none"].format(**fields))

    def resolve_voice(self, voice: str | None, language: str) -> str:
        """Check ``voice`` (or pick the default) for ``language``; EngineError listing the voices."""
        self.require_language(language)
        if voice is None:
            return self.default_voice(language)
        if voice not in self.voices:
            raise EngineError(MESSAGES["voice"].format(
                engine=self.name, voice=voice, hint=did_you_mean(voice, self.voices),
                voices=valid_list(self.voices)))
        if self.voice_languages.get(voice) != language:
            fitting = [v for v, lang in self.voice_languages.items() if lang == language]
            raise EngineError(MESSAGES["voice_language"].format(
                engine=self.name, voice=voice, language=language,
                language_name=LANGUAGES.get(language, language), voices=valid_list(fitting)))
        return voice

    @abstractmethod
    def check_environment(self) -> None:
        """Raise EngineError saying what is missing (library, voice data, network)."""

    @abstractmethod
    def synthesize(self, text: str, *, language: str = "vi", voice: str | None = None,
                   settings: SpeechSettings) -> Pcm:
        """Read ``text`` aloud.

        Args:
            text: normalised text (numbers already spelled out as words).
            language: "vi" or "km".
            voice: a key of ``voices``; None picks the default for the language.
            settings: pace, pitch, timeouts and retries.

        Returns:
            Mono 16-bit PCM at the engine's rate.

        Raises:
            EngineError: the language or voice is unknown, or the engine failed.
        """

    @staticmethod
    def require_text(text: str) -> str:
        """Strip ``text``; EngineError when nothing is left to read."""
        stripped = (text or "").strip()
        if not stripped:
            raise EngineError(MESSAGES["empty"])
        return stripped
