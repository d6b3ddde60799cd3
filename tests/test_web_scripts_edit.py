"""Web console, script form: create, edit, duplicate, retire, preview and recordings, against a copy of the sample folder."""
from __future__ import annotations

import re
import time
from datetime import date


from broadcaster.config import load_project
from broadcaster.scriptfile import ScriptForm, render_script, save_script, slug_id
from webfixtures import app, client, page  # noqa: F401  (fixtures and helpers shared by the web tests)
from broadcaster.workdir import check_folder


def token(client, url: str = "/kich-ban/them") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))
    assert found
    return found.group(1)


FORM = {"title": "Thông báo tiêm phòng dại cho chó, mèo", "campaign": "dung-2g", "form": "thong-bao",
        "priority": "normal", "repeat": "2", "valid_from": "2024-08-01", "valid_until": "2024-08-31",
        "language": "vi", "text": "Ngày 15/8/2024, trạm thú y tiêm phòng lúc 7h30."}


def test_slug_id_drops_diacritics_and_joins_words_with_dashes():
    assert slug_id("Thông báo dừng công nghệ di động 2G") == "thong-bao-dung-cong-nghe-di-dong-2g"
    assert slug_id("  Đường Điện — cắt điện!! ") == "duong-dien-cat-dien"


def test_scripts_page_links_to_the_new_script_form(client):
    body = page(client.get("/kich-ban"))
    assert 'href="/kich-ban/them"' in body and "Thêm kịch bản" in body
    form = page(client.get("/kich-ban/them"))
    for label in ("Tiêu đề", "Chiến dịch", "Hình thức", "Nội dung"):
        assert re.search(rf'<label for="f-[a-z-]+">{label}</label>', form), label
    assert '<button type="submit" class="primary">Lưu</button>' in form


def test_create_writes_a_script_check_accepts(client, fake_folder):
    before = len(load_project(fake_folder).scripts)
    response = client.post("/kich-ban/them", data={**FORM, "csrf_token": token(client)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/kich-ban/thong-bao-tiem-phong-dai-cho-cho-meo/sua")
    path = fake_folder / "scripts" / "thong-bao-tiem-phong-dai-cho-cho-meo.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("id: thong-bao-tiem-phong-dai-cho-cho-meo\ntitle: Thông báo tiêm phòng dại cho chó, mèo\n")
    assert "valid: {from: 2024-08-01, until: 2024-08-31}\n" in text
    assert "text: |\n  Ngày 15/8/2024, trạm thú y tiêm phòng lúc 7h30.\n" in text
    project = load_project(fake_folder)
    assert len(project.scripts) == before + 1
    script = project.script("thong-bao-tiem-phong-dai-cho-cho-meo")
    assert script.repeat == 2 and script.campaign == "dung-2g" and script.valid_until == date(2024, 8, 31)
    assert not [p for p in check_folder(fake_folder)[0] if p.severity == "error"]
    edit = page(client.get(response.headers["Location"]))
    assert "Đã lưu kịch bản" in edit and "Chưa tạo tệp âm thanh" in edit and "Tạo âm thanh" in edit


def test_create_refuses_what_check_would_refuse_and_writes_nothing(client, fake_folder):
    files = sorted(p.name for p in (fake_folder / "scripts").iterdir())
    bad = {**FORM, "valid_from": "2024-09-01", "valid_until": "2024-08-01", "csrf_token": token(client)}
    response = client.post("/kich-ban/them", data=bad)
    assert response.status_code == 400
    body = page(response)
    # The loader's own message, next to the date field it concerns.
    assert re.search(r'id="e-valid_(from|until)"><p class="msg error">ngày hết hiệu lực \(2024-08-01\) trước ngày bắt đầu',
                     body)
    assert sorted(p.name for p in (fake_folder / "scripts").iterdir()) == files
    empty = client.post("/kich-ban/them", data={**FORM, "title": "", "text": " ", "csrf_token": token(client)})
    assert empty.status_code == 400
    body = page(empty)
    assert 'id="e-title"><p class="msg error">chưa nhập tiêu đề' in body
    assert 'id="e-text"><p class="msg error">chưa nhập nội dung' in body
    assert sorted(p.name for p in (fake_folder / "scripts").iterdir()) == files


def test_new_id_must_be_free_ignoring_case(client, fake_folder):
    response = client.post("/kich-ban/them", data={**FORM, "id": "2G-Nhac-Nho", "csrf_token": token(client)})
    assert response.status_code == 400
    assert 'mã "2G-Nhac-Nho" đã có kịch bản khác dùng (scripts/2g-nhac-nho.yaml)' in page(response)
    assert not (fake_folder / "scripts" / "2G-Nhac-Nho.yaml").exists()


def test_edit_keeps_comments_and_key_order_and_id(client, fake_folder):
    path = fake_folder / "scripts" / "2g-nhac-nho.yaml"
    original = path.read_text(encoding="utf-8")
    path.write_text("# Bản của phòng văn hóa, đừng xóa dòng này\n" + original.replace("repeat: 2", "repeat: 2  # hai lần"),
                    encoding="utf-8")
    form = page(client.get("/kich-ban/2g-nhac-nho/sua"))
    assert 'id="f-id" value="2g-nhac-nho" readonly' in form
    data = {**FORM, "id": "doi-ma", "title": "Nhắc nhở đổi máy 4G", "form": "nhac-nho", "repeat": "3",
            "valid_from": "2024-08-01", "valid_until": "2024-09-30",
            "text": "Bà con lưu ý đổi máy.", "csrf_token": token(client, "/kich-ban/2g-nhac-nho/sua")}
    response = client.post("/kich-ban/2g-nhac-nho/sua", data=data)
    assert response.status_code == 303
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[:8] == [
        "# Bản của phòng văn hóa, đừng xóa dòng này", "id: 2g-nhac-nho", "title: Nhắc nhở đổi máy 4G",
        "campaign: dung-2g", "form: nhac-nho", "priority: normal", "repeat: 3  # hai lần",
        "valid: {from: 2024-08-01, until: 2024-09-30}"]
    assert not (fake_folder / "scripts" / "doi-ma.yaml").exists()
    assert load_project(fake_folder).script("2g-nhac-nho").text == "Bà con lưu ý đổi máy."


def test_two_tabs_editing_one_script_never_lose_the_first_save(client, fake_folder):
    """Tab A and tab B open the same form; A saves; B's later save is refused, A's change stays, B's text is kept."""
    path = fake_folder / "scripts" / "2g-nhac-nho.yaml"
    opened = page(client.get("/kich-ban/2g-nhac-nho/sua"))
    base = re.search(r'name="base" value="([^"]+)"', opened)
    assert base, "the edit form carries the version of the file it shows"
    fields = {**FORM, "base": base.group(1), "csrf_token": token(client, "/kich-ban/2g-nhac-nho/sua")}
    tab_a = client.post("/kich-ban/2g-nhac-nho/sua", data={**fields, "title": "Tab A đổi tiêu đề"})
    assert tab_a.status_code == 303
    saved_by_a = path.read_bytes()
    tab_b = client.post("/kich-ban/2g-nhac-nho/sua", data={**fields, "text": "Tab B viết câu khác."})
    assert tab_b.status_code == 409
    shown = page(tab_b)
    assert "vừa được sửa" in shown and "Tab B viết câu khác." in shown  # B's text is not thrown away
    assert path.read_bytes() == saved_by_a
    assert load_project(fake_folder).script("2g-nhac-nho").title == "Tab A đổi tiêu đề"
    # The refused form now carries the file's new version: saving it again (on purpose) goes through.
    again = re.search(r'name="base" value="([^"]+)"', shown)
    assert again and again.group(1) != base.group(1)
    tab_b = client.post("/kich-ban/2g-nhac-nho/sua", data={**fields, "base": again.group(1), "text": "Tab B viết câu khác."})
    assert tab_b.status_code == 303


def test_edit_with_an_unknown_campaign_changes_nothing(client, fake_folder):
    path = fake_folder / "scripts" / "2g-nhac-nho.yaml"
    original = path.read_bytes()
    data = {**FORM, "campaign": "khong-co", "csrf_token": token(client, "/kich-ban/2g-nhac-nho/sua")}
    response = client.post("/kich-ban/2g-nhac-nho/sua", data=data)
    assert response.status_code == 400
    assert re.search(r'id="e-campaign"><p class="msg error">[^<]*khong-co', page(response))
    assert path.read_bytes() == original
    assert not [p for p in (fake_folder / "scripts").iterdir() if p.name.startswith(".")]


def test_duplicate_prefills_a_copy_with_a_free_id(client, fake_folder):
    body = page(client.get("/kich-ban/them?tu=2g-thong-bao"))
    assert 'value="Thông báo dừng công nghệ di động 2G (bản sao)"' in body
    assert 'name="id" value="thong-bao-dung-cong-nghe-di-dong-2g-ban-sao"' in body
    assert "Kính thưa bà con!" in body


def test_retire_ends_validity_yesterday(client, fake_folder):
    response = client.post("/kich-ban/2g-thong-bao/ngung", data={"csrf_token": token(client)})
    assert response.status_code == 303
    assert load_project(fake_folder).script("2g-thong-bao").valid_until == date(2024, 8, 19)
    assert "Đã ngừng phát kịch bản" in page(client.get("/kich-ban/2g-thong-bao/sua"))


def test_preview_is_the_normalisers_spoken_form(client):
    response = client.post("/kich-ban/doc-thu", data={"text": "Họp lúc 7h30 ngày 15/8/2024.", "csrf_token": token(client)})
    assert response.status_code == 200
    spoken = response.get_json()["spoken"]
    assert "bảy giờ ba mươi" in spoken and "tháng tám" in spoken and "7h30" not in spoken
    refused = client.post("/kich-ban/doc-thu", data={"text": "x"})
    assert refused.status_code == 403


def test_edit_page_shows_check_problems_of_that_file(client, fake_folder):
    path = fake_folder / "scripts" / "2g-nhac-nho.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("text: |\n", "text: |\n  Ban XYZQ họp.\n"),
                    encoding="utf-8")
    body = page(client.get("/kich-ban/2g-nhac-nho/sua"))
    found = re.findall(r"<code>(scripts/2g-nhac-nho\.yaml:\d+[^<]*)</code>", body)
    assert found and all(f.startswith("scripts/2g-nhac-nho.yaml:") for f in found)


def test_stale_clip_is_shown_after_an_edit(client, fake_folder):
    response = client.post("/kich-ban/2g-nhac-nho/build", data={"csrf_token": token(client), "next": "/kich-ban"})
    job = response.headers["Location"]
    deadline = time.monotonic() + 120
    while client.get(job + "/trang-thai").get_json()["state"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert "<audio" in page(client.get("/kich-ban/2g-nhac-nho/sua"))
    data = {**FORM, "title": "Nhắc nhở", "text": "Nội dung mới.", "csrf_token": token(client)}
    saved = client.post("/kich-ban/2g-nhac-nho/sua", data=data, follow_redirects=True)
    body = page(saved)
    assert "Tệp âm thanh đã cũ" in body and "cần tạo lại tệp âm thanh" in body


def test_upload_recording_of_wrong_type_is_refused(client, fake_folder):
    import io

    data = {**FORM, "csrf_token": token(client), "recording": (io.BytesIO(b"MZ\x90\x00"), "virus.exe")}
    response = client.post("/kich-ban/them", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert 'id="e-recording"><p class="msg error">tệp ghi âm virus.exe có đuôi không nhận được' in page(response)
    assert not (fake_folder / "recordings").exists() or not list((fake_folder / "recordings").iterdir())


def test_upload_recording_makes_a_recorded_script(client, fake_folder, tmp_path):
    import io
    import math
    import struct
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        frames = []
        for i in range(16000 * 3):
            t = i / 16000
            amp = 0.3 if 0.5 < t < 2.5 else 0.0003
            frames.append(struct.pack("<h", int(32767 * amp * math.sin(2 * math.pi * 220 * t))))
        w.writeframes(b"".join(frames))
    wav = buf.getvalue()
    data = {**FORM, "text": "", "csrf_token": token(client), "recording": (io.BytesIO(wav), "loa.wav")}
    response = client.post("/kich-ban/them", data=data, content_type="multipart/form-data")
    assert response.status_code == 303, page(response)
    script = load_project(fake_folder).script("thong-bao-tiem-phong-dai-cho-cho-meo")
    assert script.audio == "recordings/thong-bao-tiem-phong-dai-cho-cho-meo.wav"
    assert (fake_folder / script.audio).is_file()
    first = (fake_folder / script.audio).read_bytes()
    # A second upload on the edit form never overwrites the recording in use before the save.
    data = {**FORM, "text": "", "csrf_token": token(client), "recording": (io.BytesIO(wav), "lan-hai.wav")}
    response = client.post("/kich-ban/thong-bao-tiem-phong-dai-cho-cho-meo/sua", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 303
    script = load_project(fake_folder).script("thong-bao-tiem-phong-dai-cho-cho-meo")
    assert script.audio == "recordings/thong-bao-tiem-phong-dai-cho-cho-meo-2.wav"
    assert (fake_folder / "recordings" / "thong-bao-tiem-phong-dai-cho-cho-meo.wav").read_bytes() == first


def test_render_script_removes_emptied_keys_and_keeps_unknown_ones():
    original = "id: a\ntitle: A\nengine: gtts  # cần mạng\nvoice: x\ntext: |\n  Cũ.\n"
    text = render_script(ScriptForm(id="a", title="A", text="Mới."), original)
    assert text == ("id: a\ntitle: A\nform: thong-bao\npriority: normal\nrepeat: 1\nengine: gtts  # cần mạng\n"
                    "text: |\n  Mới.\n")


def test_save_script_without_a_project_file_reports_it(fake_folder):
    project = load_project(fake_folder)
    result = save_script(project, ScriptForm(id="a", title="A", text="x"), existing="scripts/khong-co.yaml")
    assert not result.ok and "không thấy tệp scripts/khong-co.yaml" in result.errors[""][0]


def test_save_script_runs_the_speech_check_and_writes_nothing_on_a_misspelt_voice(fake_folder):
    """The console's writer asks speech/checks.py about the voice, as `check` does (config knows no voices)."""
    project = load_project(fake_folder)
    result = save_script(project, ScriptForm(id="giong", title="Giọng", campaign="dung-2g", text="Kính thưa bà con.",
                                             voice="klingon"))
    assert not result.ok and not (fake_folder / "scripts" / "giong.yaml").exists()
    assert any('giọng đọc (voice) của công cụ fake không hợp lệ "klingon"' in m for m in result.errors["voice"])
    assert save_script(project, ScriptForm(id="giong", title="Giọng", campaign="dung-2g", text="Kính thưa bà con.",
                                           voice="fake-2")).ok


def test_save_script_that_cannot_be_written_says_why_in_vietnamese_and_how_to_fix(fake_folder, monkeypatch):
    """A read-only or full disk: the system's English ("Permission denied") stays out; the file stays as it was."""
    import pytest

    from broadcaster import portable
    from broadcaster.errors import BroadcasterError

    path = fake_folder / "scripts" / "2g-nhac-nho.yaml"
    before = path.read_bytes()
    project = load_project(fake_folder)

    def refuse(*_):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(portable, "replace", refuse)
    form = ScriptForm.of_script(project.script("2g-nhac-nho"))
    form.title = "Đổi tiêu đề"
    with pytest.raises(BroadcasterError) as info:
        save_script(project, form, existing="scripts/2g-nhac-nho.yaml")
    message = str(info.value)
    assert message.startswith("không ghi được scripts/2g-nhac-nho.yaml: không có quyền truy cập — ")
    assert "quyền ghi" in message and "Permission" not in message
    assert path.read_bytes() == before


def test_a_title_longer_than_the_form_allows_is_refused_by_the_server(client, fake_folder):
    from broadcaster.models import TEXT_LIMITS

    files = sorted(p.name for p in (fake_folder / "scripts").iterdir())
    assert f'maxlength="{TEXT_LIMITS["title"]}"' in page(client.get("/kich-ban/them"))  # the form says the same
    response = client.post("/kich-ban/them", data={**FORM, "title": "x" * 5000, "csrf_token": token(client)})
    body = page(response)
    assert response.status_code == 400
    errors = body[body.index('id="e-title"'):].split("</div>", 1)[0]  # shown under the title field
    assert "tiêu đề (title) dài 5000 ký tự, quá giới hạn 200 ký tự — viết ngắn lại, tối đa 200 ký tự" in errors
    assert sorted(p.name for p in (fake_folder / "scripts").iterdir()) == files
    ok = client.post("/kich-ban/them", data={**FORM, "title": "y" * 200, "csrf_token": token(client)})
    assert ok.status_code == 303  # exactly the limit is accepted


def test_upload_of_a_file_ffmpeg_cannot_read_is_explained_in_vietnamese_without_its_detail(client, fake_folder):
    import io

    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + b"x" * 4000
    data = {**FORM, "csrf_token": token(client), "recording": (io.BytesIO(pdf), "cong-van.mp3")}
    response = client.post("/kich-ban/them", data=data, content_type="multipart/form-data")
    body = page(response)
    assert response.status_code == 400
    errors = body[body.index('id="e-recording"'):].split("</div>", 1)[0]
    assert ("cong-van.mp3: không phải tệp âm thanh mà FFmpeg đọc được (có thể là văn bản, hình ảnh, video không có "
            "tiếng, hoặc tệp bị hỏng) — chọn một tệp ghi âm .wav, .mp3, .m4a") in errors
    for english in ("Invalid data", "Error opening", "ffmpeg", "Output #0", "pipe:"):
        assert english not in body
    assert not (fake_folder / "recordings").exists() or not list((fake_folder / "recordings").iterdir())


def test_a_too_long_id_is_refused_naming_the_limit(client, fake_folder):
    # Trial B5: a 361-character id of allowed characters got only the allowed-characters message.
    files = sorted(p.name for p in (fake_folder / "scripts").iterdir())
    long_id = "thong-bao-" * 36 + "x"
    response = client.post("/kich-ban/them", data={**FORM, "id": long_id, "csrf_token": token(client)})
    assert response.status_code == 400
    assert ('id="e-id"><p class="msg error">mã dài 361 ký tự, quá giới hạn 64 ký tự — đặt mã ngắn hơn, tối đa 64 ký tự'
            in page(response))
    assert sorted(p.name for p in (fake_folder / "scripts").iterdir()) == files
