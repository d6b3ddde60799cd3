"""Mastering stage, assembly: speech pieces, pauses and the chime become one continuous PCM clip.

Joining is done once, in time linear in the total length: the pieces and
their pauses are collected as byte strings and joined with one
``b"".join``. (pydub's ``+`` copies the whole clip at every step, which is
quadratic and took 21 s for 600 pieces.) Pieces at another sample rate are
resampled by FFmpeg one run of consecutive same-rate pieces at a time, so
the number of FFmpeg processes depends on how often the rate changes, not on
how many pieces there are.
"""
from __future__ import annotations

from typing import Sequence

from ..errors import BroadcasterError
from ..models import AudioSettings, Pcm
from .ffmpeg import run_ffmpeg
from .measure import rough_level_db

MESSAGES = {
    "bad_rate": "tần số lấy mẫu không hợp lệ: {rate}",
    "odd_bytes": "đoạn âm thanh thứ {index} bị hỏng (số byte lẻ, không phải PCM 16 bit)",
    "bad_pause": "khoảng lặng sau đoạn thứ {index} không hợp lệ: {pause} ms",
    "bad_repeat": "số lần đọc phải từ 1 trở lên, nhận được {repeat}",
    "no_speech": "không có đoạn giọng đọc nào để ghép thành tệp phát",
}

# The clip should end soon after the last word: players chain clips, and a
# long tail reads as dead air on the loudspeakers.
FINAL_PAUSE_MAX_MS = 500
# The chime sits a little below the voice so it announces without startling.
CHIME_BELOW_SPEECH_DB = 3.0


def pause_samples(ms: int, rate: int) -> int:
    """Number of samples in a pause of ``ms`` milliseconds at ``rate`` (rounded to the nearest)."""
    return (int(ms) * int(rate) + 500) // 1000


def _scaled(n: int, to_rate: int, from_rate: int) -> int:
    return (n * to_rate + from_rate // 2) // from_rate


def _resample(samples: bytes, from_rate: int, to_rate: int) -> bytes:
    """Resample 16-bit mono PCM with FFmpeg (soxr) to exactly round(n * to / from) samples.

    FFmpeg's resampler may emit a sample more or less than the ideal count;
    the length is forced so callers can slice the result by position.
    """
    want = _scaled(len(samples) // 2, to_rate, from_rate)
    if want == 0:
        return b""
    proc = run_ffmpeg(["-f", "s16le", "-ar", str(from_rate), "-ac", "1", "-i", "pipe:0",
                       "-af", "aresample=resampler=soxr", "-ar", str(to_rate),
                       "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1"], input=samples)
    out = proc.stdout[: want * 2]
    return out + b"\x00\x00" * (want - len(out) // 2)


def _render_run(items: list[bytes | int], run_rate: int, rate: int) -> list[bytes]:
    """Turn a run of audio (bytes at ``run_rate``) and pauses (ms) into byte chunks at ``rate``.

    The whole run, pauses included, goes through the resampler in one
    FFmpeg process; the audio is then cut back out by position and every
    pause is replaced by exact digital silence at ``rate``, which also drops
    the resampler's faint ringing into the pauses.
    """
    if run_rate == rate:
        return [item if isinstance(item, bytes) else b"\x00\x00" * pause_samples(item, rate) for item in items]
    spans: list[tuple[int, int] | int] = []   # audio: (start, end) sample offsets at run_rate; pause: ms
    source: list[bytes] = []
    offset = 0
    for item in items:
        if isinstance(item, bytes):
            n = len(item) // 2
            spans.append((offset, offset + n))
            source.append(item)
        else:
            # Silence at the run's rate keeps neighbouring pieces from
            # blending in the resampler's filter.
            n = pause_samples(item, run_rate)
            spans.append(item)
            source.append(b"\x00\x00" * n)
        offset += n
    resampled = _resample(b"".join(source), run_rate, rate)
    chunks = []
    for span in spans:
        if isinstance(span, tuple):
            first, last = _scaled(span[0], rate, run_rate), _scaled(span[1], rate, run_rate)
            chunks.append(resampled[first * 2: last * 2])
        else:
            chunks.append(b"\x00\x00" * pause_samples(span, rate))
    return chunks


def assemble(pieces: Sequence[tuple[Pcm, int]], rate: int) -> Pcm:
    """Join audio pieces, each followed by a pause, into one PCM clip at ``rate``.

    Args:
        pieces: ``(audio, pause_ms)`` pairs in playing order; the pause is
            silence inserted after the audio (0 for none). Audio may be empty
            (a pure pause) and may be at any sample rate.
        rate: Sample rate of the result in Hz.

    Returns:
        The clip. Each pause is exactly ``round(pause_ms * rate / 1000)``
        samples. Audio already at ``rate`` is copied unchanged; other audio
        is resampled, and a stretch of consecutive pieces at one rate (a
        run) comes out as exactly ``round(n * rate / run_rate)`` samples of
        audio in total, n being the run's audio samples.

    Raises:
        BroadcasterError: A rate or pause is invalid, a piece has an odd
            number of bytes, or FFmpeg failed to resample.
    """
    if not isinstance(rate, int) or rate <= 0:
        raise BroadcasterError(MESSAGES["bad_rate"].format(rate=rate))
    chunks: list[bytes] = []
    run: list[bytes | int] = []     # audio bytes at run_rate, and pauses in ms
    run_rate = rate
    for index, (audio, pause_ms) in enumerate(pieces, start=1):
        if len(audio.samples) % 2:
            raise BroadcasterError(MESSAGES["odd_bytes"].format(index=index))
        if pause_ms is None or pause_ms < 0:
            raise BroadcasterError(MESSAGES["bad_pause"].format(index=index, pause=pause_ms))
        if audio.samples:
            if audio.rate <= 0:
                raise BroadcasterError(MESSAGES["bad_rate"].format(rate=audio.rate))
            if audio.rate != run_rate:
                chunks.extend(_render_run(run, run_rate, rate))
                run, run_rate = [], audio.rate
            run.append(audio.samples)
        if pause_ms:
            run.append(int(pause_ms))
    chunks.extend(_render_run(run, run_rate, rate))
    return Pcm(b"".join(chunks), rate)


def match_chime_level(chime_pcm: Pcm, speech_pieces: Sequence[tuple[Pcm, int]]) -> Pcm:
    """Scale the chime to sit CHIME_BELOW_SPEECH_DB under the voice.

    Engines deliver voices anywhere from -35 to -10 dBFS; a fixed-level
    chime would be either inaudible or startling once the whole clip is
    normalised.

    Args:
        chime_pcm: The synthesised chime.
        speech_pieces: The speech it introduces.

    Returns:
        The rescaled chime (unchanged if either is silent).
    """
    import numpy as np

    speech_db = max((rough_level_db(p) for p, _ in speech_pieces if p.samples), default=float("-inf"))
    chime_db = rough_level_db(chime_pcm)
    if speech_db == float("-inf") or chime_db == float("-inf"):
        return chime_pcm
    gain = 10 ** ((speech_db - CHIME_BELOW_SPEECH_DB - chime_db) / 20)
    x = np.frombuffer(chime_pcm.samples, dtype="<i2").astype(np.float64) * gain
    return Pcm(np.clip(np.round(x), -32768, 32767).astype("<i2").tobytes(), chime_pcm.rate)


def clip_layout(speech_pieces: Sequence[tuple[Pcm, int]], repeat: int, settings: AudioSettings,
                chime_pcm: Pcm | None) -> list[tuple[Pcm, int]]:
    """Lay out a broadcast clip: lead-in, chime, the reading, and its repetitions (đọc lại).

    The order is: ``settings.lead_in_ms`` of silence; the chime (when given
    and ``settings.chime``) followed by ``settings.sentence_pause_ms``; the
    speech pieces with their own pauses; and, when ``repeat`` > 1, the whole
    reading again after ``settings.repeat_pause_ms``. The last piece keeps at
    most FINAL_PAUSE_MAX_MS of trailing silence.

    Args:
        speech_pieces: ``(audio, pause_ms)`` per sentence, as the speech stage made them.
        repeat: How many times the text is read (số lần đọc), at least 1.
        settings: Pauses and whether to play the chime.
        chime_pcm: The chime, or None for none.

    Returns:
        Pieces for :func:`assemble`.

    Raises:
        BroadcasterError: ``repeat`` < 1 or there is no speech.
    """
    if not isinstance(repeat, int) or repeat < 1:
        raise BroadcasterError(MESSAGES["bad_repeat"].format(repeat=repeat))
    speech = [(pcm, int(pause)) for pcm, pause in speech_pieces]
    if not any(pcm.samples for pcm, _ in speech):
        raise BroadcasterError(MESSAGES["no_speech"])
    rate = next(pcm.rate for pcm, _ in speech if pcm.samples)

    layout: list[tuple[Pcm, int]] = []
    if settings.lead_in_ms > 0:
        layout.append((Pcm(b"", rate), settings.lead_in_ms))
    if settings.chime and chime_pcm is not None and chime_pcm.samples:
        layout.append((match_chime_level(chime_pcm, speech), settings.sentence_pause_ms))
    for reading in range(repeat):
        last = reading == repeat - 1
        for i, (pcm, pause) in enumerate(speech):
            if i == len(speech) - 1:
                pause = min(pause, FINAL_PAUSE_MAX_MS) if last else settings.repeat_pause_ms
            layout.append((pcm, pause))
    return layout
