"""Uncertain readings reach staff: `check` lists them at FILE:LINE as warnings, the web script page shows them."""
from __future__ import annotations

import html

from broadcaster.cli import main
from broadcaster.web import create_app
from broadcaster.workdir import check_folder, uncertain_readings
from broadcaster.config import load_project

SCRIPT = """id: kiem-tra-doc
title: Thử đọc chưa chắc
text: |
  UBND xã thông báo lịch tiêm vắc xin Hexaxim.
  Người dân tải ứng dụng ZYXW trên điện thoại.
  Giá thuốc 1.1200 đồng/hộp, ZYXW nhắc lại.
"""


def write_script(folder) -> None:
    path = folder / "scripts" / "kiem-tra-doc.yaml"
    path.write_text(SCRIPT, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == SCRIPT


def test_check_lists_each_guess_once_with_file_and_line(fake_folder):
    write_script(fake_folder)
    problems, _summary = check_folder(fake_folder)
    mine = [p for p in problems if p.file == "scripts/kiem-tra-doc.yaml"]
    assert [(p.line, p.severity) for p in mine] == [(5, "warning"), (6, "warning")]
    assert "«ZYXW» → «dét i ích vê kép»" in mine[0].message and "lexicon.yaml" in mine[0].message
    assert "1.1200" in mine[1].message and "mười một ngàn hai trăm" in mine[1].message
    assert str(mine[0]).startswith("scripts/kiem-tra-doc.yaml:5: cảnh báo: ")


def test_a_lexicon_entry_removes_the_warning(fake_folder):
    write_script(fake_folder)
    (fake_folder / "lexicon.yaml").write_text('ZYXW: "dét ích"\n', encoding="utf-8")
    project = load_project(fake_folder)
    messages = [p.message for p in uncertain_readings(project)]
    assert not any("ZYXW" in m for m in messages)
    assert any("1.1200" in m for m in messages)


def test_check_command_prints_the_warnings_and_succeeds(fake_folder, capsys):
    write_script(fake_folder)
    code = main(["--project", str(fake_folder), "check"])
    out = capsys.readouterr()
    assert code == 0
    assert "scripts/kiem-tra-doc.yaml:5: cảnh báo: đọc chưa chắc: «ZYXW»" in out.out + out.err


def test_sample_scripts_have_no_uncertain_readings(fake_folder):
    assert uncertain_readings(load_project(fake_folder)) == []


def test_web_script_page_lists_the_guesses(fake_folder):
    write_script(fake_folder)
    app = create_app(fake_folder)
    app.config["TESTING"] = True
    try:
        body = html.unescape(app.test_client().get("/kich-ban/kiem-tra-doc").get_data(as_text=True))
    finally:
        app.extensions["broadcaster"].close()
    assert "Những chỗ máy đoán cách đọc (2)" in body
    assert "scripts/kiem-tra-doc.yaml:5" in body and "«ZYXW» → «dét i ích vê kép»" in body
    assert "scripts/kiem-tra-doc.yaml:6" in body
