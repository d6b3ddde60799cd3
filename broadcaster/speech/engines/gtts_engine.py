"""Speech stage, online engine: Vietnamese text → PCM through Google Translate's speech endpoint (gTTS).

gTTS builds each request (``gTTS._prepare_requests``); we split the text ourselves,
send the requests with a timeout and certificate checks, retry transient failures,
and decode the MP3 answers with FFmpeg.
"""
from __future__ import annotations

import base64
import binascii
import json
import os
import random
import re
import socket
import time
import unicodedata
import urllib.parse
from typing import Any, Callable

from ...audio.ffmpeg import decode_to_pcm
from ...errors import BroadcasterError, EngineError
from ...models import Pcm, SpeechSettings
from .base import Engine, ServiceFailure, call_with_retries, failure_error

MESSAGES = {
    "no_package": "thiếu thư viện gTTS — cài lại: pip install gTTS requests",
    "network": "không kết nối được tới máy chủ Google — kiểm tra mạng Internet",
    "timeout": "máy chủ Google không trả lời trong {timeout:g} giây — mạng chậm hoặc chập chờn; "
               "tăng speech.timeout_s, hoặc dùng fallback: espeak",
    "rate_limited": "Google đang giới hạn số lượt yêu cầu (429) — chờ vài phút rồi chạy lại, "
                    "hoặc dùng fallback: espeak",
    "server": "máy chủ Google đang gặp lỗi ({detail}) — thử lại sau, hoặc dùng fallback: espeak",
    "token": "Google từ chối yêu cầu (403): mã xác thực sai hoặc Google đã đổi cách gọi — "
             "cập nhật gói: pip install -U gTTS, hoặc dùng fallback: espeak",
    "no_audio": "Google trả lời nhưng không có âm thanh cho đoạn «{chunk}» — "
                "kiểm tra văn bản, hoặc cập nhật gói: pip install -U gTTS",
    "other": "gọi máy chủ Google thất bại ({detail})",
    "tries": " (đã thử {tries} lần)",
    "decode": "không giải mã được âm thanh MP3 Google trả về: {detail}",
}

MAX_CHUNK_CHARS = 100  # gTTS.GOOGLE_TTS_MAX_CHARS: what the endpoint accepts per request
DEFAULT_TLD = "com.vn"
MP3_RATE = 24000
SLOW_BELOW_WPM = 110  # Google has only two speeds; slower settings ask for the slow one
URL_ENV = "BROADCASTER_GTTS_URL"

# Clause boundaries, strongest first. Punctuation counts only when followed by
# whitespace, so "10:30" and "500.000" are never cut; a space between two digits
# is kept too, so a digit group "1 000" stays in one chunk. Khmer ends sentences
# with khan (។ ៕), often with no space after it.
_BOUNDARIES = (
    re.compile(r"(?<=[.;:?!…])\s+|(?<=[។៕])\s*"),
    re.compile(r"(?<=[,])\s+"),
    re.compile(r"(?<!\d)\s+|\s+(?!\d)"),
)


def split_chunks(text: str, limit: int = MAX_CHUNK_CHARS) -> list[str]:
    """Split text into NFC chunks of at most ``limit`` code points at clause boundaries.

    Sentences (. ; : ? !) are tried first, then commas, then spaces; neighbouring
    pieces are packed together while they fit. Words and digit runs are never cut,
    except a single word longer than ``limit`` (which normalised text does not contain).

    Args:
        text: the spoken text.
        limit: maximum characters per chunk.

    Returns:
        Non-empty chunks, in order.
    """
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return _split(text, limit, 0) if text else []


def _split(text: str, limit: int, level: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    if level == len(_BOUNDARIES):
        return [text[i:i + limit] for i in range(0, len(text), limit)]
    chunks: list[str] = []
    current = ""
    for piece in (p for p in _BOUNDARIES[level].split(text) if p):
        if len(piece) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.extend(_split(piece, limit, level + 1))
        elif not current:
            current = piece
        elif len(current) + 1 + len(piece) <= limit:
            current = f"{current} {piece}"
        else:
            chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return chunks


def parse_batchexecute(body: str, rpc: str) -> bytes | None:
    """Extract the MP3 bytes from a batchexecute answer, or None when it carries none.

    The answer is a ``)]}'`` guard line followed by length-prefixed JSON lines; the
    audio is base64 inside ``["wrb.fr", rpc, "[\\"<base64>\\"]", …]``.
    """
    for line in body.splitlines():
        line = line.strip()
        if not line.startswith("["):
            continue
        try:
            envelope = json.loads(line)
        except ValueError:
            continue
        for entry in envelope if isinstance(envelope, list) else ():
            if not (isinstance(entry, list) and len(entry) >= 3 and entry[:2] == ["wrb.fr", rpc]):
                continue
            try:
                payload = json.loads(entry[2]) if isinstance(entry[2], str) else None
                if payload and isinstance(payload[0], str):
                    return base64.b64decode(payload[0], validate=True)
            except (ValueError, binascii.Error):
                return None
    return None


class GttsEngine(Engine):
    """Google Translate speech via gTTS (online, natural Vietnamese, rate-limited by Google).

    Args:
        base_url: scheme and host of the endpoint, e.g. ``http://127.0.0.1:8080``; default
            $BROADCASTER_GTTS_URL, else ``https://translate.google.<tld>``.
        tld: Google host domain (accent), ``com.vn`` by default.
        transport: object with ``post(url, data=, headers=, timeout=)`` returning a
            requests-like response; default a fresh ``requests.Session`` per text.
        sleep: waits between retries and chunks (tests inject a recorder).
        base_delay: seconds before the first retry; doubles each time.
        chunk_pause_s: pause between chunks, to stay under Google's rate limit.
        jitter: random source in [0, 1) for the retry jitter.
    """

    name = "gtts"
    online = True
    languages = frozenset({"vi", "km"})
    voices = {
        "google-vi": "Giọng Google Dịch, tiếng Việt",
        "google-km": "Giọng Google Dịch, tiếng Khmer",
    }
    voice_languages = {"google-vi": "vi", "google-km": "km"}

    def __init__(self, *, base_url: str | None = None, tld: str = DEFAULT_TLD, transport: Any = None,
                 sleep: Callable[[float], None] = time.sleep, base_delay: float = 2.0,
                 chunk_pause_s: float = 0.5, jitter: Callable[[], float] = random.random):
        self.base_url = base_url
        self.tld = tld
        self.transport = transport
        self.sleep = sleep
        self.base_delay = base_delay
        self.chunk_pause_s = chunk_pause_s
        self.jitter = jitter

    def _base_url(self) -> str | None:
        return self.base_url or os.environ.get(URL_ENV) or None

    def _host(self) -> tuple[str, int]:
        parts = urllib.parse.urlsplit(self._base_url() or f"https://translate.google.{self.tld}")
        return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)

    def check_environment(self) -> None:
        """Check that gTTS and requests import and that the Google host answers a TCP connect."""
        try:
            import gtts  # noqa: F401
            import requests  # noqa: F401
        except ImportError as exc:
            raise EngineError(MESSAGES["no_package"]) from exc
        try:
            with socket.create_connection(self._host(), timeout=5):
                pass
        except OSError as exc:
            raise EngineError(MESSAGES["network"]) from exc

    def synthesize(self, text: str, *, language: str = "vi", voice: str | None = None,
                   settings: SpeechSettings) -> Pcm:
        self.resolve_voice(voice, language)
        chunks = split_chunks(self.require_text(text))
        try:
            import requests
        except ImportError as exc:
            raise EngineError(MESSAGES["no_package"]) from exc
        transport = self.transport or requests.Session()
        parts: list[bytes] = []
        try:
            for number, chunk in enumerate(chunks):
                if number and self.chunk_pause_s:
                    self.sleep(self.chunk_pause_s)
                try:
                    mp3 = call_with_retries(
                        lambda: self._request(transport, chunk, language, settings),
                        tries=settings.retries, base_delay=self.base_delay, sleep=self.sleep,
                        jitter=self.jitter)
                except ServiceFailure as failure:
                    raise failure_error(MESSAGES, failure, tries=settings.retries,
                                        timeout=settings.timeout_s, chunk=chunk) from failure
                try:
                    parts.append(decode_to_pcm(mp3, MP3_RATE, fmt="mp3").samples)
                except BroadcasterError as exc:
                    raise EngineError(MESSAGES["decode"].format(detail=exc.message)) from exc
        finally:
            if self.transport is None:
                transport.close()
        return Pcm(b"".join(parts), MP3_RATE)

    def _request(self, transport: Any, chunk: str, language: str, settings: SpeechSettings) -> bytes:
        """Send one chunk; return its MP3 bytes or raise a classified ServiceFailure."""
        import requests
        from gtts import gTTS

        # No pre-processors: the text is already normalised and chunked, and they
        # could add characters and make gTTS re-split a chunk.
        tts = gTTS(chunk, lang=language, tld=self.tld, slow=settings.rate < SLOW_BELOW_WPM,
                   lang_check=False, pre_processor_funcs=[])
        prepared = tts._prepare_requests()[0]
        url = prepared.url
        base = self._base_url()
        if base:
            url = base.rstrip("/") + urllib.parse.urlsplit(prepared.url).path
        try:
            response = transport.post(url, data=prepared.body, headers=dict(prepared.headers),
                                      timeout=settings.timeout_s)
        except requests.exceptions.Timeout as exc:  # before ConnectionError: ConnectTimeout is both
            raise ServiceFailure("timeout", str(exc)) from exc
        except requests.exceptions.ConnectionError as exc:
            raise ServiceFailure("network", str(exc)) from exc
        except requests.exceptions.RequestException as exc:
            raise ServiceFailure("other", str(exc)) from exc
        status = response.status_code
        if status == 429:
            raise ServiceFailure("rate_limited", "HTTP 429")
        if status >= 500:
            raise ServiceFailure("server", f"HTTP {status}")
        if status == 403:
            raise ServiceFailure("token", "HTTP 403")
        if status >= 400:
            raise ServiceFailure("other", f"HTTP {status}")
        audio = parse_batchexecute(response.text, tts.GOOGLE_TTS_RPC)
        if not audio:
            raise ServiceFailure("no_audio")
        return audio
