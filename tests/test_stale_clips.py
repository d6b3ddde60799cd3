"""Old audio after an edit: every place that shows, plays, assembles or exports a clip knows whether it is current.

The issue's example: a script whose text says "mùng năm" is built, then its YAML is
edited to "mùng sáu". The web marks the clip "cần tạo lại" and does not offer the old
audio, `plan` marks it, and `program`, `export` and the player rebuild it first (or,
for the player when asked, refuse) — never the stale audio in silence. The fake engine
speaks, so the tests are fast; FakeEngine.texts shows what was really synthesised.
"""
from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import shutil
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from broadcaster import manifest as manifest_module
from broadcaster.build import build_clips
from broadcaster.manifest import (CURRENT, MISSING, STALE, StaleClipsError, clip_state, clip_states, read_manifest,
                                  spoken_form, stale_message)
from broadcaster.cli import main
from broadcaster.config import load_project
from broadcaster.export import export
from broadcaster.player import Player
from broadcaster.playlog.store import open_store
from broadcaster.schedule import load_schedules
from broadcaster.export.programme import prepare_programmes, write_programme
from broadcaster.sinks import NullSink, PlayHandle
from fake_engine import FakeEngine

DAY = date(2024, 8, 5)          # Monday: the afternoon session plays 2g-thong-bao then 2g-nhac-nho
SCRIPT = "2g-nhac-nho"
OLD = "mùng năm"
NEW = "mùng sáu"
PLAN_KEYS = {"station", "date", "session", "start", "script", "title", "campaign", "duration_s"}


def set_day_text(folder: Path, words: str) -> None:
    """Rewrite the reminder so that it names the day in words (the issue's "mùng năm" / "mùng sáu")."""
    path = folder / "scripts" / f"{SCRIPT}.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"từ (ngày 16/9/2024|mùng \w+ tháng Chín)", f"từ {words} tháng Chín", text)
    assert f"từ {words} tháng Chín" in text
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def built_old(tmp_path_factory) -> Path:
    """The sample folder (fake engine) with every clip built once from a text saying "mùng năm"."""
    from conftest import copy_sample, use_engine

    folder = copy_sample(tmp_path_factory.mktemp("stale") / "work")
    use_engine(folder, "fake", "fake")
    set_day_text(folder, OLD)
    build_clips(load_project(folder))
    return folder


@pytest.fixture
def built(built_old, tmp_path) -> Path:
    """A fresh copy of ``built_old`` (every clip current)."""
    folder = tmp_path / "work"
    shutil.copytree(built_old, folder)
    FakeEngine.reset()
    return folder


@pytest.fixture
def edited(built) -> Path:
    """Every clip built with "mùng năm", then the YAML edited to "mùng sáu"."""
    set_day_text(built, NEW)
    return built


def clip_bytes(folder: Path, script: str = SCRIPT) -> bytes:
    return (folder / "audio_out" / "clips" / f"{script}.mp3").read_bytes()


def spoken_hash(folder: Path, script: str = SCRIPT) -> str:
    project = load_project(folder)
    return hashlib.sha256(spoken_form(project, project.script(script).text)[0].encode()).hexdigest()[:16]


def assert_rebuilt_with_new_text(folder: Path) -> None:
    """The clip on disk now speaks "mùng sáu": synthesised anew and recorded with the new text's hash."""
    assert any(NEW in t for t in FakeEngine.texts) and not any(OLD in t for t in FakeEngine.texts)
    record = read_manifest(load_project(folder))[SCRIPT]
    assert record.text_hash == spoken_hash(folder)
    assert clip_state(load_project(folder), SCRIPT).state == CURRENT


# -- the one function ------------------------------------------------------------------------------------------

def test_clip_states_current_missing_stale_without_synthesis(fake_folder):
    project = load_project(fake_folder)
    states = clip_states(project, identity=True)
    assert len(states) == 3 + 16 and {s.state for s in states.values()} == {MISSING}
    set_day_text(fake_folder, OLD)
    build_clips(load_project(fake_folder))
    set_day_text(fake_folder, NEW)
    FakeEngine.reset()
    states = clip_states(load_project(fake_folder), identity=True)
    assert FakeEngine.calls == 0  # the key is computed, nothing is synthesised
    assert states[SCRIPT].state == STALE and states[SCRIPT].record is not None
    assert [k for k, s in states.items() if s.state != CURRENT] == [SCRIPT]
    message = stale_message(states.values())
    assert message.startswith("1 tệp âm thanh đã cũ") and SCRIPT in message
    assert "broadcaster build 2g-nhac-nho" in message and "Tạo lại tệp âm thanh" in message
    # Unknown ids are left out; one clip can be asked alone, identity clips by their _station/ id.
    assert clip_states(load_project(fake_folder), ["khong-co"]) == {}
    assert clip_state(load_project(fake_folder), "_station/xa-dai-tam-chieu-mo-dau").state == CURRENT
    # A deleted file is missing, not current.
    (fake_folder / "audio_out" / "clips" / "2g-thong-bao.mp3").unlink()
    assert clip_state(load_project(fake_folder), "2g-thong-bao").state == MISSING


@pytest.mark.parametrize("edit, stale", [
    # speech settings: every clip, station identity clips included
    (lambda f: replace_in(f / "broadcaster.yaml", "  fallback: null\n", "  fallback: null\n  rate: 160\n"), "all"),
    (lambda f: replace_in(f / "broadcaster.yaml", "  dialect: south\n", "  dialect: north\n"), "all"),
    # audio settings
    (lambda f: replace_in(f / "broadcaster.yaml", "  loudness_lufs: -16\n", "  loudness_lufs: -18\n"), "all"),
    # the engine (and its voice)
    (lambda f: replace_in(f / "broadcaster.yaml", "  voice: fake\n", "  voice: fake-2\n"), "all"),
    # the lexicon: only the scripts with the word
    (lambda f: (f / "lexicon.yaml").write_text("cửa hàng: cửa hiệu\n", encoding="utf-8"),
     {"2g-huong-dan", "2g-nhac-nho"}),
    # a script's voice
    (lambda f: replace_in(f / "scripts" / "2g-thong-bao.yaml", "repeat:", "voice: fake-2\nrepeat:"),
     {"2g-thong-bao"}),
    # a station's identity text: only that station's openings
    (lambda f: replace_in(f / "broadcaster.yaml", "    name: Đài truyền thanh xã Đại Tâm\n",
                          "    name: Đài truyền thanh xã Đại Tâm\n    opening: Đây là {station}, phiên {session}.\n"),
     {"_station/xa-dai-tam-sang-mo-dau", "_station/xa-dai-tam-chieu-mo-dau"}),
])
def test_every_input_of_the_key_makes_the_clip_stale(built, edit, stale):
    assert {s.state for s in clip_states(load_project(built), identity=True).values()} == {CURRENT}
    edit(built)
    states = clip_states(load_project(built), identity=True)
    expected = set(states) if stale == "all" else stale
    assert {k for k, s in states.items() if s.state == STALE} == expected


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- web -------------------------------------------------------------------------------------------------------

@pytest.fixture
def client(edited):
    from broadcaster.web import create_app

    app = create_app(edited)
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["broadcaster"].close()


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def token(client, url: str = "/kich-ban") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def wait_job(client, location: str) -> dict:
    deadline = time.monotonic() + 60
    while True:
        state = client.get(location.rstrip("/") + "/trang-thai").get_json()
        if state["state"] not in ("running", "queued"):
            return state
        assert time.monotonic() < deadline, state
        time.sleep(0.05)


def test_web_marks_the_stale_clip_and_does_not_play_it(client, edited):
    listing = page(client.get("/kich-ban"))
    assert listing.count("Cần tạo lại</span>") == 1 and listing.count("Đã tạo</span>") == 2
    assert "1 kịch bản cần tạo lại tệp âm thanh" in listing
    assert f'action="/kich-ban/{SCRIPT}/build"' in listing          # the rebuild button on the row
    detail = page(client.get(f"/kich-ban/{SCRIPT}"))
    assert NEW in detail and "Cần tạo lại tệp âm thanh." in detail
    assert "<audio" not in detail and "/am-thanh/" not in detail   # the old clip is not offered as the script's audio
    assert "Tạo lại tệp âm thanh</button>" in detail
    overview = page(client.get("/"))
    assert "1 tệp âm thanh cần tạo lại" in overview and "Nhắc nhở chuyển đổi điện thoại 2G" in overview
    plan = page(client.get("/ke-hoach?from=2024-08-05&to=2024-08-05"))
    assert "1 tệp âm thanh cần tạo lại" in plan and plan.count("Cần tạo lại</span>") == 4  # 4 stations' afternoons
    # The rebuild button makes it current; the page then plays the new clip.
    r = client.post(f"/kich-ban/{SCRIPT}/build", data={"csrf_token": token(client, f"/kich-ban/{SCRIPT}")})
    assert wait_job(client, r.headers["Location"])["state"] == "done"
    assert_rebuilt_with_new_text(edited)
    detail = page(client.get(f"/kich-ban/{SCRIPT}"))
    assert "<audio" in detail and "Cần tạo lại" not in detail
    assert "Cần tạo lại" not in page(client.get("/kich-ban"))


# -- plan ------------------------------------------------------------------------------------------------------

def run(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_plan_marks_the_stale_clip_in_every_format(edited, capsys):
    base = ["--project", str(edited), "plan", "--from", "2024-08-05"]
    code, out, err = run(capsys, *base, "--format", "json")
    assert code == 0
    plays = json.loads(out)
    assert all(PLAN_KEYS <= set(p) for p in plays)
    states = {p["script"]: p["clip_state"] for p in plays}
    assert states == {"2g-thong-bao": "current", "2g-huong-dan": "current", SCRIPT: "stale"}
    assert all(p["clip"] is None for p in plays if p["script"] == SCRIPT)   # nothing points at the old file
    assert "1 tệp âm thanh đã cũ" in err and "broadcaster build 2g-nhac-nho" in err
    code, out, _ = run(capsys, *base, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and {r["script"]: r["clip_state"] for r in rows} == states
    code, out, _ = run(capsys, *base)
    stale_lines = [line for line in out.splitlines() if SCRIPT in line]
    assert len(stale_lines) == 4 and all(line.endswith("CẦN TẠO LẠI") for line in stale_lines)
    assert "Tệp âm thanh" in out.splitlines()[0]
    # After a build nothing is stale any more.
    assert main(["--project", str(edited), "build", SCRIPT]) == 0
    code, out, err = run(capsys, *base, "--format", "json")
    assert {p["clip_state"] for p in json.loads(out)} == {"current"} and "đã cũ" not in err


# -- program and export: rebuild first -------------------------------------------------------------------------

def test_program_rebuilds_the_stale_clip_and_says_so(edited, capsys):
    old = clip_bytes(edited)
    code, out, err = run(capsys, "--project", str(edited), "program", "--date", "2024-08-05",
                         "--station", "xa-dai-tam")
    assert code == 0, err
    assert "đã tạo lại 1 tệp âm thanh cũ" in err and SCRIPT in err
    assert_rebuilt_with_new_text(edited)
    assert clip_bytes(edited) != old


def test_programme_pieces_are_the_new_clip(edited):
    project = load_project(edited)
    notes: list[str] = []
    programmes = prepare_programmes(project, load_schedules(project), DAY, DAY, "xa-dai-tam", notes=notes)
    pieces = [pc for pm in programmes for pc in pm.pieces if pc.script == SCRIPT]
    assert pieces and all(pc.path.read_bytes() == clip_bytes(edited) for pc in pieces)
    assert notes == ["đã tạo lại 1 tệp âm thanh cũ (nội dung hoặc thiết lập đã sửa sau khi tạo): 2g-nhac-nho"]
    mp3, _ = write_programme(project, programmes[-1])
    assert mp3.stat().st_size > 0
    assert_rebuilt_with_new_text(edited)


@pytest.mark.parametrize("fmt", ["m3u", "usb", "csv", "json"])
def test_export_rebuilds_the_stale_clip(edited, tmp_path, capsys, fmt):
    dest = tmp_path / "out"
    code, out, err = run(capsys, "--project", str(edited), "export", fmt, "--date", "2024-08-05",
                         "--station", "xa-dai-tam", "--to", str(dest))
    assert code == 0, err
    assert "đã tạo lại 1 tệp âm thanh cũ" in err and SCRIPT in err
    assert_rebuilt_with_new_text(edited)
    new = clip_bytes(edited)
    copies = [p for p in dest.rglob("*.mp3") if p.read_bytes() == new]
    assert copies, "the exported audio is not the rebuilt clip"


def test_export_function_reports_identity_clips_rebuilt(built, tmp_path):
    fake_folder = built
    replace_in(fake_folder / "broadcaster.yaml", "    name: Đài truyền thanh xã Đại Tâm\n",
               "    name: Đài truyền thanh xã Đại Tâm\n    closing: Hết phiên {session} của {station}.\n")
    project = load_project(fake_folder)
    notes: list[str] = []
    export(project, load_schedules(project), "m3u", DAY, 1, tmp_path / "out", "xa-dai-tam", notes=notes)
    assert notes == ["đã tạo lại 2 tệp âm thanh cũ (nội dung hoặc thiết lập đã sửa sau khi tạo): "
                     "_station/xa-dai-tam-sang-ket-thuc, _station/xa-dai-tam-chieu-ket-thuc"]
    assert not [s for s in clip_states(project, identity=True).values() if s.state != CURRENT]


# -- the player: rebuild first, or refuse ------------------------------------------------------------------------

class FakeClock:
    """Sleep advances now() at once; ``on_sleep`` runs once at the first sleep (to edit files mid-run)."""

    def __init__(self, start: datetime, on_sleep=None):
        self.t = start
        self.on_sleep = on_sleep

    def now(self) -> datetime:
        return self.t

    def sleep(self, seconds: float) -> None:
        if self.on_sleep is not None:
            hook, self.on_sleep = self.on_sleep, None
            hook()
        self.t += timedelta(seconds=seconds)


class RecordingSink(NullSink):
    """A sink that keeps the bytes of every clip it was given, as a loudspeaker would have played them."""

    def __init__(self):
        self.played: list[tuple[str, bytes]] = []

    def start(self, clip, duration_s):
        self.played.append((Path(clip).stem, Path(clip).read_bytes()))
        return PlayHandle(duration_s)


def player(folder: Path, sink, *, rebuild: bool, clock=None, said=None):
    project = load_project(folder)
    clock = clock or FakeClock(datetime(2024, 8, 5, 16, 59))
    return Player(project, open_store(project), "xa-dai-tam", sink, clock=clock, rebuild=rebuild,
                  say=(said.append if said is not None else None))


def test_player_refuses_stale_audio_naming_the_script_and_the_fix(edited):
    sink = RecordingSink()
    with pytest.raises(StaleClipsError) as caught:
        player(edited, sink, rebuild=False).run(datetime(2024, 8, 5, 17, 30))
    message = str(caught.value)
    assert message.startswith("không dùng tệp âm thanh cũ: 1 tệp âm thanh đã cũ")
    assert "broadcaster build 2g-nhac-nho" in message
    assert sink.played == []


def test_player_rebuilds_stale_audio_first(edited):
    sink, said = RecordingSink(), []
    report = player(edited, sink, rebuild=True, said=said).run(datetime(2024, 8, 5, 17, 30))
    assert report.played == 2
    assert "Đã tạo lại 1 tệp âm thanh cũ trước khi phát: 2g-nhac-nho." in said
    assert_rebuilt_with_new_text(edited)
    assert dict(sink.played)[SCRIPT] == clip_bytes(edited)


def test_an_edit_while_the_player_runs_is_not_aired_silently(built, built_old, tmp_path):
    fake_folder = built
    sink, said = RecordingSink(), []
    clock = FakeClock(datetime(2024, 8, 5, 16, 59), on_sleep=lambda: set_day_text(fake_folder, NEW))
    report = player(fake_folder, sink, rebuild=False, clock=clock, said=said).run(datetime(2024, 8, 5, 17, 30))
    assert report.played == 1 and report.failed == 1
    assert [name for name, _ in sink.played] == ["2g-thong-bao"]
    failure = next(line for line in said if line.startswith("✗ 2g-nhac-nho"))
    assert "đã cũ" in failure and "broadcaster build 2g-nhac-nho" in failure
    # With rebuild (the default of `broadcaster play`) the edit is synthesised and the new clip aired.
    fresh = tmp_path / "again"
    shutil.copytree(built_old, fresh)
    FakeEngine.reset()
    sink = RecordingSink()
    clock = FakeClock(datetime(2024, 8, 5, 16, 59), on_sleep=lambda: set_day_text(fresh, NEW))
    report = player(fresh, sink, rebuild=True, clock=clock).run(datetime(2024, 8, 5, 17, 30))
    assert report.played == 2 and report.failed == 0
    assert dict(sink.played)[SCRIPT] == clip_bytes(fresh)
    assert_rebuilt_with_new_text(fresh)


# -- web: a build asked while another runs is queued, not dropped ---------------------------------------------

def test_jobs_queue_a_second_build_and_run_it_after_the_first():
    from broadcaster.web.jobs import Jobs

    jobs, release, order = Jobs(), threading.Event(), []

    def first(progress):
        release.wait(30)
        order.append("one")
        return "một xong", []

    def second(progress):
        order.append("all")
        return "tất cả xong", []

    one, started = jobs.start("build", "Tạo tệp âm thanh: A", "/", first, key="build:a")
    assert started and one.state == "running"
    every, started = jobs.start("build", "Tạo tệp âm thanh cho tất cả kịch bản", "/", second, key="build:*")
    assert not started and every.state == "queued" and every is not one
    assert every.ahead == "Tạo tệp âm thanh: A" and jobs.snapshot(every.id)["percent"] == 0
    again, started = jobs.start("build", "Tạo tệp âm thanh cho tất cả kịch bản", "/", second, key="build:*")
    assert again is every and not started                     # the same request waiting: joined, not doubled
    assert jobs.queued("build") == [every]
    release.set()
    deadline = time.monotonic() + 30
    while jobs.get(every.id).state != "done":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert order == ["one", "all"] and one.message == "một xong" and every.message == "tất cả xong"
    assert jobs.running("build") is None and jobs.queued("build") == []


def test_web_build_all_during_a_single_build_is_queued_and_done(fake_folder):
    from broadcaster.web import create_app

    app = create_app(fake_folder)
    app.config["TESTING"] = True
    client = app.test_client()
    # Hold the manifest lock: the single-script build stops just before saving, i.e. it is still running.
    manifest_module._manifest_lock.acquire()
    try:
        one = client.post(f"/kich-ban/{SCRIPT}/build", data={"csrf_token": token(client)})
        all_ = client.post("/build", data={"csrf_token": token(client), "next": "/kich-ban"})
        assert all_.headers["Location"] != one.headers["Location"]
        waiting = page(client.get(all_.headers["Location"]))
        assert "đã được xếp hàng và sẽ tự bắt đầu ngay sau đó" in waiting
        assert "Đang chờ: việc này sẽ tự bắt đầu khi lượt đang chạy (Tạo tệp âm thanh: Nhắc nhở" in waiting
        assert client.get(all_.headers["Location"] + "/trang-thai").get_json()["state"] == "queued"
        assert "còn 1 lượt đang chờ" in page(client.get("/kich-ban"))
    finally:
        manifest_module._manifest_lock.release()
    assert wait_job(client, one.headers["Location"])["message"].startswith("Đã tạo 1 tệp âm thanh kịch bản")
    state = wait_job(client, all_.headers["Location"])
    assert state["state"] == "done" and state["message"].startswith(
        "Đã tạo 3 tệp âm thanh kịch bản và 16 tệp mở đầu/kết thúc phiên")
    assert {s.state for s in clip_states(load_project(fake_folder), identity=True).values()} == {CURRENT}
    app.extensions["broadcaster"].close()
