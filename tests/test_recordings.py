"""Recorded announcements (audio: recordings/FILE) and the record command, on audio files generated here.

Every bad-recording case is a real file (WAV written by the wave module, other formats
encoded by the project's FFmpeg) checked by the real decoder; the good ones go through
the real mastering chain into tagged MP3s.
"""
from __future__ import annotations

import io
import json
import wave
from pathlib import Path

import numpy as np
import pytest
from conftest import copy_sample, use_engine
from mutagen.id3 import ID3

from broadcaster.audio.ffmpeg import run_ffmpeg
from broadcaster.audio.measure import measure
from broadcaster.build import build_clips
from broadcaster.cli import main
from broadcaster.config import load_project
from broadcaster.errors import BroadcasterError
from broadcaster.manifest import read_manifest
from broadcaster.record import level_dbfs, meter_line, record_script
from broadcaster.recordings import (CLIPPED_SHARE_MAX, SNR_MIN_DB, RecordingError, analyse, import_recording,
                                    trimmed_pcm)

RATE = 44100


def speech_like(seconds: float = 4.0, rate: int = RATE, level: float = 0.3, noise_db: float = -70.0,
                lead: float = 0.8, tail: float = 0.8, seed: int = 1) -> np.ndarray:
    """Float samples: voiced syllables (harmonics of a gliding 140 Hz) with gaps, phrase pauses,
    silence before and after, and room noise at ``noise_db`` dBFS RMS."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    f0 = 140 + 30 * np.sin(2 * np.pi * 0.5 * t)
    phase = np.cumsum(2 * np.pi * f0 / rate)
    voice = sum(np.sin(k * phase) / k for k in range(1, 6))
    envelope = np.sin(2 * np.pi * 3 * t) ** 2
    envelope[(t % 1.5) > 1.2] = 0.0           # a pause after every phrase
    speech = level * voice / np.abs(voice).max() * envelope
    x = np.concatenate([np.zeros(int(lead * rate)), speech, np.zeros(int(tail * rate))])
    return x + rng.standard_normal(len(x)) * 10 ** (noise_db / 20)


def write_wav(path: Path, x: np.ndarray, rate: int = RATE) -> Path:
    """Write float samples (frames, or frames × channels) as 16-bit WAV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = np.clip(np.round(np.asarray(x) * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1 if data.ndim == 1 else data.shape[1])
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(data.tobytes())
    return path


ENCODERS = {
    ".mp3": ["-c:a", "libmp3lame", "-b:a", "128k", "-f", "mp3"],
    ".m4a": ["-c:a", "aac", "-b:a", "96k", "-f", "ipod"],
    ".ogg": ["-c:a", "libvorbis", "-q:a", "4", "-f", "ogg"],
    ".amr": ["-c:a", "libopencore_amrnb", "-ar", "8000", "-ac", "1", "-b:a", "12.2k", "-f", "amr"],
}


def encode(wav: Path, suffix: str) -> Path:
    """The WAV re-encoded by FFmpeg as a phone would save it."""
    out = wav.with_suffix(suffix)
    run_ffmpeg(["-i", str(wav), *ENCODERS[suffix], str(out)])
    return out


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = copy_sample(tmp_path / "work")
    use_engine(folder, "fake", "fake")
    return folder


def add_recorded_script(folder: Path, audio: str, *, sid: str = "ghi-am", repeat: int = 1,
                        text: str | None = None, schedule: bool = True) -> Path:
    lines = [f"id: {sid}", "title: Thông báo ghi âm", "campaign: dung-2g", "form: thong-bao",
             f"repeat: {repeat}", f"audio: {audio}"]
    if text is not None:
        lines.append(f"text: {text}")
    path = folder / "scripts" / f"{sid}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if schedule:
        sched = folder / "schedules" / "2g.yaml"
        sched.write_text(sched.read_text() + f"  - {{script: {sid}, sessions: [sang]}}\n", encoding="utf-8")
    return path


def run(folder: Path, *args: str) -> int:
    return main(["--project", str(folder), *args])


# --- good recordings through the mastering chain ---------------------------------------------------

@pytest.mark.parametrize("suffix", [".wav", ".mp3", ".m4a", ".ogg", ".amr"])
def test_each_format_builds_a_mastered_tagged_clip(folder, suffix):
    wav = write_wav(folder / "recordings" / "thong-bao.wav", speech_like())
    source = wav if suffix == ".wav" else encode(wav, suffix)
    add_recorded_script(folder, f"recordings/{source.name}", repeat=2)
    project = load_project(folder)
    record = build_clips(project, ["ghi-am"]).records[0]
    assert record.engine == "recording" and record.voice == f"recordings/{source.name}"
    clip = folder / record.path
    m = measure(clip)
    assert abs(m.integrated_lufs + 16) <= 1.0 and m.true_peak_dbtp <= -1.0
    assert m.sample_rate == 44100 and m.channels == 1
    tags = ID3(clip)
    assert tags["TIT2"].text[0] == "Thông báo ghi âm"
    # Trimmed: the 4 s of speech (plus 0.1 s before and 0.2 s after) read twice, not the 5.6 s file twice:
    # lead-in, 1.5 s chime and its pause, reading, repeat pause, reading.
    audio = project.audio
    expected = (audio.lead_in_ms + audio.sentence_pause_ms + audio.repeat_pause_ms) / 1000 + 1.5 + 2 * 4.3
    assert abs(m.duration_s - expected) < 0.3


def test_trimming_cuts_leading_and_trailing_silence(tmp_path):
    path = write_wav(tmp_path / "a.wav", speech_like(seconds=3.0, lead=2.0, tail=3.0))
    pcm = trimmed_pcm(path)
    assert pcm.rate == RATE
    # speech starts ~0 s into the 3 s part (envelope 0 at t=0), 100 ms kept before, 200 ms after
    assert 2.9 < pcm.duration_s < 3.4


def test_text_beside_audio_is_the_transcript_and_cache_follows_the_file(folder):
    wav = write_wav(folder / "recordings" / "tb.wav", speech_like())
    add_recorded_script(folder, "recordings/tb.wav", text="Bà con lưu ý đổi máy 4G.")
    project = load_project(folder)
    assert project.script("ghi-am").text == "Bà con lưu ý đổi máy 4G."
    first = build_clips(project, ["ghi-am"])
    assert first.synthesized == 1
    assert build_clips(load_project(folder), ["ghi-am"]).synthesized == 0
    write_wav(wav, speech_like(seed=2, level=0.25))
    again = build_clips(load_project(folder), ["ghi-am"])
    assert again.synthesized == 1
    assert read_manifest(project)["ghi-am"].clip_key != first.records[0].clip_key


def test_import_recording_for_the_console(tmp_path, folder):
    source = write_wav(tmp_path / "upload.tmp", speech_like())
    target, analysis = import_recording(folder, source, name="../../bao-tin.wav")
    assert target == folder / "recordings" / "bao-tin.wav" and target.read_bytes() == source.read_bytes()
    assert analysis.snr_db > SNR_MIN_DB and analysis.channels == 1
    silent = write_wav(tmp_path / "silent.wav", np.zeros(RATE))
    with pytest.raises(RecordingError, match="silent.wav: chỉ có im lặng"):
        import_recording(folder, silent)
    assert not (folder / "recordings" / "silent.wav").exists()


# --- every bad recording, with the file name in the message ----------------------------------------

def _problems(path: Path, **kw) -> str:
    try:
        return "; ".join(analyse(path, **kw).problems)
    except RecordingError as error:
        return str(error)


def test_not_audio(tmp_path):
    path = tmp_path / "thong-bao.mp3"
    path.write_text("đây là văn bản, không phải âm thanh\n" * 20, encoding="utf-8")
    assert _problems(path) == (
        "thong-bao.mp3: không phải tệp âm thanh mà FFmpeg đọc được (có thể là văn bản, hình ảnh, video không có "
        "tiếng, hoặc tệp bị hỏng) — chọn một tệp ghi âm .wav, .mp3, .m4a, .ogg, .oga, .opus, .amr, .aac, .3gp, .flac, "
        ".webm, hoặc ghi âm/xuất lại tệp")
    with pytest.raises(RecordingError) as raised:
        analyse(path)
    assert "FFmpeg" in str(raised.value.__cause__) and "Invalid data" in str(raised.value.__cause__)  # for --debug


def test_empty_file_and_empty_wav(tmp_path):
    empty = tmp_path / "rong.m4a"
    empty.write_bytes(b"")
    assert _problems(empty) == "rong.m4a: tệp ghi âm rỗng, không có âm thanh nào — ghi âm lại"
    no_frames = write_wav(tmp_path / "khong-khung.wav", np.zeros(0))
    assert _problems(no_frames).startswith("khong-khung.wav: tệp ghi âm rỗng")


def test_silence_only(tmp_path):
    path = write_wav(tmp_path / "im-lang.wav", np.random.default_rng(3).standard_normal(3 * RATE) * 10 ** (-65 / 20))
    message = _problems(path)
    assert message.startswith("im-lang.wav: chỉ có im lặng (mức to nhất -6")   # about −65 dBFS
    assert "kiểm tra micro" in message


def test_clipped_reports_the_share_at_full_scale(tmp_path):
    loud = np.clip(speech_like() * 6, -1, 1)
    path = write_wav(tmp_path / "qua-to.wav", loud)
    analysis = analyse(path)
    share = analysis.clipped_share
    assert share > CLIPPED_SHARE_MAX
    assert f"qua-to.wav: bị méo do thu quá to — {share * 100:.1f}% số mẫu chạm mức tối đa" in analysis.problems[0]
    assert analyse(write_wav(tmp_path / "vua.wav", speech_like())).clipped_share == 0


def test_very_noisy_reports_the_estimated_snr(tmp_path):
    good = analyse(write_wav(tmp_path / "sach.wav", speech_like()))
    assert good.problems == () and good.snr_db > 40
    noisy = analyse(write_wav(tmp_path / "on-ao.wav", speech_like(noise_db=-20)))
    assert noisy.snr_db < SNR_MIN_DB
    assert noisy.problems == (f"on-ao.wav: quá nhiều tiếng ồn — tiếng nói chỉ to hơn tiếng nền khoảng "
                              f"{noisy.snr_db:.0f} dB (cần ít nhất 15 dB) — ghi âm lại ở chỗ yên tĩnh, nói gần micro",)


def test_sample_rate_under_8_khz(tmp_path):
    x = speech_like(rate=6000)
    analysis = analyse(write_wav(tmp_path / "re.wav", x, rate=6000))
    assert analysis.rate == 6000
    assert analysis.problems[0].startswith("re.wav: tần số lấy mẫu 6000 Hz thấp hơn 8000 Hz")
    amr = encode(write_wav(tmp_path / "dien-thoai.wav", speech_like()), ".amr")
    assert analyse(amr).rate == 8000 and analyse(amr).problems == ()


def test_one_silent_channel(tmp_path):
    x = speech_like()
    stereo = np.stack([x, np.zeros_like(x)], axis=1)
    analysis = analyse(write_wav(tmp_path / "lech.wav", stereo))
    assert analysis.channels == 2 and analysis.silent_channel == 2
    assert analysis.problems[0].startswith("lech.wav: kênh 2 (trong 2 kênh) im lặng")
    both = np.stack([x, 0.8 * x], axis=1)
    assert analyse(write_wav(tmp_path / "hai-kenh.wav", both)).problems == ()


def test_longer_than_the_shortest_session(tmp_path, capsys):
    folder = copy_sample(tmp_path / "work")
    use_engine(folder, "fake", "fake")
    cfg = folder / "broadcaster.yaml"
    # Đài Ngọc Tố gets a one-minute morning session: the shortest one the recording is scheduled in.
    cfg.write_text(cfg.read_text().replace('{name: sang, start: "05:45", end: "06:15"}',
                                           '{name: sang, start: "05:45", end: "05:46"}'))
    write_wav(folder / "recordings" / "dai.wav", speech_like(seconds=70.0, rate=16000), rate=16000)
    script = add_recorded_script(folder, "recordings/dai.wav")
    assert run(folder, "check") == 1
    out = capsys.readouterr().out
    line = script.read_text().splitlines().index("audio: recordings/dai.wav") + 1
    assert (f"scripts/ghi-am.yaml:{line}: recordings/dai.wav: bản ghi dài 1 phút 10 giây, đọc 1 lần thành khoảng "
            "1 phút 12 giây, dài hơn phiên ngắn nhất được xếp lịch (Đài truyền thanh xã Ngọc Tố, phiên sang "
            "05:45–05:46, 1 phút)") in out
    with pytest.raises(RecordingError, match="recordings/dai.wav: bản ghi dài 1 phút 10 giây"):
        build_clips(load_project(folder), ["ghi-am"])
    assert not (folder / "audio_out" / "clips" / "ghi-am.mp3").exists()


def test_check_lists_bad_recordings_and_missing_files(folder, capsys):
    write_wav(folder / "recordings" / "lech.wav", np.stack([speech_like(), np.zeros(len(speech_like()))], axis=1))
    add_recorded_script(folder, "recordings/lech.wav")
    add_recorded_script(folder, "recordings/chua-co.m4a", sid="thieu", schedule=False)
    add_recorded_script(folder, "/tmp/ngoai.wav", sid="ngoai", schedule=False)
    add_recorded_script(folder, "recordings/tb.docx", sid="sai-duoi", schedule=False)
    assert run(folder, "check") == 1
    out = capsys.readouterr().out
    assert "scripts/ghi-am.yaml:6: recordings/lech.wav: kênh 2 (trong 2 kênh) im lặng" in out
    assert ("scripts/thieu.yaml:6: audio: không thấy tệp ghi âm recordings/chua-co.m4a — chép tệp vào thư mục "
            "recordings/ hoặc ghi âm bằng: broadcaster record thieu") in out
    assert "scripts/ngoai.yaml:6: audio: /tmp/ngoai.wav phải là một tệp trong thư mục làm việc" in out
    assert "scripts/sai-duoi.yaml:6: audio: recordings/tb.docx có đuôi không nhận được" in out


def test_build_of_a_bad_recording_names_the_file_and_writes_nothing(folder, capsys):
    write_wav(folder / "recordings" / "qua-to.wav", np.clip(speech_like() * 6, -1, 1))
    add_recorded_script(folder, "recordings/qua-to.wav")
    assert run(folder, "build", "ghi-am") == 1
    err = capsys.readouterr().err
    assert "lỗi: recordings/qua-to.wav: bị méo do thu quá to" in err
    assert not (folder / "audio_out" / "clips" / "ghi-am.mp3").exists()


def test_script_needs_text_or_audio(folder, capsys):
    (folder / "scripts" / "trong.yaml").write_text("id: trong\ntitle: Trống\n", encoding="utf-8")
    assert run(folder, "check") == 1
    assert "scripts/trong.yaml" in capsys.readouterr().out


# --- record: microphone capture with an injected stream --------------------------------------------

def chunks_of(x: np.ndarray, rate: int = RATE, ms: int = 100):
    data = np.clip(np.round(x * 32767), -32768, 32767).astype("<i2").tobytes()
    step = rate * ms // 1000 * 2
    for i in range(0, len(data), step):
        yield data[i:i + step]


def test_record_saves_the_take_and_points_the_script_at_it(folder):
    project = load_project(folder)
    out = io.StringIO()
    waits: list[float] = []
    result = record_script(project, "2g-nhac-nho", stream=chunks_of(speech_like()), stop=lambda: False,
                           out=out, sleep=waits.append)
    assert waits == [1.0, 1.0, 1.0]
    log = out.getvalue()
    assert log.startswith("Bắt đầu ghi sau 3…\nBắt đầu ghi sau 2…\nBắt đầu ghi sau 1…\nĐang ghi âm")
    assert "\r[" in log and "dBFS  00:05" in log          # the level meter and the elapsed time
    assert "Đã dừng ghi sau 5.6 giây." in log
    assert result.path == folder / "recordings" / "2g-nhac-nho.wav" and result.script_updated
    with wave.open(str(result.path)) as wav:
        assert wav.getframerate() == RATE and wav.getnchannels() == 1
        assert wav.getnframes() == len(speech_like())
    script_file = folder / "scripts" / "2g-nhac-nho.yaml"
    assert script_file.read_text().endswith("audio: recordings/2g-nhac-nho.wav\n")
    reloaded = load_project(folder)
    assert reloaded.script("2g-nhac-nho").audio == "recordings/2g-nhac-nho.wav"
    assert reloaded.script("2g-nhac-nho").text.startswith("Bà con lưu ý")   # kept as the transcript
    record = build_clips(reloaded, ["2g-nhac-nho"]).records[0]
    assert record.engine == "recording"


def test_record_stops_when_enter_is_pressed(folder):
    project = load_project(folder)
    chunks = list(chunks_of(speech_like(seconds=10.0)))
    pressed = {"after": 30, "seen": 0}

    def stop() -> bool:
        pressed["seen"] += 1
        return pressed["seen"] >= pressed["after"]

    result = record_script(project, "2g-nhac-nho", stream=iter(chunks), stop=stop, out=io.StringIO(),
                           sleep=lambda s: None, countdown=0)
    with wave.open(str(result.path)) as wav:
        assert wav.getnframes() == 30 * RATE // 10


def test_record_refuses_a_silent_take_and_changes_nothing(folder):
    project = load_project(folder)
    script_file = folder / "scripts" / "2g-nhac-nho.yaml"
    before = script_file.read_text()
    with pytest.raises(BroadcasterError, match="bản ghi chưa dùng được, chưa lưu: chỉ có im lặng"):
        record_script(project, "2g-nhac-nho", stream=chunks_of(np.zeros(2 * RATE)), stop=lambda: False,
                      out=io.StringIO(), sleep=lambda s: None)
    assert script_file.read_text() == before
    assert not list((folder / "recordings").iterdir())


def test_record_unknown_script(folder):
    with pytest.raises(BroadcasterError, match='không có kịch bản "2g-nhac"'):
        record_script(load_project(folder), "2g-nhac", stream=iter([]), stop=lambda: True, out=io.StringIO())


def test_level_meter():
    assert level_dbfs(b"") == float("-inf")
    full = (np.ones(100) * 32767).astype("<i2").tobytes()
    assert abs(level_dbfs(full)) < 0.01
    assert meter_line(-30.0, 65.0) == "\r[###############---------------]  -30.0 dBFS  01:05"
    assert meter_line(float("-inf"), 0) == "\r[------------------------------]  -99.9 dBFS  00:00"


def test_record_command_is_registered(folder, capsys):
    assert run(folder, "record", "--help") == 0
    out = capsys.readouterr().out
    assert "record [TÙY_CHỌN] MÃ_KỊCH_BẢN" in out and "SCRIPT_ID" not in out


def test_manifest_is_json_with_the_recording_engine(folder):
    write_wav(folder / "recordings" / "tb.wav", speech_like())
    add_recorded_script(folder, "recordings/tb.wav")
    project = load_project(folder)
    build_clips(project, ["ghi-am"])
    data = json.loads((project.clips_dir / "manifest.json").read_text())
    assert data["clips"]["ghi-am"]["engine"] == "recording"


def test_plan_estimates_a_recording_from_its_length_before_the_build(folder):
    """Before a build, a recorded announcement is planned at its recording's length (× repeat, plus
    lead-in, repeat pause and chime) — not at the length of an empty text."""
    from broadcaster.config import load_project
    from broadcaster.schedule.expand import CHIME_S, Durations

    rec = folder / "recordings"
    rec.mkdir(exist_ok=True)
    write_wav(rec / "tb.wav", speech_like(12.0, lead=0.8, tail=0.8))  # 13.6 s in the file
    add_recorded_script(folder, "recordings/tb.wav", repeat=2)
    project = load_project(folder)
    seconds, clip = Durations(project).script(project.script("ghi-am"))
    audio = project.audio
    # The file's length (silence not yet trimmed: the estimate errs long, never short).
    expected = 2 * 13.6 + audio.repeat_pause_ms / 1000 + audio.lead_in_ms / 1000 + (CHIME_S if audio.chime else 0)
    assert clip is None
    assert seconds == pytest.approx(expected, abs=0.05)


def test_check_names_a_script_recording_that_is_not_audio_in_vietnamese_and_debug_shows_ffmpeg(fake_folder):
    import subprocess
    import sys

    (fake_folder / "recordings").mkdir(exist_ok=True)
    (fake_folder / "recordings" / "bai.m4a").write_text("không phải âm thanh\n" * 50, encoding="utf-8")
    (fake_folder / "scripts" / "bai.yaml").write_text(
        "id: bai\ntitle: Bài ghi âm\ncampaign: dung-2g\naudio: recordings/bai.m4a\n", encoding="utf-8")
    run = [sys.executable, "-m", "broadcaster", "--project", str(fake_folder)]
    plain = subprocess.run(run + ["check"], capture_output=True, text=True)
    assert plain.returncode == 1
    assert "bai.m4a: không phải tệp âm thanh mà FFmpeg đọc được" in plain.stdout
    assert "Invalid data" not in plain.stdout + plain.stderr
    debug = subprocess.run(run + ["--debug", "check"], capture_output=True, text=True)
    assert "bai.m4a: không phải tệp âm thanh mà FFmpeg đọc được" in debug.stdout
    assert "debug: broadcaster.recordings: FFmpeg could not decode" in debug.stderr
    assert "Invalid data" in debug.stderr


def test_debug_log_goes_to_the_current_stderr_once(fake_folder):
    from click.testing import CliRunner

    from broadcaster.cli import main

    (fake_folder / "recordings").mkdir(exist_ok=True)
    (fake_folder / "recordings" / "bai.m4a").write_text("không phải âm thanh\n" * 50, encoding="utf-8")
    (fake_folder / "scripts" / "bai.yaml").write_text(
        "id: bai\ntitle: Bài ghi âm\ncampaign: dung-2g\naudio: recordings/bai.m4a\n", encoding="utf-8")
    for _ in range(2):  # a second run in the same process adds no second handler
        runner = CliRunner(mix_stderr=False)
        with runner.isolation() as (out, err):
            assert main(["--project", str(fake_folder), "--debug", "check"]) == 1
            debug = err.getvalue().decode("utf-8")
        assert debug.count("debug: broadcaster.recordings: FFmpeg could not decode") == 1, debug
    import logging

    assert not logging.getLogger("broadcaster").handlers  # the run's debug log ends with the run
