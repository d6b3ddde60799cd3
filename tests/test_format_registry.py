"""The export and report formats offered by the CLI and the web console are the stage tables' names
(`export.WRITERS`, `report.WRITERS`), never a list spelled again by hand: a new writer appears everywhere."""
from __future__ import annotations

import html
import re
import subprocess
import sys

from click.testing import CliRunner

from broadcaster import export as export_stage
from broadcaster import report as report_stage
from broadcaster.cli import cli, main
from webfixtures import app, client  # noqa: F401  (fixtures shared by the web tests)


def run(args: list[str]) -> tuple[int, str, str]:
    runner = CliRunner(mix_stderr=False)
    with runner.isolation() as (out, err):
        code = main(args)
        return code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8")


def param(command: str, name: str):
    return next(p for p in cli.commands[command].params if p.name == name)


def test_cli_export_choice_is_exactly_the_writers_table():
    assert tuple(param("export", "fmt").type.choices) == tuple(export_stage.WRITERS) == ("m3u", "usb", "csv", "json")
    _, out, _ = run(["export", "-h"])
    assert "DẠNG: m3u | usb | csv | json." in out


def test_cli_report_choice_is_exactly_the_writers_table():
    assert tuple(param("report", "fmt").type.choices) == tuple(report_stage.WRITERS)
    _, out, _ = run(["report", "-h"])
    assert "[" + "|".join(report_stage.WRITERS) + "]" in out


def test_a_new_export_writer_is_a_cli_choice_at_once(monkeypatch):
    monkeypatch.setitem(export_stage.WRITERS, "xml", lambda project, programmes: [])
    _, out, _ = run(["export", "-h"])
    assert "DẠNG: m3u | usb | csv | json | xml." in out
    code, _, err = run(["export", "xmll", "--date", "2024-08-19", "--to", "x"])
    assert code == 2
    assert "'xmll' không hợp lệ — chọn một trong: 'm3u', 'usb', 'csv', 'json', 'xml'." in err


def test_a_new_report_writer_is_a_cli_choice_at_once(monkeypatch):
    monkeypatch.setitem(report_stage.WRITERS, "txt", lambda report, project, issued: "")
    _, out, _ = run(["report", "-h"])
    assert "|png|txt]" in out


def test_the_top_help_does_not_import_the_export_stage():
    code = ("import sys; from broadcaster.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print('broadcaster.export' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False"


def buttons(client) -> list[str]:
    body = client.get("/xuat?station=xa-dai-tam&from=2024-08-19&days=1").get_data(as_text=True)
    return re.findall(r'<input type="hidden" name="format" value="([^"]+)">', body)


def test_web_export_buttons_are_exactly_the_writers_table(client):
    assert sorted(buttons(client)) == sorted(export_stage.WRITERS)
    assert buttons(client)[0] == "usb"  # the stick first: the usual job


def test_a_new_export_writer_gets_a_web_button(client, monkeypatch):
    monkeypatch.setitem(export_stage.WRITERS, "xml", lambda project, programmes: [])
    assert buttons(client) == ["usb", "m3u", "csv", "json", "xml"]
    body = html.unescape(client.get("/xuat").get_data(as_text=True))
    assert "Định dạng xml (.zip)" in body


def test_web_refuses_a_format_not_in_the_table_in_vietnamese(client):
    page = client.get("/xuat").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/xuat/tai", data={"format": "mp4", "station": "xa-dai-tam", "from": "2024-08-19",
                                              "days": "1", "csrf_token": token})
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert 'định dạng xuất không hợp lệ "mp4" — chọn một nút tải trong mục "Tải bản xuất": usb, m3u, csv, json' in body


def confirmed_august(client) -> None:
    page = client.get("/nhat-ky").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/nhat-ky/xac-nhan", data={"csrf_token": token, "date": "2024-08-01",
                                                       "station": "xa-ngoc-to"})
    assert response.status_code == 303


def report_buttons(client) -> list[str]:
    body = client.get("/bao-cao?month=2024-08").get_data(as_text=True)
    return re.findall(r'href="/bao-cao/tai\?[^"]*format=(\w+)', html.unescape(body))


def test_web_report_downloads_are_the_writers_table_but_the_page_itself(client):
    confirmed_august(client)
    assert sorted(report_buttons(client)) == sorted(n for n in report_stage.WRITERS if n != "table")


def test_a_new_report_writer_gets_a_web_download_and_is_named_in_the_error(client, monkeypatch):
    import pytest

    from broadcaster.errors import BroadcasterError

    monkeypatch.setitem(report_stage.WRITERS, "txt", lambda report, project, issued: "báo cáo dạng chữ\n")
    confirmed_august(client)
    assert report_buttons(client)[-1] == "txt"
    response = client.get("/bao-cao/tai?month=2024-08&format=txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.get_data().decode("utf-8") == "\ufeffbáo cáo dạng chữ\n"
    with pytest.raises(BroadcasterError) as raised:
        report_stage.render(None, "pdf")
    assert str(raised.value) == 'định dạng báo cáo không hợp lệ "pdf" — chọn table, csv, xlsx, docx, png hoặc txt'


def test_the_export_stage_accepts_and_names_a_writer_added_to_its_table(monkeypatch, tmp_path, fake_folder):
    import pytest

    from broadcaster.config import load_project
    from broadcaster.errors import BroadcasterError
    from broadcaster.export.folder import ExportEntry
    from broadcaster.schedule import load_schedules
    from datetime import date

    project = load_project(fake_folder)
    monkeypatch.setitem(export_stage.WRITERS, "txt",
                        lambda project, programmes: [ExportEntry("DS.TXT", data=f"{len(programmes)}\n".encode())])
    result = export_stage.export(project, load_schedules(project), "txt", date(2024, 8, 19), 1, tmp_path / "x")
    assert result.files == ("DS.TXT",) and (tmp_path / "x" / "DS.TXT").read_text() == f"{result.programmes}\n"
    with pytest.raises(BroadcasterError) as raised:
        export_stage.export(project, [], "tx", date(2024, 8, 19), 1, tmp_path / "y")
    assert 'định dạng xuất không hợp lệ "tx"' in str(raised.value) and "m3u, usb, csv, json, txt" in str(raised.value)
