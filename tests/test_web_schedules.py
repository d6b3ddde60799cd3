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
    assert ("Đã thêm “Hướng dẫn chuyển đổi sang máy điện thoại 4G” vào lịch “Lịch phát truyền thông dừng công "
            "nghệ di động 2G”; mục này phát ở Đài truyền thanh thị trấn Mỹ Xuyên, Đài truyền thanh xã Đại Tâm, Đài truyền thanh xã Tham Đôn, Đài truyền thanh xã Ngọc Tố.") in page(response)
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
    response = client.post("/lich-phat/them", data=data, follow_redirects=True)
    body = page(response)
    assert response.status_code == 400
    assert "Chưa thêm vào lịch “Lịch phát truyền thông dừng công nghệ di động 2G” — sau khi thêm, lịch sẽ có lỗi:" in body
    assert "chương trình dài" in body and "schedules/2g.yaml:" not in body
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


# --- moving an item --------------------------------------------------------------------------------------------------

def move_data(client, **values):
    body = client.get(f"/lich-phat/chuyen?schedule={values.get('schedule', 'schedules/2g.yaml')}"
                      f"&index={values.get('index', '1')}").get_data(as_text=True)
    data = {"schedule": "schedules/2g.yaml", "index": "1", "target": "schedules/2g.yaml",
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)}
    data.update(values)
    return data


def test_a_move_saved_after_another_tab_removed_an_item_above_moves_nothing(client, fake_folder):
    """Tab B opens "move 2g-huong-dan" (item 2) and checks it; tab A removes item 1; B's save must not move the item
    that slid into place 2 (2g-nhac-nho, losing its own from: date)."""
    path = fake_folder / "schedules" / "2g.yaml"
    form = client.get("/lich-phat/chuyen?schedule=schedules/2g.yaml&index=1").get_data(as_text=True)
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))
    assert hidden.get("script") == "2g-huong-dan", "the move form names the item it moves"
    data = {**move_data(client), **hidden, "sessions": ["chieu"]}
    removed = client.post("/lich-phat/bo", data={"schedule": "schedules/2g.yaml", "index": "0", "script": "2g-thong-bao",
                                                 "csrf_token": data["csrf_token"]}, follow_redirects=True)
    assert "Đã bỏ 2g-thong-bao" in page(removed)
    before = path.read_bytes()
    response = client.post("/lich-phat/chuyen", data={**data, "action": "save"}, follow_redirects=True)
    assert "không còn là kịch bản 2g-huong-dan (tệp vừa được sửa) — tải lại trang" in page(response)
    assert path.read_bytes() == before


def test_move_form_is_filled_with_the_item_as_it_plays(client):
    body = page(client.get("/lich-phat/chuyen?schedule=schedules/2g.yaml&index=1"))
    assert "Chuyển mục lịch: Hướng dẫn chuyển đổi sang máy điện thoại 4G" in body
    assert 'name="from" value="2024-07-15"' in body and 'name="until" value="2024-09-30"' in body
    checked = re.findall(r'name="(sessions|days)" value="(\w+)" checked', body)
    assert checked == [("sessions", "sang"), ("days", "0"), ("days", "2"), ("days", "4")]
    assert "value=\"save\"" not in body  # saving is offered only after a check without errors
    # The schedules page links each item to its move form.
    assert "/lich-phat/chuyen?schedule=schedules/2g.yaml&amp;index=1" in client.get("/lich-phat").get_data(as_text=True)


def test_move_to_other_sessions_and_days_checks_first_then_saves(client, fake_folder):
    path = fake_folder / "schedules" / "2g.yaml"
    original = path.read_bytes()
    data = move_data(client, sessions=["chieu"], days=["1", "3"], **{"from": "2024-08-19", "until": "2024-08-31"})
    body = page(client.post("/lich-phat/chuyen", data={**data, "action": "check"}))
    assert "Đã kiểm tra: lịch sau khi chuyển không có lỗi" in body and "value=\"save\"" in body
    assert "Mục này phát trong 16 phiên." in body  # 4 stations × (tue, thu) × 2 weeks, afternoon only
    assert re.search(r"Đài truyền thanh xã Đại Tâm</td><td>chiều \(17:00–17:30\)</td>\s*<td class=\"num\">4</td>", body)
    assert path.read_bytes() == original  # the check writes nothing
    response = client.post("/lich-phat/chuyen", data={**data, "action": "save"}, follow_redirects=True)
    assert "Đã chuyển 2g-huong-dan sang 2g.yaml." in page(response)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Lịch phát chiến dịch dừng 2G")  # comments kept
    # In place, as the second item; the schedule's own until (30/09) would have been left out.
    assert ("  - {script: 2g-thong-bao}\n"
            "  - {script: 2g-huong-dan, sessions: [chieu], days: [tue, thu], from: 2024-08-19, until: 2024-08-31}\n"
            "  - {script: 2g-nhac-nho") in text
    moved = sorted((p.date, p.session) for p in plays(fake_folder, date(2024, 8, 12), date(2024, 9, 8), "xa-dai-tam")
                   if p.script == "2g-huong-dan")
    assert moved == [(date(2024, 8, d), "chieu") for d in (20, 22, 27, 29)]
    assert no_errors(fake_folder)


def test_move_keeps_what_is_the_schedules_own(client, fake_folder):
    data = move_data(client, sessions=["sang", "chieu"], days=[], **{"from": "2024-07-15", "until": "2024-09-30"})
    client.post("/lich-phat/chuyen", data={**data, "action": "save"})
    text = (fake_folder / "schedules" / "2g.yaml").read_text(encoding="utf-8")
    assert "  - {script: 2g-huong-dan}\n" in text  # every key equal to the schedule's: the item follows it
    assert no_errors(fake_folder)


def test_move_to_other_stations_makes_a_new_schedule_and_empties_none(client, fake_folder):
    data = move_data(client, target="", stations=["xa-ngoc-to"], sessions=["sang"], days=["0"],
                     **{"from": "2024-08-19", "until": "2024-08-25"})
    response = client.post("/lich-phat/chuyen", data={**data, "action": "save"}, follow_redirects=True)
    assert "Đã chuyển 2g-huong-dan sang 2g-huong-dan-2024-08-19.yaml." in page(response)
    new = fake_folder / "schedules" / "2g-huong-dan-2024-08-19.yaml"
    assert new.read_text(encoding="utf-8") == (
        "name: Hướng dẫn chuyển đổi sang máy điện thoại 4G\nstations: [xa-ngoc-to]\nfrom: 2024-08-19\n"
        "until: 2024-08-25\ndays: [mon]\nitems:\n  - {script: 2g-huong-dan, sessions: [sang]}\n")
    assert "2g-huong-dan" not in (fake_folder / "schedules" / "2g.yaml").read_text(encoding="utf-8")
    found = [(p.station, p.date, p.session) for p in plays(fake_folder, date(2024, 7, 15), date(2024, 9, 30))
             if p.script == "2g-huong-dan"]
    assert found == [("xa-ngoc-to", date(2024, 8, 19), "sang")]
    assert no_errors(fake_folder)


def test_moving_the_last_item_of_a_file_away_deletes_the_file(client, fake_folder):
    (fake_folder / "schedules" / "rieng.yaml").write_text(
        "name: Riêng\nstations: [xa-dai-tam]\nfrom: 2024-08-19\nuntil: 2024-08-25\nitems:\n  - 2g-nhac-nho\n",
        encoding="utf-8")
    data = move_data(client, schedule="schedules/rieng.yaml", index="0", target="schedules/2g.yaml",
                     sessions=["sang"], **{"from": "2024-08-19", "until": "2024-08-25"})
    body = page(client.post("/lich-phat/chuyen", data={**data, "action": "save"}, follow_redirects=True))
    assert "Đã chuyển 2g-nhac-nho sang 2g.yaml." in body and "schedules/rieng.yaml không còn mục nào" in body
    assert not (fake_folder / "schedules" / "rieng.yaml").exists()
    assert ("  - {script: 2g-nhac-nho, sessions: [sang], from: 2024-08-19, until: 2024-08-25}\n"
            in (fake_folder / "schedules" / "2g.yaml").read_text(encoding="utf-8"))
    assert no_errors(fake_folder)


SENTENCE = "Bà con lưu ý thực hiện đúng hướng dẫn."


def long_script(folder, minutes: float) -> None:
    """scripts/dai.yaml, read for about ``minutes`` by the plan's estimate (no clip built)."""
    from broadcaster.schedule.expand import estimate_seconds

    project = load_project(folder)
    one, two = estimate_seconds(project, SENTENCE), estimate_seconds(project, f"{SENTENCE} {SENTENCE}")
    count = int((minutes * 60 - one) / (two - one)) + 1
    (folder / "scripts" / "dai.yaml").write_text(
        f"id: dai\ntitle: Bài dài\nform: bai\ntext: |\n  {' '.join([SENTENCE] * count)}\n", encoding="utf-8")
    assert abs(estimate_seconds(load_project(folder), load_project(folder).script("dai").text) - minutes * 60) < 10


def test_move_into_a_full_session_is_refused_at_the_check_and_at_saving(client, fake_folder):
    # A long talk that fits a session alone (October, after the 2G schedule), but not beside the 2G items.
    long_script(fake_folder, 26.5)
    (fake_folder / "schedules" / "dai.yaml").write_text(
        "name: Bài dài\nstations: [xa-dai-tam]\nfrom: 2024-09-01\nuntil: 2024-10-31\nsessions: [sang]\n"
        "items:\n  - {script: dai, from: 2024-10-07}\n", encoding="utf-8")
    assert no_errors(fake_folder)
    before = {p.name: p.read_bytes() for p in (fake_folder / "schedules").iterdir()}
    data = move_data(client, schedule="schedules/dai.yaml", index="0", target="schedules/dai.yaml",
                     sessions=["sang"], **{"from": "2024-09-02", "until": "2024-10-13"})
    body = page(client.post("/lich-phat/chuyen", data={**data, "action": "check"}))
    assert "Chưa lưu — lịch sau khi chuyển sẽ có lỗi:" in body
    assert re.search(r"schedules/\w+\.yaml:\d+: ", body) and "xa-dai-tam" in body
    assert "value=\"save\"" not in body
    body = page(client.post("/lich-phat/chuyen", data={**data, "action": "save"}))
    assert "Chưa lưu — lịch sau khi chuyển sẽ có lỗi:" in body
    assert {p.name: p.read_bytes() for p in (fake_folder / "schedules").iterdir()} == before  # nothing written
    # Only October: it still fits, and the page says so before saving.
    ok = {**data, "from": "2024-10-07", "until": "2024-10-10"}
    body = page(client.post("/lich-phat/chuyen", data={**ok, "action": "check"}))
    assert "value=\"save\"" in body and "Mục này phát trong 4 phiên." in body
    assert re.search(r"\b(8[5-9]|9\d)%\)", body)  # the session is nearly full, shown as such


def test_stale_move_is_refused(client, fake_folder):
    data = move_data(client)
    data["index"] = "7"
    response = client.post("/lich-phat/chuyen", data={**data, "action": "save"})
    assert "không thấy mục thứ 8 của lịch schedules/2g.yaml" in page(response)


def shown_week(response) -> str:
    return re.search(r"Lịch phát: (\S+ – \S+)</h1>", page(response)).group(1)


def test_after_adding_the_calendar_shows_the_week_of_the_items_first_play(client, fake_folder):
    # The page shows another week (the campaign's first); the item is added from a later Wednesday,
    # Tuesdays and Thursdays only: its first play is Thursday 22/08, so that week is shown.
    shown = {"view": "week", "station": "xa-dai-tam", "date": "2024-07-15"}
    data = {"script": "2g-huong-dan", "schedule": "schedules/2g.yaml", "from": "2024-08-21", "until": "2024-08-30",
            "sessions": ["chieu"], "days": ["1", "3"], "csrf_token": token(client), **shown}
    response = client.post("/lich-phat/them", data=data)
    assert response.status_code == 303
    assert "date=2024-08-22" in response.headers["Location"] and "station=xa-dai-tam" in response.headers["Location"]
    followed = client.get(response.headers["Location"])
    assert shown_week(followed) == "19/08/2024 – 25/08/2024"
    thursday = page(followed)[page(followed).index('id="d-2024-08-22"'):page(followed).index('id="d-2024-08-23"')]
    assert "Hướng dẫn chuyển đổi sang máy điện thoại 4G" in thursday


def test_after_adding_the_first_play_skips_the_schedules_holiday(client, fake_folder):
    # Mondays from Sunday 01/09: Monday 02/09 is a holiday of schedules/2g.yaml, so the first play is 09/09.
    data = {"script": "2g-nhac-nho", "schedule": "schedules/2g.yaml", "from": "2024-09-01", "until": "2024-09-30",
            "days": ["0"], "csrf_token": token(client), "view": "week", "date": "2024-07-15"}
    response = client.post("/lich-phat/them", data=data, follow_redirects=True)
    assert "Đã thêm “Nhắc nhở chuyển đổi điện thoại 2G” vào lịch “Lịch phát truyền thông" in page(response)
    assert shown_week(response) == "09/09/2024 – 15/09/2024"


def test_after_adding_a_new_schedule_for_other_stations_the_station_filter_is_dropped(client, fake_folder):
    data = {"script": "2g-nhac-nho", "schedule": "", "from": "2024-08-26", "until": "2024-08-30",
            "stations": ["xa-ngoc-to"], "sessions": ["sang"], "csrf_token": token(client),
            "view": "month", "station": "xa-dai-tam", "date": "2024-07-01"}
    response = client.post("/lich-phat/them", data=data)
    location = response.headers["Location"]
    assert "date=2024-08-26" in location and "view=month" in location and "xa-dai-tam" not in location
    assert "Lịch phát: 01/08/2024 – 31/08/2024" in page(client.get(location))


def test_a_refused_addition_or_a_removal_stays_on_the_week_shown(client, fake_folder):
    data = {"schedule": "schedules/2g.yaml", "index": "1", "script": "2g-huong-dan", "csrf_token": token(client),
            "view": "week", "station": "xa-dai-tam", "date": "2024-08-19"}
    assert shown_week(client.post("/lich-phat/bo", data=data, follow_redirects=True)) == "19/08/2024 – 25/08/2024"
    refused = {"script": "", "schedule": "schedules/2g.yaml", "csrf_token": token(client), "view": "week",
               "date": "2024-08-26"}
    assert shown_week(client.post("/lich-phat/them", data=refused, follow_redirects=True)) == "26/08/2024 – 01/09/2024"


def test_after_a_holiday_the_calendar_shows_its_week(client, fake_folder):
    data = {"day": "2024-09-11", "schedule": "", "csrf_token": token(client), "view": "week", "date": "2024-07-15"}
    assert shown_week(client.post("/lich-phat/nghi", data=data, follow_redirects=True)) == "09/09/2024 – 15/09/2024"


def test_adding_to_an_existing_schedule_refuses_station_ticks_it_cannot_honour(client, fake_folder):
    # Trial A4: only Đại Tâm ticked while adding to 2g.yaml (all four stations) used to add it for all four.
    original = (fake_folder / "schedules" / "2g.yaml").read_bytes()
    data = {"script": "2g-nhac-nho", "schedule": "schedules/2g.yaml", "from": "2024-09-01", "until": "2024-09-30",
            "days": ["0"], "sessions": ["sang"], "stations": ["xa-dai-tam"], "csrf_token": token(client)}
    response = client.post("/lich-phat/them", data=data)
    body = page(response)
    assert response.status_code == 400
    assert ("lịch “Lịch phát truyền thông dừng công nghệ di động 2G” phát ở mọi đài của nó (ALL); một mục trong lịch "
            "không thể chỉ phát ở một số đài — để phát chỉ ở Đài truyền thanh xã Đại Tâm, chọn “Lịch mới cho các đài "
            "chọn dưới đây” ở ô “Thêm vào lịch”").replace("ALL", "Đài truyền thanh thị trấn Mỹ Xuyên, Đài truyền thanh xã Đại Tâm, Đài truyền thanh xã Tham Đôn, Đài truyền thanh xã Ngọc Tố") in body
    assert (fake_folder / "schedules" / "2g.yaml").read_bytes() == original
    assert not [p for p in (fake_folder / "schedules").iterdir() if p.name.startswith(".")]
    # The form comes back as filled: the tick, the days, the dates.
    assert re.search(r'value="xa-dai-tam" checked', body) and re.search(r'name="days" value="0" checked', body)
    assert 'name="from" value="2024-09-01"' in body and 'name="until" value="2024-09-30"' in body


def test_adding_with_every_station_of_the_schedule_ticked_says_where_it_plays(client, fake_folder):
    data = {"script": "2g-nhac-nho", "schedule": "schedules/2g.yaml", "from": "2024-09-01", "until": "2024-09-30",
            "days": ["0"], "stations": ["tt-my-xuyen", "xa-dai-tam", "xa-tham-don", "xa-ngoc-to"],
            "csrf_token": token(client)}
    body = page(client.post("/lich-phat/them", data=data, follow_redirects=True))
    assert "; mục này phát ở Đài truyền thanh thị trấn Mỹ Xuyên, Đài truyền thanh xã Đại Tâm, Đài truyền thanh xã Tham Đôn, Đài truyền thanh xã Ngọc Tố." in body


def test_a_reversed_range_is_refused_in_the_forms_words_and_the_form_is_kept(client, fake_folder):
    # Trial B6: Từ 20/08, Đến 10/08, Thứ Tư.
    original = (fake_folder / "schedules" / "2g.yaml").read_bytes()
    data = {"script": "2g-huong-dan", "schedule": "schedules/2g.yaml", "from": "2024-08-20", "until": "2024-08-10",
            "days": ["2"], "csrf_token": token(client)}
    response = client.post("/lich-phat/them", data=data)
    body = page(response)
    assert response.status_code == 400
    assert ("“Đến ngày” (10/08/2024) trước “Từ ngày” (20/08/2024) — chọn “Đến ngày” cùng ngày hoặc sau “Từ ngày”"
            in body)
    assert "until" not in body.split('id="them-loi"')[1].split("</div>")[0]
    assert "schedules/2g.yaml:" not in body
    # The page reloads at its top; the refusal sits at the form, so it takes the focus (the browser scrolls to it).
    assert '<div class="msg error" role="alert" id="them-loi" tabindex="-1" autofocus>' in body
    assert 'name="from" value="2024-08-20"' in body and 'name="days" value="2" checked' in body
    assert re.search(r'<option value="2g-huong-dan" selected>', body)
    assert (fake_folder / "schedules" / "2g.yaml").read_bytes() == original


def test_a_new_schedule_refusal_names_no_file_that_does_not_exist(client, fake_folder):
    data = {"script": "2g-nhac-nho", "schedule": "", "from": "2025-01-06", "until": "2025-01-10",
            "stations": ["xa-ngoc-to"], "sessions": ["khuya"], "csrf_token": token(client)}
    response = client.post("/lich-phat/them", data=data)
    body = page(response)
    assert response.status_code == 400 and "Chưa tạo lịch mới — lịch sẽ có lỗi:" in body
    assert "2g-nhac-nho-2025-01-06.yaml" not in body
    assert not (fake_folder / "schedules" / "2g-nhac-nho-2025-01-06.yaml").exists()


def test_an_item_that_can_never_play_is_refused(client, fake_folder):
    # Trial B7: 06/08–07/08/2024 (Tuesday, Wednesday) with only Thứ Hai ticked.
    original = (fake_folder / "schedules" / "2g.yaml").read_bytes()
    data = {"script": "2g-huong-dan", "schedule": "schedules/2g.yaml", "from": "2024-08-06", "until": "2024-08-07",
            "days": ["0"], "csrf_token": token(client)}
    response = client.post("/lich-phat/them", data=data)
    assert response.status_code == 400
    assert ("mục “Hướng dẫn chuyển đổi sang máy điện thoại 4G” sẽ không bao giờ phát: từ 06/08/2024 đến 07/08/2024 "
            "không có ngày nào là Thứ Hai — tick thêm thứ ở “Ngày trong tuần” hoặc đổi “Từ ngày”/“Đến ngày”"
            in page(response))
    assert (fake_folder / "schedules" / "2g.yaml").read_bytes() == original
