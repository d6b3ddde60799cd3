"""Web console, settings page: organisation, report header, stations with sessions and campaigns into broadcaster.yaml, checked first."""
from __future__ import annotations

import re

import pytest
from datetime import date, time


from broadcaster.config import load_project
from webfixtures import app, client, page  # noqa: F401  (fixtures and helpers shared by the web tests)


def token(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/thiet-lap").get_data(as_text=True)).group(1)


def comments(folder) -> list[str]:
    return [line for line in (folder / "broadcaster.yaml").read_text(encoding="utf-8").splitlines()
            if line.lstrip().startswith("#")]


def test_organisation(client, fake_folder):
    before = comments(fake_folder)
    data = {"organization": "Trung tâm Truyền thông huyện Trần Đề", "place": "Trần Đề", "timezone": "Asia/Ho_Chi_Minh",
            "csrf_token": token(client)}
    body = page(client.post("/thiet-lap/don-vi", data=data, follow_redirects=True))
    assert "Đã lưu thông tin đơn vị vào broadcaster.yaml." in body
    project = load_project(fake_folder)
    assert (project.organization, project.place) == ("Trung tâm Truyền thông huyện Trần Đề", "Trần Đề")
    assert comments(fake_folder) == before


def test_bad_time_zone_is_refused(client, fake_folder):
    before = (fake_folder / "broadcaster.yaml").read_bytes()
    data = {"organization": "X", "place": "Y", "timezone": "Sao/Hoa", "csrf_token": token(client)}
    body = page(client.post("/thiet-lap/don-vi", data=data, follow_redirects=True))
    assert "Chưa lưu thông tin đơn vị" in body and 'múi giờ không hợp lệ "Sao/Hoa"' in body
    assert (fake_folder / "broadcaster.yaml").read_bytes() == before


def test_report_header(client, fake_folder):
    data = {"superior": "UBND HUYỆN MỸ XUYÊN", "number": "12/BC-TTVH", "title": "Báo cáo tháng",
            "signer_title": "GIÁM ĐỐC", "signer_name": "Nguyễn Văn A", "period_end_day": "15",
            "recipients": "Sở VHTT\r\n\r\nLưu VT\r\n", "csrf_token": token(client)}
    client.post("/thiet-lap/bao-cao", data=data)
    report = load_project(fake_folder).report
    assert report["signer_name"] == "Nguyễn Văn A" and report["recipients"] == ["Sở VHTT", "Lưu VT"]
    assert report["number"] == "12/BC-TTVH" and report["period_end_day"] == 15


def test_station_sessions_edit_add_and_remove(client, fake_folder):
    data = {"id": "xa-dai-tam", "name": "Đài xã Đại Tâm", "media": "ip",
            "session_name": ["sang", "", "trua"], "session_start": ["05:00", "", "11:00"],
            "session_end": ["05:30", "", "11:20"], "csrf_token": token(client)}
    body = page(client.post("/thiet-lap/dai", data=data, follow_redirects=True))
    assert "Đã lưu đài Đài xã Đại Tâm vào broadcaster.yaml." in body
    station = load_project(fake_folder).station("xa-dai-tam")
    assert station.name == "Đài xã Đại Tâm" and station.medium == "ip"
    assert [(s.name, s.start, s.end) for s in station.sessions] == [("sang", time(5, 0), time(5, 30)),
                                                                    ("trua", time(11, 0), time(11, 20))]
    assert '      - {name: sang, start: "05:00", end: "05:30"}\n' in (fake_folder / "broadcaster.yaml").read_text(encoding="utf-8")


def test_overlapping_sessions_are_refused(client, fake_folder):
    before = (fake_folder / "broadcaster.yaml").read_bytes()
    data = {"id": "xa-dai-tam", "name": "Đài xã Đại Tâm", "media": "fm", "session_name": ["sang", "som"],
            "session_start": ["05:30", "05:45"], "session_end": ["06:00", "06:10"], "csrf_token": token(client)}
    body = page(client.post("/thiet-lap/dai", data=data, follow_redirects=True))
    assert "Chưa lưu đài" in body and "trùng giờ" in body
    assert (fake_folder / "broadcaster.yaml").read_bytes() == before


def test_a_session_row_with_times_but_no_name_is_refused(client, fake_folder):
    before = (fake_folder / "broadcaster.yaml").read_bytes()
    data = {"id": "xa-dai-tam", "name": "Đài xã Đại Tâm", "media": "fm", "session_name": ["sang", "  "],
            "session_start": ["05:30", "17:00"], "session_end": ["06:00", "17:30"], "csrf_token": token(client)}
    body = page(client.post("/thiet-lap/dai", data=data, follow_redirects=True))
    assert "Chưa lưu đài Đài xã Đại Tâm" in body and "phiên thứ 2 có giờ (17:00–17:30) nhưng chưa có tên" in body
    assert (fake_folder / "broadcaster.yaml").read_bytes() == before


def test_form_shows_the_station_medium(client):
    body = page(client.get("/thiet-lap"))
    select = body[body.index('id="st-xa-ngoc-to-media"'):]
    assert re.match(r'[^<]*>(<option value="[^"]+">[^<]+</option>)*<option value="ip" selected>', select)


def test_new_station_and_campaign(client, fake_folder):
    client.post("/thiet-lap/dai", data={"new": "1", "id": "xa-hoa-tu", "name": "Đài xã Hòa Tú", "media": "fm",
                                         "session_name": ["sang"], "session_start": ["05:30"],
                                         "session_end": ["06:00"], "csrf_token": token(client)})
    client.post("/thiet-lap/chien-dich", data={"new": "1", "id": "tiem-phong", "name": "Tiêm phòng dại",
                                               "directive": "Kế hoạch 12/KH-UBND", "from": "2024-09-01",
                                               "until": "2024-09-30", "csrf_token": token(client)})
    project = load_project(fake_folder)
    assert project.station("xa-hoa-tu").name == "Đài xã Hòa Tú"
    campaign = project.campaign("tiem-phong")
    assert (campaign.start, campaign.end, campaign.directive) == (date(2024, 9, 1), date(2024, 9, 30), "Kế hoạch 12/KH-UBND")


def test_default_engine_is_judged_by_the_speech_check_before_writing(fake_folder):
    """configfile asks speech/checks.py about engine names (config knows none); a bad one changes nothing."""
    from broadcaster.configfile import set_default_voice

    cfg = fake_folder / "broadcaster.yaml"
    before = cfg.read_text(encoding="utf-8")
    problems = set_default_voice(fake_folder, "espeek", None)
    assert [p.file for p in problems] == ["broadcaster.yaml"]
    assert 'công cụ đọc (engine) không hợp lệ "espeek" (có phải ý bạn là "espeak"?)' in problems[0].message
    assert cfg.read_text(encoding="utf-8") == before
    assert set_default_voice(fake_folder, "espeak", "vi-vn-x-south") == []
    assert "engine: espeak" in cfg.read_text(encoding="utf-8")


def test_a_station_without_any_session_is_refused_naming_it(client, fake_folder):
    before = (fake_folder / "broadcaster.yaml").read_bytes()
    data = {"id": "xa-dai-tam", "name": "Đài xã Đại Tâm", "media": "fm", "session_name": ["", ""],
            "session_start": ["", ""], "session_end": ["", ""], "csrf_token": token(client)}
    body = page(client.post("/thiet-lap/dai", data=data, follow_redirects=True))
    assert "Chưa lưu đài Đài xã Đại Tâm" in body
    assert ("đài Đài xã Đại Tâm chưa có phiên phát nào — điền ít nhất một dòng trong bảng phiên: tên phiên (ví dụ "
            "sang), giờ bắt đầu và giờ kết thúc, rồi bấm lưu") in body
    assert (fake_folder / "broadcaster.yaml").read_bytes() == before


def test_a_new_station_without_a_session_is_refused(client, fake_folder):
    before = (fake_folder / "broadcaster.yaml").read_bytes()
    data = {"new": "1", "id": "xa-moi", "name": "Đài xã Mới", "media": "fm", "session_name": "",
            "session_start": "", "session_end": "", "csrf_token": token(client)}
    body = page(client.post("/thiet-lap/dai", data=data, follow_redirects=True))
    assert "Chưa lưu đài Đài xã Mới" in body and "đài Đài xã Mới chưa có phiên phát nào" in body
    assert (fake_folder / "broadcaster.yaml").read_bytes() == before


def test_an_empty_organisation_name_is_refused(client, fake_folder):
    before = (fake_folder / "broadcaster.yaml").read_bytes()
    data = {"organization": "   ", "place": "Trần Đề", "timezone": "Asia/Ho_Chi_Minh", "csrf_token": token(client)}
    body = page(client.post("/thiet-lap/don-vi", data=data, follow_redirects=True))
    assert "Chưa lưu thông tin đơn vị" in body
    assert "chưa ghi tên đơn vị — điền ô “Tên đơn vị” (tên đứng ở đầu báo cáo Word)" in body
    assert (fake_folder / "broadcaster.yaml").read_bytes() == before


def test_the_writer_refuses_no_sessions_and_no_organisation_too(fake_folder):
    # The settings page checks first in its own words; the file's judge (config.load_config) refuses the same.
    from broadcaster.configfile import update_config

    before = (fake_folder / "broadcaster.yaml").read_bytes()

    def no_sessions(doc):
        doc["stations"][0]["sessions"] = []

    def no_organisation(doc):
        doc["organization"] = ""

    assert any("chưa có phiên phát nào" in p.message for p in update_config(fake_folder, no_sessions))
    assert any("tên cơ quan/đơn vị (organization) đang trống" in p.message
               for p in update_config(fake_folder, no_organisation))
    assert (fake_folder / "broadcaster.yaml").read_bytes() == before


def test_every_limited_field_of_the_forms_says_its_limit(client):
    from broadcaster.models import TEXT_LIMITS

    body = page(client.get("/thiet-lap"))
    for name, key in (("organization", "organization"), ("place", "place"), ("superior", "report_line"),
                      ("number", "report_line"), ("signer_title", "report_line"), ("signer_name", "report_line"),
                      ("session_name", "session_name"), ("directive", "directive")):
        found = re.findall(rf'<input [^>]*name="{name}"[^>]*>', body)
        assert found and all(f'maxlength="{TEXT_LIMITS[key]}"' in tag for tag in found), (name, found)


def test_too_long_texts_are_refused_by_the_server_naming_the_field_and_limit(client, fake_folder):
    before = (fake_folder / "broadcaster.yaml").read_bytes()
    station = {"id": "xa-dai-tam", "name": "Đ" * 5000, "media": "fm", "session_name": ["sang"],
               "session_start": ["05:30"], "session_end": ["06:00"], "csrf_token": token(client)}
    body = page(client.post("/thiet-lap/dai", data=station, follow_redirects=True))
    assert "Chưa lưu đài" in body and "tên đài (name) dài 5000 ký tự, quá giới hạn 200 ký tự" in body
    session = {**station, "name": "Đài xã Đại Tâm", "session_name": ["s" * 41], "csrf_token": token(client)}
    body = page(client.post("/thiet-lap/dai", data=session, follow_redirects=True))
    assert "tên phiên (name) dài 41 ký tự, quá giới hạn 40 ký tự" in body
    org = {"organization": "T" * 201, "place": "Trần Đề", "timezone": "Asia/Ho_Chi_Minh", "csrf_token": token(client)}
    body = page(client.post("/thiet-lap/don-vi", data=org, follow_redirects=True))
    assert "tên cơ quan/đơn vị (organization) dài 201 ký tự, quá giới hạn 200 ký tự" in body
    header = {"superior": "UBND", "number": "1/BC", "title": "Báo cáo", "signer_title": "GIÁM ĐỐC",
              "signer_name": "A", "period_end_day": "", "recipients": "Sở VHTT\r\n" + "L" * 300,
              "csrf_token": token(client)}
    body = page(client.post("/thiet-lap/bao-cao", data=header, follow_redirects=True))
    assert "nơi nhận (recipients) dài 300 ký tự, quá giới hạn 200 ký tự" in body
    campaign = {"id": "dung-2g", "name": "C" * 201, "directive": "", "from": "", "until": "",
                "csrf_token": token(client)}
    body = page(client.post("/thiet-lap/chien-dich", data=campaign, follow_redirects=True))
    assert "tên chiến dịch (name) dài 201 ký tự, quá giới hạn 200 ký tự" in body
    assert (fake_folder / "broadcaster.yaml").read_bytes() == before


def station_form(body: str, slot: str) -> str:
    start = body.index(f'id="{slot}"')
    return body[start:body.index("</form>", start)]


def test_a_saved_station_says_so_next_to_its_form_where_the_page_lands(client, fake_folder):
    data = {"id": "xa-dai-tam", "name": "Đài xã Đại Tâm", "media": "fm", "session_name": ["sang"],
            "session_start": ["05:30"], "session_end": ["06:00"], "csrf_token": token(client)}
    response = client.post("/thiet-lap/dai", data=data)
    assert response.status_code == 303 and response.headers["Location"].endswith("/thiet-lap#dai-xa-dai-tam")
    body = page(client.get(response.headers["Location"]))
    form = station_form(body, "dai-xa-dai-tam")
    assert re.search(r'id="tb-dai-xa-dai-tam">\s*<p class="msg success" role="status">Đã lưu đài Đài xã Đại Tâm '
                     r'vào broadcaster.yaml.</p>', form)
    top = body[:body.index("<h1>Thiết lập</h1>")]
    assert "Đã lưu đài" not in top  # not also at the top, off-screen from the form


def test_a_refused_station_shows_what_was_typed_with_the_reason_next_to_the_sessions(client, fake_folder):
    before = (fake_folder / "broadcaster.yaml").read_bytes()
    data = {"id": "xa-ngoc-to", "name": "Đài xã Ngọc Tố (mới)", "media": "ip", "session_name": ["", ""],
            "session_start": ["", ""], "session_end": ["", ""], "csrf_token": token(client)}
    response = client.post("/thiet-lap/dai", data=data)
    assert response.status_code == 400
    assert (fake_folder / "broadcaster.yaml").read_bytes() == before
    body = page(response)
    form = station_form(body, "dai-xa-ngoc-to")
    # The action ends at the form, so the browser lands on it; the user's edits are there, not the file's.
    assert 'action="/thiet-lap/dai#dai-xa-ngoc-to" class="card" id="dai-xa-ngoc-to"' in body
    assert 'name="name" value="Đài xã Ngọc Tố (mới)"' in form
    assert '<option value="ip" selected>' in form
    assert 'value="sang"' not in form and 'value="05:00"' not in form
    assert form.count('name="session_name" maxlength') == 2
    assert ("Chưa lưu đài Đài xã Ngọc Tố (mới) (tệp broadcaster.yaml vẫn giữ nguyên) — sửa theo lỗi ghi ngay dưới ô "
            "rồi bấm lưu lại." in form.split('id="loi-dai-xa-ngoc-to">', 1)[1])
    assert re.search(r'id="loi-dai-xa-ngoc-to-sessions">đài Đài xã Ngọc Tố \(mới\) chưa có phiên phát nào', form)
    # The other forms keep the file's values.
    assert 'value="Đài truyền thanh xã Đại Tâm"' in station_form(body, "dai-xa-dai-tam")


def test_a_refused_new_campaign_keeps_its_fields_and_names_the_bad_date_under_it(client, fake_folder):
    before = (fake_folder / "broadcaster.yaml").read_bytes()
    data = {"new": "1", "id": "cd-moi-2024", "name": "Chiến dịch mới", "directive": "CV 12", "from": "31/02/2024",
            "until": "", "csrf_token": token(client)}
    response = client.post("/thiet-lap/chien-dich", data=data)
    assert response.status_code == 400 and (fake_folder / "broadcaster.yaml").read_bytes() == before
    form = station_form(page(response), "cd-moi")
    assert 'value="cd-moi-2024"' in form and 'value="Chiến dịch mới"' in form and 'value="CV 12"' in form
    assert re.search(r'id="loi-cd-moi-from">lỗi: ngày không hợp lệ "31/02/2024"', form)


def test_a_refused_organisation_keeps_the_place_typed(client, fake_folder):
    data = {"organization": "  ", "place": "Trần Đề mới", "timezone": "Asia/Ho_Chi_Minh", "csrf_token": token(client)}
    response = client.post("/thiet-lap/don-vi", data=data)
    assert response.status_code == 400
    body = page(response)
    assert 'value="Trần Đề mới"' in body and 'id="loi-h-don-vi-organization">chưa ghi tên đơn vị' in body


@pytest.mark.parametrize("name", ["", "   "])
def test_a_station_without_a_name_is_refused(client, fake_folder, name):
    # Trial B1: Mã = xa-moi, Tên đài = "   " was saved as name: ''.
    before = (fake_folder / "broadcaster.yaml").read_bytes()
    data = {"new": "1", "id": "xa-moi", "name": name, "media": "fm", "session_name": "sang",
            "session_start": "05:30", "session_end": "06:00", "csrf_token": token(client)}
    body = page(client.post("/thiet-lap/dai", data=data, follow_redirects=True))
    assert "Chưa lưu đài xa-moi" in body
    assert ("đài xa-moi chưa có tên — điền ô “Tên đài” (tên được đọc trong lời mở đầu mỗi phiên và ghi ở cột “Đài” "
            "của báo cáo), ví dụ Đài truyền thanh xã Đại Hải") in body
    assert (fake_folder / "broadcaster.yaml").read_bytes() == before


def test_the_writer_refuses_a_blank_station_name_too(fake_folder):
    from broadcaster.configfile import update_config

    before = (fake_folder / "broadcaster.yaml").read_bytes()

    def blank_name(doc):
        doc["stations"][0]["name"] = "  "

    assert any('đài "tt-my-xuyen" chưa có tên (name)' in p.message for p in update_config(fake_folder, blank_name))
    assert (fake_folder / "broadcaster.yaml").read_bytes() == before


def test_a_too_long_station_id_is_refused_naming_the_limit(client, fake_folder):
    # Trial B5: "Mã đài" has no maxlength; a 307-character id got only the allowed-characters message.
    before = (fake_folder / "broadcaster.yaml").read_bytes()
    long_id = "xa-ngoc-to-" * 27 + "abcdefghij"
    data = {"new": "1", "id": long_id, "name": "Đài xã Mới", "media": "fm", "session_name": "sang",
            "session_start": "05:30", "session_end": "06:00", "csrf_token": token(client)}
    body = page(client.post("/thiet-lap/dai", data=data, follow_redirects=True))
    assert f'mã "{long_id[:40]}…" dài 307 ký tự, quá giới hạn 64 ký tự (mã là tên tệp) — đặt mã ngắn hơn' in body
    assert (fake_folder / "broadcaster.yaml").read_bytes() == before


def test_new_ids_are_limited_in_the_forms_as_the_loaders_limit_them(client):
    # The new station's and new campaign's "Mã" fields, and the script form's id, stop at the id limit
    # the loaders enforce (an id is a file name), instead of letting staff type what the server refuses.
    from broadcaster.yamlfile import ID_LIMIT

    body = page(client.get("/thiet-lap"))
    for field in ("st-new-id", "c-new-id"):
        tag = re.search(rf'<input id="{field}"[^>]*>', body).group(0)
        assert f'maxlength="{ID_LIMIT}"' in tag, tag
    tag = re.search(r'<input id="f-id"[^>]*>', page(client.get("/kich-ban/them"))).group(0)
    assert f'maxlength="{ID_LIMIT}"' in tag and "{0,%d}" % (ID_LIMIT - 1) in tag, tag
