"""Recording an announcer: microphone (miniaudio) → a checked WAV file in recordings/ that a script plays.

``broadcaster record SCRIPT_ID`` counts down, shows a level meter on standard error
while the announcer reads, stops on Enter, checks the take like any recording (silence,
clipping, noise, session length), and only then puts it in place as
``recordings/SCRIPT_ID.wav`` and points the script's ``audio:`` at it. The capture is an
iterator of PCM chunks, so tests drive the whole command with an injected stream.
"""
from __future__ import annotations

import queue
import sys
import threading
import time
import wave
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, TextIO

import numpy as np

from .atomic import atomic_write_text, temp_path_for
from .errors import BroadcasterError, did_you_mean, valid_list
from .recordings import RECORDINGS_DIR, Analysis, RecordingError, check_script_recording

RATE = 44100
METER_WIDTH = 30
METER_FLOOR_DB = -60.0
MAX_SECONDS = 30 * 60

MESSAGES = {
    "unknown_script": 'không có kịch bản "{id}"{hint} — các kịch bản hiện có: {valid}',
    "countdown": "Bắt đầu ghi sau {n}…",
    "go": "Đang ghi âm — đọc vào micro, nhấn Enter để dừng.",
    "meter": "\r[{bar}] {level:>6.1f} dBFS  {minutes:02d}:{seconds:02d}",
    "stopped": "Đã dừng ghi sau {seconds:.1f} giây.",
    "nothing": "không thu được âm thanh nào từ micro — kiểm tra micro đã cắm và được chọn làm thiết bị thu",
    "no_device": "không mở được micro để ghi âm ({detail}) — kiểm tra micro đã cắm, được bật và cho phép ghi âm",
    "bad_take": "bản ghi chưa dùng được, chưa lưu: {problems} — ghi âm lại: broadcaster record {id}",
    "saved": "Đã lưu {path} ({seconds:.1f} giây tiếng nói, đỉnh {peak:.0f} dBFS, tín hiệu/nhiễu {snr:.0f} dB).",
    "script_updated": "Đã ghi  audio: {audio}  vào {file}.",
}


@dataclass(frozen=True)
class RecordResult:
    """A saved take: where it is, what the checks measured, and whether the script was changed."""

    path: Path
    analysis: Analysis
    script_updated: bool


def level_dbfs(chunk: bytes) -> float:
    """RMS level of 16-bit PCM bytes in dBFS (−inf for silence)."""
    x = np.frombuffer(chunk[: len(chunk) // 2 * 2], dtype="<i2").astype(np.float64) / 32768.0
    if not len(x):
        return float("-inf")
    rms = float(np.sqrt(np.mean(np.square(x))))
    return 20 * np.log10(rms) if rms > 0 else float("-inf")


def meter_line(level: float, seconds: float) -> str:
    """One level-meter line: a bar from METER_FLOOR_DB to 0 dBFS, the level and the elapsed time."""
    fill = 0 if level == float("-inf") else int(round(METER_WIDTH * (max(METER_FLOOR_DB, level) - METER_FLOOR_DB)
                                                        / -METER_FLOOR_DB))
    return MESSAGES["meter"].format(bar="#" * fill + "-" * (METER_WIDTH - fill),
                                    level=max(level, -99.9), minutes=int(seconds) // 60, seconds=int(seconds) % 60)


def microphone(rate: int, stop: threading.Event) -> Iterator[bytes]:
    """Open the default capture device now; return mono 16-bit chunks from it until ``stop`` is set.

    Raises:
        BroadcasterError: no capture device could be opened (raised here, before any countdown).
    """
    chunks: queue.Queue[bytes] = queue.Queue()

    def collector():
        while True:
            data = yield
            chunks.put(bytes(data))

    try:
        import miniaudio

        generator = collector()
        next(generator)
        device = miniaudio.CaptureDevice(input_format=miniaudio.SampleFormat.SIGNED16, nchannels=1,
                                         sample_rate=rate, app_name="broadcaster")
        device.start(generator)
    except Exception as exc:  # miniaudio.MiniaudioError and backend failures
        raise BroadcasterError(MESSAGES["no_device"].format(detail=exc)) from exc

    def read() -> Iterator[bytes]:
        try:
            while not stop.is_set():
                try:
                    yield chunks.get(timeout=0.1)
                except queue.Empty:
                    continue
        finally:
            device.stop()
            device.close()

    return read()


def enter_pressed(stdin: TextIO | None = None) -> threading.Event:
    """An event set when a line (Enter) is read from ``stdin``, by a daemon thread."""
    event = threading.Event()
    source = stdin or sys.stdin

    def wait() -> None:
        try:
            source.readline()
        finally:
            event.set()

    threading.Thread(target=wait, name="record-enter", daemon=True).start()
    return event


def _set_script_audio(path: Path, audio: str) -> None:
    """Point the script file's ``audio:`` at ``audio`` (replace the line, or add one), keeping the rest."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    new = f"audio: {audio}\n"
    for i, line in enumerate(lines):
        if line.startswith("audio:"):
            lines[i] = new
            break
    else:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines.append(new)
    atomic_write_text(path, "".join(lines))


def record_script(project, script_id: str, *, stream: Iterable[bytes] | None = None,
                  stop: Callable[[], bool] | None = None, rate: int = RATE, countdown: int = 3,
                  out: TextIO | None = None, sleep: Callable[[float], None] = time.sleep,
                  max_seconds: float = MAX_SECONDS) -> RecordResult:
    """Record the announcer for ``script_id`` into recordings/ and point the script at the take.

    Args:
        project: the loaded working folder.
        script_id: the script read aloud.
        stream: mono 16-bit PCM chunks at ``rate``; None opens the microphone (miniaudio).
        stop: returns True when the announcer is done; None stops on Enter.
        rate: capture rate in Hz.
        countdown: seconds counted down on ``out`` before recording.
        out: where countdown and level meter go (standard error).
        sleep: waits during the countdown (tests pass a no-op).
        max_seconds: recording stops by itself after this long.

    Returns:
        The saved take.

    Raises:
        BroadcasterError: unknown script, no microphone, nothing captured, or the take fails a
            check (then nothing is saved and the script is unchanged).
    """
    out = out or sys.stderr
    scripts = {s.id: s for s in project.scripts}
    script = scripts.get(script_id)
    if script is None:
        raise BroadcasterError(MESSAGES["unknown_script"].format(
            id=script_id, hint=did_you_mean(script_id, scripts), valid=valid_list(scripts)))
    audio = script.audio if script.audio and script.audio.lower().endswith(".wav") else \
        f"{RECORDINGS_DIR}/{script_id}.wav"
    target = project.root / audio
    target.parent.mkdir(parents=True, exist_ok=True)

    event = None
    if stream is None:
        event = threading.Event()
        stream = microphone(rate, event)   # fails here, before the countdown, when there is no micro
    for n in range(countdown, 0, -1):
        out.write(MESSAGES["countdown"].format(n=n) + "\n")
        out.flush()
        sleep(1.0)
    out.write(MESSAGES["go"] + "\n")
    out.flush()
    if stop is None:
        pressed = enter_pressed()
        stop = pressed.is_set

    temp = temp_path_for(target)
    frames = 0
    try:
        with wave.open(str(temp), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(rate)
            for chunk in stream:
                chunk = chunk[: len(chunk) // 2 * 2]
                wav.writeframes(chunk)
                frames += len(chunk) // 2
                out.write(meter_line(level_dbfs(chunk), frames / rate))
                out.flush()
                if stop() or frames >= max_seconds * rate:
                    break
        if event is not None:
            event.set()  # releases the microphone generator
        if hasattr(stream, "close"):
            stream.close()
        out.write("\n" + MESSAGES["stopped"].format(seconds=frames / rate) + "\n")
        if frames == 0:
            raise BroadcasterError(MESSAGES["nothing"])
        checked = replace(script, audio=temp.relative_to(project.root).as_posix())
        try:
            analysis = check_script_recording(project, checked)
        except RecordingError as error:
            analysis = None
            problems = error.problems
        else:
            problems = list(analysis.problems)
        if problems:
            name = temp.relative_to(project.root).as_posix()
            raise BroadcasterError(MESSAGES["bad_take"].format(
                problems="; ".join(p.replace(f"{name}: ", "") for p in problems), id=script_id))
        temp.replace(target)
    finally:
        temp.unlink(missing_ok=True)
    updated = script.audio != audio
    if updated:
        _set_script_audio(project.root / script.file, audio)
        out.write(MESSAGES["script_updated"].format(audio=audio, file=script.file) + "\n")
    out.write(MESSAGES["saved"].format(path=audio, seconds=analysis.speech_s, peak=analysis.peak_dbfs,
                                       snr=min(analysis.snr_db, 99.0)) + "\n")
    return RecordResult(target, analysis, updated)
