"""Loading the working folder: every bad input is one FILE:LINE problem that says what to fix."""
from __future__ import annotations

from pathlib import Path

import pytest

from broadcaster.cli import main
from broadcaster import config
from broadcaster.workdir import inspect_project, load_project  # config + the speech stage's engine/voice checks
from broadcaster.errors import ProblemsError

GOOD_SCRIPT = """id: {id}
title: Thông báo
campaign: dung-2g
form: thong-bao
priority: normal
repeat: 1
text: |
  Kính thưa bà con.
"""


def problems_for(folder: Path) -> list[str]:
    _, problems = inspect_project(folder)
    return [str(p) for p in problems if p.severity == "error"]


def write_script(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / "scripts" / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_sample_folder_loads_clean(fake_folder):
    project = load_project(fake_folder)
    assert len(project.scripts) >= 3
    assert {s.medium for s in project.stations} <= {"loa-day", "fm", "ip"}
    assert project.campaign("dung-2g").start.isoformat() == "2024-07-15"
    assert all(len(st.sessions) == 2 for st in project.stations)


@pytest.mark.parametrize("content, expected", [
    ("id: a\ntitle: x: y\ntext: z\n", "scripts/bad.yaml:2: lỗi cú pháp YAML"),
    ("", "scripts/bad.yaml:1: tệp rỗng"),
    ("# only a comment\n", "scripts/bad.yaml:1: tệp rỗng"),
    (GOOD_SCRIPT.format(id="x").replace("priority:", "prority:"), 'scripts/bad.yaml:5: khóa không hợp lệ "prority" (có phải ý bạn là "priority"?)'),
    ("id: x\ntext: a\n", 'thiếu trường bắt buộc "title"'),
    (GOOD_SCRIPT.format(id="x").replace("  Kính thưa bà con.\n", "  \n"), "scripts/bad.yaml:7: nội dung đọc (text) đang trống"),
    (GOOD_SCRIPT.format(id="../x"), 'scripts/bad.yaml:1: mã "../x" không dùng được làm tên tệp'),
    ("id: x\ntitle: !!python/object/apply:os.system ['echo pwned > /tmp/pwned']\ntext: a\n", "scripts/bad.yaml:2: thẻ YAML không được phép"),
    (GOOD_SCRIPT.format(id="x").replace("repeat: 1", "repeat: 99"), "scripts/bad.yaml:6: số lần đọc (repeat) = 99 nằm ngoài khoảng 1–10"),
    (GOOD_SCRIPT.format(id="x").replace("priority: normal", "priority: urgent"), 'scripts/bad.yaml:5: mức ưu tiên (priority) không hợp lệ "urgent" — chọn một trong: emergency, normal, priority'),
    (GOOD_SCRIPT.format(id="x").replace("form: thong-bao", "form: thongbao"), 'hình thức (form) không hợp lệ "thongbao" (có phải ý bạn là "thong-bao"?)'),
    (GOOD_SCRIPT.format(id="x").replace("campaign: dung-2g", "campaign: dung-3g"), 'scripts/bad.yaml:3: chiến dịch (campaign) không hợp lệ "dung-3g" (có phải ý bạn là "dung-2g"?) — chọn một trong: dung-2g'),
    (GOOD_SCRIPT.format(id="x") + "engine: espeek\n", 'scripts/bad.yaml:9: công cụ đọc (engine) không hợp lệ "espeek" (có phải ý bạn là "espeak"?)'),
    (GOOD_SCRIPT.format(id="x") + "id: y\n", 'scripts/bad.yaml:9: khóa "id" xuất hiện hai lần (lần đầu ở dòng 1)'),
    (GOOD_SCRIPT.format(id="x") + "valid: {from: 2024-09-30, until: 2024-07-01}\n", "ngày hết hiệu lực (2024-07-01) trước ngày bắt đầu (2024-09-30)"),
    (GOOD_SCRIPT.format(id="x") + "valid: {from: 31/02/2024}\n", 'ngày không hợp lệ "31/02/2024"'),
])
def test_bad_script_reported_with_file_and_line(fake_folder, content, expected):
    write_script(fake_folder, "bad.yaml", content)
    found = problems_for(fake_folder)
    assert any(expected in p for p in found), found
    assert not Path("/tmp/pwned").exists() or "pwned" not in content


def test_not_utf8_names_the_encoding(fake_folder):
    write_script(fake_folder, "cp.yaml", GOOD_SCRIPT.format(id="x").encode("cp1258"))
    found = problems_for(fake_folder)
    assert any(p.startswith("scripts/cp.yaml:2: tệp không phải UTF-8 (có vẻ là Windows-1258") for p in found), found


def test_duplicate_script_id(fake_folder):
    write_script(fake_folder, "zz-copy.yaml", GOOD_SCRIPT.format(id="2g-thong-bao"))
    found = problems_for(fake_folder)
    assert any(p.startswith("scripts/zz-copy.yaml:1: mã \"2g-thong-bao\" bị trùng (đã dùng ở scripts/2g-thong-bao.yaml)") for p in found), found


def test_all_problems_collected_at_once(fake_folder):
    write_script(fake_folder, "a.yaml", "")
    write_script(fake_folder, "b.yaml", GOOD_SCRIPT.format(id="b").replace("repeat: 1", "repeat: 0"))
    cfg = fake_folder / "broadcaster.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("organization:", "organisation:"), encoding="utf-8")
    found = problems_for(fake_folder)
    assert any("scripts/a.yaml" in p for p in found)
    assert any("scripts/b.yaml" in p for p in found)
    assert any(p.startswith('broadcaster.yaml:2: khóa không hợp lệ "organisation" (có phải ý bạn là "organization"?)') for p in found)


@pytest.mark.parametrize("old, new, expected", [
    ('start: "05:30", end: "06:00"}\n      - {name: chieu, start: "17:00", end: "17:30"}\n  - id: xa-dai-tam',
     'start: "05:30", end: "06:00"}\n      - {name: chieu, start: "17:00", end: "16:30"}\n  - id: xa-dai-tam',
     'broadcaster.yaml:14: phiên "chieu" kết thúc (16:30) không sau giờ bắt đầu (17:00)'),
    ('{name: sang, start: "05:30", end: "06:00"}', '{name: sang, start: "25:30", end: "06:00"}', 'broadcaster.yaml:13: giờ không hợp lệ "25:30"'),
    ("  engine: espeak\n", "  engine: gtt\n", 'công cụ đọc (engine) không hợp lệ "gtt" (có phải ý bạn là "gtts"?)'),
    ("    media: loa-day\n", "    media: loa\n", 'phương tiện (media) không hợp lệ "loa"'),
    ("  profile: standard\n", "  profile: ip4g\n", 'cấu hình âm thanh (profile) không hợp lệ "ip4g" (có phải ý bạn là "ip-4g"?)'),
])
def test_bad_config(fake_folder, old, new, expected):
    cfg = fake_folder / "broadcaster.yaml"
    text = cfg.read_text(encoding="utf-8")
    if "engine: espeak" in old:
        text = text.replace("  engine: fake\n", "  engine: espeak\n")
    assert old in text
    cfg.write_text(text.replace(old, new, 1), encoding="utf-8")
    found = problems_for(fake_folder)
    assert any(expected in p for p in found), found


def test_overlapping_sessions(fake_folder):
    cfg = fake_folder / "broadcaster.yaml"
    text = cfg.read_text(encoding="utf-8").replace('{name: chieu, start: "17:00", end: "17:30"}', '{name: chieu, start: "05:45", end: "06:30"}', 1)
    cfg.write_text(text, encoding="utf-8")
    assert any('trùng giờ với phiên "sang"' in p for p in problems_for(fake_folder))


def test_two_sessions_of_one_station_with_the_same_name(fake_folder):
    """Two sessions "sang" at one station: plan, confirm and export key sessions by name, so the 17:00 one's items
    would be played (and confirmed) at 05:30."""
    cfg = fake_folder / "broadcaster.yaml"
    text = cfg.read_text(encoding="utf-8")
    assert '      - {name: chieu, start: "17:00", end: "17:30"}\n' in text
    cfg.write_text(text.replace('      - {name: chieu, start: "17:00", end: "17:30"}\n',
                                '      - {name: sang, start: "17:00", end: "17:30"}\n', 1), encoding="utf-8")
    found = problems_for(fake_folder)
    assert any(p.startswith('broadcaster.yaml:14: tên phiên "sang" bị trùng với phiên sang 05:30–06:00 của đài này — đặt '
                                  'một tên khác, ví dụ "sang-2"') for p in found), found


def test_a_script_text_longer_than_any_session_is_refused_before_it_is_built(fake_folder):
    """A whole document pasted as one script: building it held about 1.6 MB per sentence (20,000 sentences took
    23 GB and the console was killed by the system). The check refuses it at FILE:LINE with the way out."""
    write_script(fake_folder, "dai.yaml", "id: dai\ntitle: Dài\ntext: |\n  " + "Kính thưa bà con. " * 1200 + "\n")
    found = problems_for(fake_folder)
    assert any(p.startswith("scripts/dai.yaml:3: nội dung đọc (text) dài 21601 ký tự, quá 20000 ký tự (khoảng 33 "
                            "phút đọc") and
               "tách thành nhiều kịch bản" in p for p in found), found
    write_script(fake_folder, "dai.yaml", "id: dai\ntitle: Dài\ntext: |\n  " + "Kính thưa bà con. " * 1100 + "\n")
    assert not [p for p in problems_for(fake_folder) if "dai.yaml" in p]


def test_load_project_raises_with_every_problem(fake_folder):
    write_script(fake_folder, "a.yaml", "")
    with pytest.raises(ProblemsError) as info:
        load_project(fake_folder)
    assert "scripts/a.yaml:1: tệp rỗng" in str(info.value)


def test_bad_input_build_exits_1_and_writes_nothing(fake_folder, capsys):
    write_script(fake_folder, "bad.yaml", GOOD_SCRIPT.format(id="x").replace("repeat: 1", "repeat: 50"))
    code = main(["--project", str(fake_folder), "build"])
    err = capsys.readouterr().err
    assert code == 1
    assert "scripts/bad.yaml:6:" in err and "Traceback" not in err
    assert not list((fake_folder).rglob("*.mp3"))


def test_check_exit_codes(fake_folder, capsys):
    assert main(["--project", str(fake_folder), "check"]) == 0
    write_script(fake_folder, "bad.yaml", "id: x\n")
    assert main(["--project", str(fake_folder), "check"]) == 1
    out = capsys.readouterr().out
    assert 'scripts/bad.yaml:1: thiếu trường bắt buộc "title"' in out


def test_missing_config_is_explained(tmp_path, capsys):
    assert main(["--project", str(tmp_path), "build"]) == 1
    err = capsys.readouterr().err
    assert "không thấy tệp broadcaster.yaml" in err and "broadcaster init THƯ_MỤC" in err
    assert "--project THƯ_MỤC" in err  # the shell names its flag …
    assert main(["--project", str(tmp_path), "check"]) == 1
    assert "không thấy tệp broadcaster.yaml" in (out := capsys.readouterr().out) and "--project THƯ_MỤC" in out
    with pytest.raises(config.MissingConfig) as info:
        load_project(tmp_path)
    assert "--" not in str(info.value)  # … the stage does not (web users never see flags)


def test_config_reads_names_and_lines_speech_judges_them(fake_folder):
    """config keeps an unknown engine as written, with its line; the speech stage's check reports it."""
    write_script(fake_folder, "e.yaml", GOOD_SCRIPT.format(id="e") + "engine: espeek\nvoice: x\n")
    project, problems = config.inspect_project(fake_folder)
    assert not [p for p in problems if p.severity == "error"]
    script = project.script("e")
    assert (script.engine, script.lines["engine"], script.lines["voice"]) == ("espeek", 9, 10)
    assert project.speech_lines["engine"] == project.speech_lines["voice"] - 1
    assert [str(p) for p in inspect_project(fake_folder)[1] if p.file == "scripts/e.yaml"] == [
        'scripts/e.yaml:9: công cụ đọc (engine) không hợp lệ "espeek" (có phải ý bạn là "espeak"?)'
        ' — chọn một trong: auto, edge, espeak, fake, gtts, piper']


def test_usage_error_exit_2(capsys):
    assert main(["plan-nothing"]) == 2
    assert main(["say", "xin chào"]) == 2


def test_khmer_script_needs_an_engine_that_reads_khmer(fake_folder):
    cfg = fake_folder / "broadcaster.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("  engine: fake\n", "  engine: espeak\n")
                   .replace("  voice: fake\n", "  voice: vi-vn-x-south\n"), encoding="utf-8")
    write_script(fake_folder, "km.yaml", GOOD_SCRIPT.format(id="km") + "language: km\n")
    found = problems_for(fake_folder)
    assert any(p.startswith('scripts/km.yaml:9: công cụ đọc "espeak" không đọc được tiếng Khmer (km)') and "gtts" in p
               for p in found), found
    # The same script with an engine that has Khmer is accepted.
    write_script(fake_folder, "km.yaml", GOOD_SCRIPT.format(id="km") + "language: km\nengine: gtts\n")
    assert problems_for(fake_folder) == []


def test_misspelt_voice_is_an_error_and_another_engines_voice_a_warning(fake_folder):
    cfg = fake_folder / "broadcaster.yaml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace("  voice: fake\n", "  voice: klingon\n"), encoding="utf-8")
    found = problems_for(fake_folder)
    assert any('giọng đọc (voice) của công cụ fake không hợp lệ "klingon"' in p for p in found), found
    cfg.write_text(text.replace("  voice: fake\n", "  voice: vi-vn-x-south\n"), encoding="utf-8")
    _, problems = inspect_project(fake_folder)
    assert [p.severity for p in problems] == ["warning"]
    assert 'giọng "vi-vn-x-south" không thuộc công cụ fake' in str(problems[0])
    write_script(fake_folder, "v.yaml", GOOD_SCRIPT.format(id="v") + "voice: fake-3\n")
    assert any(p.startswith("scripts/v.yaml:9:") and '"fake-3" (có phải ý bạn là' in p for p in problems_for(fake_folder))


def test_lexicon_is_read_by_the_one_yaml_reader(fake_folder):
    """lexicon.yaml: the same syntax/encoding messages as every other file, FILE:LINE, repeats only warn."""
    from broadcaster.yamlfile import MESSAGES as FILE_MESSAGES

    lexicon = fake_folder / "lexicon.yaml"
    lexicon.write_text('UBND: ủy ban\nUBND: "ủy ban nhân dân"\n', encoding="utf-8")
    project, problems = inspect_project(fake_folder)
    assert project.lexicon["UBND"] == "ủy ban nhân dân"
    assert [(p.file, p.line, p.severity) for p in problems if p.file == "lexicon.yaml"] == [("lexicon.yaml", 2, "warning")]
    lexicon.write_text("a: [b\n", encoding="utf-8")
    _, problems = inspect_project(fake_folder)
    broken = [p for p in problems if p.file == "lexicon.yaml"]
    assert len(broken) == 1 and broken[0].message.startswith(FILE_MESSAGES["syntax"].split("{")[0])
    lexicon.write_bytes("ĐTT: Đài\n".encode("cp1258"))
    _, problems = inspect_project(fake_folder)
    assert any(p.file == "lexicon.yaml" and "UTF-8" in p.message for p in problems), problems


@pytest.mark.parametrize("sessions", ["sessions: []", "sessions:", 'sessions: ""'])
def test_a_station_without_sessions_is_refused_at_its_line(fake_folder, capsys, sessions):
    cfg = fake_folder / "broadcaster.yaml"
    text = cfg.read_text(encoding="utf-8")
    old = ('    sessions:\n      - {name: sang, start: "05:30", end: "06:00"}\n'
           '      - {name: chieu, start: "17:00", end: "17:30"}\n  - id: xa-dai-tam')
    assert old in text and text.splitlines()[11] == "    sessions:"
    cfg.write_text(text.replace(old, f"    {sessions}\n  - id: xa-dai-tam", 1), encoding="utf-8")
    expected = ('broadcaster.yaml:12: đài "tt-my-xuyen" (Đài truyền thanh thị trấn Mỹ Xuyên) chưa có phiên phát nào '
                '(sessions:) — thêm ít nhất một phiên có tên, giờ bắt đầu và giờ kết thúc, ví dụ  '
                'sessions: [{name: sang, start: "05:30", end: "06:00"}]')
    assert expected in problems_for(fake_folder)
    assert main(["--project", str(fake_folder), "check"]) == 1
    assert expected in capsys.readouterr().out  # check prints its problems as its result


@pytest.mark.parametrize("value", ['""', "", "'   '"])
def test_an_empty_organisation_name_is_refused_at_its_line(fake_folder, capsys, value):
    cfg = fake_folder / "broadcaster.yaml"
    text = cfg.read_text(encoding="utf-8")
    assert text.splitlines()[1].startswith("organization: Trung tâm")
    cfg.write_text(text.replace(text.splitlines()[1], f"organization: {value}".rstrip(), 1), encoding="utf-8")
    expected = ("broadcaster.yaml:2: tên cơ quan/đơn vị (organization) đang trống — tên này đứng ở đầu báo cáo Word; "
                "ghi tên đầy đủ, ví dụ  organization: Trung tâm Văn hóa - Thể thao - Truyền thanh huyện Mỹ Xuyên")
    assert expected in problems_for(fake_folder)
    assert main(["--project", str(fake_folder), "check"]) == 1
    assert expected in capsys.readouterr().out  # check prints its problems as its result


def test_a_folder_without_organization_key_keeps_the_shipped_default(fake_folder):
    cfg = fake_folder / "broadcaster.yaml"
    lines = cfg.read_text(encoding="utf-8").splitlines(keepends=True)
    cfg.write_text("".join(line for line in lines if not line.startswith("organization:")), encoding="utf-8")
    assert problems_for(fake_folder) == []
    assert load_project(fake_folder).organization == "Đài truyền thanh"


def test_a_script_title_over_the_limit_is_refused_at_its_line(fake_folder, capsys):
    write_script(fake_folder, "dai.yaml", GOOD_SCRIPT.format(id="dai").replace("title: Thông báo",
                                                                              "title: " + "Thông báo " * 30))
    assert ("scripts/dai.yaml:2: tiêu đề (title) dài 299 ký tự, quá giới hạn 200 ký tự — viết ngắn lại, tối đa 200 ký tự"
            in problems_for(fake_folder))
    write_script(fake_folder, "dai.yaml", GOOD_SCRIPT.format(id="dai").replace("title: Thông báo", "title: " + "t" * 200))
    assert problems_for(fake_folder) == []


def test_names_over_their_limits_in_broadcaster_yaml_are_refused_at_their_lines(fake_folder):
    cfg = fake_folder / "broadcaster.yaml"
    text = cfg.read_text(encoding="utf-8")
    assert "    name: Đài truyền thanh xã Đại Tâm\n" in text and "{name: sang, " in text
    text = text.replace("    name: Đài truyền thanh xã Đại Tâm\n", "    name: " + "Đ" * 201 + "\n", 1)
    text = text.replace("{name: sang, ", "{name: " + "s" * 41 + ", ", 1)
    cfg.write_text(text, encoding="utf-8")
    found = problems_for(fake_folder)
    assert any(p.endswith("tên đài (name) dài 201 ký tự, quá giới hạn 200 ký tự — viết ngắn lại, tối đa 200 ký tự")
               and p.startswith("broadcaster.yaml:") for p in found), found
    assert any("tên phiên (name) dài 41 ký tự, quá giới hạn 40 ký tự" in p for p in found), found


def test_a_station_with_no_sessions_key_gets_the_same_helpful_message(fake_folder, capsys):
    # Trial B4: the key left out got only 'thiếu trường bắt buộc "sessions"'.
    cfg = fake_folder / "broadcaster.yaml"
    text = cfg.read_text(encoding="utf-8")
    old = ('    sessions:\n      - {name: sang, start: "05:30", end: "06:00"}\n'
           '      - {name: chieu, start: "17:00", end: "17:30"}\n  - id: xa-dai-tam')
    assert old in text and text.splitlines()[7] == "  - id: tt-my-xuyen"
    cfg.write_text(text.replace(old, "  - id: xa-dai-tam", 1), encoding="utf-8")
    expected = ('broadcaster.yaml:8: đài "tt-my-xuyen" (Đài truyền thanh thị trấn Mỹ Xuyên) chưa có phiên phát nào '
                '(sessions:) — thêm ít nhất một phiên có tên, giờ bắt đầu và giờ kết thúc, ví dụ  '
                'sessions: [{name: sang, start: "05:30", end: "06:00"}]')
    problems = problems_for(fake_folder)
    assert expected in problems and not any("thiếu trường bắt buộc" in p for p in problems)
    assert main(["--project", str(fake_folder), "check"]) == 1
    out = capsys.readouterr().out
    assert expected in out
    # No knock-on warning per schedule item: the station's missing sessions are said once, above.
    assert "không có ở đài tt-my-xuyen" not in out and "tt-my-xuyen" not in out.replace(expected, "")


@pytest.mark.parametrize("value", ["name: ''", "name: '   '", "name:", None])
def test_a_station_without_a_name_is_refused_at_its_line(fake_folder, capsys, value):
    # Trial B1: a blank name saved, and the opening clip and the Word report's "Đài" cell came out empty.
    cfg = fake_folder / "broadcaster.yaml"
    lines = cfg.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[8] == "    name: Đài truyền thanh thị trấn Mỹ Xuyên\n"
    if value is None:
        del lines[8]
        line = 8  # the key left out: the station's own line
    else:
        lines[8] = f"    {value}\n"
        line = 9
    cfg.write_text("".join(lines), encoding="utf-8")
    expected = (f'broadcaster.yaml:{line}: đài "tt-my-xuyen" chưa có tên (name) — tên đài được đọc trong lời mở đầu '
                'mỗi phiên và ghi ở cột “Đài” của báo cáo; ghi tên đầy đủ, ví dụ  name: Đài truyền thanh xã Đại Hải')
    assert expected in problems_for(fake_folder)
    assert main(["--project", str(fake_folder), "check"]) == 1
    assert expected in capsys.readouterr().out


def test_a_too_long_station_id_is_refused_naming_the_limit(fake_folder):
    # Trial B5: a 307-character station id of allowed characters.
    cfg = fake_folder / "broadcaster.yaml"
    text = cfg.read_text(encoding="utf-8")
    long_id = "xa-ngoc-to-" * 27 + "abcdefghij"
    assert len(long_id) == 307
    cfg.write_text(text.replace("  - id: tt-my-xuyen\n", f"  - id: {long_id}\n", 1), encoding="utf-8")
    assert (f'broadcaster.yaml:8: mã "{long_id[:40]}…" dài 307 ký tự, quá giới hạn 64 ký tự (mã là tên tệp) — đặt mã '
            'ngắn hơn, tối đa 64 ký tự') in problems_for(fake_folder)


def test_a_too_long_script_id_is_refused_naming_the_limit(fake_folder):
    long_id = "nhac-nho-" * 40 + "x"
    write_script(fake_folder, "dai.yaml", GOOD_SCRIPT.format(id=long_id))
    assert (f'scripts/dai.yaml:1: mã "{long_id[:40]}…" dài 361 ký tự, quá giới hạn 64 ký tự (mã là tên tệp) — đặt mã '
            'ngắn hơn, tối đa 64 ký tự') in problems_for(fake_folder)


def test_a_long_id_with_a_bad_character_gets_both_rules():
    from broadcaster.yamlfile import FileChecker, LDict

    col = FileChecker("x.yaml")
    m = LDict(id="bad id" + "x" * 70)
    m.line, m.key_lines = 1, {"id": 1}
    assert col.safe_id(m) is None
    assert "chỉ dùng chữ không dấu" in col.problems[0].message and "tối đa 64 ký tự" in col.problems[0].message
