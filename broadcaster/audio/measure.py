"""Mastering stage, measurement: a clip (MP3 file or PCM) becomes its loudness, true peak and format.

Loudness and true peak (ITU-R BS.1770-4, `bs1770`) are computed in numpy on
the decoded audio, so a finished MP3 is judged by what a player will actually
hear, encoder overshoot included. MP3 files are decoded in this process by
miniaudio (dr_mp3, which honours the LAME tag's encoder delay and padding as
FFmpeg does); other files by FFmpeg into float samples. Format facts (sample
rate, channels, duration) come from mutagen, never from ffprobe, which the
imageio-ffmpeg wheel does not ship. FFmpeg's ``ebur128`` summary is still read
where a filter pass measures its own output anyway (`parse_ebur128_summary`).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import BroadcasterError
from ..models import Pcm
from .bs1770 import integrated_loudness, true_peak
from .ffmpeg import run_ffmpeg

MESSAGES = {
    "missing": "không tìm thấy tệp âm thanh {path}",
    "unknown_format": "không nhận ra định dạng tệp âm thanh {path}",
    "undecodable": "không giải mã được tệp âm thanh {path}: {detail}",
}

# ebur128 never reports less than this: it means no 400 ms block passed the
# absolute gate (silence, or a clip shorter than one block).
EBUR128_FLOOR_LUFS = -70.0

_SUMMARY = re.compile(r"Summary:(?P<body>.*)", re.S)
_INTEGRATED = re.compile(r"Integrated loudness:\s*I:\s*(?P<v>-?inf|-?\d+(?:\.\d+)?)\s*LUFS")
_TRUE_PEAK = re.compile(r"True peak:\s*Peak:\s*(?P<v>-?inf|-?\d+(?:\.\d+)?)\s*dBFS")


@dataclass(frozen=True)
class Measurement:
    """Loudness and format of one clip.

    Attributes:
        integrated_lufs: Programme loudness (BS.1770, gated); ``-inf`` for
            silence or clips under 0.4 s, where nothing can be gated.
        true_peak_dbtp: Highest 4x-oversampled peak; ``-inf`` for silence.
        duration_s: Length in seconds.
        sample_rate: Hz.
        channels: 1 for mono.
    """

    integrated_lufs: float
    true_peak_dbtp: float
    duration_s: float
    sample_rate: int
    channels: int


def _number(text: str) -> float:
    return float(text.replace("inf", "Infinity")) if "inf" in text else float(text)


def parse_ebur128_summary(stderr: str, *, peak: bool = True) -> tuple[float, float]:
    """Read integrated loudness and true peak from the Summary block ebur128 prints at the end.

    Args:
        stderr: FFmpeg's standard error text.
        peak: False when the filter ran without ``peak=true`` (see `ebur128_args`): the
            true peak is then not read and returned as NaN.

    Returns:
        ``(integrated_lufs, true_peak_dbtp)``; loudness at the ebur128 floor
        (-70) is returned as ``-inf``.

    Raises:
        ValueError: No Summary block with both values was found.
    """
    found = None
    for found in _SUMMARY.finditer(stderr):
        pass
    if found is None:
        raise ValueError("no ebur128 summary")
    body = found.group("body")
    integrated = _INTEGRATED.search(body)
    true_peak = _TRUE_PEAK.search(body) if peak else None
    if not integrated or (peak and not true_peak):
        raise ValueError("incomplete ebur128 summary")
    lufs = _number(integrated.group("v"))
    if lufs <= EBUR128_FLOOR_LUFS:
        lufs = -math.inf
    return lufs, _number(true_peak.group("v")) if true_peak else math.nan


def ebur128_args(peak: bool = True) -> list[str]:
    """The filter that measures loudness (and true peak) without logging every 100 ms frame.

    ``peak=False`` leaves out the 4x-oversampled true peak, which costs more than the
    loudness itself (about 2.4 s against 0.9 s of CPU per 18 minutes of audio).
    """
    return ["ebur128=peak=true:framelog=quiet" if peak else "ebur128=framelog=quiet"]


# Above this many samples the true peak is computed in a second thread beside the loudness:
# numpy releases the GIL in both, so a clip built alone (one edited script) uses both cores.
THREADED_MIN_SAMPLES = 1 << 20


def _figures(x: np.ndarray, rate: int) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of float samples, one column per channel (see `bs1770`)."""
    if len(x) < THREADED_MIN_SAMPLES:
        return integrated_loudness(x, rate), true_peak(x, rate)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        peak = pool.submit(true_peak, x, rate)
        return integrated_loudness(x, rate), peak.result()


def decode_mp3(path: Path) -> tuple[np.ndarray, int]:
    """Decode an MP3 file in this process: (float32 samples, one column per channel, rate in Hz).

    Raises:
        BroadcasterError: The file is not a decodable MP3.
    """
    import miniaudio

    # Read by Python, decoded from memory: the C library's own fopen would take the path as
    # bytes, which Windows reads in the ANSI code page (Vietnamese folder names).
    try:
        decoded = miniaudio.mp3_read_f32(Path(path).read_bytes())
    except miniaudio.MiniaudioError as exc:
        raise BroadcasterError(MESSAGES["undecodable"].format(path=path, detail=exc)) from exc
    x = np.frombuffer(decoded.samples, dtype=np.float32)
    return x.reshape(-1, decoded.nchannels), int(decoded.sample_rate)


def _decode_other(path: Path, fmt: str | None, rate: int, channels: int) -> np.ndarray:
    """Any other file through FFmpeg, at its own rate and channels: float32, one column per channel."""
    args = (["-f", fmt] if fmt else []) + ["-i", f"file:{path}", "-vn", "-f", "f32le", "-ar", str(rate),
                                           "-ac", str(channels), "pipe:1"]
    data = run_ffmpeg(args).stdout
    return np.frombuffer(data[: len(data) // (4 * channels) * 4 * channels], dtype="<f4").reshape(-1, channels)


def _is_mp3(path: Path, fmt: str | None) -> bool:
    if fmt:
        return fmt.lower() == "mp3"
    return path.suffix.lower() == ".mp3"


def measure(source: Pcm | str | Path, fmt: str | None = None) -> Measurement:
    """Measure a clip's loudness, true peak and format.

    Args:
        source: PCM in memory, or the path of an audio file.
        fmt: Container format when the file name does not tell it (e.g. a
            temporary file during mastering): ``"mp3"``. FFmpeg and mutagen
            otherwise go by the extension or the content.

    Returns:
        The measurement; silent or very short clips give ``-inf`` values
        instead of an error. Loudness agrees with FFmpeg's ``ebur128`` within
        0.05 LU and the true peak within 0.2 dB (tests/test_bs1770.py).

    Raises:
        BroadcasterError: The file is missing, unreadable, or FFmpeg failed.
    """
    if isinstance(source, Pcm):
        if len(source.samples) < 2:
            return Measurement(-math.inf, -math.inf, 0.0, source.rate, 1)
        x = np.frombuffer(source.samples[: len(source.samples) // 2 * 2], dtype="<i2").astype(np.float32)
        lufs, peak = _figures(x * np.float32(1 / 32768), source.rate)
        return Measurement(lufs, peak, source.duration_s, source.rate, 1)

    path = Path(source)
    if not path.is_file():
        raise BroadcasterError(MESSAGES["missing"].format(path=path))
    info = _file_info(path, fmt)
    if _is_mp3(path, fmt):
        x, rate = decode_mp3(path)
    else:
        rate = int(info.sample_rate)
        x = _decode_other(path, fmt, rate, int(info.channels))
    lufs, peak = _figures(x, rate)
    return Measurement(lufs, peak, float(info.length), int(info.sample_rate), int(info.channels))


def _file_info(path: Path, fmt: str | None):
    import mutagen
    import mutagen.mp3

    try:
        if _is_mp3(path, fmt):
            return mutagen.mp3.MP3(path).info
        handle = mutagen.File(path)
    except mutagen.MutagenError as exc:
        raise BroadcasterError(MESSAGES["unknown_format"].format(path=path)) from exc
    if handle is None or not hasattr(handle.info, "sample_rate"):
        raise BroadcasterError(MESSAGES["unknown_format"].format(path=path))
    return handle.info


def rough_level_db(pcm: Pcm) -> float:
    """Estimate the speech level of PCM quickly, without FFmpeg: gated RMS in dBFS.

    Unweighted 100 ms blocks gated like BS.1770 (absolute -70, relative -10
    dB). It tracks LUFS within a few dB for speech, which is enough to set a
    compressor's input level or match a chime to a voice, not to report.

    Args:
        pcm: Mono 16-bit PCM.

    Returns:
        The level in dBFS (a full-scale sine is -3), or ``-inf`` for silence.
    """
    x = np.frombuffer(pcm.samples[: len(pcm.samples) // 2 * 2], dtype="<i2").astype(np.float64) / 32768.0
    return gated_level_db(x, pcm.rate)


def gated_level_db(x: np.ndarray, rate: int) -> float:
    """The estimate of :func:`rough_level_db` for float samples in [-1, 1]."""
    x = np.asarray(x, dtype=np.float64)
    block = max(1, rate // 10)
    usable = len(x) // block * block
    if usable == 0:
        power = np.array([np.mean(x * x)]) if len(x) else np.array([0.0])
    else:
        power = np.mean((x[:usable] * x[:usable]).reshape(-1, block), axis=1)
    power = power[power > 1e-7]  # absolute gate, -70 dB
    if power.size == 0:
        return -math.inf
    power = power[power > np.mean(power) * 0.1]  # relative gate, -10 dB
    return float(10 * np.log10(np.mean(power)))
