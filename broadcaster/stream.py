"""Player stage, stream out: a station's day as one continuous stream to an Icecast server, for IP loudspeaker clusters.

`broadcaster stream` is the player (`broadcaster.player.Player`: hard-timed
plays, relays, emergencies, the same play log) with `IcecastSink` as its
output. The sink keeps one FFmpeg process (the bundled binary) encoding mono
16-bit PCM to MP3 and sending it to ``icecast://source:PASSWORD@HOST:PORT/MOUNT``;
a writer thread feeds it in real time: the audio of the clip or relay on air
when there is one, silence otherwise (between plays and sessions), so the
mount never goes quiet and the clusters stay connected.

When Icecast goes away (restart, network) FFmpeg exits; the writer keeps the
time (the audio of that moment is lost, the plays go on and are logged as
played by the player) and starts FFmpeg again after 1, 2, 4 … 30 seconds.
A wrong password or an unreachable server at the start is an error before
anything is played.
"""
from __future__ import annotations

import collections
import re
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .audio.ffmpeg import ffmpeg_exe
from .errors import BroadcasterError
from .sinks import RATE, PlayHandle, SinkError, _decode

MESSAGES = {
    "bad_url": ('địa chỉ Icecast không hợp lệ "{value}" — viết  icecast://source:MẬT-KHẨU@MÁY:CỔNG/ĐIỂM-PHÁT, '
                'ví dụ  icecast://source:matkhau@127.0.0.1:8000/xa-dai-tam.mp3'),
    "refused": ("Icecast {where} từ chối mật khẩu nguồn (source) — kiểm tra <source-password> trong icecast.xml "
                "(Debian: /etc/icecast2/icecast.xml) và mật khẩu trong địa chỉ icecast://source:MẬT-KHẨU@…"),
    "unreachable": ("không kết nối được Icecast {where}: {detail} — kiểm tra Icecast đang chạy "
                    "(sudo systemctl status icecast2), đúng máy và cổng"),
    "mount_busy": "điểm phát {mount} trên Icecast {where} đang có nguồn khác phát — dừng nguồn kia hoặc chọn điểm phát khác",
    "failed": "Icecast {where} không nhận luồng: {detail}",
    "lost": "⚠ {at} mất kết nối tới Icecast {where} ({detail}) — thử lại sau {wait:g} giây; lịch phát vẫn chạy và được ghi nhật ký",
    "back": "↻ {at} đã kết nối lại Icecast {where}",
    "start": "Bắt đầu phát luồng đài {station} tới http://{host}:{port}{mount} đến {until}.",
}

BLOCK_S = 0.1            # the writer sends audio in blocks of this length
LEAD_S = 0.5             # and keeps FFmpeg this far ahead of real time
OPEN_WAIT_S = 8.0        # how long to wait for FFmpeg to say the output is open
BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)


def parse_target(value: str) -> dict:
    """``icecast://source:PW@HOST:PORT/MOUNT`` → its parts; BroadcasterError when it is not one."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if (parts is None or parts.scheme != "icecast" or not parts.hostname or not parts.password or not port
            or not re.fullmatch(r"/[A-Za-z0-9_.~/-]+", parts.path or "")):
        raise BroadcasterError(MESSAGES["bad_url"].format(value=value))
    return {"user": unquote(parts.username or "source"), "password": unquote(parts.password), "host": parts.hostname,
            "port": port, "mount": parts.path, "url": value}


class _Encoder:
    """One FFmpeg process sending MP3 to the mount; ``lines`` keeps its last stderr lines."""

    def __init__(self, target: dict, bitrate: str):
        cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "info", "-f", "s16le", "-ar", str(RATE),
               "-ac", "1", "-i", "pipe:0", "-c:a", "libmp3lame", "-b:a", bitrate, "-content_type", "audio/mpeg",
               "-ice_name", target.get("name", "broadcaster"), "-f", "mp3", target["url"]]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.lines: collections.deque = collections.deque(maxlen=8)
        self.opened = threading.Event()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").strip()
            if line.startswith("Output #0"):
                self.opened.set()
            self.lines.append(line)

    def error(self) -> str:
        wanted = [ln for ln in self.lines if "error" in ln.lower() or "refused" in ln.lower()]
        return (wanted or list(self.lines) or ["FFmpeg dừng"])[-1]

    def write(self, pcm: bytes) -> bool:
        if self.proc.poll() is not None:
            return False
        try:
            self.proc.stdin.write(pcm)
            self.proc.stdin.flush()
            return True
        except (BrokenPipeError, OSError, ValueError):
            return False

    def close(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _problem(target: dict, detail: str) -> str:
    where = f"{target['host']}:{target['port']}"
    low = detail.lower()
    if "401" in low or "unauthorized" in low or "authentication" in low:
        return MESSAGES["refused"].format(where=where)
    if "403" in low or "mountpoint in use" in low or "forbidden" in low:
        return MESSAGES["mount_busy"].format(where=where, mount=target["mount"])
    if "refused" in low or "timed out" in low or "no route" in low or "resolve" in low or "unreachable" in low:
        return MESSAGES["unreachable"].format(where=where, detail=detail)
    return MESSAGES["failed"].format(where=where, detail=detail)


class _StreamHandle(PlayHandle):
    def __init__(self, sink: "IcecastSink", duration_s: float, token: int):
        super().__init__(duration_s)
        self.sink = sink
        self.token = token

    def stop(self, elapsed_s: float) -> None:
        self.sink.cut(self.token)


class IcecastSink:
    """A player output that streams to Icecast in real time (see the module notes).

    Args:
        target: ``icecast://source:PW@HOST:PORT/MOUNT``.
        say: Progress messages (connection lost / back).
        bitrate: MP3 bitrate of the stream.
        name: Stream name shown by Icecast.
    """

    name = "icecast"

    def __init__(self, target: str, say=None, bitrate: str = "96k", name: str = "broadcaster"):
        self.target = dict(parse_target(target), name=name)
        self.say = say or (lambda message: None)
        self.bitrate = bitrate
        self._queue: collections.deque = collections.deque()   # (token, bytes)
        self._lock = threading.Lock()
        self._token = 0
        self._stop = threading.Event()
        self._encoder: _Encoder | None = None
        self._thread: threading.Thread | None = None
        self.sent_s = 0.0          # seconds of audio handed to FFmpeg
        self.lost_s = 0.0          # seconds of audio dropped while Icecast was away
        self.reconnects = 0
        self.max_behind_s = 0.0    # most the writer ever fell behind real time (a loaded machine)

    @property
    def where(self) -> str:
        return f"{self.target['host']}:{self.target['port']}"

    # -- connection --

    def _connect(self) -> _Encoder:
        """Start FFmpeg and wait until it says the mount is open; BroadcasterError with the reason otherwise."""
        encoder = _Encoder(self.target, self.bitrate)
        encoder.write(bytes(int(RATE * BLOCK_S) * 2))
        deadline = time.monotonic() + OPEN_WAIT_S
        while time.monotonic() < deadline:
            if encoder.opened.wait(0.05):
                return encoder
            if encoder.proc.poll() is not None:
                break
        encoder.close()
        encoder._thread.join(timeout=2)
        raise BroadcasterError(_problem(self.target, encoder.error()))

    def open(self) -> "IcecastSink":
        """Connect (errors are raised here, before anything plays) and start the real-time writer."""
        self._encoder = self._connect()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Send what is still queued (up to its real time), then stop FFmpeg."""
        deadline = time.monotonic() + sum(len(b) for _, b in list(self._queue)) / 2 / RATE + 2 * LEAD_S
        while self._queue and time.monotonic() < deadline:
            time.sleep(BLOCK_S)
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._encoder is not None:
            self._encoder.close()
            self._encoder = None

    def __enter__(self) -> "IcecastSink":
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the real-time writer --

    def _next_block(self, size: int) -> bytes:
        out = bytearray()
        with self._lock:
            while self._queue and len(out) < size:
                token, data = self._queue.popleft()
                take = data[:size - len(out)]
                out += take
                if len(take) < len(data):
                    self._queue.appendleft((token, data[len(take):]))
        if len(out) < size:
            out += bytes(size - len(out))   # silence between plays and sessions
        return bytes(out)

    def _run(self) -> None:
        size = int(RATE * BLOCK_S) * 2
        start = time.monotonic() - LEAD_S
        sent_blocks = 0
        retry_at, attempt = None, 0
        while not self._stop.is_set():
            due = int((time.monotonic() - start) / BLOCK_S)
            if sent_blocks:   # the first blocks make the lead, they are not a delay
                self.max_behind_s = max(self.max_behind_s, (due - sent_blocks) * BLOCK_S - LEAD_S - BLOCK_S)
            if sent_blocks >= due:
                time.sleep(BLOCK_S / 2)
                continue
            block = self._next_block(size)
            sent_blocks += 1
            if self._encoder is not None and self._encoder.write(block):
                self.sent_s += BLOCK_S
                continue
            self.lost_s += BLOCK_S
            if self._encoder is not None:   # it just went away
                detail = self._encoder.error()
                self._encoder.close()
                self._encoder = None
                wait = BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)]
                self.say(MESSAGES["lost"].format(at=time.strftime("%H:%M:%S"), where=self.where,
                                                 detail=_problem(self.target, detail), wait=wait))
                retry_at = time.monotonic() + wait
            elif retry_at is not None and time.monotonic() >= retry_at:
                try:
                    self._encoder = self._connect()
                except BroadcasterError as exc:
                    attempt += 1
                    wait = BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)]
                    self.say(MESSAGES["lost"].format(at=time.strftime("%H:%M:%S"), where=self.where,
                                                     detail=exc.message, wait=wait))
                    retry_at = time.monotonic() + wait
                    continue
                attempt, retry_at = 0, None
                self.reconnects += 1
                self.say(MESSAGES["back"].format(at=time.strftime("%H:%M:%S"), where=self.where))
                start = time.monotonic() - LEAD_S - sent_blocks * BLOCK_S  # keep the clock: no catch-up burst

    # -- the sink interface of the player --

    def start(self, clip: Path | None, duration_s: float) -> PlayHandle:
        pcm = _decode(clip)
        with self._lock:
            self._token += 1
            self._queue.append((self._token, pcm))
            token = self._token
        return _StreamHandle(self, len(pcm) / 2 / RATE, token)

    def cut(self, token: int) -> None:
        """Drop what is left of the play ``token`` (an emergency took over, or the player stopped)."""
        with self._lock:
            self._queue = collections.deque((t, d) for t, d in self._queue if t != token)

    def feed(self, pcm: bytes) -> None:
        """Relayed audio, passed on as it arrives."""
        with self._lock:
            self._queue.append((0, pcm))


def run_stream(project, store, station_id: str, target: str, until, *, say=None, clock=None, plan=None,
               relay_source=None):
    """Stream one station's day to Icecast until ``until``, logging every play as `play` does.

    ``store`` may be a function returning the store, called once Icecast has accepted the stream.

    Raises:
        BroadcasterError: Bad target, Icecast refuses or cannot be reached (before anything plays),
            or any error of the player.
    """
    from .player import Player

    station = project.station(station_id)
    sink = IcecastSink(target, say=say, bitrate="96k",
                       name=station.name if station is not None else station_id)
    sink.open()     # Icecast refusing is said before the log is opened or anything plays
    try:
        if callable(store):
            store = store()
        player = Player(project, store, station_id, sink, clock=clock, say=say, relay_source=relay_source)
        if say:
            t = sink.target
            say(MESSAGES["start"].format(station=station_id, host=t["host"], port=t["port"], mount=t["mount"],
                                         until=until.isoformat(sep=" ", timespec="minutes")))
        report = player.run(until, plan)
        clock = player.clock
        while clock.now() < until:     # the day's last play is over: the stream goes on, silent, until --until
            clock.sleep(min(30.0, (until - clock.now()).total_seconds()))
    finally:
        sink.close()
    return report, sink


__all__ = ["IcecastSink", "SinkError", "parse_target", "run_stream"]
