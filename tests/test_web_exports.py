"""Web console, exports page: the export formats as zips in writing order, and one session's programme MP3."""
from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import date

import pytest

from broadcaster.config import load_project
from broadcaster.export import export
from broadcaster.schedule import load_schedules
from webfixtures import app, client  # noqa: F401  (fixtures and helpers shared by the web tests)


def token(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/xuat").get_data(as_text=True)).group(1)


def test_page_lists_the_sessions_of_the_chosen_days(client):
    body = html.unescape(client.get("/xuat?station=xa-dai-tam&from=2024-08-19&days=2").get_data(as_text=True))
    assert '<a href="/xuat" class="here" aria-current="page">Xuất</a>' in body
    assert "Các phiên phát (4)" in body  # two days × sáng and chiều
    assert body.count("Tải MP3</button>") == 4
    # Monday morning: the notice and the 4G guide (mon, wed, fri); Tuesday morning: the notice only.
    counts = re.findall(r'<td class="num">(\d+)</td>\s*<td class="num">\d+:\d\d</td>', body)
    assert counts == ["2", "2", "1", "2"]


def test_bad_days_are_named(client):
    body = html.unescape(client.get("/xuat?days=40").get_data(as_text=True))
    assert "số ngày phải từ 1 đến 31" in body


def test_usb_zip_is_in_play_order_with_mucluc_and_matches_the_command(client, fake_folder, tmp_path):
    data = {"format": "usb", "station": "xa-dai-tam", "from": "2024-08-19", "days": "2", "csrf_token": token(client)}
    response = client.post("/xuat/tai", data=data)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert names[-1] == "MUCLUC.TXT"
    assert names[:-1] == sorted(names[:-1]) and names[0] == "01/001.mp3"
    project = load_project(fake_folder)
    expected = export(project, load_schedules(project), "usb", date(2024, 8, 19), 2, tmp_path / "cli", "xa-dai-tam")
    assert names == list(expected.files)
    index = zipfile.ZipFile(io.BytesIO(response.data)).read("MUCLUC.TXT")
    assert index == (tmp_path / "cli" / "MUCLUC.TXT").read_bytes()


def test_usb_needs_one_station(client):
    data = {"format": "usb", "station": "", "from": "2024-08-19", "days": "1", "csrf_token": token(client)}
    response = client.post("/xuat/tai", data=data)
    # Refused: no file; back to the page with the values sent, the message next to the download buttons.
    assert response.status_code == 303 and response.mimetype != "application/zip"
    assert response.headers["Location"].endswith("/xuat?station=&from=2024-08-19&days=1#h-tai")
    body = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert re.search(r'id="tb-h-tai">\s*<p class="msg error" role="alert">lỗi: bản xuất cho thẻ nhớ/USB là cho một đài '
                     r'— chọn một đài ở ô “Đài” rồi tải lại</p>', body)


def test_a_player_limit_is_explained_in_the_page_words_not_a_flag(client, monkeypatch):
    from broadcaster.export import usb

    monkeypatch.setattr(usb, "MAX_FOLDERS", 3)  # a stick of 3 folders: 2 days × 2 sessions do not fit
    data = {"format": "usb", "station": "xa-dai-tam", "from": "2024-08-19", "days": "2", "csrf_token": token(client)}
    response = client.post("/xuat/tai", data=data, follow_redirects=True)
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "cần 4 thư mục" in body and 'đặt “Số ngày” là 1 hoặc ít hơn rồi tải lại' in body
    assert "--days" not in body


@pytest.mark.parametrize("fmt,first", [("m3u", ".m3u8"), ("csv", ".csv"), ("json", ".json")])
def test_other_formats_zip(client, fmt, first):
    data = {"format": fmt, "station": "", "from": "2024-08-19", "days": "1", "csrf_token": token(client)}
    response = client.post("/xuat/tai", data=data)
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert any(n.endswith(first) for n in names) and any(n.endswith(".mp3") for n in names)


def test_programme_mp3_of_one_session(client):
    data = {"station": "xa-dai-tam", "date": "2024-08-19", "session": "sang", "csrf_token": token(client)}
    response = client.post("/xuat/chuong-trinh", data=data)
    assert response.status_code == 200 and response.mimetype == "audio/mpeg"
    assert response.data[:3] == b"ID3" and len(response.data) > 10_000
    missing = client.post("/xuat/chuong-trinh", data={**data, "session": "dem"})
    assert missing.status_code == 400


def test_every_action_of_the_page_submits_the_one_form_of_the_fields_on_screen(client):
    body = html.unescape(client.get("/xuat?station=xa-dai-tam&from=2024-08-19&days=2").get_data(as_text=True))
    start = body.index('<form id="xuat"')
    choice = body[start:body.index("</form>", start)]
    assert 'name="station"' in choice and 'name="from"' in choice and 'name="days"' in choice
    # No copy of the last view's values in hidden fields: the buttons submit the form above (the session
    # table's "Tải MP3" rows name their own session and are left out).
    actions = body[:body.index('id="h-phien"')]
    assert not re.search(r'type="hidden" name="(station|from|days)"', actions)
    buttons = re.findall(r'<button type="submit" form="xuat" formaction="/xuat/tai" formmethod="post"', body)
    assert len(buttons) == 4


def test_a_download_uses_the_values_sent_not_the_view(client):
    data = {"format": "csv", "station": "xa-dai-tam", "from": "05/08/2024", "days": "1", "csrf_token": token(client)}
    response = client.post("/xuat/tai", data=data)
    assert response.status_code == 200
    assert "Xu%E1%BA%A5t%20CSV%20xa-dai-tam%2005-08-2024%E2%80%9305-08-2024.zip" in response.headers[
        "Content-Disposition"]
    bad = client.post("/xuat/tai", data={**data, "from": "32/08/2024"})
    assert bad.status_code == 303 and bad.mimetype != "application/zip"
    body = html.unescape(client.get(bad.headers["Location"]).get_data(as_text=True))
    assert 'lỗi: ngày không hợp lệ "32/08/2024"' in body[body.index('id="tb-h-tai"'):]


def test_viewing_drops_the_guard_token_and_stick_fields_from_the_address(client):
    response = client.get("/xuat?csrf_token=abc&station=xa-dai-tam&from=2024-08-19&days=2&drive=/media/USB&replace=1")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/xuat?station=xa-dai-tam&from=2024-08-19&days=2")
