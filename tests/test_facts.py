"""One function per fact: the text table, the unknown-station message, the unexpected-error line, report totals."""
from __future__ import annotations

import pytest

from broadcaster.config import load_project
from broadcaster.errors import BroadcasterError, Problem, ProblemsError, error_line, unexpected_message
from broadcaster.models import unknown_station_message
from broadcaster.texttable import display_width, text_table


def test_display_width_counts_columns_not_code_points():
    assert display_width("Đài xã") == 6
    assert display_width("Đa\u0300i") == 3          # decomposed: the combining grave takes no column
    assert display_width("広播") == 4                  # wide characters take two


def test_text_table_aligns_by_screen_width_and_right_aligns_numbers():
    out = text_table(["Đài", "Số"], [["xã A", "7"], ["Đa\u0300i B", "12"]], numeric=[False, True])
    assert out.split("\n") == ["Đài    Số", "-----  --", "xã A    7", "Đa\u0300i B  12"]


def test_text_table_without_rule_and_without_trailing_spaces():
    assert text_table(["a", "bb"], [["ccc", ""]], rule=False) == "a    bb\nccc"


def test_unknown_station_message_names_the_valid_ids_and_a_guess():
    assert unknown_station_message("xa-b", ["xa-a", "xa-c"]) == (
        'đài không tồn tại "xa-b" (có phải ý bạn là "xa-c"?) — các đài: xa-a, xa-c')
    assert "chọn all, một nhóm đài hoặc mã đài" in unknown_station_message("z", ["all", "xa-a"], groups=True)


def test_require_station_is_the_one_check(fake_folder):
    project = load_project(fake_folder)
    first = project.stations[0]
    assert project.require_station(first.id) is first
    with pytest.raises(BroadcasterError) as info:
        project.require_station("khong-co")
    assert str(info.value) == unknown_station_message("khong-co", [s.id for s in project.stations])


def test_unexpected_message_says_how_each_shell_shows_details():
    from broadcaster.cli import MESSAGES as CLI_MESSAGES

    assert unexpected_message(ValueError("x"), then=CLI_MESSAGES["unexpected_then"]) == (
        "lỗi không mong đợi: ValueError: x — chạy lại với --debug để xem chi tiết và báo cho bộ phận kỹ thuật")
    web = unexpected_message(ValueError("x"))
    assert web == "lỗi không mong đợi: ValueError: x — thử lại; nếu vẫn lỗi, báo cho bộ phận kỹ thuật"  # no flag


def test_one_settings_table_covers_every_speech_and_audio_setting():
    import json
    from dataclasses import asdict, fields
    from importlib import resources

    import yaml

    from broadcaster.models import SETTINGS, AudioSettings, SpeechSettings, setting_default

    assert set(SETTINGS["speech"]) == {f.name for f in fields(SpeechSettings)}
    assert set(SETTINGS["audio"]) == {f.name for f in fields(AudioSettings)}
    assert all(rule["help"] for section in SETTINGS.values() for rule in section.values())
    shipped = yaml.safe_load((resources.files("broadcaster") / "defaults" / "broadcaster.yaml").read_text("utf-8"))
    assert "speech" not in shipped and "audio" not in shipped  # defaults are not written twice
    assert setting_default("audio", "loudness_lufs") == -16 and setting_default("speech", "dialect") == "south"
    # The settings serialise as the old shipped YAML did, so existing clips keep their hashes.
    assert json.dumps(asdict(AudioSettings()), sort_keys=True) == (
        '{"chime": true, "highpass_hz": 150, "lead_in_ms": 300, "loudness_lufs": -16, "profile": "standard", '
        '"repeat_pause_ms": 2000, "sentence_pause_ms": 600, "true_peak_dbtp": -1.5}')


def test_an_audio_value_out_of_range_names_its_meaning(fake_folder):
    from broadcaster.config import inspect_project

    cfg = fake_folder / "broadcaster.yaml"
    text = cfg.read_text(encoding="utf-8")
    assert "audio:" in text
    cfg.write_text(text.replace("audio:\n", "audio:\n  lead_in_ms: 99999\n", 1), encoding="utf-8")
    assert "audio:\n  lead_in_ms: 99999\n" in cfg.read_text(encoding="utf-8")
    _, problems = inspect_project(fake_folder)
    assert any("lead_in_ms (khoảng lặng đầu tệp (ms)) = 99999 nằm ngoài khoảng 0–10000" in str(p) for p in problems), problems


@pytest.mark.parametrize("url", ["/ke-hoach?station=xa-b", "/nhat-ky?station=xa-b", "/lich-phat?station=xa-b",
                                 "/xuat?station=xa-b"])
def test_web_pages_say_unknown_station_with_the_one_message(fake_folder, url):
    """Every console page that takes a station answers an unknown one with models.unknown_station_message."""
    from webfixtures import CONSOLE_DAY, page

    from broadcaster.web import create_app

    app = create_app(fake_folder, today=CONSOLE_DAY)
    app.config["TESTING"] = True
    try:
        text = page(app.test_client().get(url))
    finally:
        app.extensions["broadcaster"].close()
    ids = [s.id for s in load_project(fake_folder).stations]
    assert unknown_station_message("xa-b", ids) in text, text[-2000:]


def test_web_unexpected_error_page_uses_the_one_line(fake_folder, monkeypatch):
    from webfixtures import CONSOLE_DAY, page

    from broadcaster.web import create_app
    from broadcaster.web.pages import plan_view

    def boom(*args, **kwargs):
        raise RuntimeError("hỏng")

    monkeypatch.setattr(plan_view, "station_arg", boom)
    app = create_app(fake_folder, today=CONSOLE_DAY)
    try:
        response = app.test_client().get("/ke-hoach")
    finally:
        app.extensions["broadcaster"].close()
    assert response.status_code == 500
    assert unexpected_message(RuntimeError("hỏng")) in page(response)


def test_error_line_is_how_every_shell_shows_an_expected_error():
    assert error_line(BroadcasterError("hỏng", file="a.yaml", line=3)) == "lỗi: a.yaml:3: hỏng"
    problems = ProblemsError([Problem("a.yaml", 1, "x"), Problem("b.yaml", None, "y", "warning")])
    assert error_line(problems) == "a.yaml:1: x\nb.yaml: cảnh báo: y"
