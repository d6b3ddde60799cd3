"""Web console, log corrections: "Hủy lượt phát" on the Nhật ký phát page — the same void_play as `log void`."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from broadcaster.config import load_project
from broadcaster.playlog.store import open_store
from broadcaster.playlog.verify import verify_log
from broadcaster.web import create_app
from webfixtures import csrf_token, page

NOW = datetime(2024, 8, 20, 12, 0)


@pytest.fixture
def app(fake_folder):
    application = create_app(fake_folder, today=date(2024, 8, 20))
    application.config.update(TESTING=True, BROADCASTER_NOW=NOW)
    yield application
    application.extensions["broadcaster"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def _confirm(client, station: str = "xa-dai-tam") -> None:
    response = client.post("/hom-nay/xac-nhan", data={"station": station, "session": "sang", "date": "2024-08-20",
                                                       "csrf_token": csrf_token(client, "/hom-nay")})
    assert response.status_code == 303


def _log(fake_folder) -> list[dict]:
    store = open_store(load_project(fake_folder))
    try:
        return store.list_plays(include_voids=True)
    finally:
        store.close()


def test_every_entry_has_a_void_form_with_a_labelled_reason(client, fake_folder):
    _confirm(client)
    rows = _log(fake_folder)
    shown = page(client.get("/nhat-ky"))
    assert shown.count("<summary>Hủy lượt phát</summary>") == len(rows) > 0
    for r in rows:
        assert f'name="id" value="{r["id"]}"' in shown
        assert f"Lý do hủy lượt {r['id']} <input" in shown
    form = shown[shown.index('action="/nhat-ky/huy"'):]
    assert 'name="csrf_token"' in form[:form.index("</form>")]


def test_voiding_from_the_page_marks_the_entry_and_keeps_the_filters(client, fake_folder):
    _confirm(client)
    before = _log(fake_folder)
    victim = before[0]
    back = "/nhat-ky?station=xa-dai-tam&from=2024-08-20&to=2024-08-20"
    response = client.post("/nhat-ky/huy", data={"id": str(victim["id"]), "reason": "Xác nhận nhầm: loa hỏng",
                                                 "back": back, "csrf_token": csrf_token(client, back)})
    assert response.status_code == 303 and response.headers["Location"].endswith(back)
    shown = page(client.get(back))
    assert f"Đã hủy lượt phát mã {victim['id']}" in shown
    row = re.search(rf'<tr data-row="{victim["id"]}" class="voided">(.*?)</tr>', shown, re.S)
    assert row and "Đã hủy" in row[1] and "Lý do: Xác nhận nhầm: loa hỏng" in row[1]
    assert "<summary>Hủy lượt phát</summary>" not in row[1]          # no second void offered
    after = _log(fake_folder)
    assert len(after) == len(before) + 1
    assert {k: v for k, v in after[0].items() if k not in ("voided_by", "void_reason", "voided_at")} == \
        {k: v for k, v in victim.items() if k not in ("voided_by", "void_reason", "voided_at")}
    voids = [r for r in after if r["status"] == "void"]
    # Voided at the console's "now" (station time; the fixed test day).
    assert [(r["voids"], r["reason"], r["started_at"].date()) for r in voids] == \
        [(victim["uid"], "Xác nhận nhầm: loa hỏng", NOW.date())]
    store = open_store(load_project(fake_folder))
    try:
        assert verify_log(store).ok
    finally:
        store.close()
    # The report page counts it out and says so.
    report = page(client.get("/bao-cao?month=2024-08"))
    assert "Số lượt đã hủy: 1 lượt phát" in report


@pytest.mark.parametrize("form,expected", [
    ({"reason": "   "}, "chưa ghi lý do hủy lượt phát mã"),
    ({"id": "99999", "reason": "không có"}, "không có lượt phát mã 99999"),
    ({"id": "x1", "reason": "sai mã"}, 'mã lượt phát không hợp lệ "x1"'),
])
def test_refused_voids_flash_the_reason_and_change_nothing(client, fake_folder, form, expected):
    _confirm(client)
    before = _log(fake_folder)
    data = {"id": str(before[0]["id"]), "csrf_token": csrf_token(client, "/nhat-ky")} | form
    response = client.post("/nhat-ky/huy", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert expected in page(response) and "Traceback" not in page(response)
    assert _log(fake_folder) == before


def test_voiding_twice_from_two_tabs_is_refused(client, fake_folder):
    _confirm(client)
    victim = _log(fake_folder)[0]["id"]
    token = csrf_token(client, "/nhat-ky")
    client.post("/nhat-ky/huy", data={"id": str(victim), "reason": "lần một", "csrf_token": token})
    count = len(_log(fake_folder))
    response = client.post("/nhat-ky/huy", data={"id": str(victim), "reason": "lần hai", "csrf_token": token},
                           follow_redirects=True)
    assert f"lượt phát mã {victim} đã được hủy" in page(response)
    assert len(_log(fake_folder)) == count


def test_void_needs_the_csrf_token_and_never_redirects_off_site(client, fake_folder):
    _confirm(client)
    before = _log(fake_folder)
    response = client.post("/nhat-ky/huy", data={"id": str(before[0]["id"]), "reason": "không có mã bảo vệ"})
    assert response.status_code == 403 and "mã bảo vệ" in page(response)
    assert _log(fake_folder) == before
    response = client.post("/nhat-ky/huy", data={"id": str(before[0]["id"]), "reason": "ghi nhầm",
                                                 "back": "//evil.example/nhat-ky",
                                                 "csrf_token": csrf_token(client, "/nhat-ky")})
    assert response.status_code == 303 and response.headers["Location"].endswith("/nhat-ky")


def test_each_void_form_says_which_play_and_that_voiding_is_final_before_the_button(client, fake_folder):
    _confirm(client)
    rows = _log(fake_folder)
    shown = page(client.get("/nhat-ky"))
    for r in rows:
        start = shown.index(f'name="id" value="{r["id"]}"')
        form = shown[start:shown.index("</form>", start)]
        assert f"<strong>Hủy lượt {r['id']}:</strong> Đài truyền thanh" in form
        final = form.index("Hủy là vĩnh viễn, không hoàn tác được")
        assert final < form.index('<button type="submit" class="danger">Xác nhận hủy</button>')
        assert f'aria-describedby="void-final-{r["id"]}"' in shown[:start].rsplit("<form", 1)[1]


def test_the_reason_field_limit_is_the_logs(client, fake_folder, monkeypatch):
    from broadcaster.playlog import schema

    _confirm(client)
    monkeypatch.setattr(schema, "REASON_MAX", 321)  # the page reads the log's limit, never its own copy
    shown = page(client.get("/nhat-ky"))
    assert shown.count('name="reason" required maxlength="321"') == len(_log(fake_folder)) > 0
