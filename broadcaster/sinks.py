"""Player stage, outputs: turn a clip file into sound on the card, silence of the right length, or WAV audio.

``default`` plays through the sound card with miniaudio. We use miniaudio
because it installs from wheels that carry the MP3 decoder and the
playback back-ends (ALSA/PulseAudio/WASAPI/CoreAudio are loaded at run time)
compiled in: nothing to build, no ffmpeg, no ALSA development packages, and
the same code on the Windows PCs many commune stations use.

The player owns time: a sink only starts sound and stops it when told; the
player's clock decides when a play has ended. That is what lets tests run the
player against a fake clock with the ``null`` or ``file:`` sinks.
"""
from __future__ import annotations

import struct
from pathlib import Path

from .errors import BroadcasterError

MESSAGES = {
    "bad_sink": 'đầu ra âm thanh không hợp lệ "{value}" — chọn default, null hoặc file:ĐƯỜNG-DẪN.wav',
    "no_clip": "không thấy tệp âm thanh {path} — chạy broadcaster build trước",
    "decode": "không đọc được tệp âm thanh {path}: {detail}",
    "device": "không mở được thiết bị âm thanh: {detail}",
    "device_hint": "kiểm tra loa/sound card đã cắm và bật; để chạy thử không cần loa chọn đầu ra null hoặc file:thu.wav",
    "wav_format": "tệp {path} đã có nhưng không phải WAV mono 16-bit {rate} Hz do broadcaster ghi — chọn tên tệp khác",
}

RATE = 44100


class SinkError(BroadcasterError):
    """A clip could not be played (missing, undecodable, no sound device)."""


class PlayHandle:
    """One play started on a sink; the player calls exactly one of finish() or stop()."""

    def __init__(self, duration_s: float):
        self.duration_s = duration_s

    def finish(self) -> None:
        """The clip's time is over."""

    def stop(self, elapsed_s: float) -> None:
        """Cut the play after ``elapsed_s`` seconds (an emergency play takes over, or the player stops)."""


class NullSink:
    """Plays nothing: the player just waits the clip's duration."""

    name = "null"

    def start(self, clip: Path | None, duration_s: float) -> PlayHandle:
        return PlayHandle(duration_s)

    def feed(self, pcm: bytes) -> None:
        """Relayed audio (mono 16-bit PCM at `RATE`): dropped."""


def _decode(clip: Path | None) -> bytes:
    if clip is None or not Path(clip).is_file():
        raise SinkError(MESSAGES["no_clip"].format(path=clip))
    import miniaudio

    try:
        decoded = miniaudio.decode_file(str(clip), output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1,
                                        sample_rate=RATE)
    except miniaudio.MiniaudioError as exc:
        raise SinkError(MESSAGES["decode"].format(path=clip, detail=exc)) from exc
    return decoded.samples.tobytes()


class _WavHandle(PlayHandle):
    def __init__(self, sink: "FileSink", pcm: bytes):
        super().__init__(len(pcm) / 2 / RATE)
        self.sink = sink
        self.pcm = pcm

    def finish(self) -> None:
        self.sink.append(self.pcm)

    def stop(self, elapsed_s: float) -> None:
        frames = max(0, min(len(self.pcm) // 2, int(round(elapsed_s * RATE))))
        self.sink.append(self.pcm[:frames * 2])


class FileSink:
    """Appends the decoded audio of every play (mono, 16-bit, 44.1 kHz) to one WAV file.

    What was cut by an emergency is cut in the file too, so the file is what
    the loudspeakers would have carried, minus the silences between plays.
    """

    name = "file"

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def start(self, clip: Path | None, duration_s: float) -> PlayHandle:
        return _WavHandle(self, _decode(clip))

    def feed(self, pcm: bytes) -> None:
        """Relayed audio (mono 16-bit PCM at `RATE`), appended as it arrives."""
        self.append(pcm)

    def _data_chunk(self, fh) -> tuple[int, int]:
        """Offset of the data chunk's size field and the data size, checking the format."""
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise SinkError(MESSAGES["wav_format"].format(path=self.path, rate=RATE))
        fmt_ok = False
        while True:
            header = fh.read(8)
            if len(header) < 8:
                raise SinkError(MESSAGES["wav_format"].format(path=self.path, rate=RATE))
            cid, size = header[:4], struct.unpack("<I", header[4:])[0]
            if cid == b"fmt ":
                body = fh.read(size)
                tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", body[:16])
                fmt_ok = (tag, channels, rate, bits) == (1, 1, RATE, 16)
            elif cid == b"data":
                if not fmt_ok:
                    raise SinkError(MESSAGES["wav_format"].format(path=self.path, rate=RATE))
                return fh.tell() - 4, size
            else:
                fh.seek(size + (size & 1), 1)

    def append(self, pcm: bytes) -> None:
        """Add PCM frames at the end of the WAV file, creating it when needed."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            header = b"RIFF" + struct.pack("<I", 36) + b"WAVE" + b"fmt " + struct.pack(
                "<IHHIIHH", 16, 1, 1, RATE, RATE * 2, 2, 16) + b"data" + struct.pack("<I", 0)
            self.path.write_bytes(header)
        with open(self.path, "r+b") as fh:
            size_at, size = self._data_chunk(fh)
            fh.seek(0, 2)
            fh.write(pcm)
            end = fh.tell()
            fh.seek(size_at)
            fh.write(struct.pack("<I", size + len(pcm)))
            fh.seek(4)
            fh.write(struct.pack("<I", end - 8))


class _DeviceHandle(PlayHandle):
    def __init__(self, device, duration_s: float):
        super().__init__(duration_s)
        self.device = device

    def finish(self) -> None:
        self.device.close()

    def stop(self, elapsed_s: float) -> None:
        self.device.close()


class DeviceSink:
    """Plays through the default sound card (miniaudio decodes the MP3 itself)."""

    name = "default"

    def start(self, clip: Path | None, duration_s: float) -> PlayHandle:
        if clip is None or not Path(clip).is_file():
            raise SinkError(MESSAGES["no_clip"].format(path=clip))
        import miniaudio

        try:
            info = miniaudio.get_file_info(str(clip))
            stream = miniaudio.stream_file(str(clip), output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1,
                                           sample_rate=RATE)
        except miniaudio.MiniaudioError as exc:
            raise SinkError(MESSAGES["decode"].format(path=clip, detail=exc)) from exc
        try:
            device = miniaudio.PlaybackDevice(output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1,
                                              sample_rate=RATE)
            device.start(stream)
        except miniaudio.MiniaudioError as exc:
            raise SinkError(MESSAGES["device"].format(detail=exc), hint=MESSAGES["device_hint"]) from exc
        return _DeviceHandle(device, info.duration)

    def feed(self, pcm: bytes) -> None:
        """Relayed audio (mono 16-bit PCM at `RATE`): queued to a playback device opened on first use."""
        import collections

        import miniaudio

        if getattr(self, "_queue", None) is None:
            self._queue = collections.deque()

            def frames():
                required = yield b""
                while True:
                    out = bytearray()
                    while self._queue and len(out) < required * 2:
                        out += self._queue.popleft()
                    if len(out) > required * 2:
                        self._queue.appendleft(bytes(out[required * 2:]))
                        del out[required * 2:]
                    out += bytes(required * 2 - len(out))  # silence while the source catches up
                    required = yield bytes(out)

            try:
                self._device = miniaudio.PlaybackDevice(output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1,
                                                        sample_rate=RATE)
                generator = frames()
                next(generator)
                self._device.start(generator)
            except miniaudio.MiniaudioError as exc:
                self._queue = None
                raise SinkError(MESSAGES["device"].format(detail=exc), hint=MESSAGES["device_hint"]) from exc
        self._queue.append(pcm)


def make_sink(spec: str):
    """``default`` | ``null`` | ``file:PATH`` → a sink.

    Raises:
        BroadcasterError: Unknown sink.
    """
    if spec == "default":
        return DeviceSink()
    if spec == "null":
        return NullSink()
    if spec.startswith("file:") and len(spec) > 5:
        return FileSink(spec[5:])
    raise BroadcasterError(MESSAGES["bad_sink"].format(value=spec))
