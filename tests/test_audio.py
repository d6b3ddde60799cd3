"""Mastering stage: chime, assembly, measurement, tags, atomic writes and the finished MP3 clip."""
from __future__ import annotations

import math
import os
import stat
from pathlib import Path

import mutagen.mp3
import numpy as np
import pyloudnorm as pyln
import pytest

from broadcaster.atomic import atomic_path, atomic_write_bytes, atomic_write_text, is_temp_path, temp_path_for
from broadcaster.audio import assemble as assemble_module
from broadcaster.audio import master as master_module
from broadcaster.audio.assemble import FINAL_PAUSE_MAX_MS, assemble, clip_layout, pause_samples
from broadcaster.audio.chime import DING_DONG, THREE_TONE, chime
from broadcaster.audio.ffmpeg import decode_to_pcm
from broadcaster.audio.master import ClipInfo, ClipTags, master_to_mp3
from broadcaster.audio.measure import measure, parse_ebur128_summary, rough_level_db
from broadcaster.audio.tags import CLIP_TAG_FIELDS, read_tags, write_tags
from broadcaster.errors import BroadcasterError
from broadcaster.models import AudioSettings, Pcm


TAGS = ClipTags(
    title="Phòng, chống sốt xuất huyết mùa mưa",
    campaign="Chiến dịch diệt lăng quăng, bọ gậy năm 2025",
    organization="Đài truyền thanh xã Mỹ Xuyên",
    source="Công văn số 123/UBND-VX ngày 05/6/2025 của UBND huyện",
    script_id="sxh-2025-01",
    text_hash="9f86d081884c7d65",
)


# --- helpers -------------------------------------------------------------------------------


def to_pcm(x: np.ndarray, rate: int) -> Pcm:
    return Pcm(np.clip(np.round(x * 32767), -32768, 32767).astype("<i2").tobytes(), rate)


def to_float(pcm: Pcm) -> np.ndarray:
    return np.frombuffer(pcm.samples, dtype="<i2").astype(np.float64) / 32768.0


def speech_like(seconds: float, rate: int, seed: int = 1) -> np.ndarray:
    """Syllable-shaped bursts: voiced harmonics plus noise under Hann envelopes, with word gaps."""
    rng = np.random.default_rng(seed)
    out = np.zeros(int(seconds * rate))
    t = 0.05
    while t < seconds - 0.4:
        syllable = rng.uniform(0.12, 0.3)
        m = int(syllable * rate)
        start = int(t * rate)
        tt = np.arange(m) / rate
        f0 = rng.uniform(100, 220) * (1 + 0.1 * np.sin(2 * np.pi * 3 * tt))
        phase = 2 * np.pi * np.cumsum(f0) / rate
        voiced = sum((0.7 ** k) * np.sin(k * phase) for k in range(1, 25))
        noise = np.convolve(rng.standard_normal(m), np.ones(3) / 3, mode="same")
        hiss = rng.standard_normal(m) * 0.4 if rng.random() < 0.2 else 0.0   # fricatives
        envelope = np.hanning(m) ** 0.7
        out[start:start + m] += envelope * (voiced + rng.uniform(0.1, 0.6) * noise + hiss) * rng.uniform(0.3, 1)
        t += syllable + (rng.uniform(0.3, 0.6) if rng.random() < 0.15 else rng.uniform(0.02, 0.08))
    return out / np.max(np.abs(out))


def at_loudness(x: np.ndarray, rate: int, lufs: float) -> np.ndarray:
    return x * 10 ** ((lufs - pyln.Meter(rate).integrated_loudness(x)) / 20)


def independent_lufs(path: Path, rate: int) -> float:
    """Loudness of the decoded MP3 by pyloudnorm, independent of FFmpeg's ebur128."""
    return pyln.Meter(rate).integrated_loudness(to_float(decode_to_pcm(path, rate)))


def folder_names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture(scope="module")
def quiet_speech() -> Pcm:
    """8 s of speech-like audio at 22.05 kHz, far too quiet (-30 LUFS)."""
    return to_pcm(at_loudness(speech_like(8, 22050), 22050, -30.0), 22050)


@pytest.fixture(scope="module")
def loud_speech() -> Pcm:
    """8 s of speech-like audio pushed to -5 LUFS and hard-clipped at full scale."""
    return to_pcm(np.clip(at_loudness(speech_like(8, 22050, seed=2), 22050, -5.0), -1, 1), 22050)


# --- chime ---------------------------------------------------------------------------------


def test_chime_is_deterministic_and_audible():
    first, second = chime(44100), chime(44100)
    assert first == second
    x = to_float(first)
    assert len(x) == int(1.5 * 44100)
    assert 20 * math.log10(np.max(np.abs(x))) == pytest.approx(-6.0, abs=0.1)
    assert rough_level_db(first) > -30
    assert x[-1] == 0.0 and abs(x[0]) < 1e-3          # no click at either end


def test_chime_notes_are_where_they_should_be():
    rate = 24000
    x = to_float(chime(rate, THREE_TONE))
    spectrum = np.abs(np.fft.rfft(x))
    freqs = np.fft.rfftfreq(len(x), 1 / rate)
    strongest = freqs[np.argmax(spectrum)]
    assert min(abs(strongest - f) for f, _ in THREE_TONE) < 5
    x2 = to_float(chime(rate, DING_DONG))
    second_note = int(DING_DONG[1][1] * rate)
    assert np.max(np.abs(x2[second_note + 50: second_note + 2000])) > np.max(np.abs(x2[second_note - 2000: second_note - 50]))


def test_chime_at_low_rate_and_bad_rate():
    assert len(chime(8000).samples) == 2 * 12000
    with pytest.raises(BroadcasterError):
        chime(0)


# --- assemble ------------------------------------------------------------------------------


def test_assemble_joins_thousands_of_pieces_with_exact_length():
    rate = 22050
    piece = Pcm(b"\x01\x00" * 441, rate)             # 20 ms
    pieces = [(piece, 30)] * 2000
    out = assemble(pieces, rate)
    assert out.rate == rate
    assert len(out.samples) // 2 == 2000 * (441 + pause_samples(30, rate))
    assert out.samples[:882] == piece.samples
    assert out.samples[882:882 + 2 * pause_samples(30, rate)] == b"\x00" * 2 * pause_samples(30, rate)


def test_assemble_resamples_in_one_process_per_rate_run(monkeypatch):
    calls = []
    real = assemble_module.run_ffmpeg
    monkeypatch.setattr(assemble_module, "run_ffmpeg", lambda *a, **k: calls.append(1) or real(*a, **k))
    rate_in, rate = 16000, 44100
    t = np.arange(1600) / rate_in
    tone = to_pcm(0.5 * np.sin(2 * np.pi * 1000 * t), rate_in)    # 0.1 s of 1 kHz
    pieces = [(Pcm(b"", rate_in), 300), (chime(rate), 600)] + [(tone, 250)] * 300
    out = assemble(pieces, rate)
    assert len(calls) == 1                               # 300 pieces at 16 kHz: one FFmpeg run
    expected = pause_samples(300, rate) + len(chime(rate).samples) // 2 + pause_samples(600, rate) \
        + (300 * 1600 * rate + rate_in // 2) // rate_in + 300 * pause_samples(250, rate)
    assert len(out.samples) // 2 == expected
    # The first resampled tone still is a 1 kHz tone and its pause is exact silence.
    x = to_float(out)
    start = pause_samples(300, rate) + len(chime(rate).samples) // 2 + pause_samples(600, rate)
    first = x[start: start + 4410]
    spectrum = np.abs(np.fft.rfft(first))
    assert np.fft.rfftfreq(len(first), 1 / rate)[np.argmax(spectrum)] == pytest.approx(1000, abs=15)
    assert not np.any(x[start + 4410 + 5: start + 4410 + pause_samples(250, rate) - 5])


def test_assemble_rejects_broken_pieces():
    with pytest.raises(BroadcasterError, match="số byte lẻ"):
        assemble([(Pcm(b"\x00\x00\x00", 8000), 0)], 8000)
    with pytest.raises(BroadcasterError):
        assemble([(Pcm(b"\x00\x00", 8000), -5)], 8000)
    assert assemble([], 8000) == Pcm(b"", 8000)


def test_clip_layout_order_pauses_and_repeat():
    settings = AudioSettings(lead_in_ms=300, sentence_pause_ms=600, repeat_pause_ms=2000)
    rate = 22050
    s1 = to_pcm(0.1 * speech_like(1.0, rate), rate)
    s2 = to_pcm(0.1 * speech_like(1.0, rate, seed=3), rate)
    bell = chime(rate)
    layout = clip_layout([(s1, 600), (s2, 1200)], 2, settings, bell)
    assert [pause for _, pause in layout] == [300, 600, 600, 2000, 600, FINAL_PAUSE_MAX_MS]
    assert layout[0][0].samples == b""
    assert [p for p, _ in layout[2:]] == [s1, s2, s1, s2]
    # The chime was brought near the voice level, a little below it.
    assert rough_level_db(layout[1][0]) == pytest.approx(rough_level_db(s1) - 3, abs=1.5)

    single = clip_layout([(s1, 100)], 1, AudioSettings(chime=False, lead_in_ms=0), bell)
    assert single == [(s1, 100)]
    assert clip_layout([(s1, 100)], 1, AudioSettings(lead_in_ms=0), None) == [(s1, 100)]


def test_clip_layout_rejects_bad_input():
    s1 = to_pcm(0.1 * speech_like(1.0, 8000), 8000)
    with pytest.raises(BroadcasterError, match="số lần đọc"):
        clip_layout([(s1, 0)], 0, AudioSettings(), None)
    with pytest.raises(BroadcasterError):
        clip_layout([(Pcm(b"", 8000), 100)], 1, AudioSettings(), None)


# --- measure -------------------------------------------------------------------------------

SUMMARY = """[Parsed_ebur128_0 @ 0x1] Summary:

  Integrated loudness:
    I:         -16.2 LUFS
    Threshold: -26.4 LUFS

  Loudness range:
    LRA:         4.1 LU

  True peak:
    Peak:       -1.3 dBFS
"""


def test_parse_ebur128_summary():
    assert parse_ebur128_summary(SUMMARY) == (-16.2, -1.3)
    silent = SUMMARY.replace("-16.2", "-70.0").replace("-1.3 dBFS", "-inf dBFS")
    assert parse_ebur128_summary(silent) == (-math.inf, -math.inf)
    with pytest.raises(ValueError):
        parse_ebur128_summary("no summary here")


def test_measure_pcm_matches_pyloudnorm():
    rate = 44100
    x = 0.3 * speech_like(5, rate)
    m = measure(to_pcm(x, rate))
    assert m.integrated_lufs == pytest.approx(pyln.Meter(rate).integrated_loudness(x), abs=0.3)
    assert m.true_peak_dbtp >= 20 * math.log10(0.3) - 0.2
    assert (m.sample_rate, m.channels) == (rate, 1)
    assert m.duration_s == pytest.approx(5.0)


def test_measure_silence_and_short_clips():
    silent = measure(Pcm(b"\x00\x00" * 44100, 44100))
    assert silent.integrated_lufs == -math.inf and silent.true_peak_dbtp == -math.inf
    t = np.arange(int(0.3 * 44100)) / 44100
    short = measure(to_pcm(0.5 * np.sin(2 * np.pi * 1000 * t), 44100))
    assert short.integrated_lufs == -math.inf             # no complete 400 ms block
    assert short.true_peak_dbtp == pytest.approx(-6.0, abs=0.2)
    assert measure(Pcm(b"", 22050)).duration_s == 0.0


def test_measure_missing_file(tmp_path):
    with pytest.raises(BroadcasterError, match="không tìm thấy"):
        measure(tmp_path / "missing.mp3")


# --- tags ----------------------------------------------------------------------------------


def test_tags_round_trip_vietnamese(tmp_path, quiet_speech):
    path = tmp_path / "clip.mp3"
    master_to_mp3(quiet_speech, path, AudioSettings(), ClipTags("x", "y", "z", "", "id", "h"))
    write_tags(path, TAGS)
    back = read_tags(path)
    assert ClipTags(**{f: back[f] for f in CLIP_TAG_FIELDS}) == TAGS
    assert back["language"] == "vie" and back["id3_version"] == "2.3"
    # Rewriting replaces, it does not accumulate frames.
    write_tags(path, TAGS)
    assert read_tags(path) == back


def test_read_tags_of_untagged_file(tmp_path):
    path = tmp_path / "plain.mp3"
    path.write_bytes(b"\xff\xfb\x90\x00" + b"\x00" * 400)
    assert set(read_tags(path).values()) == {""}


# --- master --------------------------------------------------------------------------------


def check_clip(info: ClipInfo, rate: int, kbps: int, target: float = -16.0) -> None:
    path = info.path
    assert path.is_file()
    mp3 = mutagen.mp3.MP3(path)
    assert mp3.info.channels == 1
    assert mp3.info.sample_rate == rate == info.sample_rate
    assert round(mp3.info.bitrate / 1000) == kbps == info.bitrate_kbps
    assert mp3.info.bitrate_mode == mutagen.mp3.BitrateMode.CBR
    assert abs(independent_lufs(path, rate) - target) <= 1.0
    measured = measure(path)
    assert measured.true_peak_dbtp <= -1.0
    assert abs(measured.integrated_lufs - target) <= 1.0
    assert (info.loudness_lufs, info.true_peak_dbtp) == (measured.integrated_lufs, measured.true_peak_dbtp)
    assert info.size_bytes == path.stat().st_size
    assert info.duration_s == pytest.approx(mp3.info.length)
    back = read_tags(path)
    assert ClipTags(**{f: back[f] for f in CLIP_TAG_FIELDS}) == TAGS
    assert back["id3_version"] == "2.3"
    assert [n for n in folder_names(path.parent) if is_temp_path(n)] == []


@pytest.mark.parametrize("which", ["quiet_speech", "loud_speech"])
def test_master_standard_profile(tmp_path, which, request):
    pcm = request.getfixturevalue(which)
    info = master_to_mp3(pcm, tmp_path / "out" / "clip.mp3", AudioSettings(), TAGS)
    check_clip(info, 44100, 96)
    assert info.duration_s == pytest.approx(8.0, abs=0.1)


def test_master_ip4g_profile(tmp_path, loud_speech):
    info = master_to_mp3(loud_speech, tmp_path / "clip.mp3", AudioSettings(profile="ip-4g"), TAGS)
    check_clip(info, 24000, 48)


def test_master_other_target(tmp_path, quiet_speech):
    settings = AudioSettings(loudness_lufs=-23.0)
    info = master_to_mp3(quiet_speech, tmp_path / "clip.mp3", settings, TAGS)
    check_clip(info, 44100, 96, target=-23.0)


def test_master_full_layout_and_process_count(tmp_path, monkeypatch):
    """A real clip (lead-in, chime, two sentences read twice, at the engine's 22.05 kHz) with 2 FFmpeg runs."""
    import broadcaster.audio.ffmpeg as ffmpeg_module

    rate = 22050
    s1 = to_pcm(0.05 * speech_like(3, rate, seed=4), rate)
    s2 = to_pcm(0.05 * speech_like(2, rate, seed=5), rate)
    pcm = assemble(clip_layout([(s1, 600), (s2, 600)], 2, AudioSettings(), chime(rate)), rate)
    runs = []
    real = ffmpeg_module.subprocess.run
    monkeypatch.setattr(ffmpeg_module.subprocess, "run", lambda *a, **k: runs.append(a) or real(*a, **k))
    info = master_to_mp3(pcm, tmp_path / "clip.mp3", AudioSettings(), TAGS)
    assert len(runs) == 2             # filter+resample+measure, encode; the MP3 is decoded in-process
    monkeypatch.undo()
    check_clip(info, 44100, 96)


def test_master_corrects_a_missed_target_with_one_more_encode(tmp_path, loud_speech, monkeypatch):
    encodes = []
    real = master_module._encode
    monkeypatch.setattr(master_module, "_encode", lambda *a, **k: encodes.append(a[3]) or real(*a, **k))
    # Pretend the encoder is 3 dB louder than it is: the first encode lands ~3 LU low.
    monkeypatch.setattr(master_module, "ENCODER_GAIN_DB", 3.0)
    info = master_to_mp3(loud_speech, tmp_path / "clip.mp3", AudioSettings(), TAGS)
    assert len(encodes) == 2 and encodes[1] > encodes[0] + 2
    check_clip(info, 44100, 96)


def test_master_silence_and_short_clip(tmp_path):
    silent = master_to_mp3(Pcm(b"\x00\x00" * 22050, 22050), tmp_path / "silent.mp3", AudioSettings(), TAGS)
    assert silent.loudness_lufs == -math.inf and silent.path.is_file()
    t = np.arange(int(0.3 * 22050)) / 22050
    short = master_to_mp3(to_pcm(0.01 * np.sin(2 * np.pi * 800 * t), 22050), tmp_path / "short.mp3",
                          AudioSettings(), TAGS)
    assert short.true_peak_dbtp <= -1.0
    assert short.true_peak_dbtp > -20                       # brought up, not left at -40 dBFS


def test_master_rejects_unknown_profile_and_empty_audio(tmp_path, quiet_speech):
    with pytest.raises(BroadcasterError, match="ip-4g"):
        master_to_mp3(quiet_speech, tmp_path / "a.mp3", AudioSettings(profile="ip4g"), TAGS)
    with pytest.raises(BroadcasterError):
        master_to_mp3(Pcm(b"", 22050), tmp_path / "a.mp3", AudioSettings(), TAGS)
    assert folder_names(tmp_path) == []


def test_failed_encode_leaves_old_file_and_no_temp(tmp_path, quiet_speech, monkeypatch):
    out = tmp_path / "clip.mp3"
    out.write_bytes(b"old clip")
    monkeypatch.setattr(master_module, "LIMITER", "nosuchfilter=limit={limit}")
    with pytest.raises(BroadcasterError, match="FFmpeg"):
        master_to_mp3(quiet_speech, out, AudioSettings(), TAGS)
    assert folder_names(tmp_path) == ["clip.mp3"]
    assert out.read_bytes() == b"old clip"


def test_failure_after_encode_leaves_nothing(tmp_path, quiet_speech, monkeypatch):
    def broken(path, tags):
        assert not str(path).endswith(".mp3") and Path(path).stat().st_size > 1000
        raise KeyboardInterrupt                      # the build is killed while tagging

    monkeypatch.setattr(master_module, "write_tags", broken)
    with pytest.raises(KeyboardInterrupt):
        master_to_mp3(quiet_speech, tmp_path / "clip.mp3", AudioSettings(), TAGS)
    assert folder_names(tmp_path) == []


def test_unwritable_destination(tmp_path, quiet_speech):
    # A path whose "folder" is a plain file cannot be written, even by root.
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"x")
    with pytest.raises(BroadcasterError):
        master_to_mp3(quiet_speech, blocker / "clip.mp3", AudioSettings(), TAGS)
    assert folder_names(tmp_path) == ["not-a-folder"]
    assert blocker.read_bytes() == b"x"


# --- atomic --------------------------------------------------------------------------------


def test_temp_names_are_hidden_and_not_globbed(tmp_path):
    temp = temp_path_for(tmp_path / "clip.mp3")
    assert temp.parent == tmp_path
    assert temp.name.startswith(".") and not temp.name.endswith(".mp3") and is_temp_path(temp)
    assert temp != temp_path_for(tmp_path / "clip.mp3")
    assert not is_temp_path(tmp_path / "clip.mp3")


def test_atomic_write_bytes_and_text(tmp_path):
    path = tmp_path / "report.txt"
    atomic_write_text(path, "Báo cáo tháng 6\n")
    assert path.read_text(encoding="utf-8") == "Báo cáo tháng 6\n"
    atomic_write_bytes(path, b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"
    assert folder_names(tmp_path) == ["report.txt"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_atomic_path_cleans_up_on_failure(tmp_path):
    path = tmp_path / "clip.mp3"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_path(path) as temp:
            temp.write_bytes(b"half")
            raise RuntimeError("killed")
    assert path.read_bytes() == b"old" and folder_names(tmp_path) == ["clip.mp3"]
    with atomic_path(path) as temp:
        temp.write_bytes(b"new")
        assert path.read_bytes() == b"old"           # nobody sees the new file before it is complete
    assert path.read_bytes() == b"new" and folder_names(tmp_path) == ["clip.mp3"]


def test_atomic_write_into_missing_folder_is_explained(tmp_path):
    with pytest.raises(BroadcasterError, match="không ghi được"):
        atomic_write_text(tmp_path / "missing" / "a.txt", "x")
