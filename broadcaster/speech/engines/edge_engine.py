"""Speech stage, online engine: text → PCM through Microsoft Edge's read-aloud voices (edge-tts, optional extra).

edge-tts is asynchronous and optional: it is imported only when used, each text runs
in a fresh event loop, and failures go through the same retry policy as gTTS.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import random
import socket
import time
from typing import Any, Callable

from ...audio.ffmpeg import decode_to_pcm
from ...errors import BroadcasterError, EngineError
from ...models import Pcm, SpeechSettings
from .base import Engine, ServiceFailure, call_with_retries, failure_error

MESSAGES = {
    "no_package": "chưa cài công cụ edge-tts — cài thêm: pip install 'broadcaster[edge]'",
    "network": "không kết nối được tới máy chủ Microsoft (speech.platform.bing.com) — kiểm tra mạng Internet",
    "timeout": "máy chủ Microsoft không trả lời trong {timeout:g} giây — mạng chậm hoặc chập chờn; "
               "tăng speech.timeout_s, hoặc dùng fallback: espeak",
    "rate_limited": "Microsoft đang giới hạn số lượt yêu cầu (429) — chờ vài phút rồi chạy lại, "
                    "hoặc dùng fallback: espeak",
    "server": "máy chủ Microsoft đang gặp lỗi ({detail}) — thử lại sau, hoặc dùng fallback: espeak",
    "token": "Microsoft từ chối yêu cầu (403): đồng hồ máy lệch hoặc edge-tts đã cũ — "
             "chỉnh giờ máy, cập nhật gói: pip install -U edge-tts, hoặc dùng fallback: espeak",
    "no_audio": "Microsoft không trả về âm thanh — kiểm tra tên giọng và văn bản",
    "other": "gọi máy chủ Microsoft thất bại ({detail})",
    "tries": " (đã thử {tries} lần)",
    "decode": "không giải mã được âm thanh MP3 Microsoft trả về: {detail}",
}

MP3_RATE = 24000          # edge-tts asks for audio-24khz-48kbitrate-mono-mp3
NEUTRAL_WPM = 145         # SpeechSettings.rate that means "+0%"
NEUTRAL_PITCH = 50        # SpeechSettings.pitch that means "+0Hz"
HOST = ("speech.platform.bing.com", 443)
CONNECT_TIMEOUT_S = 10


def rate_percent(rate_wpm: int) -> str:
    """Map eSpeak words-per-minute to edge-tts's relative rate, e.g. 145 → "+0%", 116 → "-20%"."""
    percent = round((int(rate_wpm) - NEUTRAL_WPM) * 100 / NEUTRAL_WPM)
    return f"{max(-50, min(100, percent)):+d}%"


def pitch_hertz(pitch: int) -> str:
    """Map eSpeak's 0–100 pitch to edge-tts's relative pitch, e.g. 50 → "+0Hz", 60 → "+10Hz"."""
    return f"{max(-50, min(50, int(pitch) - NEUTRAL_PITCH)):+d}Hz"


def _run_async(make_coroutine: Callable[[], Any]) -> Any:
    """Run a coroutine in a fresh event loop, in a worker thread when this one already runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def _classify(exc: BaseException) -> ServiceFailure:
    """Name the probable cause of an edge-tts or aiohttp failure."""
    import aiohttp
    from edge_tts import exceptions as edge_exceptions

    if isinstance(exc, aiohttp.ClientResponseError):  # includes WSServerHandshakeError
        status = exc.status
        if status == 429:
            return ServiceFailure("rate_limited", "HTTP 429")
        if status == 403:
            return ServiceFailure("token", "HTTP 403")
        if status >= 500:
            return ServiceFailure("server", f"HTTP {status}")
        return ServiceFailure("other", f"HTTP {status}")
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):  # before OSError: some are both
        return ServiceFailure("timeout", str(exc))
    if isinstance(exc, (aiohttp.ClientConnectionError, OSError)):
        return ServiceFailure("network", str(exc))
    if isinstance(exc, edge_exceptions.NoAudioReceived):
        return ServiceFailure("no_audio", str(exc))
    if isinstance(exc, edge_exceptions.WebSocketError):
        return ServiceFailure("server", str(exc))
    return ServiceFailure("other", f"{type(exc).__name__}: {exc}")


class EdgeEngine(Engine):
    """Microsoft Edge neural voices via edge-tts (online, natural, optional extra).

    Args:
        communicate: factory ``(text, voice, rate=, pitch=, connect_timeout=, receive_timeout=)``
            returning an object with an async ``stream()`` of edge-tts chunks; default
            ``edge_tts.Communicate`` (tests inject a fake).
        sleep: waits between retries (tests inject a recorder).
        base_delay: seconds before the first retry; doubles each time.
        jitter: random source in [0, 1) for the retry jitter.
    """

    name = "edge"
    online = True
    languages = frozenset({"vi", "km"})
    voices = {
        "vi-VN-HoaiMyNeural": "Hoài My — giọng nữ miền Bắc (Microsoft)",
        "vi-VN-NamMinhNeural": "Nam Minh — giọng nam miền Bắc (Microsoft)",
        "km-KH-SreymomNeural": "Sreymom — giọng nữ tiếng Khmer (Microsoft)",
        "km-KH-PisethNeural": "Piseth — giọng nam tiếng Khmer (Microsoft)",
    }
    voice_languages = {"vi-VN-HoaiMyNeural": "vi", "vi-VN-NamMinhNeural": "vi",
                       "km-KH-SreymomNeural": "km", "km-KH-PisethNeural": "km"}

    def __init__(self, *, communicate: Callable[..., Any] | None = None,
                 sleep: Callable[[float], None] = time.sleep, base_delay: float = 2.0,
                 jitter: Callable[[], float] = random.random):
        self.communicate = communicate
        self.sleep = sleep
        self.base_delay = base_delay
        self.jitter = jitter

    def _factory(self) -> Callable[..., Any]:
        if self.communicate is not None:
            return self.communicate
        try:
            import edge_tts
        except ImportError as exc:
            raise EngineError(MESSAGES["no_package"]) from exc
        return edge_tts.Communicate

    def check_environment(self) -> None:
        """Check that edge-tts is installed and the Microsoft host answers a TCP connect."""
        self._factory()
        if self.communicate is not None:
            return  # an injected fake needs no network
        try:
            with socket.create_connection(HOST, timeout=5):
                pass
        except OSError as exc:
            raise EngineError(MESSAGES["network"]) from exc

    def synthesize(self, text: str, *, language: str = "vi", voice: str | None = None,
                   settings: SpeechSettings) -> Pcm:
        voice = self.resolve_voice(voice, language)
        text = self.require_text(text)
        factory = self._factory()
        try:
            import aiohttp  # noqa: F401  (edge-tts's transport, needed to classify failures)
        except ImportError as exc:
            raise EngineError(MESSAGES["no_package"]) from exc

        async def receive() -> bytes:
            communicate = factory(text, voice, rate=rate_percent(settings.rate),
                                  pitch=pitch_hertz(settings.pitch),
                                  connect_timeout=CONNECT_TIMEOUT_S,
                                  receive_timeout=max(1, int(round(settings.timeout_s))))
            parts = [chunk["data"] async for chunk in communicate.stream() if chunk.get("type") == "audio"]
            return b"".join(parts)

        def attempt() -> bytes:
            try:
                audio = _run_async(receive)
            except Exception as exc:  # every failure is classified; unknown ones are not retried
                raise _classify(exc) from exc
            if not audio:
                raise ServiceFailure("no_audio")
            return audio

        try:
            mp3 = call_with_retries(attempt, tries=settings.retries, base_delay=self.base_delay,
                                    sleep=self.sleep, jitter=self.jitter)
        except ServiceFailure as failure:
            raise failure_error(MESSAGES, failure, tries=settings.retries,
                                timeout=settings.timeout_s) from failure
        try:
            return decode_to_pcm(mp3, MP3_RATE, fmt="mp3")
        except BroadcasterError as exc:
            raise EngineError(MESSAGES["decode"].format(detail=exc.message)) from exc
