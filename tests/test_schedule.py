"""Schedule stage: loading, validation (FILE:LINE problems) and expansion into planned plays."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from broadcaster.cli import main
from broadcaster.config import load_project
from broadcaster.errors import ProblemsError
from broadcaster.timeutil import duration_text
from broadcaster.schedule import expand_plan, inspect_schedules, load_schedules
from broadcaster.schedule.expand import (ITEM_GAP_S, Durations, estimate_seconds, identity_texts,
                                         per_week_slots, session_word)
from conftest import copy_sample

CONTRACT_KEYS = {"station", "date", "session", "start", "script", "title", "campaign", "duration_s"}


def folder_with(tmp_path: Path, schedule: str | None, name: str = "2g.yaml", config_edit=None) -> Path:
    """A copy of the sample folder whose schedules/ holds only ``schedule`` (None: the sample's)."""
    folder = copy_sample(tmp_path / "work")
    if schedule is not None:
        for old in (folder / "schedules").glob("*.yaml"):
            old.unlink()
        (folder / "schedules" / name).write_text(schedule, encoding="utf-8")
    if config_edit:
        cfg = folder / "broadcaster.yaml"
        cfg.write_text(config_edit(cfg.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def problems_of(folder: Path):
    project = load_project(folder)
    return inspect_schedules(project)[1]


def only(problems, severity="error"):
    return [p for p in problems if p.severity == severity]


BASE = """\
stations: all
from: 2024-08-05
until: 2024-08-11
sessions: [sang, chieu]
items:
"""


# --- the sample -------------------------------------------------------------------------------

def test_sample_schedule_is_clean(tmp_path):
    folder = folder_with(tmp_path, None)
    assert problems_of(folder) == []
    (schedule,) = load_schedules(load_project(folder))
    assert schedule.stations == ("tt-my-xuyen", "xa-dai-tam", "xa-tham-don", "xa-ngoc-to")
    assert schedule.file == "schedules/2g.yaml"


def test_sample_plan_on_a_monday(tmp_path):
    project = load_project(folder_with(tmp_path, None))
    plays = expand_plan(project, load_schedules(project), date(2024, 7, 15), date(2024, 7, 15))
    # 4 stations: morning = thong-bao + huong-dan (Monday), afternoon = thong-bao (nhac-nho starts 01/08)
    assert len(plays) == 4 * 3
    assert [p.start for p in plays] == sorted(p.start for p in plays)
    morning = [p for p in plays if p.station == "tt-my-xuyen" and p.session == "sang"]
    assert [(p.position, p.script) for p in morning] == [(1, "2g-thong-bao"), (2, "2g-huong-dan")]
    assert morning[0].priority == "priority"
    assert morning[0].medium == "loa-day"
    assert CONTRACT_KEYS <= set(morning[0].as_dict())
    json.dumps([p.as_dict() for p in plays])


def test_sample_plan_respects_excluded_day_range_and_validity(tmp_path):
    project = load_project(folder_with(tmp_path, None))
    schedules = load_schedules(project)
    assert expand_plan(project, schedules, date(2024, 9, 2), date(2024, 9, 2)) == []   # holiday
    assert expand_plan(project, schedules, date(2024, 10, 1), date(2024, 10, 7)) == []  # after until
    august = expand_plan(project, schedules, date(2024, 8, 1), date(2024, 8, 1), station="xa-dai-tam")
    assert [p.script for p in august if p.session == "chieu"] == ["2g-thong-bao", "2g-nhac-nho"]
    july = expand_plan(project, schedules, date(2024, 7, 31), date(2024, 7, 31), station="xa-dai-tam")
    assert "2g-nhac-nho" not in {p.script for p in july}


def test_start_times_follow_opening_gaps_and_durations(tmp_path):
    project = load_project(folder_with(tmp_path, None))
    durations = Durations(project, records={})
    plays = expand_plan(project, load_schedules(project), date(2024, 7, 15), date(2024, 7, 15),
                        station="xa-tham-don", durations=durations)
    assert durations.estimated
    first, second = [p for p in plays if p.session == "sang"]
    station = project.station("xa-tham-don")
    opening = durations.identity(station, "sang", "opening")
    session_start = datetime(2024, 7, 15, 6, 0)
    assert abs((first.start - session_start).total_seconds() - (opening + ITEM_GAP_S)) < 0.01
    assert abs((second.start - first.start).total_seconds() - (first.duration_s + ITEM_GAP_S)) < 0.01


def test_estimate_grows_with_text_and_repeat(tmp_path):
    project = load_project(folder_with(tmp_path, None))
    short = estimate_seconds(project, "Kính thưa bà con.")
    longer = estimate_seconds(project, "Kính thưa bà con. " * 10)
    assert 0 < short < longer
    assert estimate_seconds(project, "Xin chào.", repeat=2) > 2 * estimate_seconds(project, "Xin chào.", chime=False)


def test_identity_texts_and_session_words():
    from broadcaster.models import Station

    station = Station("xa-a", "Đài truyền thanh xã A", "fm", ())
    opening, closing = identity_texts(station, "chieu")
    assert opening == "Đây là Đài truyền thanh xã A. Sau đây là chương trình phát thanh phiên chiều."
    assert closing.startswith("Đài truyền thanh xã A vừa kết thúc chương trình phát thanh phiên chiều.")
    assert [session_word(s) for s in ("sang", "trua", "chieu", "toi", "ca-3")] == ["sáng", "trưa", "chiều", "tối", "ca-3"]
    custom = Station("xa-a", "Đài A", "fm", (), opening="Alô alô, đây là {station}, phiên {session}.")
    assert identity_texts(custom, "sang")[0] == "Alô alô, đây là Đài A, phiên sáng."


def test_duration_text():
    assert duration_text(30 * 60) == "30 phút"
    assert duration_text(34 * 60 + 12) == "34 phút 12 giây"
    assert duration_text(45) == "45 giây"


# --- model features -----------------------------------------------------------------------------

def test_emergency_goes_first_at_session_start(tmp_path):
    folder = folder_with(tmp_path, BASE + """\
  - {script: 2g-huong-dan}
  - {script: 2g-thong-bao}
  - {script: 2g-nhac-nho, priority: emergency, dates: [2024-08-06]}
""")
    project = load_project(folder)
    plays = expand_plan(project, load_schedules(project), date(2024, 8, 6), date(2024, 8, 6), station="xa-dai-tam")
    morning = [p for p in plays if p.session == "sang"]
    assert [(p.position, p.script, p.priority) for p in morning] == [
        (1, "2g-nhac-nho", "emergency"), (2, "2g-thong-bao", "priority"), (3, "2g-huong-dan", "normal")]
    assert morning[0].start == datetime(2024, 8, 6, 5, 30)
    other_day = expand_plan(project, load_schedules(project), date(2024, 8, 7), date(2024, 8, 7), station="xa-dai-tam")
    assert "2g-nhac-nho" not in {p.script for p in other_day}


def test_per_week_is_spread_evenly_and_deterministic(tmp_path):
    folder = folder_with(tmp_path, BASE.replace("until: 2024-08-11", "until: 2024-08-25") + """\
  - {script: 2g-huong-dan, per_week: 3}
""")
    project = load_project(folder)
    schedules = load_schedules(project)
    plays = expand_plan(project, schedules, date(2024, 8, 5), date(2024, 8, 25), station="xa-tham-don")
    assert len(plays) == 9  # three weeks × 3
    slots = [(p.date.weekday(), p.session) for p in plays]
    assert slots[:3] == [(0, "sang"), (2, "sang"), (4, "chieu")]
    assert slots[:3] == slots[3:6] == slots[6:]
    assert per_week_slots(range(7), ["sang", "chieu"], 3) == per_week_slots(range(7), ["sang", "chieu"], 3)
    assert len(per_week_slots(range(5), ["sang"], 5)) == 5


def test_days_dates_and_exclude(tmp_path):
    folder = folder_with(tmp_path, """\
stations: [xa-dai-tam]
from: 2024-08-05
until: 2024-08-11
days: [mon, thu]
dates: [2024-08-17]
exclude: [08/08/2024]
sessions: [sang]
items: [2g-thong-bao]
""")
    project = load_project(folder)
    plays = expand_plan(project, load_schedules(project), date(2024, 8, 1), date(2024, 8, 31))
    assert [p.date for p in plays] == [date(2024, 8, 5), date(2024, 8, 17)]


def test_station_groups_and_item_sessions(tmp_path):
    folder = folder_with(tmp_path, """\
stations: xa-fm
from: 2024-08-05
until: 2024-08-05
items:
  - {script: 2g-thong-bao, sessions: [chieu]}
""")
    project = load_project(folder)
    plays = expand_plan(project, load_schedules(project), date(2024, 8, 5), date(2024, 8, 5))
    assert {(p.station, p.session) for p in plays} == {("xa-dai-tam", "chieu"), ("xa-tham-don", "chieu")}


def test_station_tag_group_and_filter(tmp_path):
    folder = folder_with(tmp_path, BASE.replace("stations: all", "stations: [thi-tran, xa-ngoc-to]") + "  - 2g-thong-bao\n")
    project = load_project(folder)
    schedules = load_schedules(project)
    assert schedules[0].stations == ("tt-my-xuyen", "xa-ngoc-to")
    only_one = expand_plan(project, schedules, date(2024, 8, 5), date(2024, 8, 5), station="xa-ngoc-to")
    assert {p.station for p in only_one} == {"xa-ngoc-to"}


def test_two_schedules_share_a_session(tmp_path):
    folder = folder_with(tmp_path, BASE + "  - 2g-huong-dan\n", name="a.yaml")
    (folder / "schedules" / "b.yaml").write_text(BASE + "  - 2g-thong-bao\n", encoding="utf-8")
    project = load_project(folder)
    plays = expand_plan(project, load_schedules(project), date(2024, 8, 5), date(2024, 8, 5), station="xa-dai-tam")
    morning = [p.script for p in plays if p.session == "sang"]
    assert morning == ["2g-thong-bao", "2g-huong-dan"]  # priority before normal, across files


def test_unknown_station_in_plan_suggests(tmp_path):
    from broadcaster.errors import BroadcasterError

    project = load_project(folder_with(tmp_path, None))
    with pytest.raises(BroadcasterError, match='có phải ý bạn là "xa-dai-tam"'):
        expand_plan(project, load_schedules(project), date(2024, 8, 5), date(2024, 8, 5), station="xa-dai-ta")


# --- validation: each problem with FILE:LINE ---------------------------------------------------------

@pytest.mark.parametrize("schedule, line, words", [
    (BASE.replace("stations: all", "stations: [xa-dai-ta]") + "  - 2g-thong-bao\n", 1,
     ['đài không tồn tại "xa-dai-ta"', 'có phải ý bạn là "xa-dai-tam"']),
    (BASE.replace("sessions: [sang, chieu]", "sessions: [sang, chieuu]") + "  - 2g-thong-bao\n", 4,
     ['phiên không tồn tại "chieuu"', 'có phải ý bạn là "chieu"']),
    (BASE + "  - {script: 2g-thong-bao}\n  - {script: 2g-thong-bo}\n", 7,
     ['kịch bản không tồn tại "2g-thong-bo"', 'có phải ý bạn là "2g-thong-bao"']),
    (BASE.replace("sessions:", "sesions:") + "  - 2g-thong-bao\n", 4,
     ['khóa không hợp lệ "sesions"', 'có phải ý bạn là "sessions"']),
    (BASE + "  - {script: 2g-thong-bao, day: [mon]}\n", 6, ['khóa không hợp lệ "day"', '"days"']),
    (BASE.replace("until: 2024-08-11", "until: 2024-08-01") + "  - 2g-thong-bao\n", 3,
     ["ngày kết thúc (until 01/08/2024) trước ngày bắt đầu (from 05/08/2024)"]),
    (BASE.rstrip() + " []\n", 5, ["lịch phát không có mục nào"]),
    (BASE + "  - {script: 2g-thong-bao, days: [mon, frii]}\n", 6, ['thứ không hợp lệ "frii"', '"fri"']),
    (BASE + "  - {script: 2g-thong-bao, per_week: 30}\n", 6, ['"per_week" phải là số nguyên từ 1 đến 14']),
    (BASE + "  - {script: 2g-thong-bao, priority: urgent}\n", 6, ['mức ưu tiên không hợp lệ "urgent"']),
    (BASE.replace("from: 2024-08-05", "from: 2025-01-01").replace("until: 2024-08-11", "until: 2025-01-31")
     + "  - 2g-thong-bao\n", 6, ['chiến dịch "dung-2g"', "nằm hoàn toàn ngoài thời gian chiến dịch"]),
])
def test_schedule_errors(tmp_path, schedule, line, words):
    folder = folder_with(tmp_path, schedule)
    errors = only(problems_of(folder))
    assert errors, "expected an error"
    text = "\n".join(str(p) for p in errors)
    assert errors[0].file == "schedules/2g.yaml" and errors[0].line == line, text
    for word in words:
        assert word in text


def test_campaign_partly_outside_is_a_warning(tmp_path):
    folder = folder_with(tmp_path, BASE.replace("until: 2024-08-11", "until: 2024-10-15") + "  - 2g-thong-bao\n")
    problems = problems_of(folder)
    assert not only(problems)
    text = "\n".join(str(p) for p in only(problems, "warning"))
    assert "schedules/2g.yaml:6: cảnh báo:" in text and "ngoài thời gian chiến dịch" in text
    project = load_project(folder)
    assert expand_plan(project, load_schedules(project), date(2024, 10, 1), date(2024, 10, 15)) == []


def test_expired_script_inside_range_is_a_warning(tmp_path):
    folder = folder_with(tmp_path, BASE.replace("from: 2024-08-05", "from: 2024-07-20") + "  - 2g-nhac-nho\n")
    warnings = only(problems_of(folder), "warning")
    assert any('kịch bản "2g-nhac-nho" chỉ có hiệu lực 01/08/2024–30/09/2024' in p.message for p in warnings)
    assert warnings[0].line == 6


def overflow_config(text: str) -> str:
    return text.replace('{name: sang, start: "05:30", end: "06:00"}\n      - {name: chieu, start: "17:00", end: "17:30"}\n  - id: xa-dai-tam',
                        '{name: sang, start: "05:30", end: "05:32"}\n      - {name: chieu, start: "17:00", end: "17:30"}\n  - id: xa-dai-tam', 1)


def test_overflowing_session_is_an_error_with_numbers(tmp_path):
    folder = folder_with(tmp_path, None, config_edit=overflow_config)
    errors = only(problems_of(folder))
    assert len(errors) >= 1
    first = errors[0]
    assert first.file == "schedules/2g.yaml" and first.line in (13, 14)
    assert "đài tt-my-xuyen" in first.message
    assert "phiên sáng 05:30–05:32 dài 2 phút, chương trình dài " in first.message
    assert "ước tính" in first.message
    assert "ngày, từ 15/07/2024 đến" in first.message  # grouped: one message for many days


def test_overlapping_sessions_reported_once(tmp_path, capsys):
    def overlap(text):
        return text.replace('{name: chieu, start: "17:00", end: "17:30"}\n  - id: xa-dai-tam',
                            '{name: chieu, start: "05:45", end: "06:15"}\n  - id: xa-dai-tam', 1)

    folder = folder_with(tmp_path, None, config_edit=overlap)
    assert main(["--project", str(folder), "check"]) == 1
    assert capsys.readouterr().out.count("trùng giờ") == 1


def test_load_schedules_raises_with_every_problem(tmp_path):
    folder = folder_with(tmp_path, BASE.replace("stations: all", "stations: [nowhere]") + "  - {script: missing}\n")
    with pytest.raises(ProblemsError) as info:
        load_schedules(load_project(folder))
    assert len([p for p in info.value.problems if p.severity == "error"]) == 2


def test_yaml_problems_come_from_the_loader(tmp_path):
    folder = folder_with(tmp_path, "items: [\n")
    errors = only(problems_of(folder))
    assert errors[0].file == "schedules/2g.yaml" and "YAML" in errors[0].message


@pytest.mark.parametrize("case", ["unknown_script", "overflow", "unknown_key", "empty"])
def test_check_command_fails_and_writes_nothing(tmp_path, capsys, case):
    schedules = {
        "unknown_script": BASE + "  - 2g-thong-bo\n",
        "unknown_key": BASE + "  - {script: 2g-thong-bao, sesions: [sang]}\n",
        "empty": BASE + "  []\n",
        "overflow": None,
    }
    folder = folder_with(tmp_path, schedules[case], config_edit=overflow_config if case == "overflow" else None)
    assert main(["--project", str(folder), "check"]) == 1
    out = capsys.readouterr().out
    assert "schedules/2g.yaml:" in out
    assert not (folder / "audio_out").exists()
    assert main(["--project", str(folder), "plan", "--from", "2024-08-05"]) == 1
    assert main(["--project", str(folder), "program", "--date", "2024-08-05"]) == 1
    assert not (folder / "audio_out" / "programs").exists()


def test_plan_performance_small(tmp_path):
    project = load_project(folder_with(tmp_path, None))
    schedules = load_schedules(project)
    started = datetime.now()
    plays = expand_plan(project, schedules, date(2024, 7, 15), date(2024, 9, 30))
    assert (datetime.now() - started) < timedelta(seconds=2)
    assert len(plays) > 500


def test_an_item_whose_weekdays_never_fall_in_its_range_is_warned_about(tmp_path):
    # Trial B7 in a file: 06/08–07/08/2024 are Tuesday and Wednesday; the item plays on Mondays only.
    folder = folder_with(tmp_path, BASE + "  - script: 2g-thong-bao\n"
                                          "  - {script: 2g-huong-dan, days: [mon], from: 2024-08-06, until: 2024-08-07}\n")
    problems = problems_of(folder)
    assert only(problems) == []  # the rest of the schedule still plays
    assert [str(p) for p in only(problems, "warning")] == [
        'schedules/2g.yaml:7: cảnh báo: mục "2g-huong-dan" không bao giờ phát: từ 06/08/2024 đến 07/08/2024 không có '
        'ngày nào là Thứ Hai — sửa ngày (from/until) hoặc thứ (days) của mục cho khớp nhau']
    assert main(["--project", str(folder), "check"]) == 0


def test_item_weekdays_outside_the_schedules_weekdays_never_play(tmp_path):
    folder = folder_with(tmp_path, BASE.replace("sessions:", "days: [sat, sun]\nsessions:")
                         + "  - script: 2g-thong-bao\n  - {script: 2g-huong-dan, days: [mon]}\n")
    warnings = [p.message for p in only(problems_of(folder), "warning")]
    assert warnings == ['mục "2g-huong-dan" không bao giờ phát: từ 05/08/2024 đến 11/08/2024 không có ngày nào là '
                        'Thứ Hai — sửa ngày (from/until) hoặc thứ (days) của mục cho khớp nhau']


def test_a_week_long_range_always_holds_every_weekday(tmp_path):
    folder = folder_with(tmp_path, BASE + "  - {script: 2g-thong-bao, days: [sun], from: 2024-08-05, until: 2024-08-11}\n")
    assert not [p for p in problems_of(folder) if "không bao giờ phát" in p.message]
