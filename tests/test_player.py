"""Player: hard-timed starts on a fake clock, emergency interruption, crash recovery, missed plays, sinks."""
from __future__ import annotations

import wave
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from broadcaster.cli import main
from broadcaster.errors import BroadcasterError
from broadcaster.player import Player, run_player
from broadcaster.playlog.store import play_progress
from broadcaster.playlog.verify import verify_log
from broadcaster.sinks import FileSink, NullSink, make_sink
from dbfixtures import planned, session_plan

DAY = date(2024, 8, 1)


class FakeClock:
    """A clock that jumps: sleep() advances now() at once."""

    def __init__(self, start: datetime):
        self.t = start
        self.slept = 0.0

    def now(self) -> datetime:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += timedelta(seconds=seconds)
        self.slept += seconds


class Crash(BaseException):
    """The process dies: nothing after it runs (see CrashingPlayer)."""


class CrashingClock(FakeClock):
    def __init__(self, start, crash_at):
        super().__init__(start)
        self.crash_at = crash_at

    def sleep(self, seconds):
        super().sleep(seconds)
        if self.t >= self.crash_at:
            raise Crash()


class CrashingPlayer(Player):
    """A player whose process is killed: the clean-up that Ctrl+C would do never happens."""

    def _end(self, on_air, status, at, by=None):
        if status == "interrupted" and by is None:
            return  # the finally-block of a dying process: in a real crash it does not run
        super()._end(on_air, status, at, by)


def _plan(project):
    return session_plan(project, DAY, "tt-my-xuyen", "sang", "05:30",
                        ["2g-thong-bao", "2g-huong-dan", "2g-nhac-nho"], gap_s=5, duration_s=60)


def test_plays_start_on_the_scheduled_second_and_are_logged(project, store):
    clock = FakeClock(datetime(2024, 8, 1, 5, 0))
    messages = []
    report = run_player(project, store, "tt-my-xuyen", datetime(2024, 8, 1, 7, 0), NullSink(), clock=clock,
                        say=messages.append, plan=_plan(project))
    assert (report.played, report.interrupted, report.missed, report.failed) == (3, 0, 0, 0)
    assert report.jitters == [0.0, 0.0, 0.0]
    rows = store.list_plays(station="tt-my-xuyen")
    assert [(r["script"], r["status"], r["source"]) for r in rows] == [
        ("2g-thong-bao", "played", "player"), ("2g-huong-dan", "played", "player"), ("2g-nhac-nho", "played", "player")]
    assert [r["started_at"] for r in rows] == [r["scheduled_at"] for r in rows]
    assert rows[1]["started_at"] == datetime(2024, 8, 1, 5, 31, 5) and rows[1]["duration_s"] == 60.0
    assert rows[0]["campaign"] == "dung-2g" and rows[0]["medium"] == "loa-day"
    assert any("lệch +0 ms" in m for m in messages)
    assert verify_log(store).ok
    with store.read() as conn:
        assert conn.execute(select(play_progress)).all() == []
    # A second run over the same morning replays nothing.
    again = run_player(project, store, "tt-my-xuyen", datetime(2024, 8, 1, 7, 0), NullSink(),
                       clock=FakeClock(datetime(2024, 8, 1, 5, 0)), plan=_plan(project))
    assert again.played == 0 and store.count() == 3


def test_late_plays_of_a_session_follow_on_and_jitter_is_measured(project, store):
    plan = [planned("tt-my-xuyen", datetime(2024, 8, 1, 5, 30), "2g-thong-bao", duration_s=90),
            planned("tt-my-xuyen", datetime(2024, 8, 1, 5, 31), "2g-huong-dan", duration_s=30, position=2)]
    report = run_player(project, store, "tt-my-xuyen", datetime(2024, 8, 1, 6, 0), NullSink(),
                        clock=FakeClock(datetime(2024, 8, 1, 5, 29)), plan=plan)
    assert report.jitters == [0.0, 30.0]        # the second waited for the first to finish
    assert [r["status"] for r in store.list_plays()] == ["played", "played"]


def test_emergency_interrupts_the_current_play(project, store):
    plan = [planned("xa-ngoc-to", datetime(2024, 8, 1, 5, 45), "2g-huong-dan", duration_s=120, medium="ip"),
            planned("xa-ngoc-to", datetime(2024, 8, 1, 5, 46), "2g-thong-bao", duration_s=30, priority="emergency",
                    medium="ip", position=2),
            planned("xa-ngoc-to", datetime(2024, 8, 1, 5, 47, 5), "2g-nhac-nho", duration_s=20, medium="ip",
                    position=3)]
    report = run_player(project, store, "xa-ngoc-to", datetime(2024, 8, 1, 6, 30), NullSink(),
                        clock=FakeClock(datetime(2024, 8, 1, 5, 40)), plan=plan)
    assert (report.played, report.interrupted) == (2, 1)
    rows = store.list_plays(station="xa-ngoc-to")
    assert [(r["script"], r["status"]) for r in rows] == [
        ("2g-huong-dan", "interrupted"), ("2g-thong-bao", "played"), ("2g-nhac-nho", "played")]
    assert rows[0]["duration_s"] == 60.0 and rows[0]["ended_at"] == datetime(2024, 8, 1, 5, 46)
    assert rows[1]["started_at"] == datetime(2024, 8, 1, 5, 46)       # on the second
    assert rows[2]["started_at"] == datetime(2024, 8, 1, 5, 47, 5)
    assert verify_log(store).ok


def test_restart_after_a_crash(project, store):
    plan = _plan(project) + session_plan(project, DAY, "tt-my-xuyen", "chieu", "17:00", ["2g-thong-bao"])
    crash_at = datetime(2024, 8, 1, 5, 31, 40)          # during the second play
    clock = CrashingClock(datetime(2024, 8, 1, 5, 29), crash_at)
    player = CrashingPlayer(project, store, "tt-my-xuyen", NullSink(), clock=clock)
    with pytest.raises(Crash):
        player.run(datetime(2024, 8, 1, 18, 0), plan)
    assert [r["script"] for r in store.list_plays()] == ["2g-thong-bao"]
    with store.read() as conn:
        progress = conn.execute(select(play_progress)).all()
    assert [p.script for p in progress] == ["2g-huong-dan"]       # in progress: never reported

    # The player comes back at 05:50: the cut play is interrupted (ending at its last heartbeat),
    # the third play's time passed while it was down (missed), the afternoon play still airs.
    messages = []
    report = run_player(project, store, "tt-my-xuyen", datetime(2024, 8, 1, 18, 0), NullSink(),
                        clock=FakeClock(datetime(2024, 8, 1, 5, 50)), say=messages.append, plan=plan)
    assert (report.recovered, report.missed, report.played) == (1, 1, 1)
    rows = store.list_plays()
    assert [(r["script"], r["status"]) for r in rows] == [
        ("2g-thong-bao", "played"), ("2g-huong-dan", "interrupted"), ("2g-nhac-nho", "missed"),
        ("2g-thong-bao", "played")]
    cut = rows[1]
    assert cut["started_at"] == datetime(2024, 8, 1, 5, 31, 5)
    assert datetime(2024, 8, 1, 5, 31, 30) <= cut["ended_at"] <= crash_at
    assert any("bị cắt" in m for m in messages) and any("Bỏ lỡ" in m for m in messages)
    assert verify_log(store).ok
    with store.read() as conn:
        assert conn.execute(select(play_progress)).all() == []


def test_play_shortly_after_its_time_still_airs(project, store):
    plan = [planned("tt-my-xuyen", datetime(2024, 8, 1, 5, 30), "2g-thong-bao", duration_s=60)]
    report = run_player(project, store, "tt-my-xuyen", datetime(2024, 8, 1, 6, 0), NullSink(),
                        clock=FakeClock(datetime(2024, 8, 1, 5, 30, 20)), plan=plan)
    assert report.played == 1 and report.jitters == [20.0]


def _mp3(path, seconds=1.0):
    from broadcaster.audio.ffmpeg import run_ffmpeg

    run_ffmpeg(["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-ac", "1", "-ar", "44100",
                "-b:a", "96k", "-f", "mp3", str(path)])
    return path


def test_file_sink_appends_what_was_aired(project, store, tmp_path):
    clips = project.clips_dir
    clips.mkdir(parents=True)
    _mp3(clips / "2g-huong-dan.mp3", 2.0)
    _mp3(clips / "2g-thong-bao.mp3", 1.0)
    plan = [planned("tt-my-xuyen", datetime(2024, 8, 1, 5, 30), "2g-huong-dan", duration_s=2.0),
            planned("tt-my-xuyen", datetime(2024, 8, 1, 5, 30, 1), "2g-thong-bao", duration_s=1.0,
                    priority="emergency", position=2),
            planned("tt-my-xuyen", datetime(2024, 8, 1, 5, 31), "2g-nhac-nho", duration_s=1.0, position=3)]
    out = tmp_path / "aired.wav"
    report = run_player(project, store, "tt-my-xuyen", datetime(2024, 8, 1, 6, 0), FileSink(out),
                        clock=FakeClock(datetime(2024, 8, 1, 5, 29)), plan=plan)
    assert (report.played, report.interrupted, report.failed) == (1, 1, 1)   # 2g-nhac-nho has no clip
    with wave.open(str(out)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 44100)
        seconds = w.getnframes() / 44100
    assert 1.9 <= seconds <= 2.2          # 1 s of the cut clip + the 1 s emergency clip
    rows = store.list_plays()
    assert [r["status"] for r in rows] == ["interrupted", "played", "failed"]
    assert rows[0]["clip_hash"] and len(rows[0]["clip_hash"]) == 64
    assert rows[1]["duration_s"] == pytest.approx(1.0, abs=0.1)


def test_make_sink_and_until_in_the_past(project, store, workdir, monkeypatch, capsys):
    assert isinstance(make_sink("null"), NullSink)
    assert isinstance(make_sink("file:/tmp/x.wav"), FileSink)
    with pytest.raises(BroadcasterError, match="default, null"):
        make_sink("speaker")
    with pytest.raises(BroadcasterError, match="chọn thời điểm dừng muộn hơn") as info:
        run_player(project, store, "tt-my-xuyen", datetime(2024, 8, 1, 5, 0), NullSink(),
                   clock=FakeClock(datetime(2024, 8, 1, 6, 0)), plan=[])
    monkeypatch.setenv("BROADCASTER_DATABASE_URL", project.database_url)
    # The command's clock is injected too: "now" is 1 August 2024, 06:00, whatever the machine's time.
    import broadcaster.player as player_module

    monkeypatch.setattr(player_module, "SystemClock", lambda timezone: FakeClock(datetime(2024, 8, 1, 6, 0)))
    assert main(["--project", str(workdir), "play", "--station", "tt-my-xuyen", "--until", "2024-08-01T05:59",
                 "--sink", "null"]) == 1
    err = capsys.readouterr().err
    assert "đã qua" in err and "2024-08-01 06:00" in err
    assert "--until" in err and "--until" not in str(info.value)  # the shell names its flag, the stage does not
    assert main(["--project", str(workdir), "play", "--station", "nope", "--sink", "null"]) == 1
    assert "đài không tồn tại" in capsys.readouterr().err
