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
    assert response.status_code == 400
    assert "chọn một đài" in html.unescape(response.get_data(as_text=True))


def test_a_player_limit_is_explained_in_the_page_words_not_a_flag(client, monkeypatch):
    from broadcaster.export import usb

    monkeypatch.setattr(usb, "MAX_FOLDERS", 3)  # a stick of 3 folders: 2 days × 2 sessions do not fit
    data = {"format": "usb", "station": "xa-dai-tam", "from": "2024-08-19", "days": "2", "csrf_token": token(client)}
    response = client.post("/xuat/tai", data=data)
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
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
