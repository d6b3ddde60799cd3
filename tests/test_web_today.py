"""Web console, today page: each station's sessions today and one-click confirmation of a finished session."""
from __future__ import annotations

import html
import re
from datetime import date, datetime

import pytest

from broadcaster.config import load_project
from broadcaster.playlog.store import open_store
from broadcaster.web import create_app

DAY = date(2024, 8, 20)


@pytest.fixture
def app(fake_folder):
    application = create_app(fake_folder, today=DAY)
    application.config.update(TESTING=True, BROADCASTER_NOW=datetime(2024, 8, 20, 12, 0))
    yield application
    application.extensions["broadcaster"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def token(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/hom-nay").get_data(as_text=True)).group(1)


def states(body: str) -> dict[str, str]:
    return dict(re.findall(r'data-session="([^"]+)">.*?<span class="tag state-([a-z_]+)">', body, re.S))


def test_sessions_before_and_after_now(client):
    body = html.unescape(client.get("/hom-nay").get_data(as_text=True))
    found = states(body)
    assert found["xa-dai-tam:sang"] == "missed" and found["xa-dai-tam:chieu"] == "due"
    assert body.count("Xác nhận đã phát</button>") == 4  # each station's morning session


def test_confirm_a_finished_session_logs_its_plan(client, fake_folder):
    response = client.post("/hom-nay/xac-nhan", data={"station": "xa-dai-tam", "session": "sang",
                                                       "date": "2024-08-20", "csrf_token": token(client)})
    assert response.status_code == 303
    body = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Đã xác nhận đài xa-dai-tam ngày 20/08/2024 phiên sang" in body
    assert states(body)["xa-dai-tam:sang"] == "confirmed"
    project = load_project(fake_folder)
    store = open_store(project)
    try:
        rows = store.list_plays(station="xa-dai-tam")
    finally:
        store.close()
    assert rows and {r["source"] for r in rows} == {"confirm"}
    assert all(r["started_at"].date() == DAY and r["started_at"].hour == 5 for r in rows)


def test_a_session_that_has_not_ended_is_refused(client, fake_folder):
    response = client.post("/hom-nay/xac-nhan", data={"station": "xa-dai-tam", "session": "chieu",
                                                       "date": "2024-08-20", "csrf_token": token(client)},
                           follow_redirects=True)
    assert "phiên chieu của Đài truyền thanh xã Đại Tâm ngày 20/08/2024 chưa kết thúc (17:30)" in \
        html.unescape(response.get_data(as_text=True))
    store = open_store(load_project(fake_folder))
    try:
        assert store.count() == 0
    finally:
        store.close()


def test_confirm_buttons_submit_the_day_on_screen(client, fake_folder):
    import html as html_module

    body = html_module.unescape(client.get("/hom-nay").get_data(as_text=True))
    start = body.index('<form method="get" action="/hom-nay" class="filters" id="hom-nay">')
    assert 'name="date"' in body[start:body.index("</form>", start)]
    assert not re.search(r'type="hidden" name="date"', body)  # no copy of the shown day
    assert 'form="hom-nay" formaction="/hom-nay/xac-nhan" formmethod="post" name="target" value="xa-dai-tam|sang"' in body
    # The day field changed to 19/08 then a session's button: 19/08 is confirmed and shown.
    token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
    response = client.post("/hom-nay/xac-nhan", data={"date": "2024-08-19", "target": "xa-dai-tam|sang",
                                                       "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("/hom-nay?date=2024-08-19")
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã xác nhận đài xa-dai-tam" in shown and "19/08/2024" in shown
    from broadcaster.config import load_project
    from broadcaster.playlog.store import open_store

    store = open_store(load_project(fake_folder))
    try:
        days = {r["started_at"].date().isoformat() for r in store.list_plays()}
    finally:
        store.close()
    assert days == {"2024-08-19"}
    bad = client.post("/hom-nay/xac-nhan", data={"date": "32/08/2024", "target": "xa-dai-tam|sang",
                                                  "csrf_token": token}, follow_redirects=True)
    assert 'ngày không hợp lệ &#34;32/08/2024&#34;' in bad.get_data(as_text=True)
