"""Mastering stage: an assembled PCM clip becomes a finished, tagged, loudspeaker-ready MP3 file.

The chain is high-pass (horns reproduce nothing useful below ~150 Hz and
the rumble only eats headroom) → gentle compression (keeps a constant level
for the horn drivers and listeners in the fields) → low-pass (above ~7-12
kHz horns give nothing back, and that is where the encoder's peaks grow) →
gain to the loudness target (ITU-R BS.1770) → peak limiting → MP3 (mono,
CBR, profile rate) → ID3v2.3 tags, written under a temporary name and
renamed into place.

FFmpeg runs twice: one process filters the clip at the rate it was
assembled at (speech engines' own rate), resamples it to the profile rate
and measures its loudness; one applies gain and limiter and encodes. The
gain is aimed in numpy from the first measurement, allowing for what the
limiter and the encoder will take, so one encode normally lands within ~0.2
LU. The finished MP3 is then decoded in this process and measured in numpy
(`measure`, `bs1770`). Only when the encoded file misses a limit is it
corrected and encoded again. The numbers returned are those measured on the
decoded MP3, never the intended ones.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..atomic import atomic_path
from ..errors import BroadcasterError, did_you_mean, valid_list
from ..models import PROFILES, AudioSettings, Pcm
from .ffmpeg import run_ffmpeg
from .measure import Measurement, ebur128_args, gated_level_db, measure, parse_ebur128_summary, rough_level_db
from .tags import ClipTags, write_tags

__all__ = ["ClipInfo", "ClipTags", "master_to_mp3", "HARD_TRUE_PEAK_DBTP", "LOUDNESS_TOLERANCE_LU"]

MESSAGES = {
    "unknown_profile": "không có cấu hình âm thanh \"{profile}\"{suggestion}; các cấu hình hợp lệ: {valid}",
    "empty": "đoạn âm thanh rỗng, không có gì để xuất thành MP3",
    "no_summary": "FFmpeg không trả về kết quả đo độ to khi xử lý âm thanh",
    "no_folder": "không tạo được thư mục {path}: {detail}",
    "peak_over": ("tệp {path} vẫn có đỉnh thực {peak:.1f} dBTP, vượt mức cho phép {limit:.1f} dBTP "
                  "sau khi đã hạ mức và mã hoá lại"),
}

# The hard limit, checked on the decoded MP3: settings.true_peak_dbtp
# (-1.5 by default) is the aim, this is what a finished file must never exceed.
HARD_TRUE_PEAK_DBTP = -1.0
LOUDNESS_TOLERANCE_LU = 0.8   # re-encode when the MP3 misses the target by more
# Our meter (`bs1770`) reads at most ~0.07 dB under the ideal true peak on speech,
# and FFmpeg's ebur128 reads mastered clips within ±0.04 dB of it (tests/test_bs1770.py,
# docs/PERFORMANCE.md), so a file within 0.1 dB of the limit is corrected too, and
# only readings above the hard limit are refused.
PEAK_CHECK_DBTP = HARD_TRUE_PEAK_DBTP - 0.1

FILTER_STAGES = 2             # two 2nd-order sections: 24 dB/octave beyond each corner
# Before compression the clip is brought to a known speech level, so the
# compressor's fixed threshold means the same thing for a whisper-quiet
# engine and a clipping one.
PRE_LEVEL_DBFS = -23.0
PRE_GAIN_RANGE_DB = (-40.0, 40.0)
COMPRESSOR = "acompressor=threshold={threshold:.6f}:ratio=3:attack=10:release=150:knee=2.5:makeup=1"
COMPRESSOR_THRESHOLD_DBFS = -24.0
# The limiter only sees samples; MP3 encoding and the reconstruction between
# samples add up to ~1 dB on speech (up to 2 dB on hiss at 48 kbps), so it
# aims this far below the target: (lowest bitrate in kbps, margin dB).
LIMITER_MARGINS_DB = ((96, 0.7), (0, 1.0))
# alimiter's default timing: shorter attacks let more overshoot through the
# encoder, longer releases cost loudness (measured on syllable-like bursts).
LIMITER = "alimiter=limit={limit:.6f}:attack=5:release=50:level=disabled:latency=1"
LIMITER_FLOOR = 0.0625        # alimiter's smallest allowed limit (-24 dBFS)
# Extra room taken below the hard ceiling when correcting a peak overshoot,
# since the encoder's overshoot changes a little with the gain.
CORRECTION_MARGIN_DB = 0.3
# LAME (FFmpeg 9, libmp3lame, mono) plays back 0.45 dB quieter than its
# input at every bitrate, measured on a 1 kHz sine and on speech; without
# this every clip would land half a unit low and be encoded twice.
ENCODER_GAIN_DB = -0.45
LIMITER_BLOCK_MS = 20         # block for estimating the limiter's loudness loss
# Horns reproduce little above 7-8 kHz, and content near the top of the MP3
# band is where the encoder's noise makes the largest peaks at low bitrates.
LOWPASS_MAX_HZ = 12000
LOWPASS_FRACTION = 0.3        # of the output rate: 7.2 kHz for the 24 kHz ip-4g profile


@dataclass(frozen=True)
class ClipInfo:
    """A finished clip as measured on the decoded MP3.

    Attributes:
        path: Where the MP3 is.
        duration_s: Playing time from the MP3 headers (mutagen); includes the
            encoder's few ms of padding.
        loudness_lufs: Integrated loudness (BS.1770), ``-inf`` for silence.
        true_peak_dbtp: True peak, ``-inf`` for silence.
        sample_rate: Hz.
        bitrate_kbps: Constant bitrate.
        size_bytes: File size including tags.
    """

    path: Path
    duration_s: float
    loudness_lufs: float
    true_peak_dbtp: float
    sample_rate: int
    bitrate_kbps: int
    size_bytes: int


def profile_format(profile: str) -> tuple[int, str]:
    """Sample rate and bitrate of a profile (cấu hình), e.g. ``(44100, "96k")``.

    Raises:
        BroadcasterError: Unknown profile; the message lists the valid ones.
    """
    try:
        spec = PROFILES[profile]
    except KeyError:
        raise BroadcasterError(MESSAGES["unknown_profile"].format(
            profile=profile, suggestion=did_you_mean(profile, PROFILES), valid=valid_list(PROFILES))) from None
    return int(spec["rate"]), str(spec["bitrate"])


def limiter_margin_db(bitrate: str) -> float:
    """How far below the true-peak aim the sample-peak limiter is set for an MP3 bitrate like ``"48k"``."""
    kbps = int(bitrate.rstrip("kK"))
    return next(margin for lowest, margin in LIMITER_MARGINS_DB if kbps >= lowest)


def _db_to_linear(db: float) -> float:
    return 10 ** (db / 20)


def _condition(pcm: Pcm, rate: int, settings: AudioSettings) -> tuple[bytes, float, float]:
    """First FFmpeg pass: pre-gain, high-pass, compress, resample to ``rate``, low-pass; measure the result.

    High-pass and compressor run at the clip's own rate (speech engines give 22.05 kHz, half the
    standard profile's samples); the low-pass runs after the resampler, at ``rate``, whose
    fraction it is.

    Returns:
        ``(float32 samples at rate, integrated LUFS, NaN)``: the true peak is not measured
        here, only on the encoded MP3.
    """
    level = rough_level_db(pcm)
    pre_gain_db = 0.0 if math.isinf(level) else min(max(PRE_LEVEL_DBFS - level, PRE_GAIN_RANGE_DB[0]),
                                                    PRE_GAIN_RANGE_DB[1])
    # Float samples keep a quiet engine's boost free of int16 rounding and a
    # loud one's cut free of clipping; FFmpeg reads them as-is from stdin.
    x = np.frombuffer(pcm.samples, dtype="<i2").astype("<f4") * np.float32(_db_to_linear(pre_gain_db) / 32768.0)
    chain = [f"highpass=f={settings.highpass_hz}:poles=2"] * FILTER_STAGES if settings.highpass_hz > 0 else []
    lowpass = int(min(LOWPASS_MAX_HZ, LOWPASS_FRACTION * rate))
    chain += [COMPRESSOR.format(threshold=_db_to_linear(COMPRESSOR_THRESHOLD_DBFS)),
              f"aresample={rate}:resampler=soxr",
              *[f"lowpass=f={lowpass}:poles=2"] * FILTER_STAGES,
              *ebur128_args(peak=False)]   # the peak is judged on the MP3
    proc = run_ffmpeg(["-nostats", "-f", "f32le", "-ar", str(pcm.rate), "-ac", "1", "-i", "pipe:0",
                       "-af", ",".join(chain), "-ar", str(rate), "-ac", "1", "-f", "f32le", "pipe:1"],
                      input=x.tobytes())
    try:
        lufs, peak = parse_ebur128_summary(proc.stderr.decode("utf-8", "replace"), peak=False)
    except ValueError:
        raise BroadcasterError(MESSAGES["no_summary"]) from None
    return proc.stdout, lufs, peak


def _encode(conditioned: bytes, rate: int, bitrate: str, gain_db: float, limit_dbfs: float,
            target: Path) -> None:
    """Second FFmpeg pass: gain, limiter and MP3 encoding into ``target`` (any name)."""
    limit = min(1.0, max(LIMITER_FLOOR, _db_to_linear(limit_dbfs)))
    chain = f"volume={gain_db:.3f}dB:precision=double," + LIMITER.format(limit=limit)
    run_ffmpeg(["-nostats", "-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0",
                "-af", chain, "-ar", str(rate), "-ac", "1",
                # CBR only (no -q:a, which would switch LAME to VBR); no encoder
                # tags, mutagen writes the station's own.
                "-c:a", "libmp3lame", "-b:a", bitrate,
                "-map_metadata", "-1", "-id3v2_version", "0", "-write_id3v1", "0", "-write_xing", "1",
                # The temporary name has no .mp3 extension, so the muxer is named.
                "-f", "mp3", f"file:{target}"], input=conditioned)


class _LimiterModel:
    """Estimates how much loudness the limiter takes away at a gain (a positive number of dB).

    Each short block is assumed to be turned down just enough for its peak
    to meet the ceiling; the loss is the energy-weighted mean of that gain
    reduction over blocks loud enough to count towards loudness. Close
    enough (within ~0.2 LU on speech) to aim the single encode well. The
    blocks' energy and peak do not depend on the gain, so they are measured
    once per clip.
    """

    def __init__(self, samples: np.ndarray, rate: int):
        block = max(1, rate * LIMITER_BLOCK_MS // 1000)
        usable = len(samples) // block * block
        self.energy = self.peak = np.zeros(0)
        if usable == 0:
            return
        blocks = samples[:usable].reshape(-1, block)
        energy = np.mean(np.square(blocks, dtype=np.float64), axis=1)
        peak = np.max(np.abs(blocks), axis=1).astype(np.float64)
        loud = energy > np.max(energy) * 1e-4   # ignore pauses and breath: they barely count in BS.1770
        self.energy, self.peak = energy[loud], peak[loud]

    def loss_db(self, gain_db: float, ceiling_dbfs: float) -> float:
        if self.energy.size == 0:
            return 0.0
        g = _db_to_linear(gain_db)
        reduction = np.minimum(1.0, _db_to_linear(ceiling_dbfs) / np.maximum(self.peak * g, 1e-12))
        return float(-10 * np.log10(np.sum(self.energy * reduction ** 2) / np.sum(self.energy)))

    def aim(self, base_gain_db: float, ceiling_dbfs: float) -> float:
        """The gain that reaches the loudness target once the limiter has taken its share."""
        gain_db = base_gain_db
        for _ in range(3):  # the loss grows with the gain; three steps settle it to ~0.05 dB
            gain_db = base_gain_db + self.loss_db(gain_db, ceiling_dbfs)
        return gain_db


def _needs_correction(m: Measurement, target_lufs: float) -> bool:
    if math.isinf(m.integrated_lufs):
        return False
    return m.true_peak_dbtp > PEAK_CHECK_DBTP or abs(m.integrated_lufs - target_lufs) > LOUDNESS_TOLERANCE_LU


def master_to_mp3(pcm: Pcm, out_path: str | Path, settings: AudioSettings, tags: ClipTags) -> ClipInfo:
    """Turn an assembled clip into the finished MP3 a station plays (tệp phát).

    Args:
        pcm: The whole clip (lead-in, chime, speech, repetitions), any rate: best the speech
            engine's own, since the filters before the resampler run at it.
        out_path: Where the MP3 goes; its folder is created if missing. An
            existing file is replaced only once the new one is complete.
        settings: Profile (rate, bitrate), loudness target, true-peak aim and
            high-pass corner.
        tags: What the ID3 tags say.

    Returns:
        The clip as measured on the decoded MP3: loudness within
        ±LOUDNESS_TOLERANCE_LU of ``settings.loudness_lufs`` and true peak at
        most HARD_TRUE_PEAK_DBTP for any speech-like input.

    Raises:
        BroadcasterError: Unknown profile, empty audio, FFmpeg failure, the
            folder is not writable, or the true peak still exceeds
            HARD_TRUE_PEAK_DBTP after the correction. Nothing is left at
            ``out_path`` (or beside it) in any of these cases.
    """
    rate, bitrate = profile_format(settings.profile)
    if len(pcm.samples) < 2:
        raise BroadcasterError(MESSAGES["empty"])
    out_path = Path(out_path)
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BroadcasterError(MESSAGES["no_folder"].format(path=out_path.parent, detail=exc.strerror)) from exc
    if len(pcm.samples) % 2:
        pcm = Pcm(pcm.samples[:-1], pcm.rate)

    conditioned, lufs, _ = _condition(pcm, rate, settings)
    samples = np.frombuffer(conditioned, dtype="<f4")
    if math.isinf(lufs):
        # Under 0.4 s nothing passes the BS.1770 gate; the unweighted
        # estimate still gives a short jingle or word a sensible level.
        lufs = gated_level_db(samples, rate)
    target = settings.loudness_lufs
    limit_dbfs = min(settings.true_peak_dbtp, HARD_TRUE_PEAK_DBTP) - limiter_margin_db(bitrate)
    limiter = _LimiterModel(samples, rate)
    gain_db = 0.0 if math.isinf(lufs) else limiter.aim(target - lufs - ENCODER_GAIN_DB, limit_dbfs)

    with atomic_path(out_path) as temp:
        _encode(conditioned, rate, bitrate, gain_db, limit_dbfs, temp)
        result = measure(temp, fmt="mp3")
        if _needs_correction(result, target):
            # The limiter took more than estimated, or the encoder overshot
            # the ceiling: lower the ceiling by the overshoot, re-aim the gain
            # from what was measured, and encode once more.
            overshoot = max(0.0, result.true_peak_dbtp - limit_dbfs)
            new_limit = min(limit_dbfs, HARD_TRUE_PEAK_DBTP - CORRECTION_MARGIN_DB - overshoot)
            if not math.isinf(result.integrated_lufs):
                gain_db += (target - result.integrated_lufs
                            + limiter.loss_db(gain_db, new_limit) - limiter.loss_db(gain_db, limit_dbfs))
            limit_dbfs = new_limit
            _encode(conditioned, rate, bitrate, gain_db, limit_dbfs, temp)
            result = measure(temp, fmt="mp3")
            if result.true_peak_dbtp > PEAK_CHECK_DBTP:
                # Last resort, for pathological input: turn the whole clip
                # down; a little quiet beats a clip that overloads the horns.
                gain_db -= result.true_peak_dbtp - PEAK_CHECK_DBTP + CORRECTION_MARGIN_DB
                _encode(conditioned, rate, bitrate, gain_db, limit_dbfs, temp)
                result = measure(temp, fmt="mp3")
                if result.true_peak_dbtp > HARD_TRUE_PEAK_DBTP:
                    raise BroadcasterError(MESSAGES["peak_over"].format(
                        path=out_path, peak=result.true_peak_dbtp, limit=HARD_TRUE_PEAK_DBTP))
        write_tags(temp, tags)
        size = os.stat(temp).st_size
        bitrate_kbps = int(round(_mp3_bitrate(temp) / 1000))

    return ClipInfo(path=out_path, duration_s=result.duration_s, loudness_lufs=result.integrated_lufs,
                    true_peak_dbtp=result.true_peak_dbtp, sample_rate=result.sample_rate,
                    bitrate_kbps=bitrate_kbps, size_bytes=size)


def _mp3_bitrate(path: Path) -> int:
    import mutagen.mp3

    return int(mutagen.mp3.MP3(path).info.bitrate)
