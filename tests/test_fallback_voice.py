"""Fallback voice: when gTTS cannot be reached, eSpeak reads with the voice of the folder's dialect, and says so.

The issue: with ``dialect: south`` and gTTS unreachable, the fallback used eSpeak's
northern voice ``vi`` instead of ``vi-vn-x-south``, and the warning named only the
script although the station opening/closing clips fell back too. gTTS is the local
fake server (tests/fake_gtts_server.py) answering errors, or a closed port.
"""
from __future__ import annotations

import socket
from dataclasses import replace
from pathlib import Path

import pytest

from broadcaster.cli import main
from broadcaster.config import load_project
from broadcaster.manifest import read_manifest
from broadcaster.models import SpeechSettings
from broadcaster.speech.engines import get_engine
from broadcaster.speech.synth import fallback_voice, forget_environment_checks, synthesize
from fake_gtts_server import FakeGoogle

ONLINE = SpeechSettings(engine="gtts", voice="google-vi", fallback="espeak", dialect="south", retries=1, timeout_s=2)


@pytest.fixture(autouse=True)
def _local_gtts(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    forget_environment_checks()
    yield
    forget_environment_checks()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("settings, voice", [
    (ONLINE, "vi-vn-x-south"),                                      # the case
    (replace(ONLINE, dialect="north"), "vi"),
    (replace(ONLINE, voice="vi"), "vi-vn-x-south"),                 # "vi" names eSpeak's northern voice too
    (replace(ONLINE, voice="vi-vn-x-central"), "vi-vn-x-central"),  # a fallback voice chosen on purpose
])
def test_fallback_voice_follows_the_dialect(settings, voice):
    assert fallback_voice(get_engine("espeak"), "vi", settings) == voice


@pytest.mark.parametrize("dialect, voice", [("south", "vi-vn-x-south"), ("north", "vi")])
def test_failing_gtts_falls_back_to_the_dialect_voice(monkeypatch, dialect, voice):
    with FakeGoogle(always=503) as server:
        monkeypatch.setenv("BROADCASTER_GTTS_URL", server.url)
        result = synthesize("Xin chào bà con.", language="vi", settings=replace(ONLINE, dialect=dialect))
    assert server.calls >= 1
    assert (result.engine, result.voice, result.fallback_used) == ("espeak", voice, True)
    assert result.pcm.duration_s > 0.5


def online_folder(folder: Path) -> None:
    cfg = folder / "broadcaster.yaml"
    text = cfg.read_text(encoding="utf-8")
    assert "  engine: espeak\n  voice: vi-vn-x-south\n  fallback: null\n  dialect: south\n" in text
    text = text.replace("  engine: espeak\n  voice: vi-vn-x-south\n  fallback: null\n",
                        "  engine: gtts\n  voice: google-vi\n  fallback: espeak\n  retries: 1\n  timeout_s: 2\n")
    cfg.write_text(text, encoding="utf-8")


def test_unreachable_gtts_build_names_every_clip_that_fell_back(sample_folder, monkeypatch, capsys):
    online_folder(sample_folder)
    monkeypatch.setenv("BROADCASTER_GTTS_URL", closed_port_url())
    capsys.readouterr()
    assert main(["--project", str(sample_folder), "build"]) == 0
    err = capsys.readouterr().err
    manifest = read_manifest(load_project(sample_folder))
    assert len(manifest) == 3 + 16
    assert {(r.engine, r.voice, r.wanted_engine, r.fallback_used) for r in manifest.values()} == {
        ("espeak", "vi-vn-x-south", "gtts", True)}
    warnings = [line for line in err.splitlines() if "dự phòng" in line]
    assert len(warnings) == 1  # one warning for the whole build, with a count
    line = warnings[0]
    assert line.startswith("cảnh báo: công cụ gtts không dùng được; 19 tệp âm thanh đã đọc bằng công cụ dự phòng "
                           "(fallback) espeak, giọng vi-vn-x-south: ")
    named = line.split(": ", 2)[2].split(", ")
    assert sorted(named) == sorted(manifest)                         # scripts and all 16 station clips
    assert "_station/xa-dai-tam-sang-mo-dau" in named


def test_failing_gtts_web_build_warns_with_every_clip(fake_folder, monkeypatch):
    """The console's build job shows the same single warning (fake engine as fallback, so it is quick)."""
    import html
    import re
    import time

    from broadcaster.web import create_app

    cfg = fake_folder / "broadcaster.yaml"
    text = cfg.read_text(encoding="utf-8").replace("  engine: fake\n  voice: fake\n  fallback: null\n",
                                                   "  engine: gtts\n  voice: google-vi\n  fallback: fake\n"
                                                   "  retries: 1\n  timeout_s: 2\n")
    cfg.write_text(text, encoding="utf-8")
    app = create_app(fake_folder)
    app.config["TESTING"] = True
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/kich-ban").get_data(as_text=True)).group(1)
    with FakeGoogle(always=500) as server:
        monkeypatch.setenv("BROADCASTER_GTTS_URL", server.url)
        job = client.post("/build", data={"csrf_token": token, "next": "/kich-ban"}).headers["Location"]
        deadline = time.monotonic() + 60
        while client.get(job + "/trang-thai").get_json()["state"] in ("running", "queued"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert server.calls >= 1
    back = client.get(job)
    shown = html.unescape(client.get(back.headers["Location"]).get_data(as_text=True))
    manifest = read_manifest(load_project(fake_folder))
    warning = ("cảnh báo: công cụ gtts không dùng được; 19 tệp âm thanh đã đọc bằng công cụ dự phòng (fallback) "
               "fake, giọng fake: ")
    assert shown.count(warning) == 1
    listed = shown.split(warning, 1)[1].split("<", 1)[0].strip().split(", ")
    assert sorted(listed) == sorted(manifest) and len(listed) == 19
    app.extensions["broadcaster"].close()
