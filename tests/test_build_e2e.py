"""End to end: the sample folder built with the real eSpeak engine and real FFmpeg, each clip measured."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from mutagen.mp3 import MP3

from broadcaster.audio.ffmpeg import decode_to_pcm
from broadcaster.audio.measure import measure
from broadcaster.audio.tags import read_tags
from broadcaster.build import build_clips
from broadcaster.cli import main
from broadcaster.config import load_project
from broadcaster.manifest import read_manifest
from fake_engine import FakeEngine



def integrated_lufs(path: Path, rate: int) -> float:
    pcm = decode_to_pcm(path, rate)
    x = np.frombuffer(pcm.samples, dtype="<i2").astype(np.float64) / 32768.0
    return pyloudnorm.Meter(rate).integrated_loudness(x)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sample folder, built once with eSpeak for the whole module."""
    from conftest import copy_sample

    folder = copy_sample(tmp_path_factory.mktemp("e2e") / "work")
    assert main(["--project", str(folder), "build"]) == 0
    return folder


def test_every_sample_clip_meets_the_audio_targets(built):
    project = load_project(built)
    manifest = read_manifest(project)
    assert {k for k in manifest if not k.startswith("_station/")} == {s.id for s in project.scripts}
    identity = [rec for key, rec in manifest.items() if key.startswith("_station/")]
    assert len(identity) == 2 * sum(len(st.sessions) for st in project.stations)
    for rec in identity:  # station openings and closings meet the same targets
        assert abs(rec.loudness_lufs + 16) <= 1 and rec.true_peak_dbtp <= -1
        assert MP3(built / rec.path).info.sample_rate == 44100
    for script in project.scripts:
        path = built / "audio_out" / "clips" / f"{script.id}.mp3"
        info = MP3(path).info
        assert info.channels == 1 and info.sample_rate == 44100
        assert info.bitrate == 96000
        lufs = integrated_lufs(path, 44100)
        assert abs(lufs - (-16.0)) <= 1.0, (script.id, lufs)
        peak = measure(path).true_peak_dbtp
        assert peak <= -1.0, (script.id, peak)
        tags = read_tags(path)
        assert tags["title"] == script.title
        assert tags["campaign"] == project.campaign("dung-2g").name
        assert tags["organization"] == project.organization
        assert tags["script_id"] == script.id
        assert "2482/CVT-CS" in tags["source"]
        rec = manifest[script.id]
        assert rec.engine == "espeak" and rec.voice == "vi-vn-x-south" and not rec.fallback_used
        assert abs(rec.duration_s - info.length) < 0.2
        # A repeated script is read twice: it must be clearly longer than its text alone would need.
        assert rec.duration_s > 5


def test_repeat_reads_twice(built):
    manifest = read_manifest(load_project(built))
    # 2g-thong-bao (repeat 2) is longer than 2g-huong-dan's single reading per character of text.
    project = load_project(built)
    per_char = {s.id: manifest[s.id].duration_s / len(s.text) for s in project.scripts}
    assert per_char["2g-thong-bao"] > 1.6 * per_char["2g-huong-dan"]


def test_second_build_is_cached(built, capsys):
    before = {p: p.stat().st_mtime_ns for p in (built / "audio_out" / "clips").glob("*.mp3")}
    assert main(["--project", str(built), "build"]) == 0
    err = capsys.readouterr().err
    assert "0 tổng hợp mới" in err
    after = {p: p.stat().st_mtime_ns for p in (built / "audio_out" / "clips").glob("*.mp3")}
    assert before == after


def test_manifest_records_measurements(built):
    data = json.loads((built / "audio_out" / "clips" / "manifest.json").read_text(encoding="utf-8"))
    for rec in data["clips"].values():
        assert {"duration_s", "loudness_lufs", "true_peak_dbtp", "engine", "voice", "text_hash"} <= set(rec)
        assert abs(rec["loudness_lufs"] + 16) <= 1 and rec["true_peak_dbtp"] <= -1


def test_say_and_normalize_commands(built, tmp_path, capsys):
    out = tmp_path / "say.mp3"
    assert main(["--project", str(built), "say", "UBND xã thông báo lúc 6h30 ngày 20/7/2024", "-o", str(out),
                 "--show-text"]) == 0
    captured = capsys.readouterr()
    assert "ủy ban nhân dân" in captured.out.lower()
    assert out.exists() and MP3(out).info.sample_rate == 44100
    assert main(["--project", str(built), "say", "xin chào", "-o", str(tmp_path / "x.wav")]) == 1


def test_changed_script_rebuilds_only_that_clip(fake_folder):
    project = load_project(fake_folder)
    build_clips(project)
    path = fake_folder / "scripts" / "2g-nhac-nho.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Bà con lưu ý", "Bà con chú ý"), encoding="utf-8")
    calls = FakeEngine.calls
    result = build_clips(load_project(fake_folder))
    assert result.synthesized == 1 and result.cached == len(result.records) + len(result.identity) - 1
    assert FakeEngine.calls > calls
    calls = FakeEngine.calls
    again = build_clips(load_project(fake_folder))
    assert again.synthesized == 0 and FakeEngine.calls == calls


def test_failed_mastering_leaves_no_mp3(fake_folder, monkeypatch):
    import broadcaster.audio.master as master
    from broadcaster.errors import BroadcasterError

    real = master.run_ffmpeg

    def broken(args, **kw):
        if any(str(a).endswith("mp3") or a == "mp3" for a in args):
            raise BroadcasterError("giả lập FFmpeg hỏng")
        return real(args, **kw)

    monkeypatch.setattr(master, "run_ffmpeg", broken)
    assert main(["--project", str(fake_folder), "build"]) == 1
    leftovers = [p for p in (fake_folder / "audio_out").rglob("*") if p.is_file() and "cache" not in p.parts]
    assert leftovers == []


def test_ip_4g_profile(fake_folder):
    cfg = fake_folder / "broadcaster.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("profile: standard", "profile: ip-4g"), encoding="utf-8")
    project = load_project(fake_folder)
    rec = build_clips(project, ["2g-nhac-nho"]).records[0]
    info = MP3(fake_folder / rec.path).info
    assert info.sample_rate == 24000 and info.bitrate == 48000 and info.channels == 1


def _online_folder(folder: Path, fallback: str | None) -> None:
    cfg = folder / "broadcaster.yaml"
    text = cfg.read_text(encoding="utf-8").replace("  engine: fake\n", "  engine: gtts\n")
    text = text.replace("  voice: fake\n", "  voice: vi\n")
    text = text.replace("  fallback: null\n", f"  fallback: {fallback or 'null'}\n  retries: 1\n  timeout_s: 1\n")
    cfg.write_text(text, encoding="utf-8")


def test_unreachable_online_engine_without_fallback(fake_folder, monkeypatch, capsys):
    monkeypatch.setenv("BROADCASTER_GTTS_URL", "http://127.0.0.1:9/unreachable")
    _online_folder(fake_folder, None)
    assert main(["--project", str(fake_folder), "build"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "mạng" in err
    assert not list(fake_folder.rglob("*.mp3"))


def test_unreachable_online_engine_with_fallback_is_recorded(fake_folder, monkeypatch, capsys):
    monkeypatch.setenv("BROADCASTER_GTTS_URL", "http://127.0.0.1:9/unreachable")
    _online_folder(fake_folder, "fake")
    assert main(["--project", str(fake_folder), "build", "2g-nhac-nho"]) == 0
    rec = read_manifest(load_project(fake_folder))["2g-nhac-nho"]
    assert rec.fallback_used and rec.engine == "fake" and rec.wanted_engine == "gtts"
    assert "fallback" in capsys.readouterr().err
