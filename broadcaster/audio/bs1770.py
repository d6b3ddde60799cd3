"""Mastering stage, loudness arithmetic: float samples become BS.1770 integrated loudness and true peak.

ITU-R BS.1770-4 in numpy, for the finished clip's figures without another FFmpeg run:

- **Integrated loudness**: K-weighting (the standard's high shelf and RLB high-pass, designed for
  the clip's own rate by the bilinear transform, as FFmpeg's ``ebur128`` and libebur128 do), mean
  square per 100 ms, 400 ms blocks every 100 ms, absolute gate −70 LUFS, relative gate −10 LU.
  The two biquads are applied as one FIR: their impulse response has decayed below 1e-15 of its
  start within ``K_TAIL_S``, so their frequency response sampled on an FFT grid and applied by
  overlap-add (float32, energies summed in float64) gives the recursive filters' output to within
  float32 rounding (tests/test_bs1770.py compares with scipy's ``lfilter``).
- **True peak** (Annex 2): the samples are oversampled by a polyphase windowed-sinc FIR to at least
  192 kHz (4× at 48 kHz as in the Annex, 5× at 44.1 kHz, 8× at 24 kHz — FFmpeg's ``ebur128``
  also measures at 192 kHz) and the largest absolute value is taken. Chunks whose sample peak,
  times the largest gain any phase of the filter can have, cannot beat the peak found so far are
  not oversampled: the result is exactly that of oversampling everything.

Memory: one float32 copy of the signal for the loudness, a few MB for the true peak. No threads,
no BLAS: the same samples always give the same figures.
"""
from __future__ import annotations

import functools
import math

import numpy as np

ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
K_OFFSET_DB = -0.691          # the standard's constant in L = -0.691 + 10 log10(z)
TRUE_PEAK_MIN_RATE = 192_000  # oversample to at least this rate
TP_TAPS = 16                  # FIR taps per phase of the true-peak interpolator
TP_KAISER_BETA = 8.0
# The K-weighting impulse response is below 1e-15 of its start after 0.2 s at any rate (the
# RLB high-pass's double pole decays slowest: t·e^(-2π·38 Hz·t)); that much is kept in each block.
K_TAIL_S = 0.2
K_FFT_MIN = 1 << 16           # FFT length of the K-weighting overlap-add (at least 3 tails)
CHUNK = 1 << 13               # samples per true-peak chunk (fits the CPU cache with its phases)


def _biquads(rate: int) -> list[tuple[tuple[float, float, float], tuple[float, float, float]]]:
    """The K-weighting filter for ``rate`` Hz: ((b0, b1, b2), (1, a1, a2)) of the shelf and the high-pass."""
    # High shelf (head effects), as libebur128 and FFmpeg derive it for any rate.
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10 ** (gain_db / 20)
    vb = vh ** 0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = (((vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0),
             (1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0))
    # RLB high-pass.
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    a0 = 1 + k / q + k * k
    highpass = ((1.0, -2.0, 1.0), (1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0))
    return [shelf, highpass]


def _k_fft(rate: int) -> tuple[int, int]:
    """(FFT length, hop) of the K-weighting overlap-add at ``rate``."""
    tail = int(math.ceil(K_TAIL_S * rate))
    size = K_FFT_MIN
    while size < 3 * tail:
        size *= 2
    return size, size - tail


@functools.lru_cache(maxsize=8)
def _k_response(rate: int) -> np.ndarray:
    """The K-weighting filter's frequency response on the rfft grid of `_k_fft` points (complex64)."""
    size, _ = _k_fft(rate)
    z = np.exp(-1j * np.pi * np.arange(size // 2 + 1) / (size // 2))   # z^-1 on the grid
    h = np.ones_like(z)
    for b, a in _biquads(rate):
        h *= (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)
    return h.astype(np.complex64)


def _k_weighted_energy(x: np.ndarray, rate: int, step: int) -> np.ndarray:
    """Sum of squares (float64) of the K-weighted float32 signal over each whole ``step`` samples."""
    n = len(x)
    size, hop = _k_fft(rate)
    h = _k_response(rate)
    y = np.zeros(n + size, np.float32)
    for start in range(0, n, hop):
        y[start:start + size] += np.fft.irfft(np.fft.rfft(x[start:start + hop], size) * h, size)
    y = y[: n // step * step].reshape(-1, step)
    return np.einsum("ij,ij->i", y, y, dtype=np.float64)


def _columns(x: np.ndarray) -> list[np.ndarray]:
    x = np.asarray(x, dtype=np.float32)
    return [x] if x.ndim == 1 else [np.ascontiguousarray(x[:, c]) for c in range(x.shape[1])]


def integrated_loudness(x: np.ndarray, rate: int) -> float:
    """Integrated loudness in LUFS of float samples (full scale ±1), BS.1770-4 gated.

    Args:
        x: Samples, any float dtype (computed in float32, summed in float64): one dimension for
            mono, or one column per channel (each weighted 1, as left, right and centre are).
        rate: Sample rate in Hz (a multiple of 10).

    Returns:
        LUFS, or ``-inf`` when no 400 ms block passes the absolute gate (silence, or shorter than 0.4 s).
    """
    step = rate // 10                      # 100 ms
    if len(x) < 4 * step:
        return -math.inf
    quarter = sum(_k_weighted_energy(column, rate, step) for column in _columns(x))
    z = (quarter[:-3] + quarter[1:-2] + quarter[2:-1] + quarter[3:]) / (4 * step)   # 400 ms blocks, 75 % overlap
    with np.errstate(divide="ignore"):
        level = K_OFFSET_DB + 10 * np.log10(z)
    z = z[level > ABSOLUTE_GATE_LUFS]
    if z.size == 0:
        return -math.inf
    relative = K_OFFSET_DB + 10 * np.log10(np.mean(z)) + RELATIVE_GATE_LU
    with np.errstate(divide="ignore"):
        z = z[K_OFFSET_DB + 10 * np.log10(z) > relative]
    return float(K_OFFSET_DB + 10 * np.log10(np.mean(z)))


def oversampling(rate: int) -> int:
    """The true-peak oversampling factor for ``rate``: the smallest reaching TRUE_PEAK_MIN_RATE, at least 4."""
    return max(4, -(-TRUE_PEAK_MIN_RATE // rate))


@functools.lru_cache(maxsize=8)
def _interpolator(factor: int) -> tuple[np.ndarray, float]:
    """Polyphase windowed-sinc interpolator: (TP_TAPS × factor matrix, largest sum of |taps| of a phase).

    Column p gives the value at n + p/factor from x[n - TP_TAPS/2 + 1] … x[n + TP_TAPS/2] (row order);
    column 0 is x[n] itself. Each phase is scaled to unit gain at 0 Hz.
    """
    half = TP_TAPS // 2
    d = np.arange(TP_TAPS) - half + 1                          # offsets of the input samples used
    t = np.arange(factor)[None, :] / factor - d[:, None]        # kernel argument, in input samples
    window = np.i0(TP_KAISER_BETA * np.sqrt(np.clip(1 - (t / half) ** 2, 0, 1))) / np.i0(TP_KAISER_BETA)
    matrix = np.sinc(t) * window
    matrix /= matrix.sum(axis=0, keepdims=True)
    return matrix.astype(np.float32), float(np.max(np.sum(np.abs(matrix), axis=0)))


def true_peak(x: np.ndarray, rate: int) -> float:
    """True peak in dBTP of float samples (full scale ±1): the largest oversampled absolute value.

    Args:
        x: Samples, any float dtype (computed in float32): one dimension for mono, or one column
            per channel (the largest channel counts).
        rate: Sample rate in Hz; see `oversampling`.

    Returns:
        dBTP, or ``-inf`` for silence or no samples.
    """
    peak = max((_peak(column, rate) for column in _columns(x)), default=0.0)
    return float(20 * np.log10(peak)) if peak > 0 else -math.inf


def _peak(x: np.ndarray, rate: int) -> float:
    """The largest oversampled absolute value of one channel (0.0 for silence)."""
    if x.size == 0:
        return 0.0
    matrix, bound = _interpolator(oversampling(rate))
    matrix = matrix[:, 1:]                    # phase 0 is the samples themselves
    half = TP_TAPS // 2
    count = -(-len(x) // CHUNK)
    padded = np.zeros(half - 1 + count * CHUNK + half, np.float32)
    padded[half - 1:half - 1 + len(x)] = x
    peaks = np.abs(padded[half - 1:half - 1 + count * CHUNK]).reshape(count, CHUNK).max(axis=1)
    best = float(peaks.max())
    if best == 0.0:
        return 0.0
    acc = np.empty((matrix.shape[1], CHUNK), np.float32)
    term = np.empty_like(acc)
    # Loudest chunks first, so the bound soon rules out the quiet ones.
    for i in np.argsort(-peaks, kind="stable"):
        if peaks[i] * bound <= best:
            break
        window = padded[int(i) * CHUNK:int(i) * CHUNK + CHUNK + TP_TAPS - 1]
        np.multiply(matrix[0][:, None], window[None, :CHUNK], out=acc)
        for j in range(1, TP_TAPS):
            np.multiply(matrix[j][:, None], window[None, j:j + CHUNK], out=term)
            acc += term
        best = max(best, float(np.max(np.abs(acc))))
    return best
