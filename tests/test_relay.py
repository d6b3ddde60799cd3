"""Relays (tiếp sóng): config and schedule validation, plan rows, reports, log import, exports."""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from broadcaster.cli import cli
from broadcaster.config import inspect_project, load_project
from broadcaster.schedule.expand import expand_plan
from broadcaster.schedule.load import inspect_schedules, load_schedules

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
    assert [(r["script"], r["title"], r["duration_s"], r["start"]) for r in rows] == [
        ("vov1", "Đài Tiếng nói Việt Nam - VOV1", 1800.0, "2024-08-05T18:00:00")]
