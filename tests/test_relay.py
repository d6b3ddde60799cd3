"""Relays (tiếp sóng): config and schedule validation, plan rows, reports, log import, exports."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from broadcaster.cli import cli
from broadcaster.config import inspect_project, load_project
from broadcaster.schedule.expand import expand_plan
from broadcaster.schedule import inspect_schedules, load_schedules

DAY = date(2024, 8, 5)

RELAYS = '''
relays:
  - id: vov1
    name: "Đài Tiếng nói Việt Nam - VOV1"
    url: "http://127.0.0.1:9/vov1.mp3"
  - {id: fm-tinh, name: "Đài PT-TH tỉnh Sóc Trăng", url: "input:default"}
'''


def relay_folder(folder: Path, relays: str = RELAYS, session_relay: bool = True) -> Path:
    """The fake-engine sample folder with two relays; xa-dai-tam gets a relay session 'vov' 18:00–18:30."""
    cfg = folder / "broadcaster.yaml"
    text = cfg.read_text(encoding="utf-8")
    if session_relay:
        text = text.replace('''  - id: xa-dai-tam
    name: Đài truyền thanh xã Đại Tâm
    media: fm
    sessions:
      - {name: sang, start: "05:30", end: "06:00"}
      - {name: chieu, start: "17:00", end: "17:30"}''', '''  - id: xa-dai-tam
    name: Đài truyền thanh xã Đại Tâm
    media: fm
    sessions:
      - {name: sang, start: "05:30", end: "06:00"}
      - {name: chieu, start: "17:00", end: "17:30"}
      - {name: vov, start: "18:00", end: "18:30", relay: vov1}''')
    cfg.write_text(text + relays, encoding="utf-8")
    return folder


def add_schedule(folder: Path, body: str, name: str = "tiep-song.yaml") -> Path:
    path = folder / "schedules" / name
    path.write_text(body, encoding="utf-8")
    return path


def errors(problems):
    return [p for p in problems if p.severity == "error"]


def test_relays_load(fake_folder):
    project = load_project(relay_folder(fake_folder))
    assert [(r.id, r.url, r.is_input) for r in project.relays] == [
        ("vov1", "http://127.0.0.1:9/vov1.mp3", False), ("fm-tinh", "input:default", True)]
    assert project.relay("vov1").name == "Đài Tiếng nói Việt Nam - VOV1"
    assert project.station("xa-dai-tam").session("vov").relay == "vov1"
    assert project.station("xa-dai-tam").session("sang").relay is None


@pytest.mark.parametrize("url", ["ftp://x/y.mp3", "vov1.mp3", "http://", "input:", "http://a b/c"])
def test_bad_relay_url_is_named_with_line(fake_folder, url):
    folder = relay_folder(fake_folder, f'relays:\n  - id: vov1\n    name: VOV1\n    url: "{url}"\n', session_relay=False)
    lines = (folder / "broadcaster.yaml").read_text(encoding="utf-8").splitlines()
    _, problems = inspect_project(folder)
    bad = errors(problems)
    assert len(bad) == 1
    assert bad[0].file == "broadcaster.yaml" and lines[bad[0].line - 1].strip().startswith("url:")
    assert "địa chỉ tiếp sóng không hợp lệ" in bad[0].message


def test_unknown_relay_in_session(fake_folder):
    folder = relay_folder(fake_folder)
    cfg = folder / "broadcaster.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("relay: vov1}", "relay: vov2}"), encoding="utf-8")
    _, problems = inspect_project(folder)
    bad = errors(problems)
    assert len(bad) == 1 and 'nguồn tiếp sóng không tồn tại "vov2"' in bad[0].message and "vov1" in bad[0].message
    assert "relay: vov2" in cfg.read_text(encoding="utf-8").splitlines()[bad[0].line - 1]


def test_duplicate_relay_id_and_bad_fallback(fake_folder):
    folder = relay_folder(fake_folder, RELAYS + '  - {id: vov1, name: B, url: "https://x.vn/a.aac", fallback: khong-co}\n')
    _, problems = inspect_project(folder)
    messages = [p.message for p in errors(problems)]
    assert any('mã "vov1" bị trùng' in m for m in messages)


def test_relay_item_plans_with_name_form_and_length(fake_folder):
    folder = relay_folder(fake_folder)
    add_schedule(folder, '''from: 2024-08-01
until: 2024-08-31
stations: [tt-my-xuyen]
sessions: [chieu]
items:
  - {relay: vov1, minutes: 15}
''')
    project = load_project(folder)
    schedules = load_schedules(project)
    plays = expand_plan(project, schedules, DAY, DAY, station="tt-my-xuyen")
    relay = [p for p in plays if p.script == "vov1"]
    assert len(relay) == 1
    row = relay[0].as_dict()
    assert (row["title"], row["form"], row["duration_s"], row["campaign"], row["session"], row["clip"]) == (
        "Đài Tiếng nói Việt Nam - VOV1", "tiep-song", 900.0, "", "chieu", None)
    # the relay plays after the 2G items of the same session, in written order
    chieu = [p.script for p in plays if p.session == "chieu"]
    assert chieu[-1] == "vov1" and "2g-thong-bao" in chieu


def test_relay_session_plays_every_day_for_its_length(fake_folder):
    project = load_project(relay_folder(fake_folder))
    plays = expand_plan(project, load_schedules(project), DAY, date(2024, 8, 6), station="xa-dai-tam")
    relay = [p for p in plays if p.session == "vov"]
    assert [(p.script, p.start, p.duration_s, p.form, p.position) for p in relay] == [
        ("vov1", datetime(2024, 8, 5, 18, 0), 1800.0, "tiep-song", 1),
        ("vov1", datetime(2024, 8, 6, 18, 0), 1800.0, "tiep-song", 1)]
    # other stations have no relay session
    all_plays = expand_plan(project, load_schedules(project), DAY, DAY)
    assert {p.station for p in all_plays if p.form == "tiep-song"} == {"xa-dai-tam"}


def test_emergency_cuts_into_relay_session(fake_folder):
    folder = relay_folder(fake_folder)
    add_schedule(folder, '''dates: [2024-08-05]
stations: [xa-dai-tam]
items:
  - {script: 2g-nhac-nho, priority: emergency}
''', "khan.yaml")
    project = load_project(folder)
    plays = [p for p in expand_plan(project, load_schedules(project), DAY, DAY, station="xa-dai-tam")
             if p.session == "vov"]
    assert [p.script for p in plays] == ["2g-nhac-nho", "vov1"]
    first, relay = plays
    assert relay.start == first.start + (relay.start - first.start)
    assert abs((relay.start - first.start).total_seconds() - (first.duration_s + 2.0)) < 0.01
    assert abs(first.duration_s + 2.0 + relay.duration_s - 1800.0) < 0.01


def test_normal_item_in_relay_session_is_refused(fake_folder):
    folder = relay_folder(fake_folder)
    path = add_schedule(folder, '''from: 2024-08-01
stations: [xa-dai-tam]
items:
  - {script: 2g-nhac-nho, sessions: [vov]}
''', "sai.yaml")
    project = load_project(folder)
    _, problems = inspect_schedules(project)
    bad = errors(problems)
    assert len(bad) == 1 and bad[0].file == "schedules/sai.yaml"
    assert "là phiên tiếp sóng (vov1)" in bad[0].message
    assert "sessions: [vov]" in path.read_text(encoding="utf-8").splitlines()[bad[0].line - 1]


def test_relay_longer_than_session(fake_folder):
    folder = relay_folder(fake_folder)
    path = add_schedule(folder, '''from: 2024-08-01
stations: [tt-my-xuyen]
sessions: [sang]
items:
  - relay: vov1
    minutes: 45
''')
    _, problems = inspect_schedules(load_project(folder))
    bad = errors(problems)
    assert len(bad) == 1
    assert bad[0].message.startswith("tiếp sóng vov1 45 phút dài hơn phiên sang (05:30–06:00, 30 phút)")
    assert path.read_text(encoding="utf-8").splitlines()[bad[0].line - 1].strip() == "minutes: 45"


def test_relay_plus_clips_overflowing_session_is_reported(fake_folder):
    folder = relay_folder(fake_folder)
    add_schedule(folder, '''from: 2024-08-01
until: 2024-08-31
stations: [tt-my-xuyen]
sessions: [sang]
items:
  - {relay: vov1, minutes: 29.5}
''')
    _, problems = inspect_schedules(load_project(folder))
    bad = errors(problems)
    assert bad and all("phiên sáng 05:30–06:00 dài 30 phút" in p.message for p in bad)
    assert all(p.file == "schedules/tiep-song.yaml" and p.line == 6 for p in bad)


@pytest.mark.parametrize("item, needle", [
    ("{relay: vov9, minutes: 10}", 'nguồn tiếp sóng không tồn tại "vov9"'),
    ("{relay: vov1, minutes: 0}", '"minutes" của mục tiếp sóng phải là số phút lớn hơn 0'),
    ("{relay: vov1, minutes: mười}", '"minutes" của mục tiếp sóng phải là số phút lớn hơn 0'),
    ("{relay: vov1}", "minutes"),
    ("{relay: vov1, minutes: 5, script: 2g-thong-bao}", "không ghi cả hai"),
    ("{relay: vov1, minutes: 5, campaign: khong-co}", 'chiến dịch không tồn tại "khong-co"'),
])
def test_bad_relay_items(fake_folder, item, needle):
    folder = relay_folder(fake_folder)
    add_schedule(folder, f"from: 2024-08-01\nstations: [tt-my-xuyen]\nitems:\n  - {item}\n")
    _, problems = inspect_schedules(load_project(folder))
    bad = errors(problems)
    assert bad and all(p.file == "schedules/tiep-song.yaml" and p.line == 4 for p in bad)
    assert any(needle in p.message for p in bad)


def test_check_command_names_relay_problems(fake_folder):
    folder = relay_folder(fake_folder)
    add_schedule(folder, "from: 2024-08-01\nstations: [tt-my-xuyen]\nitems:\n  - {relay: vov9, minutes: 10}\n")
    result = CliRunner(mix_stderr=False).invoke(cli, ["--project", str(folder), "check"])
    assert result.exit_code != 0
    assert "schedules/tiep-song.yaml:4" in result.output + result.stderr


def test_plan_json_lists_relay(fake_folder):
    folder = relay_folder(fake_folder)
    result = CliRunner(mix_stderr=False).invoke(cli, ["--project", str(folder), "plan", "--from", "2024-08-05",
                                                       "--station", "xa-dai-tam", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    rows = [r for r in json.loads(result.stdout) if r["form"] == "tiep-song"]
    assert [(r["script"], r["title"], r["duration_s"], r["start"], r["clip_state"]) for r in rows] == [
        ("vov1", "Đài Tiếng nói Việt Nam - VOV1", 1800.0, "2024-08-05T18:00:00", "relay")]
    table = CliRunner(mix_stderr=False).invoke(cli, ["--project", str(folder), "plan", "--from", "2024-08-05",
                                                     "--station", "xa-dai-tam"])
    line = next(ln for ln in table.stdout.splitlines() if "vov1" in ln)
    assert "18:00:00" in line and "tiếp sóng" in line


# --- exports ----------------------------------------------------------------------------------------------------

MID_RELAY = '''from: 2024-08-01
until: 2024-08-31
stations: [xa-dai-tam]
sessions: [chieu]
items:
  - {relay: fm-tinh, minutes: 10}
  - {script: 2g-huong-dan, sessions: [chieu]}
'''


def test_m3u_export_lists_the_relay_as_a_stream_entry(fake_folder, tmp_path):
    from broadcaster.export import export

    folder = relay_folder(fake_folder)
    add_schedule(folder, MID_RELAY)
    project = load_project(folder)
    result = export(project, load_schedules(project), "m3u", DAY, 1, tmp_path / "out", station="xa-dai-tam")
    chieu = (tmp_path / "out" / "2024-08-05_xa-dai-tam_chieu.m3u8").read_text(encoding="utf-8").splitlines()
    assert "#EXTINF:600.000,Tiếp sóng Đài PT-TH tỉnh Sóc Trăng" in chieu
    at = chieu.index("#EXTINF:600.000,Tiếp sóng Đài PT-TH tỉnh Sóc Trăng")
    assert chieu[at + 1] == "input:default"
    # its place: after the 2G items of the chiều schedule, before the script written after it, then the closing
    files = [line for line in chieu if not line.startswith("#")]
    assert files.index("input:default") > files.index("audio/2g-thong-bao.mp3")
    assert files.index("input:default") < files.index("audio/2g-huong-dan.mp3")
    vov = (tmp_path / "out" / "2024-08-05_xa-dai-tam_vov.m3u8").read_text(encoding="utf-8").splitlines()
    assert vov[-2:] == ["#EXTINF:1800.000,Tiếp sóng Đài Tiếng nói Việt Nam - VOV1", "http://127.0.0.1:9/vov1.mp3"]
    assert not any("tiep-song" in f for f in result.files)      # nothing copied for a live source


def test_usb_index_names_the_relay_and_its_hours_and_the_stick_plays_around_it(fake_folder, tmp_path):
    from broadcaster.export import export

    folder = relay_folder(fake_folder)
    add_schedule(folder, MID_RELAY)
    project = load_project(folder)
    result = export(project, load_schedules(project), "usb", DAY, 1, tmp_path / "usb", station="xa-dai-tam")
    plays = expand_plan(project, load_schedules(project), DAY, DAY, station="xa-dai-tam")   # clips built: real times
    relay = next(p for p in plays if p.script == "fm-tinh")
    after = next(p for p in plays if p.session == "chieu" and p.start > relay.start)
    index = (tmp_path / "usb" / "MUCLUC.TXT").read_bytes().decode("ascii").split("\r\n")
    base = datetime(2024, 8, 5, 17, 0)
    begin = base + timedelta(seconds=round((relay.start - base).total_seconds()))
    hours = f"{begin:%H:%M:%S}-{begin + timedelta(seconds=600):%H:%M:%S}"
    assert any(line.startswith("TIEP SONG") and hours in line and "Dai PT-TH tinh Soc Trang" in line
               and "input:default" in line for line in index)
    assert any(line.startswith("TIEP SONG") and "18:00:00-18:30:00" in line and "VOV1" in line for line in index)
    # sáng is folder 01; chiều is cut at the relay: 02 before it, 03 after it (its own timer start)
    folders = sorted({f.split("/")[0] for f in result.files if "/" in f})
    assert folders == ["01", "02", "03"]
    row03 = next(line for line in index if line.startswith("03/001.mp3"))
    assert f"{base + timedelta(seconds=round((after.start - base).total_seconds())):%H:%M:%S}" in row03
    assert not any(line.startswith("04/") for line in index)     # the relay session has no folder


def test_csv_export_gives_the_relay_source_as_file(fake_folder, tmp_path):
    import csv as csvmod

    from broadcaster.export import export

    folder = relay_folder(fake_folder)
    project = load_project(folder)
    export(project, load_schedules(project), "csv", DAY, 1, tmp_path / "csv", station="xa-dai-tam")
    rows = list(csvmod.DictReader((tmp_path / "csv" / "plays.csv").open(encoding="utf-8", newline="")))
    relay = [r for r in rows if r["form"] == "tiep-song"]
    assert [(r["script"], r["file"], r["duration_s"]) for r in relay] == [
        ("vov1", "http://127.0.0.1:9/vov1.mp3", "1800.0")]


def test_programme_of_a_session_with_a_relay(fake_folder):
    from broadcaster.export.programme import prepare_programmes, write_programme

    folder = relay_folder(fake_folder)
    add_schedule(folder, MID_RELAY)
    project = load_project(folder)
    programmes = prepare_programmes(project, load_schedules(project), DAY, DAY, "xa-dai-tam")
    chieu = next(p for p in programmes if p.session.name == "chieu")
    mp3, playlist = write_programme(project, chieu)
    lines = playlist.read_text(encoding="utf-8").splitlines()
    assert "input:default" in lines and mp3.exists()
    vov = next(p for p in programmes if p.session.name == "vov")
    only, same = write_programme(project, vov)
    assert only == same and only.read_text(encoding="utf-8").splitlines()[-1] == "http://127.0.0.1:9/vov1.mp3"


# --- reports and log import -------------------------------------------------------------------------------------

def test_log_import_accepts_relay_ids_and_the_report_counts_them(fake_folder, tmp_path):
    import dataclasses

    from broadcaster.playlog.importer import import_file
    from broadcaster.playlog.store import open_store
    from broadcaster.report import render
    from broadcaster.report.aggregate import build_report, month_period

    folder = relay_folder(fake_folder)
    project = dataclasses.replace(load_project(folder), database_url=f"sqlite:///{tmp_path / 'log.db'}")
    src = tmp_path / "asplayed.csv"
    src.write_text("station,script,started_at,ended_at,status\r\n"
                   "xa-dai-tam,vov1,2024-08-05 18:00:00,2024-08-05 18:30:00,played\r\n"
                   "xa-dai-tam,vov1,2024-08-06 18:00:00,2024-08-06 18:20:00,played\r\n"
                   "xa-dai-tam,fm-tinh,2024-08-06 19:00:00,2024-08-06 19:15:00,played\r\n"
                   "xa-dai-tam,2g-thong-bao,2024-08-06 05:30:00,2024-08-06 05:31:00,played\r\n", encoding="utf-8")
    store = open_store(project)
    try:
        result = import_file(project, store, src)
        assert (result.new, result.existing) == (4, 0)
        rows = store.list_plays(station="xa-dai-tam")
        relay_rows = [r for r in rows if r["form"] == "tiep-song"]
        assert [(r["script"], r["campaign"], r["duration_s"]) for r in relay_rows] == [
            ("vov1", None, 1800.0), ("vov1", None, 1200.0), ("fm-tinh", None, 900.0)]
        report = build_report(project, store, month_period("2024-08"), plan=[])
        summary = {(r.campaign, r.form): r.counts for r in report.summary}
        assert summary[("", "tiep-song")].plays == 3 and summary[("", "tiep-song")].airtime_s == 3900.0
        assert report.form_name("tiep-song") == "Tiếp sóng"
        text = render(report, "csv")
        assert "Tiếp sóng" in text
        # a campaign report leaves relays out, unless the relay was named in that campaign
        assert build_report(project, store, month_period("2024-08"), campaign="dung-2g", plan=[]).totals.plays == 1
    finally:
        store.close()


def test_log_import_unknown_relay_is_refused(fake_folder, tmp_path):
    import dataclasses

    from broadcaster.playlog.importer import ImportRejected, import_file
    from broadcaster.playlog.store import open_store

    folder = relay_folder(fake_folder)
    project = dataclasses.replace(load_project(folder), database_url=f"sqlite:///{tmp_path / 'log.db'}")
    src = tmp_path / "asplayed.csv"
    src.write_text("station,script,started_at\r\nxa-dai-tam,vov2,2024-08-05 18:00:00\r\n", encoding="utf-8")
    store = open_store(project)
    try:
        with pytest.raises(ImportRejected) as info:
            import_file(project, store, src)
        assert 'kịch bản (hoặc nguồn tiếp sóng) không tồn tại "vov2"' in str(info.value)
        assert "vov1" in str(info.value)
        assert store.count() == 0
    finally:
        store.close()


def test_plan_of_a_range_reuses_weeks_only_where_nothing_changes(fake_folder):
    """expand_plan reuses a week's plan between change days: a relay item's campaign window (here
    mua-lu, 12–25/09/2024, used by no script) starts and ends such a stretch, as a script's validity does."""
    folder = relay_folder(fake_folder)
    cfg = folder / "broadcaster.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("campaigns:\n", '''campaigns:
  - id: mua-lu
    name: Phòng chống lũ
    from: 2024-09-12
    until: 2024-09-25
''', 1), encoding="utf-8")
    add_schedule(folder, '''from: 2024-09-01
until: 2024-10-31
stations: [tt-my-xuyen]
sessions: [chieu]
items:
  - {relay: fm-tinh, minutes: 5, campaign: mua-lu}
''')
    project = load_project(folder)
    schedules = load_schedules(project)
    start, end = date(2024, 9, 1), date(2024, 10, 31)
    whole = [p.as_dict() for p in expand_plan(project, schedules, start, end)]
    one_by_one = [p.as_dict() for i in range((end - start).days + 1)
                  for p in expand_plan(project, schedules, start + timedelta(days=i), start + timedelta(days=i))]
    assert whole == one_by_one
    relay_days = {p["date"] for p in whole if p["script"] == "fm-tinh"}
    assert min(relay_days) == "2024-09-12" and max(relay_days) == "2024-09-25" and len(relay_days) == 14
