"""One function per fact: the text table, the unknown-station message, the unexpected-error line, report totals."""
from __future__ import annotations

import pytest

from broadcaster.config import load_project
from broadcaster.errors import BroadcasterError, unexpected_message
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
    assert unexpected_message(ValueError("x")) == (
        "lỗi không mong đợi: ValueError: x — chạy lại với --debug để xem chi tiết và báo cho bộ phận kỹ thuật")
    assert "chạy lệnh tương ứng với --debug" in unexpected_message(ValueError("x"), shell="web")
