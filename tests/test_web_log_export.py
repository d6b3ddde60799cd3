"""Web console, log download: the filtered log list as CSV and Excel, the same rows as `log list --format csv`."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from broadcaster.web import create_app


@pytest.fixture
def app(fake_folder):
    application = create_app(fake_folder, today=date(2024, 8, 20))
    application.config.update(TESTING=True, BROADCASTER_NOW=datetime(2024, 8, 20, 12, 0))
    yield application
    application.extensions["broadcaster"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def confirm(client, station: str) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/hom-nay").get_data(as_text=True)).group(1)
    response = client.post("/hom-nay/xac-nhan", data={"station": station, "session": "sang", "date": "2024-08-20",
                                                       "csrf_token": token})
    assert response.status_code == 303


def test_today_page_without_a_log_creates_none(client, fake_folder):
    assert client.get("/hom-nay").status_code == 200
    assert not (fake_folder / "broadcaster.db").exists()


def test_csv_of_the_filtered_list_matches_log_list(client, fake_folder, capsys):
    from broadcaster.cli import main

    confirm(client, "xa-dai-tam")
    confirm(client, "xa-ngoc-to")
    response = client.get("/nhat-ky/tai?format=csv&station=xa-dai-tam&from=2024-08-20&to=2024-08-20")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {r["station"] for r in rows} == {"xa-dai-tam"} and {r["source"] for r in rows} == {"confirm"}
    capsys.readouterr()
    assert main(["--project", str(fake_folder), "log", "list", "--station", "xa-dai-tam", "--format", "csv"]) == 0
    cli = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["uid"] for r in rows] == [r["uid"] for r in cli]
    assert [r["row_hash"] for r in rows] == [r["row_hash"] for r in cli]


def test_xlsx_of_all_stations(client):
    confirm(client, "xa-dai-tam")
    confirm(client, "xa-ngoc-to")
    response = client.get("/nhat-ky/tai?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.values)
    assert values[0][:3] == ("id", "station", "script")
    assert {v[1] for v in values[1:]} == {"xa-dai-tam", "xa-ngoc-to"}
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]


def test_log_page_links_to_the_downloads_with_its_filters(client):
    body = client.get("/nhat-ky?station=xa-dai-tam").get_data(as_text=True)
    # The downloads submit the filter form (the fields on screen), not a link with the last filter baked in.
    assert 'href="/nhat-ky/tai' not in body
    form = body[body.index('id="loc-nhat-ky"'):body.index("</form>", body.index('id="loc-nhat-ky"'))]
    assert 'formaction="/nhat-ky/tai" name="format" value="csv"' in form
    assert 'formaction="/nhat-ky/tai" name="format" value="xlsx"' in form
    assert '<option value="xa-dai-tam" selected>' in form


def test_log_download_uses_the_values_sent_and_refuses_a_bad_date(client):
    response = client.get("/nhat-ky/tai?format=csv&from=20/08/2024&to=20/08/2024&station=xa-ngoc-to&status=")
    assert response.status_code == 200
    assert "nhat-ky-xa-ngoc-to-2024-08-20-2024-08-20.csv" in response.headers["Content-Disposition"]
    bad = client.get("/nhat-ky/tai?format=csv&from=32/08/2024&to=&station=&status=")
    assert bad.status_code == 303 and bad.mimetype == "text/html"
    body = client.get(bad.headers["Location"]).get_data(as_text=True)
    assert "ngày không hợp lệ &#34;32/08/2024&#34;" in body and 'name="from" value="32/08/2024"' in body
