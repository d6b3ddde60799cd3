"""BS.1770 loudness and true peak in numpy (audio/bs1770.py), checked against FFmpeg's ebur128 and scipy.

The finished clips' figures (manifest, `measure`) come from `bs1770` on the decoded MP3. These tests
hold it to FFmpeg's ``ebur128`` filter (read to three decimals from its frame metadata) on real
mastered clips and on synthetic signals, including an intersample peak 3 dB above the samples:

- integrated loudness within LOUDNESS_TOL_LU of FFmpeg on everything;
- true peak within PEAK_TOL_DB of FFmpeg on speech (FFmpeg resamples to 48 kHz and then to 192 kHz
  with its own filter), and within REF_TOL_DB of a 32x-oversampled reference (scipy's
  ``resample_poly``) on every signal. On stationary signals with energy near the top of the band
  FFmpeg itself reads high: +0.5 dB on the quarter-rate sine below, +0.2 dB on white noise.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
from scipy import signal

from broadcaster.audio import bs1770
from broadcaster.audio.ffmpeg import run_ffmpeg
from broadcaster.audio.master import ClipTags, master_to_mp3
from broadcaster.audio.measure import decode_mp3, measure
from broadcaster.models import AudioSettings, Pcm
from test_audio import at_loudness, speech_like, to_pcm

LOUDNESS_TOL_LU = 0.05
PEAK_TOL_DB = 0.2
REF_TOL_DB = 0.15
TAGS = ClipTags("t", "c", "o", "s", "id", "h")


def ffmpeg_figures(input_args: list[str], data: bytes | None = None) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) from FFmpeg's ebur128, three decimals (its metadata, last frame)."""
    proc = run_ffmpeg(["-nostats", *input_args, "-af",
                       "ebur128=peak=true:metadata=1:framelog=quiet,ametadata=mode=print:file=-",
                       "-f", "null", "-"], input=data)
    text = proc.stdout.decode()
    lufs = float(re.findall(r"lavfi\.r128\.I=(-?[\d.]+|-?inf)", text)[-1])
    peak = float(re.findall(r"lavfi\.r128\.true_peak=([\d.]+)", text)[-1])
    return lufs, 20 * math.log10(peak)


def reference_peak(x: np.ndarray) -> float:
    """True peak in dB by 32x polyphase oversampling with a long Kaiser filter (scipy)."""
    return 20 * math.log10(np.max(np.abs(signal.resample_poly(np.asarray(x, np.float64), 32, 1,
                                                                 window=("kaiser", 14.0)))))


def ffmpeg_of_float(x: np.ndarray, rate: int) -> tuple[float, float]:
    return ffmpeg_figures(["-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0"],
                          np.asarray(x, dtype="<f4").tobytes())


@pytest.fixture(scope="module")
def mastered(tmp_path_factory) -> list:
    """Three mastered MP3 clips: speech at both profiles, and a louder, denser one."""
    folder = tmp_path_factory.mktemp("clips")
    out = []
    for name, profile, seed, seconds in (("a", "standard", 11, 20), ("b", "ip-4g", 12, 20), ("c", "standard", 13, 12)):
        x = at_loudness(speech_like(seconds, 22050, seed=seed), 22050, -20.0 if name != "c" else -8.0)
        info = master_to_mp3(to_pcm(np.clip(x, -1, 1), 22050), folder / f"{name}.mp3",
                             AudioSettings(profile=profile), TAGS)
        out.append(info.path)
    return out


def test_mastered_clips_agree_with_ffmpeg(mastered):
    for path in mastered:
        ours = measure(path)
        lufs, peak = ffmpeg_figures(["-f", "mp3", "-i", f"file:{path}"])
        assert ours.integrated_lufs == pytest.approx(lufs, abs=LOUDNESS_TOL_LU), path.name
        assert ours.true_peak_dbtp == pytest.approx(peak, abs=PEAK_TOL_DB), path.name
        assert ours.true_peak_dbtp <= -1.0 and abs(ours.integrated_lufs + 16) <= 0.8


def test_intersample_peak_is_found():
    """A sine at a quarter of the rate, sampled 45° off its crests: samples at -3 dB, true peak 0 dB."""
    for rate in (44100, 24000, 48000):
        n = np.arange(rate * 2)
        x = 0.5 * np.sin(2 * np.pi * n / 4 + np.pi / 4)          # every sample is ±0.354 (-9.03 dBFS)
        tp = bs1770.true_peak(x, rate)
        assert 20 * np.log10(np.max(np.abs(x))) == pytest.approx(-9.03, abs=0.01)
        assert tp == pytest.approx(-6.02, abs=0.12)                # the crest between samples
        assert tp == pytest.approx(reference_peak(x), abs=REF_TOL_DB)
        assert ffmpeg_of_float(x, rate)[1] >= tp                   # FFmpeg reads this one high (-5.4)


@pytest.mark.parametrize("rate", [22050, 24000, 44100, 48000])
def test_synthetic_signals_agree_with_ffmpeg(rate):
    rng = np.random.default_rng(rate)
    speech = [0.1 * speech_like(6, rate, seed=3),
              np.concatenate([np.zeros(rate), 0.2 * speech_like(4, rate, seed=4), np.zeros(rate * 2)])]  # gated silence
    other = [0.05 * rng.standard_normal(rate * 5),                                  # white noise
             0.3 * np.sin(2 * np.pi * 997 * np.arange(rate * 3) / rate)]           # a tone
    for x in speech + other:
        lufs, peak = ffmpeg_of_float(x, rate)
        assert bs1770.integrated_loudness(x, rate) == pytest.approx(lufs, abs=LOUDNESS_TOL_LU)
        assert bs1770.true_peak(x, rate) == pytest.approx(reference_peak(x), abs=REF_TOL_DB)
        if any(x is s for s in speech):
            assert bs1770.true_peak(x, rate) == pytest.approx(peak, abs=PEAK_TOL_DB)


def test_k_weighting_equals_the_recursive_filters():
    """The FFT overlap-add gives what the two biquads give run sample by sample (scipy's lfilter)."""
    rate = 44100
    x = (0.2 * speech_like(9, rate, seed=5)).astype(np.float32)
    y = x.astype(np.float64)
    for b, a in bs1770._biquads(rate):
        y = signal.lfilter(b, a, y)
    step = rate // 10
    expected = np.sum(y[: len(y) // step * step].reshape(-1, step) ** 2, axis=1)
    got = bs1770._k_weighted_energy(x, rate, step)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-9 * expected.max())


def test_gating_against_a_direct_computation():
    """Absolute and relative gates as BS.1770-4 defines them, on a signal whose quiet part is gated away."""
    rate = 48000
    loud = 0.25 * speech_like(6, rate, seed=6)
    x = np.concatenate([loud, 0.001 * loud])                     # second half 60 dB down: below the relative gate
    y = x.copy()
    for b, a in bs1770._biquads(rate):
        y = signal.lfilter(b, a, y)
    step = rate // 10
    q = np.sum(y[: len(y) // step * step].reshape(-1, step) ** 2, axis=1)
    z = np.convolve(q, np.ones(4), mode="valid") / (4 * step)
    level = -0.691 + 10 * np.log10(np.maximum(z, 1e-300))
    z = z[level > -70]
    z = z[-0.691 + 10 * np.log10(z) > -0.691 + 10 * np.log10(np.mean(z)) - 10]
    assert bs1770.integrated_loudness(x, rate) == pytest.approx(-0.691 + 10 * np.log10(np.mean(z)), abs=1e-3)
    assert bs1770.integrated_loudness(x, rate) == pytest.approx(bs1770.integrated_loudness(loud, rate), abs=0.05)


def test_true_peak_skips_nothing_it_should_not():
    """The chunk bound never changes the result: the same as oversampling every chunk."""
    rate = 44100
    x = 0.1 * speech_like(8, rate, seed=7)
    x[rate * 5 + 123] = 0.2                                      # a lone click in an otherwise quiet part
    matrix, _ = bs1770._interpolator(bs1770.oversampling(rate))
    half = bs1770.TP_TAPS // 2
    padded = np.concatenate([np.zeros(half - 1), x, np.zeros(half)]).astype(np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(padded, bs1770.TP_TAPS)[: len(x)]
    everything = float(np.max(np.abs(frames @ matrix)))
    assert bs1770.true_peak(x, rate) == pytest.approx(20 * np.log10(everything), abs=1e-5)
    assert bs1770.true_peak(x, rate) > 20 * np.log10(0.2) - 0.01


def test_silence_short_and_channels():
    assert bs1770.integrated_loudness(np.zeros(48000), 48000) == -math.inf
    assert bs1770.true_peak(np.zeros(48000), 48000) == -math.inf
    assert bs1770.true_peak(np.zeros(0), 48000) == -math.inf
    assert bs1770.integrated_loudness(0.5 * np.ones(10000), 48000) == -math.inf   # under 400 ms
    rate = 24000
    mono = 0.1 * speech_like(5, rate, seed=8)
    stereo = np.stack([mono, mono], axis=1)
    # Two equal channels add 3 dB of loudness (each weighted 1); the peak is the louder channel's.
    assert bs1770.integrated_loudness(stereo, rate) == pytest.approx(
        bs1770.integrated_loudness(mono, rate) + 10 * np.log10(2), abs=1e-3)
    louder = np.stack([mono, 2 * mono], axis=1)
    assert bs1770.true_peak(louder, rate) == pytest.approx(bs1770.true_peak(mono, rate) + 20 * np.log10(2), abs=1e-4)


def test_decoded_mp3_matches_ffmpegs_decoder(mastered):
    """miniaudio's decode has FFmpeg's length (encoder delay and padding removed) and samples."""
    x, rate = decode_mp3(mastered[0])
    proc = run_ffmpeg(["-f", "mp3", "-i", f"file:{mastered[0]}", "-f", "f32le", "pipe:1"])
    y = np.frombuffer(proc.stdout, dtype="<f4")
    assert (rate, x.shape) == (44100, (len(y), 1))
    assert np.max(np.abs(x[:, 0] - y)) < 1e-3


def test_measure_pcm_uses_the_same_arithmetic():
    rate = 22050
    x = 0.2 * speech_like(5, rate, seed=9)
    pcm = to_pcm(x, rate)
    back = np.frombuffer(pcm.samples, dtype="<i2") / 32768
    m = measure(Pcm(pcm.samples, rate))
    assert m.integrated_lufs == pytest.approx(bs1770.integrated_loudness(back, rate), abs=1e-6)
    assert m.true_peak_dbtp == pytest.approx(bs1770.true_peak(back, rate), abs=1e-6)


def test_measure_other_files_and_unicode_paths(tmp_path, mastered):
    """A stereo WAV goes through FFmpeg to the same arithmetic; an MP3 under a Vietnamese folder name is read."""
    import wave

    rate = 24000
    left, right = 0.1 * speech_like(5, rate, seed=10), 0.2 * speech_like(5, rate, seed=11)
    ints = np.clip(np.round(np.stack([left, right], axis=1) * 32767), -32768, 32767).astype("<i2")
    path = tmp_path / "Đài xã" / "bản ghi.wav"
    path.parent.mkdir()
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(2)
        fh.setsampwidth(2)
        fh.setframerate(rate)
        fh.writeframes(ints.tobytes())
    m = measure(path)
    x = ints / 32768
    assert (m.sample_rate, m.channels) == (rate, 2)
    assert m.integrated_lufs == pytest.approx(bs1770.integrated_loudness(x, rate), abs=1e-4)
    assert m.true_peak_dbtp == pytest.approx(bs1770.true_peak(x, rate), abs=1e-4)
    assert m.integrated_lufs == pytest.approx(ffmpeg_figures(["-i", f"file:{path}"])[0], abs=LOUDNESS_TOL_LU)

    moved = tmp_path / "Đài xã" / "tệp phát.mp3"
    moved.write_bytes(mastered[1].read_bytes())
    assert measure(moved) == measure(mastered[1])
