"""Programmes and exports of the sample campaign, built with the real clip builder and the fake engine.

The M3U export is played by a real player (Liquidsoap) and the played length is
compared with the playlist's #EXTINF total.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import wave
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from mutagen.mp3 import MP3

from broadcaster.cli import cli, main
from broadcaster.config import load_project
from broadcaster.errors import BroadcasterError
from broadcaster.export import FEWER_DAYS, MARKER, ONE_STATION, REPLACE, ExportError, export
from broadcaster.schedule import Durations, expand_plan, load_schedules
from broadcaster.export.programme import prepare_programmes, silence_clip, write_programme
from conftest import copy_sample, use_engine

DAY = date(2024, 8, 5)  # a Monday: morning has thong-bao + huong-dan, afternoon thong-bao + nhac-nho
USB_FILE = re.compile(r"^\d\d/\d\d\d\.mp3$")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """The sample folder with the fake engine and every clip built once for the module."""
    work = copy_sample(tmp_path_factory.mktemp("sample") / "work")
    use_engine(work, "fake", "fake")
    from broadcaster.build import build_clips

    build_clips(load_project(work))
    return work


@pytest.fixture
def project(folder):
    return load_project(folder)


def extinf_total(playlist: Path) -> float:
    return sum(float(line.split(":", 1)[1].split(",", 1)[0])
               for line in playlist.read_text(encoding="utf-8").splitlines() if line.startswith("#EXTINF:"))


def playlist_paths(playlist: Path) -> list[str]:
    return [line for line in playlist.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]


# --- programmes -------------------------------------------------------------------------------

def test_program_writes_one_mp3_and_m3u8_per_station_day_session(project):
    schedules = load_schedules(project)
    programmes = prepare_programmes(project, schedules, DAY, DAY)
    assert len(programmes) == 4 * 2
    for programme in programmes:
        mp3, playlist = write_programme(project, programme)
        assert mp3 == project.out_dir / "programs" / programme.station.id / "2024-08-05" / f"{programme.session.name}.mp3"
        assert playlist.with_suffix(".mp3") == mp3
        assert playlist_paths(playlist) == [mp3.name]
        info = MP3(str(mp3)).info
        # stream copy: the clips' profile is kept, and the length is the sum of the pieces
        assert (info.sample_rate, info.channels, info.bitrate) == (44100, 1, 96000)
        assert abs(info.length - programme.duration_s) < 1.0
        assert abs(extinf_total(playlist) - info.length) < 0.01
        kinds = [p.kind for p in programme.pieces]
        assert kinds[0] == "opening" and kinds[-1] == "closing"
        assert kinds[1::2] == ["gap"] * (len(kinds) // 2)
    leftovers = [p for p in (project.out_dir / "programs").rglob(".*") if p.is_file()]
    assert leftovers == []  # no temporary file or concat list remains


def test_plan_after_build_uses_real_durations_and_matches_programme(project):
    schedules = load_schedules(project)
    durations = Durations(project)
    plays = expand_plan(project, schedules, DAY, DAY, durations=durations)
    assert not durations.estimated
    assert all(p.clip and p.clip.startswith("audio_out/clips/") for p in plays)
    programmes = prepare_programmes(project, schedules, DAY, DAY)
    from_programmes = sorted((p for prog in programmes for p in prog.plays),
                             key=lambda p: (p.start, [s.id for s in project.stations].index(p.station), p.position))
    assert [(p.station, p.script, p.start) for p in plays] == [(p.station, p.script, p.start) for p in from_programmes]


def test_programme_clips_are_built_in_one_job_run(tmp_path, monkeypatch):
    """Scripts and the stations' opening/closing clips of the chosen sessions: one job run, one progress."""
    from broadcaster import build

    work = copy_sample(tmp_path / "work")
    use_engine(work, "fake", "fake")
    project = load_project(work)
    runs: list[list[str]] = []
    real = build._run_jobs

    def spy(project, jobs, progress=None, **kwargs):
        runs.append([job.clip_id for job in jobs])
        return real(project, jobs, progress, **kwargs)

    class Counter:
        total = 0

        def start(self, total, done=0):
            self.total = total

        def advance(self, title):
            pass

    monkeypatch.setattr(build, "_run_jobs", spy)
    counter, notes = Counter(), []
    programmes = prepare_programmes(project, load_schedules(project), DAY, DAY, "xa-dai-tam", progress=counter,
                                    notes=notes)
    assert len(runs) == 1
    (ids,) = runs
    scripts = sorted({p.script for prog in programmes for p in prog.plays})
    identity = [i for i in ids if i.startswith("_station/")]
    assert sorted(i for i in ids if not i.startswith("_station/")) == scripts
    assert identity == [f"_station/xa-dai-tam-{s.session.name}-{k}" for s in programmes for k in ("mo-dau", "ket-thuc")]
    assert counter.total == len(ids) == len(scripts) + 2 * len(programmes)
    assert notes == []  # nothing was stale, the fake engine needed no fallback
    for programme in programmes:
        assert all(piece.path.is_file() for piece in programme.pieces)


def test_silence_is_made_once(project):
    first = silence_clip(project)
    stamp = first.stat().st_mtime_ns
    assert silence_clip(project) == first and first.stat().st_mtime_ns == stamp
    assert abs(MP3(str(first)).info.length - 2.0) < 0.1


# --- exports ----------------------------------------------------------------------------------

def test_export_m3u_layout(project, tmp_path):
    result = export(project, load_schedules(project), "m3u", DAY, 1, tmp_path / "m3u")
    folder = result.folder
    playlists = sorted(folder.glob("*.m3u8"))
    assert [p.name for p in playlists][:2] == ["2024-08-05_tt-my-xuyen_chieu.m3u8", "2024-08-05_tt-my-xuyen_sang.m3u8"]
    assert len(playlists) == 8
    for playlist in playlists:
        text = playlist.read_text(encoding="utf-8")
        assert text.startswith("#EXTM3U\n")
        for rel in playlist_paths(playlist):
            assert not rel.startswith("/") and (folder / rel).is_file()
    marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    assert marker["format"] == "m3u" and set(marker["files"]) == {
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != MARKER}


def liquidsoap_play(playlist: Path, out_wav: Path) -> float:
    """Play an M3U8 once with Liquidsoap (as fast as possible) into a WAV; return the seconds played."""
    script = out_wav.with_suffix(".liq")
    script.write_text(f"""
settings.init.allow_root.set(true)
settings.log.stdout.set(true)
settings.log.file.set(false)
s = playlist(prefetch=1000, loop=false, mode="normal", reload_mode="never", {json.dumps(str(playlist))})
s = clock(sync="none", s)
output.file(%wav, {json.dumps(str(out_wav))}, fallible=true, on_stop=shutdown, s)
""", encoding="utf-8")
    proc = subprocess.run(["liquidsoap", str(script)], capture_output=True, text=True, timeout=300,
                          cwd=playlist.parent)
    assert out_wav.exists(), proc.stdout[-2000:] + proc.stderr[-2000:]
    # Liquidsoap streams the WAV and leaves a placeholder size in its header: count the frames read.
    frames = 0
    with wave.open(str(out_wav)) as wav:
        frame_bytes = wav.getsampwidth() * wav.getnchannels()
        while chunk := wav.readframes(65536):
            frames += len(chunk) // frame_bytes
        return frames / wav.getframerate()


@pytest.mark.skipif(shutil.which("liquidsoap") is None, reason="Liquidsoap is not installed (.ci/run installs it)")
def test_exported_m3u8_plays_whole_in_liquidsoap(project, tmp_path):
    result = export(project, load_schedules(project), "m3u", DAY, 1, tmp_path / "m3u", station="xa-dai-tam")
    playlist = result.folder / "2024-08-05_xa-dai-tam_sang.m3u8"
    expected = extinf_total(playlist)
    played = liquidsoap_play(playlist, tmp_path / "played.wav")
    assert expected > 60
    assert abs(played - expected) < 1.0, (played, expected)


def test_export_usb_layout_order_and_index(project, tmp_path):
    result = export(project, load_schedules(project), "usb", DAY, 2, tmp_path / "usb", station="xa-dai-tam")
    folder = result.folder
    mp3s = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.mp3"))
    assert mp3s and all(USB_FILE.match(p) for p in mp3s)
    folders = sorted({p.split("/")[0] for p in mp3s})
    assert folders == ["01", "02", "03", "04"]  # 2 days × 2 sessions, in broadcast order
    programmes = prepare_programmes(project, load_schedules(project), DAY, date(2024, 8, 6), "xa-dai-tam")
    for number, programme in enumerate(programmes, 1):
        pieces = [p for p in programme.pieces if p.kind != "gap"]
        names = sorted(p.name for p in (folder / f"{number:02d}").iterdir())
        assert names == [f"{i:03d}.mp3" for i in range(1, len(pieces) + 1)]
        for i, piece in enumerate(pieces, 1):
            assert (folder / f"{number:02d}" / f"{i:03d}.mp3").read_bytes() == piece.path.read_bytes()
    # written in play order: modification times never go backwards
    written = [f for f in result.files if f.endswith(".mp3")]
    assert written == mp3s
    stamps = [(folder / f).stat().st_mtime_ns for f in written]
    assert stamps == sorted(stamps)
    raw = (folder / "MUCLUC.TXT").read_bytes()
    raw.decode("ascii")
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    text = raw.decode("ascii")
    assert "Dai truyen thanh xa Dai Tam" in text
    assert "01/001.mp3    05/08/2024  sang     05:30:00  Mo dau phien sang" in text
    assert "Thong bao dung cong nghe di dong 2G" in text
    for rel in mp3s:
        assert rel in text


def test_export_usb_needs_one_station(project, tmp_path):
    with pytest.raises(ExportError, match="chọn một đài trong: tt-my-xuyen, xa-dai-tam, xa-ngoc-to, xa-tham-don$") as info:
        export(project, load_schedules(project), "usb", DAY, 1, tmp_path / "usb")
    assert info.value.remedy == ONE_STATION and "--" not in str(info.value)  # the shell names its flag
    assert not (tmp_path / "usb").exists()


def test_export_usb_refuses_too_many_folders(project, tmp_path):
    with pytest.raises(ExportError, match=r"cần 10\d thư mục .* tối đa 99 .* ví dụ 49 ngày$") as info:
        export(project, load_schedules(project), "usb", date(2024, 8, 1), 55, tmp_path / "usb", station="xa-ngoc-to")
    assert info.value.remedy == FEWER_DAYS and info.value.values == {"days": 49} and "--" not in str(info.value)
    assert list(tmp_path.iterdir()) == []  # nothing written, no staging folder left


def test_export_cli_adds_the_flag_the_stage_message_leaves_out(folder, tmp_path, capsys):
    assert main(["--project", str(folder), "export", "usb", "--date", "2024-08-01", "--days", "55",
                 "--station", "xa-ngoc-to", "--to", str(tmp_path / "usb")]) == 1
    err = capsys.readouterr().err
    assert "ví dụ 49 ngày — dùng --days 49" in err
    assert not (tmp_path / "usb").exists()


def test_export_csv_and_json(project, tmp_path):
    schedules = load_schedules(project)
    csv_result = export(project, schedules, "csv", DAY, 1, tmp_path / "csv")
    lines = (csv_result.folder / "plays.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "station,date,session,start,position,script,title,campaign,form,priority,medium,duration_s,file"
    assert len(lines) - 1 == csv_result.plays == 16
    for line in lines[1:]:
        assert (csv_result.folder / line.rsplit(",", 1)[1]).is_file()
    json_result = export(project, schedules, "json", DAY, 1, tmp_path / "json", station="xa-ngoc-to")
    document = json.loads((json_result.folder / "schedule.json").read_text(encoding="utf-8"))
    assert document["schedule"]["stations"] == [{"id": "xa-ngoc-to", "name": "Đài truyền thanh xã Ngọc Tố", "medium": "ip"}]
    (day,) = document["days"]
    assert day["date"] == "2024-08-05"
    assert [s["time"] for s in day["starts"]] == ["05:45", "16:30"]
    bulletin = day["starts"][0]["bulletins"][0]
    assert {"station", "date", "session", "start", "position", "script", "title", "campaign", "form", "priority",
            "duration_s", "file"} <= set(bulletin)
    assert bulletin["position"] == 1 and (json_result.folder / bulletin["file"]).is_file()


def test_export_refuses_non_empty_folder_and_force_replaces_own_files(project, tmp_path):
    schedules = load_schedules(project)
    dest = tmp_path / "out"
    export(project, schedules, "csv", DAY, 1, dest)
    before = sorted(p.name for p in dest.rglob("*"))
    with pytest.raises(ExportError, match="không trống .*cho phép thay bản xuất trước đó$") as info:
        export(project, schedules, "json", DAY, 1, dest)
    assert info.value.remedy == REPLACE
    assert sorted(p.name for p in dest.rglob("*")) == before
    export(project, schedules, "json", DAY, 1, dest, force=True)
    assert (dest / "schedule.json").exists() and not (dest / "plays.csv").exists()
    (dest / "ghi-chu.txt").write_text("của nhân viên", encoding="utf-8")
    with pytest.raises(BroadcasterError, match="ghi-chu.txt"):
        export(project, schedules, "csv", DAY, 1, dest, force=True)
    assert (dest / "ghi-chu.txt").exists() and (dest / "schedule.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_failed_export_leaves_nothing(project, tmp_path, monkeypatch):
    import broadcaster.export.folder as folder_writer

    real_copy = folder_writer._copy_flushed
    calls = []

    def full_after_three(entry, target):
        calls.append(entry.rel)
        if len(calls) > 3:
            target.write_bytes(b"half")
            raise OSError(28, "No space left on device")
        real_copy(entry, target)

    monkeypatch.setattr(folder_writer, "_copy_flushed", full_after_three)
    with pytest.raises(BroadcasterError, match="đĩa đã đầy") as info:
        export(project, load_schedules(project), "m3u", DAY, 1, tmp_path / "m3u")
    assert "No space" not in str(info.value)  # the operating system's English stays out of the message
    assert len(calls) == 4
    assert list(tmp_path.iterdir()) == []


def test_export_nothing_to_play(project, tmp_path):
    with pytest.raises(BroadcasterError, match="không có lượt phát nào"):
        export(project, load_schedules(project), "csv", date(2024, 9, 2), 1, tmp_path / "x")
    assert not (tmp_path / "x").exists()


# --- command line -------------------------------------------------------------------------------

def test_cli_plan_json_and_csv(folder):
    runner = CliRunner(mix_stderr=False)
    result = runner.invoke(cli, ["--project", str(folder), "plan", "--from", "05/08/2024", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    plays = json.loads(result.stdout)
    assert len(plays) == 16
    assert {"station", "date", "session", "start", "script", "title", "campaign", "duration_s"} <= set(plays[0])
    assert datetime.fromisoformat(plays[0]["start"]).date() == DAY
    assert [p["start"] for p in plays] == sorted(p["start"] for p in plays)
    result = runner.invoke(cli, ["--project", str(folder), "plan", "--from", "2024-08-05", "--to", "2024-08-06",
                                 "--station", "xa-dai-tam", "--format", "csv"])
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("station,date,session,start,position,script,title,campaign")
    assert len(lines) == 1 + 4 + 3
    table = runner.invoke(cli, ["--project", str(folder), "plan", "--from", "2024-08-05"])
    assert table.exit_code == 0 and "Kịch bản" in table.stdout and "Thông báo dừng công nghệ di động 2G" in table.stdout


def test_cli_program_and_export(folder, tmp_path):
    runner = CliRunner(mix_stderr=False)
    result = runner.invoke(cli, ["--project", str(folder), "program", "--date", "2024-08-06", "--station", "xa-tham-don"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split() == ["audio_out/programs/xa-tham-don/2024-08-06/sang.mp3",
                                     "audio_out/programs/xa-tham-don/2024-08-06/chieu.mp3"]
    dest = tmp_path / "usb"
    result = runner.invoke(cli, ["--project", str(folder), "export", "usb", "--date", "2024-08-06", "--station",
                                 "xa-tham-don", "--to", str(dest)])
    assert result.exit_code == 0, result.stderr
    assert (dest / "01" / "001.mp3").exists() and "Đã xuất usb" in result.stderr


def test_main_return_codes(folder, tmp_path, capsys):
    dest = tmp_path / "m3u"
    assert main(["--project", str(folder), "export", "m3u", "--date", "2024-08-05", "--station", "xa-ngoc-to",
                 "--to", str(dest)]) == 0
    assert main(["--project", str(folder), "export", "m3u", "--date", "2024-08-05", "--to", str(dest)]) == 1
    err = capsys.readouterr().err
    assert "không trống" in err and "— thêm --force để thay bản xuất trước đó" in err
    assert main(["--project", str(folder), "plan", "--from", "2024-08-05", "--station", "xa-dai-ta"]) == 1
    assert 'có phải ý bạn là "xa-dai-tam"' in capsys.readouterr().err
    assert main(["--project", str(folder), "plan", "--from", "32/13/2024"]) == 2
    assert main(["--project", str(folder), "export", "mp4", "--date", "2024-08-05", "--to", str(dest)]) == 2
    assert main(["--project", str(folder), "export", "usb", "--date", "2024-08-05", "--to", str(tmp_path / "u")]) == 1
    assert "--station" in capsys.readouterr().err
    assert not (tmp_path / "u").exists()
    assert os.listdir(tmp_path) == ["m3u"]


def test_export_usb_index_keeps_a_multi_line_title_on_its_row(folder, tmp_path):
    """A title written as a YAML block (two lines) must not break MUCLUC.TXT into a row without a file."""
    work = tmp_path / "work"
    shutil.copytree(folder, work)
    script = work / "scripts" / "2g-nhac-nho.yaml"
    text = script.read_text(encoding="utf-8")
    script.write_text(text.replace("title: Nhắc nhở chuyển đổi điện thoại 2G\n",
                                   "title: |\n  Nhắc nhở chuyển đổi\n  điện thoại 2G\n"), encoding="utf-8")
    project = load_project(work)
    result = export(project, load_schedules(project), "usb", DAY, 1, tmp_path / "usb", station="xa-dai-tam")
    lines = (result.folder / "MUCLUC.TXT").read_bytes().decode("ascii").split("\r\n")
    rows = lines[lines.index(next(line for line in lines if line.startswith("Thu muc/tep"))) + 1:-1]
    assert rows and all(USB_FILE.match(row[:10]) for row in rows), rows
    assert any(row.endswith("  Nhac nho chuyen doi dien thoai 2G") for row in rows), rows
