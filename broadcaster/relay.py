"""Player stage, relays (tiếp sóng): open a radio source and pass its audio on as PCM.

A source is a web stream (``http(s)://`` MP3 or AAC, as VOV and the provincial
stations publish them) or a sound-card input (``input:NAME``, an FM receiver
on the line-in). FFmpeg (the bundled binary, see `broadcaster.audio.ffmpeg`)
decodes it to mono 16-bit PCM at `RATE`, read at the source's own pace
(``-re``), so one second of audio takes one second to arrive, whether the
server sends a live stream or bursts a file.

The player owns time and decisions (reconnect, backoff, fallback; see
`broadcaster.player`); this module only opens, reads and closes. A source
that cannot be opened raises `RelayError` with a Vietnamese message that says
why (unreachable, refused, not audio); a source that stops sending — the
connection drops or the stream stalls for `STALL_S` seconds — makes
`RelayStream.pump` return 0.

Sound-card inputs use PulseAudio (``-f pulse``), which the bundled FFmpeg
has; ``BROADCASTER_RELAY_INPUT_FORMAT=alsa`` chooses ALSA with an FFmpeg that
has it (Debian's).
"""
from __future__ import annotations

import logging
import os
import queue
import re
import subprocess
import threading
import time

from .audio.ffmpeg import ffmpeg_exe
from .errors import BroadcasterError

RATE = 44100
OPEN_TIMEOUT_S = 10.0   # first audio must arrive within this
STALL_S = 8.0           # no audio for this long mid-relay counts as a drop
BLOCK = 4410 * 2        # 0.1 s of mono 16-bit PCM

_log = logging.getLogger(__name__)
MESSAGES = {
    "unreachable": "không kết nối được nguồn tiếp sóng {relay} ({url}): {detail} — kiểm tra mạng Internet và địa chỉ url trong relays:",
    "not_audio": "nguồn tiếp sóng {relay} ({url}) không phải luồng âm thanh MP3/AAC{why} — kiểm tra lại địa chỉ url (mở thử bằng VLC)",
    "served": ": máy chủ trả về {kind}",
    "http_error": "máy chủ của nguồn tiếp sóng {relay} ({url}) từ chối: {detail} — địa chỉ có thể đã đổi; kiểm tra lại url",
    "input": "không mở được đầu vào sound card {relay} ({url}): {detail} — kiểm tra máy thu FM đã cắm vào line-in và tên đầu vào",
    "timeout": "nguồn tiếp sóng {relay} ({url}) không gửi âm thanh sau {seconds:g} giây",
}


class RelayError(BroadcasterError):
    """A relay source could not be opened."""


def _reason(relay, detail: str) -> str:
    """The Vietnamese message for FFmpeg's last error lines about ``relay``."""
    text = detail.lower()
    values = dict(relay=relay.id, url=relay.url, detail=detail.strip() or "FFmpeg dừng")
    if relay.url.startswith("input:"):
        return MESSAGES["input"].format(**values)
    if re.search(r"server returned|http error \d{3}", text):
        return MESSAGES["http_error"].format(**values)
    if ("invalid data" in text or "could not find codec" in text or "does not contain any stream" in text
            or "received no packets" in text or "invalid argument" in text):
        # FFmpeg's English words add nothing staff can act on here: they stay in the debug log.
        _log.debug("FFmpeg found no audio in relay %s (%s): %s", relay.id, relay.url, detail.strip())
        return MESSAGES["not_audio"].format(why="", **values)
    return MESSAGES["unreachable"].format(**values)


def input_args(relay) -> list[str]:
    """FFmpeg input arguments of a relay source."""
    if relay.url.startswith("input:"):
        fmt = os.environ.get("BROADCASTER_RELAY_INPUT_FORMAT", "pulse")
        return ["-f", fmt, "-i", relay.url[len("input:"):]]
    return ["-rw_timeout", str(int(STALL_S * 1_000_000)), "-re", "-readrate_initial_burst", "0", "-i", relay.url]


class RelayStream:
    """An open source: FFmpeg decoding it, and a thread moving its PCM into a queue."""

    def __init__(self, relay, proc: subprocess.Popen):
        self.relay = relay
        self.proc = proc
        self.blocks: queue.Queue = queue.Queue(maxsize=600)
        self.errors: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._stderr = threading.Thread(target=self._drain, daemon=True)
        self._stderr.start()
        self._left = b""

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            data = out.read1(BLOCK) if hasattr(out, "read1") else out.read(BLOCK)
            if not data:
                self.blocks.put(None)
                return
            self.blocks.put(data)

    def _drain(self) -> None:
        for line in self.proc.stderr:
            self.errors.append(line.decode("utf-8", "replace").strip())
            del self.errors[:-5]

    def wait_first(self, timeout: float = OPEN_TIMEOUT_S) -> None:
        """Block until the first audio arrives; raise RelayError when the source fails first."""
        try:
            first = self.blocks.get(timeout=timeout)
        except queue.Empty:
            self.close()
            raise RelayError(MESSAGES["timeout"].format(relay=self.relay.id, url=self.relay.url, seconds=timeout))
        if first is None:
            self.proc.wait(timeout=5)
            self._stderr.join(timeout=2)
            raise RelayError(_reason(self.relay, " | ".join(self.errors[-2:])))
        self._left = first

    def pump(self, sink, seconds: float) -> float:
        """Pass up to ``seconds`` of audio to ``sink.feed`` (when it has one); return the seconds passed.

        Blocks for about that long (the source's own pace). Returns 0 when the source dropped
        or stalled for `STALL_S` seconds.
        """
        want = int(seconds * RATE) * 2
        got = 0
        feed = getattr(sink, "feed", None)
        deadline = time.monotonic() + STALL_S
        while got < want:
            if self._left:
                data, self._left = self._left, b""
            else:
                try:
                    data = self.blocks.get(timeout=max(0.05, deadline - time.monotonic()))
                except queue.Empty:
                    break  # stalled
                if data is None:
                    self.blocks.put(None)  # stays at the end
                    break
            take = data[:want - got]
            if len(take) < len(data):
                self._left = data[len(take):]
            if feed is not None and take:
                feed(take)
            got += len(take)
            deadline = time.monotonic() + STALL_S
        return got / 2 / RATE

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - a killed process always exits
            pass


AUDIO_TYPES = ("audio/", "application/ogg", "application/octet-stream", "video/mp2t", "application/x-mpegurl",
               "application/vnd.apple.mpegurl")


def probe_url(relay, timeout: float = OPEN_TIMEOUT_S) -> None:
    """Ask an http(s) source for its headers: raise RelayError when it is unreachable, refuses or is not audio.

    FFmpeg would only say "Input/output error" for a web page; the Content-Type says it plainly.
    """
    import urllib.error
    import urllib.request

    request = urllib.request.Request(relay.url, headers={"User-Agent": "broadcaster-relay", "Icy-MetaData": "0"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            kind = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    except urllib.error.HTTPError as exc:
        raise RelayError(MESSAGES["http_error"].format(relay=relay.id, url=relay.url,
                                                       detail=f"HTTP {exc.code} {exc.reason}")) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        detail = getattr(exc, "reason", exc)
        raise RelayError(MESSAGES["unreachable"].format(relay=relay.id, url=relay.url, detail=detail)) from exc
    if kind and not kind.startswith(AUDIO_TYPES):
        raise RelayError(MESSAGES["not_audio"].format(relay=relay.id, url=relay.url,
                                                      why=MESSAGES["served"].format(kind=kind)))


class FfmpegRelaySource:
    """Opens relay sources with FFmpeg (the default of the player and of ``stream``)."""

    def open(self, relay) -> RelayStream:
        """Start decoding ``relay`` and wait for its first audio.

        Raises:
            RelayError: Unreachable, refused, not audio, or silent for `OPEN_TIMEOUT_S`.
        """
        if not relay.url.startswith("input:"):
            probe_url(relay)
        cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", *input_args(relay),
               "-vn", "-ac", "1", "-ar", str(RATE), "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1"]
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            raise RelayError(_reason(relay, str(exc))) from exc
        stream = RelayStream(relay, proc)
        stream.wait_first()
        return stream
