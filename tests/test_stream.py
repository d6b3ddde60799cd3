"""`stream`: a station's day to a real Icecast 2 on loopback, recorded by an FFmpeg client and measured."""
from __future__ import annotations

import array
import dataclasses
import subprocess
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from broadcaster.audio.ffmpeg import ffmpeg_exe
from broadcaster.audio.measure import measure
from broadcaster.cli import cli, main
from broadcaster.errors import BroadcasterError
from broadcaster.models import Pcm, Relay
from broadcaster.player import SystemClock
from broadcaster.playlog.store import open_store
from broadcaster.stream import IcecastSink, parse_target, run_stream
from dbfixtures import planned
from icecast_server import Icecast
from relay_servers import StreamServer, make_tone_mp3

RATE = 44100


@pytest.fixture
def icecast():
    server = Icecast().start()
    yield server
    server.close()


SHORT = """id: {id}
title: Tin ngắn {id}
form: tin
text: |
  {text}
"""


@pytest.fixture
def built(fake_folder):
    """The fake-engine sample folder with two short scripts built (mastered to −16 LUFS, a few seconds each)."""
    from broadcaster.build import build_clips
    from broadcaster.config import load_project

    (fake_folder / "scripts" / "tin-a.yaml").write_text(
        SHORT.format(id="tin-a", text="Chiều nay có họp tổ dân phố lúc năm giờ."), encoding="utf-8")
    (fake_folder / "scripts" / "tin-b.yaml").write_text(
        SHORT.format(id="tin-b", text="Xin bà con chú ý giữ vệ sinh chung."), encoding="utf-8")
    project = load_project(fake_folder)
    build_clips(project, ["tin-a", "tin-b"])
    return dataclasses.replace(load_project(fake_folder), database_url=f"sqlite:///{fake_folder / 'log.db'}")


def clip_seconds(project, script):
    from broadcaster.schedule.expand import mp3_seconds

    return mp3_seconds(project.clips_dir / f"{script}.mp3")


class Recorder:
    """An FFmpeg client pulling the mount (as an IP cluster does) into a mono WAV."""

    def __init__(self, url: str, seconds: float, out: Path):
        self.out = out
        self.proc = subprocess.Popen([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", url, "-t", f"{seconds}",
                                      "-ac", "1", "-ar", str(RATE), "-f", "wav", str(out)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def wait(self) -> array.array:
        _, err = self.proc.communicate(timeout=60)
        data = self.out.read_bytes()[44:]
        return array.array("h", data[: len(data) // 2 * 2])


def sounding(samples: array.array, threshold: int = 300, window: int = RATE // 20) -> list[tuple[float, float]]:
    """(start_s, end_s) runs of 50 ms windows whose peak passes ``threshold``.

    Pauses under 1 s (between the chime and the speech, between sentences) are bridged;
    runs under 0.2 s (the click of a decoder starting) are left out.
    """
    runs: list[list[float]] = []
    for i in range(0, len(samples) - window, window):
        if max(abs(v) for v in samples[i:i + window]) > threshold:
            t = i / RATE
            if runs and t - runs[-1][1] < 1.0:
                runs[-1][1] = t + window / RATE
            else:
                runs.append([t, t + window / RATE])
    return [(a, b) for a, b in runs if b - a >= 0.2]


def wait_for_mount(icecast, mount, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if icecast.has_mount(mount):
            return True
        time.sleep(0.1)
    return False


def test_parse_target():
    assert parse_target("icecast://source:mk%40x@10.0.0.2:8000/xa.mp3") == {
        "user": "source", "password": "mk@x", "host": "10.0.0.2", "port": 8000, "mount": "/xa.mp3",
        "url": "icecast://source:mk%40x@10.0.0.2:8000/xa.mp3"}
    for bad in ("http://source:pw@h:8000/m", "icecast://h:8000/m", "icecast://source:pw@h/m",
                "icecast://source:pw@h:8000", "icecast://source:pw@h:8000/m m"):
        with pytest.raises(BroadcasterError, match="địa chỉ Icecast không hợp lệ"):
            parse_target(bad)


def test_stream_reaches_icecast_with_the_programme_length_and_loudness(built, icecast, tmp_path):
    """Clip, silence, a relayed source: a client hears each at its time, the clip at −16 LUFS."""
    project = built
    mp3 = make_tone_mp3(tmp_path / "vov.mp3", 10.0, freq=660)
    clip_s = clip_seconds(project, "tin-a")
    with StreamServer(mp3) as source:
        project = dataclasses.replace(project, relays=(Relay("vov1", "VOV1", source.url("/steady.mp3")),))
        clock = SystemClock(project.timezone)
        t0 = clock.now() + timedelta(seconds=4)
        plan = [planned("xa-ngoc-to", t0, "tin-a", duration_s=clip_s, medium="ip"),
                planned("xa-ngoc-to", t0 + timedelta(seconds=clip_s + 3), "vov1", duration_s=3.0, position=2,
                        form="tiep-song", campaign="", medium="ip")]
        until = t0 + timedelta(seconds=clip_s + 7)
        store = open_store(project)
        messages, result = [], {}

        def run():
            result["report"], result["sink"] = run_stream(project, store, "xa-ngoc-to", icecast.target("/ngoc-to.mp3"),
                                                          until, say=messages.append, clock=clock, plan=plan)

        worker = threading.Thread(target=run)
        worker.start()
        assert wait_for_mount(icecast, "/ngoc-to.mp3"), messages
        lead = (t0 - clock.now()).total_seconds()
        recorder = Recorder(icecast.url("/ngoc-to.mp3"), lead + clip_s + 7, tmp_path / "heard.wav")
        worker.join(timeout=120)
        samples = recorder.wait()
    report = result["report"]
    assert (report.played, report.failed, report.interrupted) == (2, 0, 0), messages
    runs = sounding(samples)
    assert len(runs) == 2, runs
    (a0, a1), (b0, b1) = runs
    assert clip_s - 1.0 < a1 - a0 <= clip_s + 0.1          # the clip, whole (lead-in and final pause are silent)
    assert 3.0 <= b0 - a1 < 4.2                            # the silence between, as planned
    assert 2.5 < b1 - b0 < 3.7                             # the relay for its 3 s
    assert abs(b0 - a0 - (clip_s + 3)) < 0.6               # hard times kept
    clip_pcm = Pcm(samples[int(a0 * RATE):int(a1 * RATE)].tobytes(), RATE)
    heard = measure(clip_pcm).integrated_lufs
    assert abs(heard - project.audio.loudness_lufs) < 1.0, heard
    rows = store.list_plays(station="xa-ngoc-to")
    assert [(r["script"], r["status"], r["source"]) for r in rows] == [("tin-a", "played", "player"),
                                                                      ("vov1", "played", "player")]
    store.close()


def test_icecast_restart_is_survived_and_every_play_logged(built, icecast, tmp_path):
    project = built
    clip_s = clip_seconds(project, "tin-b")
    clock = SystemClock(project.timezone)
    t0 = clock.now() + timedelta(seconds=2)
    second = t0 + timedelta(seconds=clip_s + 8)
    plan = [planned("xa-ngoc-to", t0, "tin-b", duration_s=clip_s, medium="ip"),
            planned("xa-ngoc-to", second, "tin-a", duration_s=clip_seconds(project, "tin-a"),
                    position=2, medium="ip")]
    until = second + timedelta(seconds=1)
    store = open_store(project)
    messages, result = [], {}

    def run():
        result["report"], result["sink"] = run_stream(project, store, "xa-ngoc-to", icecast.target("/x.mp3"), until,
                                                      say=messages.append, clock=clock, plan=plan)

    worker = threading.Thread(target=run)
    worker.start()
    assert wait_for_mount(icecast, "/x.mp3")
    time.sleep(max(0.0, (t0 - clock.now()).total_seconds()) + 1.0)
    icecast.stop()                      # during the first play
    time.sleep(2.0)
    icecast.start()
    assert wait_for_mount(icecast, "/x.mp3", timeout=40), messages
    recorder = Recorder(icecast.url("/x.mp3"), max(1.0, (second - clock.now()).total_seconds()) + 3,
                        tmp_path / "after.wav")
    worker.join(timeout=120)
    samples = recorder.wait()
    sink = result["sink"]
    assert sink.reconnects >= 1 and sink.lost_s > 0
    assert any("mất kết nối tới Icecast" in m for m in messages)
    assert any("đã kết nối lại Icecast" in m for m in messages)
    assert sounding(samples), "the play after the restart was heard"
    rows = store.list_plays(station="xa-ngoc-to")
    assert [(r["script"], r["status"]) for r in rows] == [("tin-b", "played"), ("tin-a", "played")]
    store.close()


def test_wrong_password_is_refused_before_anything_plays(fake_folder, icecast, capsys):
    code = main(["--project", str(fake_folder), "stream", "--station", "xa-ngoc-to",
                 "--to", icecast.target("/x.mp3", password="sai-mat-khau"), "--until", "23:59"])
    assert code == 1
    err = capsys.readouterr().err
    assert "từ chối mật khẩu nguồn (source)" in err and "Traceback" not in err
    assert not (fake_folder / "broadcaster.db").exists()          # nothing logged, nothing created


def test_stream_command_help_and_bad_address(fake_folder, capsys):
    result = CliRunner(mix_stderr=False).invoke(cli, ["stream", "--help"])
    assert "--to icecast://source:MẬT-KHẨU@MÁY:CỔNG/ĐIỂM-PHÁT" in result.output and "--until" in result.output
    code = main(["--project", str(fake_folder), "stream", "--station", "xa-ngoc-to", "--to", "http://may:8000/x"])
    assert code == 1 and "địa chỉ Icecast không hợp lệ" in capsys.readouterr().err


def test_no_icecast_is_a_clear_message():
    from icecast_server import free_port

    with pytest.raises(BroadcasterError, match="không kết nối được Icecast"):
        IcecastSink(f"icecast://source:pw@127.0.0.1:{free_port()}/x.mp3").open()
