"""Web console: pages, forms, downloads and the real server, against a copy of the sample folder (fake engine)."""
from __future__ import annotations

import csv
import html
import importlib.util
import io
import os
import re
import threading
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import click
import pytest

if importlib.util.find_spec("flask") is None:  # pragma: no cover - depends on the installation
    if os.environ.get("CI"):
        raise ImportError("Flask is required in CI: it is a dependency of broadcaster (the web console)")
    pytest.skip("Flask is not installed (pip install flask)", allow_module_level=True)

from broadcaster.cli import main
from broadcaster.commands import web_cmds
from broadcaster.config import load_project
from broadcaster.playlog.store import open_store
from broadcaster.schedule import expand_plan, load_schedules
from broadcaster.web import create_app

STATIONS = ["Đài truyền thanh thị trấn Mỹ Xuyên", "Đài truyền thanh xã Đại Tâm", "Đài truyền thanh xã Tham Đôn",
            "Đài truyền thanh xã Ngọc Tố"]
TITLES = ["Thông báo dừng công nghệ di động 2G", "Hướng dẫn chuyển đổi sang máy điện thoại 4G",
          "Nhắc nhở chuyển đổi điện thoại 2G"]


def set_database(folder: Path, url: str) -> None:
    cfg = folder / "broadcaster.yaml"
    text = cfg.read_text(encoding="utf-8")
    assert "database: sqlite:///broadcaster.db\n" in text
    cfg.write_text(text.replace("database: sqlite:///broadcaster.db\n", f"database: '{url}'\n"), encoding="utf-8")


@pytest.fixture
def app(fake_folder):
    application = create_app(fake_folder)
    application.config["TESTING"] = True
    yield application
    application.extensions["broadcaster"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def page(response) -> str:
    """The response body with HTML entities resolved, for comparing with CLI text."""
    return html.unescape(response.get_data(as_text=True))


def token(client, url: str = "/kich-ban") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))
    assert found, "form without CSRF token"
    return found.group(1)


def wait_job(client, location: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        state = client.get(location.rstrip("/") + "/trang-thai").get_json()
        if state["state"] != "running":
            return state
        assert time.monotonic() < deadline, f"job still running: {state}"
        time.sleep(0.05)


def cli_out(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def confirm(client, day: str, station: str, session: str | None = None):
    data = {"csrf_token": token(client, "/nhat-ky"), "date": day, "station": station}
    if session:
        data["session"] = session
    return client.post("/nhat-ky/xac-nhan", data=data)


# -- pages ---------------------------------------------------------------------------------------------

def test_overview_shows_folder_stations_campaign_and_checks(client):
    r = client.get("/")
    assert r.status_code == 200
    text = page(r)
    assert r.headers["Content-Type"].startswith("text/html")
    assert '<html lang="vi">' in text
    assert "Trung tâm Văn hóa - Thể thao - Truyền thanh huyện Mỹ Xuyên" in text
    for name in STATIONS:
        assert name in text
    assert "Truyền thanh không dây (FM)" in text and "sáng 05:30–06:00" in text
    assert "Truyền thông về dừng công nghệ di động 2G" in text and "Đã kết thúc" in text
    assert "Không có lỗi: 4 đài, 3 kịch bản, 1 lịch phát." in text
    assert "Nhật ký phát chưa có lượt nào" in text


def test_every_page_is_local_only(client):
    """No CDN: every script, style, image and link stays on this server."""
    for url in ("/", "/kich-ban", "/kich-ban/2g-thong-bao", "/ke-hoach", "/nhat-ky", "/nhat-ky/kiem-tra",
                "/bao-cao?month=2024-08"):
        r = client.get(url)
        assert r.status_code == 200, url
        body = r.get_data(as_text=True)
        assert not re.search(r'(src|href)="(https?:)?//', body), url
        assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    css = client.get("/static/style.css")
    assert css.status_code == 200 and "@media print" in css.get_data(as_text=True)
    assert client.get("/static/console.js").status_code == 200


def test_scripts_list_and_detail(client):
    text = page(client.get("/kich-ban"))
    for title in TITLES:
        assert title in text
    assert "Thông báo" in text and "Nhắc nhở" in text and "Ưu tiên" in text
    assert "15/07/2024 – 30/09/2024" in text and "01/08/2024 – 30/09/2024" in text
    assert text.count("Chưa tạo") == 3
    detail = page(client.get("/kich-ban/2g-thong-bao"))
    assert "Kính thưa bà con!" in detail
    # The spoken form comes from the normaliser: numbers and abbreviations written out.
    assert "hai ngàn bốn trăm tám mươi hai" in detail
    assert "Sở thông tin và truyền thông" in detail
    assert "Chưa tạo tệp âm thanh" in detail and "<audio" not in detail
    missing = client.get("/kich-ban/khong-co")
    assert missing.status_code == 404 and 'Không có kịch bản "khong-co"' in page(missing)


def test_build_all_via_post_makes_the_clips(client, fake_folder):
    r = client.post("/build", data={"csrf_token": token(client), "next": "/kich-ban"})
    assert r.status_code == 303 and r.headers["Location"].startswith("/viec/")
    job_url = r.headers["Location"]
    running = client.get(job_url)
    assert running.status_code in (200, 303)  # 303 when the fake engine already finished
    state = wait_job(client, job_url)
    assert state["state"] == "done" and state["total"] == 19 and state["percent"] == 100
    for sid in ("2g-thong-bao", "2g-huong-dan", "2g-nhac-nho"):
        assert (fake_folder / "audio_out" / "clips" / f"{sid}.mp3").stat().st_size > 1000
    done = client.get(job_url)
    assert done.status_code == 303 and done.headers["Location"] == "/kich-ban"
    text = page(client.get("/kich-ban"))
    assert ("Đã tạo 3 tệp âm thanh kịch bản và 16 tệp mở đầu/kết thúc phiên "
            "(19 tổng hợp mới, 0 dùng lại từ bộ nhớ đệm).") in text
    assert text.count("Đã tạo</span>") == 3 and "-16" in text
    detail = client.get("/kich-ban/2g-thong-bao").get_data(as_text=True)
    src = re.search(r'<audio controls[^>]* src="([^"]+)"', detail).group(1)
    audio = client.get(html.unescape(src))
    assert audio.status_code == 200 and audio.mimetype == "audio/mpeg"
    assert audio.data == (fake_folder / "audio_out/clips/2g-thong-bao.mp3").read_bytes()
    # Second build: nothing changed, everything reused.
    again = client.post("/kich-ban/2g-thong-bao/build", data={"csrf_token": token(client)})
    assert wait_job(client, again.headers["Location"])["message"].startswith("Đã tạo 1 tệp âm thanh kịch bản (0 tổng hợp mới, 1")


def test_build_error_is_a_red_message_not_a_traceback(client):
    r = client.post("/kich-ban/khong-co/build", data={"csrf_token": token(client)})
    state = wait_job(client, r.headers["Location"])
    assert state["state"] == "failed" and 'không có kịch bản "khong-co"' in state["message"]
    back = client.get(r.headers["Location"])
    text = page(client.get(back.headers["Location"]))
    assert 'class="msg error"' in text and 'không có kịch bản "khong-co"' in text
    assert "Traceback" not in text


def test_unknown_job_page(client):
    r = client.get("/viec/khongco")
    assert r.status_code == 404 and "Không tìm thấy việc này" in page(r)
    assert client.get("/viec/khongco/trang-thai").status_code == 404


@pytest.mark.parametrize("url", [
    "/am-thanh/../broadcaster.yaml",
    "/am-thanh/..%2Fbroadcaster.yaml",
    "/am-thanh/%2e%2e/%2e%2e/secret.mp3",
    "/am-thanh/../secret.mp3",
    "/am-thanh/..%2Fsecret.mp3",
    "/am-thanh/%2Fetc%2Fpasswd",
    "/am-thanh//etc/passwd",
    "/am-thanh/manifest.json",
    "/am-thanh/..\\secret.mp3",
    "/am-thanh/khong-co.mp3",
])
def test_audio_route_refuses_paths_outside_the_clips(client, fake_folder, url):
    (fake_folder / "secret.mp3").write_bytes(b"ID3 not for the web")
    clips = fake_folder / "audio_out" / "clips"
    clips.mkdir(parents=True)
    (clips / "manifest.json").write_text("{}", encoding="utf-8")
    r = client.get(url, follow_redirects=True)   # werkzeug merges "//" with a redirect first
    assert r.status_code in (400, 404), url
    assert b"not for the web" not in r.data


# -- plan ----------------------------------------------------------------------------------------------

def test_plan_defaults_to_the_first_week_of_a_past_campaign(client, fake_folder):
    text = page(client.get("/ke-hoach"))
    assert 'value="15/07/2024"' in text and 'value="21/07/2024"' in text
    project = load_project(fake_folder)
    plays = expand_plan(project, load_schedules(project), date(2024, 7, 15), date(2024, 7, 21))
    assert text.count("data-play=") == len(plays) > 0
    assert f"<strong>{len(plays)}</strong> lượt phát" in text
    assert "Thứ Hai, 15/07/2024" in text and "Chủ nhật, 21/07/2024" in text


def test_plan_default_week_inside_the_campaign(fake_folder):
    app = create_app(fake_folder, today=date(2024, 8, 5))
    text = page(app.test_client().get("/ke-hoach"))
    assert 'value="05/08/2024"' in text and 'value="11/08/2024"' in text
    app.extensions["broadcaster"].close()


def test_plan_matches_the_plan_command(client, fake_folder, capsys):
    code, out, _ = cli_out(capsys, "--project", str(fake_folder), "plan", "--from", "2024-08-01", "--to",
                           "2024-08-03", "--station", "xa-dai-tam", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    text = page(client.get("/ke-hoach?from=2024-08-01&to=03/08/2024&station=xa-dai-tam"))
    assert text.count('data-play="xa-dai-tam"') == len(rows) == text.count("data-play=")
    for row in rows:
        assert row["start"][11:19] in text


@pytest.mark.parametrize("query, message", [
    ("from=32/13/2024", 'ngày không hợp lệ "32/13/2024"'),
    ("from=2024-08-10&to=2024-08-01", "ngày kết thúc (01/08/2024) trước ngày bắt đầu (10/08/2024)"),
    ("from=2024-01-01&to=2024-12-31", "chỉ xem được tối đa 31 ngày"),
    ("from=2024-08-01&station=xa-khong-co", 'đài không tồn tại "xa-khong-co"'),
])
def test_plan_bad_input_is_explained(client, query, message):
    r = client.get(f"/ke-hoach?{query}")
    assert r.status_code == 200
    text = page(r)
    assert message in text and 'class="msg error"' in text


# -- log -----------------------------------------------------------------------------------------------

def test_confirm_adds_rows_visible_in_the_log(fake_folder, db_url):
    set_database(fake_folder, db_url)
    app = create_app(fake_folder)
    client = app.test_client()
    try:
        r = confirm(client, "15/07/2024", "xa-dai-tam")
        assert r.status_code == 303
        text = page(client.get(r.headers["Location"]))
        assert "Đã xác nhận đài xa-dai-tam ngày 15/07/2024: 3 lượt mới, 0 lượt đã có." in text
        assert text.count("data-row=") == 3 and "Xác nhận" in text and "Đã phát" in text
        again = confirm(client, "2024-07-15", "xa-dai-tam", "sang")
        assert "phiên sang: 0 lượt mới, 2 lượt đã có." in page(client.get(again.headers["Location"]))
        store = open_store(load_project(fake_folder))
        assert store.count() == 3
        store.close()
        assert page(client.get("/")).count("Xác nhận</td>") == 3
        verify = page(client.get("/nhat-ky/kiem-tra"))
        assert "Nhật ký toàn vẹn: 3 lượt phát, 1 đài." in verify
    finally:
        app.extensions["broadcaster"].close()


@pytest.mark.parametrize("data, message", [
    ({"date": "", "station": "xa-dai-tam"}, "chưa chọn ngày phát"),
    ({"date": "15/07/2024", "station": "xa-khong-co"}, 'đài không tồn tại "xa-khong-co"'),
    ({"date": "15/07/2024", "station": "xa-dai-tam", "session": "toi"}, 'đài xa-dai-tam không có phiên "toi"'),
])
def test_confirm_errors_are_red_messages(client, data, message):
    r = client.post("/nhat-ky/xac-nhan", data={"csrf_token": token(client, "/nhat-ky"), **data})
    text = page(client.get(r.headers["Location"]))
    assert message in text and 'class="msg error"' in text


def test_import_with_a_bad_row_imports_nothing_and_names_the_line(client, fake_folder, tmp_path, capsys):
    content = ("station,script,started_at,status\n"
               "xa-dai-tam,2g-thong-bao,2024-08-01T05:30:00,played\n"
               "xa-dai-tamm,2g-thong-bao,2024-08-01T17:00:00,played\n"
               "xa-dai-tam,2g-thong-bao,01/08/2024 25:00,played\n")
    r = client.post("/nhat-ky/nhap", data={"csrf_token": token(client, "/nhat-ky"),
                                          "file": (io.BytesIO(content.encode()), "nhat-ky.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 400
    text = page(r)
    # The same lines as `broadcaster log import` prints.
    bad = tmp_path / "nhat-ky.csv"
    bad.write_text(content, encoding="utf-8")
    code, _, err = cli_out(capsys, "--project", str(fake_folder), "log", "import", str(bad))
    assert code == 1
    lines = [ln.replace(str(bad), "nhat-ky.csv") for ln in err.strip().splitlines()]
    assert any(ln.startswith("nhat-ky.csv:3: đài không tồn tại") for ln in lines)
    assert any(ln.startswith("nhat-ky.csv:4: ") for ln in lines)
    for line in lines:
        assert line in text
    assert "tệp nhat-ky.csv bị từ chối toàn bộ: 2 dòng lỗi, chưa nhập lượt phát nào" in text
    store = open_store(load_project(fake_folder))
    assert store.count() == 0
    store.close()


def test_import_good_file_then_reimport_adds_nothing(client, fake_folder):
    content = ('[{"station": "xa-ngoc-to", "script": "2g-huong-dan", "started_at": "2024-08-02T05:45:00",'
               ' "ended_at": "2024-08-02T05:46:00", "source_id": "ip-1"}]')
    for expected in ("1 lượt mới, 0 lượt đã có", "0 lượt mới, 1 lượt đã có"):
        r = client.post("/nhat-ky/nhap", data={"csrf_token": token(client, "/nhat-ky"),
                                              "file": (io.BytesIO(content.encode()), "cum-loa.json")},
                        content_type="multipart/form-data")
        assert r.status_code == 303
        text = page(client.get(r.headers["Location"]))
        assert f"Đã nhập cum-loa.json: {expected}." in text
    text = page(client.get("/nhat-ky?station=xa-ngoc-to&from=2024-08-02&to=2024-08-02&status=played"))
    assert text.count("data-row=") == 1 and "Hướng dẫn chuyển đổi sang máy điện thoại 4G" in text
    assert "Nhập tệp" in text and "02/08/2024 05:45:00" in text
    assert page(client.get("/nhat-ky?station=xa-ngoc-to&status=failed")).count("data-row=") == 0


def test_import_without_a_file(client):
    r = client.post("/nhat-ky/nhap", data={"csrf_token": token(client, "/nhat-ky")})
    assert "chưa chọn tệp nhật ký" in page(client.get(r.headers["Location"]))


# -- CSRF ----------------------------------------------------------------------------------------------

def test_posts_without_the_token_are_refused(client, fake_folder):
    client.get("/nhat-ky")  # the session has a token, the forged form does not send it
    for url, data in (("/build", {}), ("/kich-ban/2g-thong-bao/build", {}),
                      ("/nhat-ky/xac-nhan", {"date": "2024-07-15", "station": "xa-dai-tam"}),
                      ("/nhat-ky/xac-nhan", {"date": "2024-07-15", "station": "xa-dai-tam", "csrf_token": "x"})):
        r = client.post(url, data=data)
        assert r.status_code == 403, url
        assert "Tải lại trang rồi thử lại" in page(r)
    # A right token from another site's page (Origin header) is refused too.
    r = client.post("/nhat-ky/xac-nhan", data={"csrf_token": token(client, "/nhat-ky"), "date": "2024-07-15",
                                                "station": "xa-dai-tam"}, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403 and "evil.example" in page(r)
    # A fresh browser (no session) gets nothing done either.
    stranger = client.application.test_client()
    assert stranger.post("/build", data={"csrf_token": "guess"}).status_code == 403
    assert not (fake_folder / "audio_out" / "clips").exists()
    store = open_store(load_project(fake_folder))
    assert store.count() == 0
    store.close()


# -- report --------------------------------------------------------------------------------------------

def test_report_page_and_downloads_equal_the_report_command(client, fake_folder, capsys):
    for day in ("2024-08-01", "2024-08-02", "2024-08-03"):
        for station in ("tt-my-xuyen", "xa-ngoc-to"):
            assert confirm(client, day, station).status_code == 303
    code, cli_csv, _ = cli_out(capsys, "--project", str(fake_folder), "report", "--month", "2024-08",
                               "--format", "csv")
    assert code == 0
    r = client.get("/bao-cao/tai?month=2024-08&format=csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    body = r.get_data().decode("utf-8")
    assert body.startswith("\ufeff") and body[1:] == cli_csv
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="bao-cao-2024-08.csv"')
    assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20th%C3%A1ng%208-2024.csv" in disposition

    rows = list(csv.DictReader(io.StringIO(cli_csv)))
    plays = sum(int(row["plays"]) for row in rows)
    airtime = sum(float(row["airtime_s"]) for row in rows)
    assert plays > 0
    text = page(client.get("/bao-cao?month=08/2024"))
    assert "BÁO CÁO KẾT QUẢ TRUYỀN THÔNG" in text and "tháng 8/2024" in text
    assert f"Tổng: {plays} lượt đã phát" in text
    code, table, _ = cli_out(capsys, "--project", str(fake_folder), "report", "--month", "2024-08")
    totals = next(ln for ln in table.splitlines() if ln.startswith("Tổng: "))
    assert totals in text
    assert round(airtime / 60, 1) > 0
    for row in rows:
        assert row["station_name"] in text and row["form_name"] in text
    # Per-station row of the table: scheduled, played.
    assert re.search(r"Đài truyền thanh xã Ngọc Tố</td><td>Truyền thanh ứng dụng CNTT-VT \(IP/4G\)</td>"
                     r"<td class=\"num\">\d+</td><td class=\"num\">"
                     + str(sum(int(r["plays"]) for r in rows if r["station"] == "xa-ngoc-to")), text)
    # Without a month, the page opens on the month of the newest play.
    assert 'value="08/2024"' in page(client.get("/bao-cao"))

    for fmt, mime, magic in (("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
                             ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                              b"PK"),
                             ("png", "image/png", b"\x89PNG")):
        r = client.get(f"/bao-cao/tai?month=2024-08&station=xa-ngoc-to&format={fmt}")
        assert r.status_code == 200 and r.mimetype == mime and r.data.startswith(magic), fmt
        assert f'filename="bao-cao-2024-08-xa-ngoc-to.{fmt}"' in r.headers["Content-Disposition"]
    assert client.get("/bao-cao/tai?month=2024-08&format=exe").status_code == 404


def test_report_bad_month_and_station(client):
    text = page(client.get("/bao-cao?month=2024-13"))
    assert 'tháng không hợp lệ "2024-13"' in text and 'class="msg error"' in text
    text = page(client.get("/bao-cao?month=2024-08&station=xa-khong"))
    assert 'đài không tồn tại "xa-khong"' in text
    # A download with a month that cannot be read: no file; the page with the month as typed and the reason.
    r = client.get("/bao-cao/tai?month=13/2024&format=csv&station=xa-dai-tam")
    assert r.status_code == 303 and r.headers["Location"].endswith("/bao-cao?month=13/2024&campaign=&station=xa-dai-tam")
    text = page(client.get(r.headers["Location"]))
    assert 'tháng không hợp lệ "13/2024"' in text and 'name="month" value="13/2024"' in text


# -- a broken folder -----------------------------------------------------------------------------------

def test_broken_config_shows_the_problems_page(client, fake_folder):
    cfg = fake_folder / "broadcaster.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("    media: fm\n", "    media: fmm\n", 1)
                   .replace('start: "05:30", end: "06:00"}', 'start: "25:30", end: "06:00"}', 1), encoding="utf-8")
    for url in ("/", "/kich-ban", "/ke-hoach", "/nhat-ky", "/bao-cao", "/kich-ban/2g-thong-bao"):
        r = client.get(url)
        assert r.status_code == 200, url
        text = page(r)
        assert "Traceback" not in text
        assert re.search(r"broadcaster\.yaml:\d+: ", text), url
        assert "fmm" in text and "25:30" in text
    cfg.write_text("organization: [unclosed\n", encoding="utf-8")
    r = client.get("/")
    assert r.status_code == 200 and "broadcaster.yaml:" in page(r)
    assert "Thư mục làm việc có lỗi" in page(client.get("/ke-hoach"))


def test_broken_folder_refuses_build_with_the_problems(client, fake_folder):
    tok = token(client)
    (fake_folder / "scripts" / "2g-thong-bao.yaml").write_text("id: 2g-thong-bao\ntitle: x\ntext: ''\n",
                                                              encoding="utf-8")
    r = client.post("/build", data={"csrf_token": tok})
    assert r.status_code == 303 and not r.headers["Location"].startswith("/viec/")
    text = page(client.get(r.headers["Location"]))
    assert "scripts/2g-thong-bao.yaml:" in text


def test_missing_folder_and_unknown_page(tmp_path):
    app = create_app(tmp_path / "khong-co")
    client = app.test_client()
    text = page(client.get("/"))
    assert "không thấy tệp broadcaster.yaml" in text
    r = client.get("/khong-co-trang-nay")
    assert r.status_code == 404 and "Không tìm thấy trang này." in page(r)


# -- the serve command and the real server -------------------------------------------------------------

def test_serve_command_contract():
    @click.group()
    def group():
        pass

    web_cmds.register(group)
    serve = group.commands["serve"]
    options = {p.name: p for p in serve.params}
    assert options["host"].default == "127.0.0.1" and options["port"].default == 8000
    from click.testing import CliRunner

    result = CliRunner().invoke(group, ["serve", "--help"])
    assert result.exit_code == 0 and "--host" in result.output and "bảng điều khiển" in result.output


def test_real_server_on_a_free_port(fake_folder):
    from broadcaster.web.server import make_server

    server = make_server(fake_folder, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        assert server.url == f"http://127.0.0.1:{server.port}/"
        with urllib.request.urlopen(server.url, timeout=10) as response:
            body = response.read().decode("utf-8")
            assert response.status == 200
        assert "Trung tâm Văn hóa - Thể thao - Truyền thanh huyện Mỹ Xuyên" in body
        with urllib.request.urlopen(server.url + "static/style.css", timeout=10) as response:
            assert response.headers["Content-Type"].startswith("text/css")
        # DNS rebinding: another site's name pointed at 127.0.0.1 gets no page (and no CSRF token).
        forged = urllib.request.Request(server.url, headers={"Host": f"evil.example:{server.port}"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, timeout=10)
        assert refused.value.code == 400
        assert "127.0.0.1" in refused.value.read().decode("utf-8")
        localhost = urllib.request.Request(server.url, headers={"Host": f"localhost:{server.port}"})
        with urllib.request.urlopen(localhost, timeout=10) as response:
            assert response.status == 200
    finally:
        server.stop()
        thread.join(timeout=5)


def test_port_in_use_is_explained(fake_folder):
    import socket

    from broadcaster.errors import BroadcasterError
    from broadcaster.web.server import make_server

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        with pytest.raises(BroadcasterError, match=f"không mở được cổng {port}"):
            make_server(fake_folder, "127.0.0.1", port)
