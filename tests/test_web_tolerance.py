"""One broken script or schedule no longer blocks the console: its file is left out and named in a banner."""
from __future__ import annotations

import html
import re
from datetime import date

import pytest

from broadcaster.cli import main
from broadcaster.config import inspect_project, load_project
from broadcaster.schedule import expand_plan, load_schedules
from broadcaster.web import create_app

# A title with a colon, as staff type it: PyYAML says "mapping values are not allowed here".
TYPO = "title: Nhắc nhở: chuyển đổi điện thoại 2G\n"
BANNER = "Có 1 lỗi trong tệp kịch bản hoặc lịch phát — các tệp này đang bị bỏ qua."
YAML_COLON = "scripts/2g-nhac-nho.yaml:2: lỗi cú pháp YAML: có dấu hai chấm (:) ở chỗ không được phép"


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def break_script(folder) -> None:
    path = folder / "scripts" / "2g-nhac-nho.yaml"
    text = path.read_text(encoding="utf-8")
    assert "title: Nhắc nhở chuyển đổi điện thoại 2G\n" in text
    path.write_text(text.replace("title: Nhắc nhở chuyển đổi điện thoại 2G\n", TYPO), encoding="utf-8")


@pytest.fixture
def client(fake_folder):
    app = create_app(fake_folder, today=date(2024, 8, 6))
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["broadcaster"].close()


def expected_plays(folder, start: date, end: date, without: str) -> int:
    """Plays of the untouched sample, less the left-out script's."""
    project = load_project(folder)
    return sum(p.script != without for p in expand_plan(project, load_schedules(project), start, end))


def test_a_script_typo_leaves_the_other_pages_working(client, fake_folder, tmp_path):
    from conftest import copy_sample

    clean = copy_sample(tmp_path / "clean")
    from broadcaster.config import load_project
    from broadcaster.playlog.store import open_store

    open_store(load_project(fake_folder)).close()  # an (empty) log exists, as after the first play
    break_script(fake_folder)
    for url in ("/nhat-ky", "/bao-cao?month=2024-08", "/ke-hoach?from=2024-08-05&to=2024-08-11", "/kich-ban",
                "/nhat-ky/kiem-tra"):
        r = client.get(url)
        text = page(r)
        assert r.status_code == 200, url
        assert BANNER in text and YAML_COLON in text, url
        assert "Thư mục làm việc có lỗi" not in text and "mapping values" not in text, url
    # The report still counts, and its planned figure is the sample's without the left-out script.
    report = page(client.get("/bao-cao?month=2024-08"))
    planned = expected_plays(clean, date(2024, 8, 1), date(2024, 8, 31), "2g-nhac-nho")
    assert f"theo kế hoạch {planned:,} lượt".replace(",", ".") in report
    assert planned == 300  # 31 days × 4 stations × 2 sessions + 13 Mon/Wed/Fri × 4 mornings
    # The plan shows the other scripts' plays, and none of the broken one.
    plan = page(client.get("/ke-hoach?from=2024-08-05&to=2024-08-11"))
    assert "Thông báo dừng công nghệ di động 2G" in plan and "Nhắc nhở chuyển đổi" not in plan
    # The scripts list shows the two good scripts; the broken one's own page shows its problem.
    scripts = page(client.get("/kich-ban"))
    assert "Hướng dẫn chuyển đổi sang máy điện thoại 4G" in scripts
    own = page(client.get("/kich-ban/2g-nhac-nho"))
    assert "Thư mục làm việc có lỗi" in own and YAML_COLON in own


def test_overview_lists_the_problem_once_and_counts_today(client, fake_folder):
    break_script(fake_folder)
    text = page(client.get("/"))
    assert text.count(YAML_COLON) == 1  # in the page's problem list, not again in a banner
    assert re.search(r"<strong>\d+</strong> lượt phát theo kế hoạch ở 4 đài", text)


def test_a_broken_schedule_file_is_left_out(client, fake_folder):
    (fake_folder / "schedules" / "khac.yaml").write_text(
        "stations: all\nfrom: 2024-08-01\nitems:\n  - {script: 2g-thong-bao, sessions: [sang}\n", encoding="utf-8")
    r = client.get("/ke-hoach?from=2024-08-05&to=2024-08-11")
    text = page(r)
    assert r.status_code == 200 and BANNER in text
    assert "schedules/khac.yaml:4: lỗi cú pháp YAML: ngoặc vuông [ mở ở dòng này chưa được đóng" in text
    assert "Thông báo dừng công nghệ di động 2G" in text  # the good schedule still plans
    assert text.count("schedules/khac.yaml:4:") == 1  # once, in the banner
    assert "theo kế hoạch" in page(client.get("/bao-cao?month=2024-08"))


def test_broadcaster_yaml_errors_still_stop_every_page(client, fake_folder):
    cfg = fake_folder / "broadcaster.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("    media: fm\n", "    media: fmm\n", 1), encoding="utf-8")
    break_script(fake_folder)
    for url in ("/nhat-ky", "/bao-cao", "/ke-hoach"):
        text = page(client.get(url))
        assert "Thư mục làm việc có lỗi" in text and "fmm" in text and YAML_COLON in text


def test_cli_check_still_reports_the_script_and_commands_still_refuse(fake_folder, capsys):
    break_script(fake_folder)
    assert main(["--project", str(fake_folder), "check"]) == 1
    out = capsys.readouterr()
    text = out.out + out.err
    assert YAML_COLON in text
    # The schedule item naming the broken script is skipped with a warning, not a second error.
    assert ('schedules/2g.yaml:15: cảnh báo: kịch bản "2g-nhac-nho" đang có lỗi ở scripts/2g-nhac-nho.yaml:2 '
            'nên mục này tạm bỏ qua') in text
    assert "không tồn tại" not in text
    assert main(["--project", str(fake_folder), "plan", "--from", "2024-08-05"]) == 1
    assert YAML_COLON in capsys.readouterr().err


def test_broken_script_id_is_read_from_its_id_line(fake_folder):
    (fake_folder / "scripts" / "ten-khac.yaml").write_text("id: tin-moi\ntitle: a: b\ntext: x\n", encoding="utf-8")
    project, _ = inspect_project(fake_folder)
    assert project.broken_scripts == {"tin-moi": "scripts/ten-khac.yaml:2"}
    (fake_folder / "scripts" / "ten-khac.yaml").write_text("title: [\n", encoding="utf-8")
    project, _ = inspect_project(fake_folder)
    assert project.broken_scripts == {"ten-khac": "scripts/ten-khac.yaml:2"}


def test_forms_that_write_still_need_the_whole_folder(client, fake_folder):
    """Confirming or importing with a file left out would log an incomplete plan: refused, as `log confirm` does."""
    from broadcaster.playlog.store import open_store

    break_script(fake_folder)
    text = page(client.get("/nhat-ky"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)
    r = client.post("/nhat-ky/xac-nhan", data={"csrf_token": token, "date": "2024-08-05", "station": "xa-dai-tam"})
    assert r.status_code == 200 and "Thư mục làm việc có lỗi" in page(r) and YAML_COLON in page(r)
    project, _ = inspect_project(fake_folder)
    store = open_store(project)
    try:
        assert store.list_plays() == []
    finally:
        store.close()
