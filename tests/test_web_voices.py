"""Web console, voices page: listening to voices, the default voice and the lexicon table, written only when their loaders accept them."""
from __future__ import annotations

import re



from broadcaster.config import load_project
from webfixtures import app, client, page  # noqa: F401  (fixtures and helpers shared by the web tests)


def token(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/giong-doc").get_data(as_text=True)).group(1)


def test_lists_espeak_voices_and_marks_the_default(client, fake_folder):
    body = page(client.get("/giong-doc"))
    assert "<code>vi-vn-x-south</code>" in body and "<code>vi</code>" in body
    cfg = fake_folder / "broadcaster.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("engine: fake", "engine: espeak")
                   .replace("voice: fake", "voice: vi-vn-x-south"), encoding="utf-8")
    body = page(client.get("/giong-doc"))
    row = body[body.index("<code>vi-vn-x-south</code>"):]
    row = row[:row.index("</tr>")]
    assert "Mặc định</span>" in row


def test_listen_to_a_sentence_in_one_voice(client):
    response = client.post("/giong-doc/nghe?engine=espeak", data={"text": "Họp lúc 7h30.", "voice": "vi-vn-x-south",
                                                                   "csrf_token": token(client)})
    assert response.status_code == 200
    body = page(response)
    assert "Nghe thử: espeak / vi-vn-x-south" in body and "Văn bản đọc: Họp lúc bảy giờ ba mươi phút." in body
    src = re.search(r'<audio[^>]+src="([^"]+)"', body).group(1)
    audio = client.get(src)
    assert audio.status_code == 200 and audio.mimetype == "audio/mpeg" and len(audio.data) > 2000


def test_set_the_default_voice_keeps_comments(client, fake_folder):
    cfg = fake_folder / "broadcaster.yaml"
    before = cfg.read_text(encoding="utf-8")
    response = client.post("/giong-doc/mac-dinh", data={"engine": "espeak", "voice": "vi-vn-x-central",
                                                         "csrf_token": token(client)}, follow_redirects=True)
    assert "Đã đặt giọng mặc định: espeak / vi-vn-x-central." in page(response)
    after = cfg.read_text(encoding="utf-8")
    assert [line for line in before.splitlines() if line.lstrip().startswith("#")] == \
        [line for line in after.splitlines() if line.lstrip().startswith("#")]
    speech = load_project(fake_folder).speech
    assert (speech.engine, speech.voice) == ("espeak", "vi-vn-x-central")


def test_a_voice_of_another_engine_is_refused_and_nothing_written(client, fake_folder):
    cfg = fake_folder / "broadcaster.yaml"
    before = cfg.read_bytes()
    response = client.post("/giong-doc/mac-dinh", data={"engine": "khong-co", "voice": "x", "csrf_token": token(client)},
                           follow_redirects=True)
    assert "Chưa lưu — tệp sẽ có lỗi:" in page(response) and "khong-co" in page(response)
    assert cfg.read_bytes() == before


def test_lexicon_table_saves_and_is_used_by_the_preview(client, fake_folder):
    data = {"written": ["UBND", ""], "spoken": ["ủy ban nhân dân", ""], "csrf_token": token(client)}
    response = client.post("/giong-doc/tu-dien", data=data)
    assert response.headers["Location"].endswith("/giong-doc#h-tu-dien")
    response = client.get(response.headers["Location"])
    assert re.search(r'id="tb-h-tu-dien">\s*<p class="msg success" role="status">Đã lưu từ điển đọc \(1 từ\).</p>',
                     page(response))
    assert load_project(fake_folder).lexicon == {"UBND": "ủy ban nhân dân"}
    assert 'value="UBND"' in page(response) and 'value="ủy ban nhân dân"' in page(response)
    heard = page(client.post("/giong-doc/nghe", data={"text": "x", "sample_of": "UBND", "csrf_token": token(client)}))
    assert "Văn bản đọc: ủy ban nhân dân" in heard


def test_lexicon_row_without_a_reading_is_refused_and_nothing_written(client, fake_folder):
    (fake_folder / "lexicon.yaml").write_text("# từ của xã\nUBND: ủy ban nhân dân\n", encoding="utf-8")
    before = (fake_folder / "lexicon.yaml").read_bytes()
    data = {"written": ["UBND", "QL1A"], "spoken": ["ủy ban nhân dân", " "], "csrf_token": token(client)}
    response = client.post("/giong-doc/tu-dien", data=data)
    assert response.status_code == 400
    body = page(response)
    assert "Chưa lưu — tệp sẽ có lỗi:" in body and 'lexicon.yaml:3: cách đọc của "QL1A" đang để trống' in body
    assert (fake_folder / "lexicon.yaml").read_bytes() == before
    # The table as sent (the new row kept), the reasons at the table where the form's action lands.
    table = body[body.index('id="h-tu-dien"'):]
    assert 'action="/giong-doc/tu-dien#h-tu-dien"' in table and 'id="loi-h-tu-dien"' in table
    assert 'name="written" value="QL1A"' in table


def test_lexicon_keeps_comments_of_the_entries_that_stay(client, fake_folder):
    (fake_folder / "lexicon.yaml").write_text("# từ của xã\nUBND: ủy ban nhân dân  # cơ quan\nHTX: hợp tác xã\n",
                                             encoding="utf-8")
    data = {"written": ["UBND", ""], "spoken": ["ủy ban nhân dân", "hợp tác xã"], "csrf_token": token(client)}
    client.post("/giong-doc/tu-dien", data=data)
    assert (fake_folder / "lexicon.yaml").read_text(encoding="utf-8") == "# từ của xã\nUBND: ủy ban nhân dân  # cơ quan\n"
