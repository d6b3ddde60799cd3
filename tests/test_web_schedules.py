"""Web console, schedules page: calendar, and adding, removing and excluding in schedules/*.yaml as check expects."""
from __future__ import annotations

import re
from datetime import date


from broadcaster.config import load_project
from broadcaster.schedule import expand_plan, load_schedules
from webfixtures import app, client, page  # noqa: F401  (fixtures and helpers shared by the web tests)
from broadcaster.workdir import check_folder


def token(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/lich-phat").get_data(as_text=True)).group(1)


def plays(folder, start, end, station=None):
    project = load_project(folder)
    return expand_plan(project, load_schedules(project), start, end, station)


def no_errors(folder):
    return not [p for p in check_folder(folder)[0] if p.severity == "error"]


def test_week_calendar_shows_sessions_items_and_fullness(client):
    body = page(client.get("/lich-phat?date=2024-08-21&station=xa-dai-tam"))
    assert "Lịch phát: 19/08/2024 – 25/08/2024" in body
    assert body.count("<meter") == 14  # 7 days × 2 sessions of one station
    monday = body[body.index('id="d-2024-08-19"'):body.index('id="d-2024-08-20"')]
    assert "Hướng dẫn chuyển đổi sang máy điện thoại 4G" in monday  # mon, wed, fri in the morning
    tuesday = body[body.index('id="d-2024-08-20"'):body.index('id="d-2024-08-21"')]
    assert "Hướng dẫn chuyển đổi" not in tuesday
    assert re.search(r"\d+:\d\d / 30:00 \(\d+%\)", monday)


def test_month_calendar(client):
    body = page(client.get("/lich-phat?date=2024-08-21&view=month&station=xa-dai-tam"))
    assert "Lịch phát: 01/08/2024 – 31/08/2024" in body and body.count("<meter") == 62


def test_add_a_script_to_an_existing_schedule_for_some_days(client, fake_folder):
    before = [p for p in plays(fake_folder, date(2024, 8, 19), date(2024, 8, 25), "xa-dai-tam")
              if p.script == "2g-huong-dan"]
    data = {"script": "2g-huong-dan", "schedule": "schedules/2g.yaml", "from": "2024-08-19", "until": "2024-08-25",
            "sessions": ["chieu"], "days": ["1", "3"], "csrf_token": token(client)}
    response = client.post("/lich-phat/them", data=data, follow_redirects=True)
    assert "Đã thêm 2g-huong-dan vào 2g.yaml." in page(response)
    text = (fake_folder / "schedules" / "2g.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Lịch phát chiến dịch dừng 2G")  # comments kept
    assert "  - {script: 2g-huong-dan, sessions: [chieu], days: [tue, thu], from: 2024-08-19, until: 2024-08-25}\n" in text
    after = [p for p in plays(fake_folder, date(2024, 8, 19), date(2024, 8, 25), "xa-dai-tam")
             if p.script == "2g-huong-dan"]
    added = sorted((p.date, p.session) for p in after if (p.date, p.session) not in {(b.date, b.session) for b in before})
    assert added == [(date(2024, 8, 20), "chieu"), (date(2024, 8, 22), "chieu")]
    assert no_errors(fake_folder)


def test_add_as_a_new_schedule_for_chosen_stations(client, fake_folder):
    data = {"script": "2g-nhac-nho", "schedule": "", "from": "2024-08-26", "until": "2024-08-30",
            "stations": ["xa-ngoc-to"], "sessions": ["sang"], "csrf_token": token(client)}
    client.post("/lich-phat/them", data=data)
    path = fake_folder / "schedules" / "2g-nhac-nho-2024-08-26.yaml"
    assert path.read_text(encoding="utf-8") == (
        "name: Nhắc nhở chuyển đổi điện thoại 2G\nstations: [xa-ngoc-to]\nfrom: 2024-08-26\nuntil: 2024-08-30\n"
        "items:\n  - {script: 2g-nhac-nho, sessions: [sang]}\n")
    morning = [p for p in plays(fake_folder, date(2024, 8, 26), date(2024, 8, 30), "xa-ngoc-to")
               if p.script == "2g-nhac-nho" and p.session == "sang"]
    assert len(morning) == 5
    assert no_errors(fake_folder)


def test_remove_an_item(client, fake_folder):
    data = {"schedule": "schedules/2g.yaml", "index": "1", "script": "2g-huong-dan", "csrf_token": token(client)}
    response = client.post("/lich-phat/bo", data=data, follow_redirects=True)
    assert "Đã bỏ 2g-huong-dan khỏi schedules/2g.yaml." in page(response)
    assert not [p for p in plays(fake_folder, date(2024, 8, 19), date(2024, 8, 25)) if p.script == "2g-huong-dan"]
    stale = client.post("/lich-phat/bo", data={**data, "csrf_token": token(client)}, follow_redirects=True)
    assert "không còn là kịch bản 2g-huong-dan" in page(stale)


def test_exclude_a_holiday_in_every_schedule(client, fake_folder):
    assert plays(fake_folder, date(2024, 8, 21), date(2024, 8, 21))
    response = client.post("/lich-phat/nghi", data={"day": "2024-08-21", "schedule": "", "csrf_token": token(client)},
                           follow_redirects=True)
    assert "Đã đặt ngày 21/08/2024 là ngày nghỉ trong schedules/2g.yaml." in page(response)
    assert plays(fake_folder, date(2024, 8, 21), date(2024, 8, 21)) == []
    assert "exclude: [2024-09-02, 2024-08-21]\n" in (fake_folder / "schedules" / "2g.yaml").read_text(encoding="utf-8")


def test_overflow_is_refused_before_saving(client, fake_folder):
    long_text = " ".join(["Bà con lưu ý thực hiện đúng hướng dẫn của cơ quan chức năng."] * 150)
    (fake_folder / "scripts" / "dai.yaml").write_text(
        f"id: dai\ntitle: Bài rất dài\ncampaign: dung-2g\nrepeat: 3\ntext: |\n  {long_text}\n", encoding="utf-8")
    original = (fake_folder / "schedules" / "2g.yaml").read_bytes()
    data = {"script": "dai", "schedule": "schedules/2g.yaml", "from": "2024-08-19", "until": "2024-08-25",
            "csrf_token": token(client)}
    body = page(client.post("/lich-phat/them", data=data, follow_redirects=True))
    assert "Chưa lưu schedules/2g.yaml — lịch mới sẽ có lỗi:" in body and "schedules/2g.yaml:" in body
    assert (fake_folder / "schedules" / "2g.yaml").read_bytes() == original
    assert not [p for p in (fake_folder / "schedules").iterdir() if p.name.startswith(".")]


def test_relay_items_show_and_can_be_removed(client, fake_folder):
    from test_relay import add_schedule, relay_folder

    relay_folder(fake_folder)
    add_schedule(fake_folder, "name: Tiếp sóng\nstations: [xa-dai-tam]\nfrom: 2024-08-19\nuntil: 2024-08-25\n"
                              "sessions: [chieu]\nitems:\n  - {script: 2g-thong-bao}\n  - {relay: vov1, minutes: 10}\n")
    body = page(client.get("/lich-phat?date=2024-08-19&station=xa-dai-tam"))
    monday = body[body.index('id="d-2024-08-19"'):body.index('id="d-2024-08-20"')]
    assert "Đài Tiếng nói Việt Nam - VOV1" in monday
    assert "tiếp sóng vov1" in body
    data = {"schedule": "schedules/tiep-song.yaml", "index": "1", "script": "vov1", "csrf_token": token(client)}
    response = client.post("/lich-phat/bo", data=data, follow_redirects=True)
    assert "Đã bỏ vov1 khỏi schedules/tiep-song.yaml." in page(response)
    assert "relay" not in (fake_folder / "schedules" / "tiep-song.yaml").read_text(encoding="utf-8")
