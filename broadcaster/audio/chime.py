"""Mastering stage, chime: a note list becomes a synthesised "ding-dong" attention signal as PCM.

The chime is computed, not read from a sound file, so its origin and licence
are never in doubt and it exists at any sample rate without resampling. Each
note is a few harmonic sine partials under an exponential decay, like a
struck bar; the result is identical on every run and every machine.
"""
from __future__ import annotations

import numpy as np

from ..errors import BroadcasterError
from ..models import CHIME_S, Pcm

MESSAGES = {
    "bad_rate": "tần số lấy mẫu không hợp lệ cho tiếng chuông: {rate}",
}

# (frequency Hz, start s): a descending major third, the classic two-tone
# "ding-dong" of public-address systems. E5 and C5 sit in the band horn
# loudspeakers reproduce well (they roll off below ~300 Hz).
DING_DONG: tuple[tuple[float, float], ...] = ((659.25, 0.0), (523.25, 0.5))
# Three rising notes, for stations that prefer the "ding-ding-dong" of markets and stations.
THREE_TONE: tuple[tuple[float, float], ...] = ((523.25, 0.0), (659.25, 0.35), (783.99, 0.7))

# (multiple of the fundamental, relative amplitude, decay time constant s):
# upper partials die faster, which is what makes a struck bar sound "bright then mellow".
PARTIALS: tuple[tuple[float, float, float], ...] = ((1.0, 1.0, 0.42), (2.0, 0.35, 0.22), (3.0, 0.12, 0.12))

ATTACK_S = 0.004       # a hard onset would click on a horn driver
FADE_OUT_S = 0.08      # ends exactly at zero so the following pause is clean
PEAK_DBFS = -6.0       # leaves headroom; mastering sets the final level anyway


def chime(rate: int, notes: tuple[tuple[float, float], ...] = DING_DONG, length_s: float = CHIME_S) -> Pcm:
    """Synthesise the attention chime played before an announcement (tiếng chuông báo hiệu).

    Args:
        rate: Sample rate in Hz.
        notes: ``(frequency_hz, start_s)`` pairs; see DING_DONG and THREE_TONE.
        length_s: Total length; the last note rings until the fade-out.

    Returns:
        Mono 16-bit PCM at ``rate``, peaking at PEAK_DBFS. The same arguments
        always give the same bytes.

    Raises:
        BroadcasterError: ``rate`` is not a positive integer.
    """
    if not isinstance(rate, int) or rate <= 0:
        raise BroadcasterError(MESSAGES["bad_rate"].format(rate=rate))
    n = int(round(length_s * rate))
    t = np.arange(n, dtype=np.float64) / rate
    out = np.zeros(n, dtype=np.float64)
    nyquist = rate / 2
    for freq, start in notes:
        first = int(round(start * rate))
        if first >= n:
            continue
        local = t[: n - first]
        note = np.zeros_like(local)
        for multiple, amplitude, decay in PARTIALS:
            f = freq * multiple
            if f >= nyquist * 0.9:  # would alias at low rates (e.g. 8 kHz telephony)
                continue
            note += amplitude * np.exp(-local / decay) * np.sin(2 * np.pi * f * local)
        attack = min(len(local), max(1, int(ATTACK_S * rate)))
        note[:attack] *= np.linspace(0.0, 1.0, attack, endpoint=False)
        out[first:] += note
    fade = min(n, int(FADE_OUT_S * rate))
    if fade:
        out[n - fade:] *= np.linspace(1.0, 0.0, fade)
    peak = float(np.max(np.abs(out))) if n else 0.0
    if peak > 0:
        out *= (10 ** (PEAK_DBFS / 20)) / peak
    samples = np.round(out * 32767).astype("<i2")
    return Pcm(samples.tobytes(), rate)
