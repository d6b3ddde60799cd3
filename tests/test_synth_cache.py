"""Tests for the speech stage entry point: cache keys and files, engine and voice choice, fallback."""
from __future__ import annotations

import os
import socket
import unicodedata
from dataclasses import replace

import pytest

from broadcaster.errors import EngineError
from broadcaster.models import Pcm, SpeechSettings
from broadcaster.speech import synth
from broadcaster.speech.cache import SynthCache, key_for
from broadcaster.speech.engines import get_engine, set_engine
from fake_engine import FakeEngine
from broadcaster.speech.engines.gtts_engine import GttsEngine
from broadcaster.speech.synth import SynthResult, synthesize
from fake_gtts_server import FakeGoogle

TEXT = "Bà con chú ý, chiều nay cắt điện từ mười bốn giờ đến mười sáu giờ."
FAKE = SpeechSettings(engine="fake", voice="fake")


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _fresh_engines(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv("BROADCASTER_GTTS_URL", raising=False)
    FakeEngine.reset()
    synth.forget_environment_checks()
    yield
    set_engine("gtts", None)
    synth.forget_environment_checks()


@pytest.fixture
def cache(tmp_path) -> SynthCache:
    return SynthCache(tmp_path / "cache")


def offline_gtts(sleeps: Sleeps | None = None) -> GttsEngine:
    """A gTTS engine pointed at a closed port: every call fails as 'no network'."""
    engine = GttsEngine(base_url=f"http://127.0.0.1:{closed_port()}", sleep=sleeps if sleeps is not None else Sleeps(),
                        base_delay=1.0, chunk_pause_s=0, jitter=lambda: 0.0)
    set_engine("gtts", engine)
    return engine


# --- keys and files -------------------------------------------------------------------------

def test_key_depends_on_what_changes_the_sound():
    base = key_for(TEXT, "fake", "fake", "vi", FAKE)
    assert len(base) == 64 and base == key_for(TEXT, "fake", "fake", "vi", FAKE)
    assert base == key_for(unicodedata.normalize("NFD", TEXT), "fake", "fake", "vi", FAKE)
    assert base == key_for(TEXT, "fake", "fake", "vi", replace(FAKE, timeout_s=3, retries=1, fallback="espeak"))
    others = {
        key_for(TEXT + ".", "fake", "fake", "vi", FAKE),
        key_for(TEXT, "espeak", "fake", "vi", FAKE),
        key_for(TEXT, "fake", "fake-2", "vi", FAKE),
        key_for(TEXT, "fake", "fake", "km", FAKE),
        key_for(TEXT, "fake", "fake", "vi", replace(FAKE, rate=120)),
        key_for(TEXT, "fake", "fake", "vi", replace(FAKE, pitch=40)),
    }
    assert base not in others and len(others) == 6
    assert SynthCache.key_for(TEXT, "fake", "fake", "vi", FAKE) == base


def test_put_get_round_trip_and_layout(cache):
    key = key_for(TEXT, "fake", "fake", "vi", FAKE)
    assert cache.get(key) is None
    pcm = Pcm(b"\x01\x00\xff\x7f" * 1000, 22050)
    path = cache.put(key, pcm)
    assert path == cache.directory / key[:2] / f"{key}.wav"
    assert cache.get(key) == pcm
    assert sorted(os.listdir(path.parent)) == [f"{key}.wav"]  # no temporary file left behind
    cache.put(key, Pcm(b"\x00\x00" * 10, 24000))  # replacing an entry is fine too
    assert cache.get(key) == Pcm(b"\x00\x00" * 10, 24000)


def test_unreadable_entry_is_a_miss(cache):
    key = "ab" + "0" * 62
    cache.path_for(key).parent.mkdir(parents=True)
    cache.path_for(key).write_bytes(b"not a wav")
    assert cache.get(key) is None


# --- engine and voice choice ------------------------------------------------------------------

def test_second_call_synthesises_nothing(cache):
    first = synthesize(TEXT, language="vi", settings=FAKE, cache=cache)
    assert FakeEngine.calls == 1
    second = synthesize(TEXT, language="vi", settings=FAKE, cache=cache)
    assert FakeEngine.calls == 1
    assert (first.cached, second.cached) == (False, True)
    assert second.pcm == first.pcm
    assert second == SynthResult(first.pcm, "fake", "fake", False, True)


def test_settings_change_misses_the_cache(cache):
    synthesize(TEXT, language="vi", settings=FAKE, cache=cache)
    result = synthesize(TEXT, language="vi", settings=replace(FAKE, rate=120), cache=cache)
    assert FakeEngine.calls == 2 and not result.cached
    synthesize(TEXT, language="vi", settings=replace(FAKE, timeout_s=5), cache=cache)
    assert FakeEngine.calls == 2


def test_without_cache_every_call_synthesises():
    synthesize(TEXT, language="vi", settings=FAKE)
    synthesize(TEXT, language="vi", settings=FAKE)
    assert FakeEngine.calls == 2


def test_voice_choice():
    # settings.voice belongs to another engine -> the engine's default for the language
    assert synthesize(TEXT, language="vi", settings=SpeechSettings(), engine="fake").voice == "fake"
    assert synthesize(TEXT, language="km", settings=FAKE).voice == "fake-km"
    assert synthesize(TEXT, language="vi", settings=FAKE, voice="fake-2").voice == "fake-2"
    with pytest.raises(EngineError, match="fake-2"):
        synthesize(TEXT, language="vi", settings=FAKE, voice="vi-vn-x-south")


def test_engine_argument_overrides_settings():
    result = synthesize(TEXT, language="vi", settings=SpeechSettings(engine="gtts"), engine="fake")
    assert result.engine == "fake" and FakeEngine.calls == 1


def test_environment_checked_once_per_engine(monkeypatch):
    checks = []
    monkeypatch.setattr(FakeEngine, "check_environment", lambda self: checks.append(1))
    for _ in range(3):
        synthesize(TEXT, language="vi", settings=FAKE)
    assert checks == [1]


def test_unknown_engine_is_not_replaced_by_fallback():
    with pytest.raises(EngineError, match="các công cụ có: auto, edge, espeak, fake, gtts, piper"):
        synthesize(TEXT, language="vi", settings=replace(FAKE, engine="google", fallback="fake"))


def test_espeak_real_through_synthesize(cache):
    result = synthesize(TEXT, language="vi", settings=SpeechSettings(), cache=cache)
    assert (result.engine, result.voice, result.pcm.rate) == ("espeak", "vi-vn-x-south", 22050)
    assert result.pcm.duration_s > 1.0
    assert synthesize(TEXT, language="vi", settings=SpeechSettings(), cache=cache).cached


def test_khmer_on_espeak_is_a_clear_error():
    with pytest.raises(EngineError, match=r"không đọc được tiếng Khmer \(km\); các công cụ đọc được: edge, gtts"):
        synthesize("សួស្តី", language="km", settings=SpeechSettings(engine="espeak", fallback="fake"))


# --- fallback -----------------------------------------------------------------------------------

def test_online_failure_falls_back_and_says_so(cache):
    offline_gtts()
    settings = SpeechSettings(engine="gtts", voice="vi-vn-x-south", fallback="espeak", retries=2)
    result = synthesize(TEXT, language="vi", settings=settings, cache=cache)
    assert (result.engine, result.voice, result.fallback_used, result.cached) == (
        "espeak", "vi-vn-x-south", True, False)
    assert result.pcm.duration_s > 1.0
    # the cache holds it under the engine that really spoke
    assert cache.get(key_for(TEXT, "espeak", "vi-vn-x-south", "vi", settings)) == result.pcm
    assert cache.get(key_for(TEXT, "gtts", "google-vi", "vi", settings)) is None


def test_fallback_result_is_cached_under_fallback_engine(cache):
    sleeps = Sleeps()
    engine = offline_gtts(sleeps)
    engine.check_environment = lambda: None  # reach synthesize(), so the retries are exercised
    settings = SpeechSettings(engine="gtts", fallback="fake", retries=3)
    first = synthesize(TEXT, language="vi", settings=settings, cache=cache)
    assert (first.engine, first.voice, first.fallback_used) == ("fake", "fake", True)
    assert sleeps == [1.0, 2.0]
    second = synthesize(TEXT, language="vi", settings=settings, cache=cache)
    assert (second.engine, second.fallback_used, second.cached) == ("fake", True, True)
    assert FakeEngine.calls == 1


def test_online_success_is_not_a_fallback(cache):
    with FakeGoogle([429]) as server:
        set_engine("gtts", GttsEngine(base_url=server.url, sleep=Sleeps(), chunk_pause_s=0))
        settings = SpeechSettings(engine="gtts", fallback="fake")
        result = synthesize(TEXT, language="vi", settings=settings, cache=cache)
        again = synthesize(TEXT, language="vi", settings=settings, cache=cache)
    assert (result.engine, result.voice, result.fallback_used) == ("gtts", "google-vi", False)
    assert again.cached and server.calls == 2 and FakeEngine.calls == 0


def test_without_fallback_the_clear_error_is_raised():
    offline_gtts()
    with pytest.raises(EngineError, match="không kết nối được tới máy chủ Google — kiểm tra mạng Internet"):
        synthesize(TEXT, language="vi", settings=SpeechSettings(engine="gtts", retries=1))
    assert FakeEngine.calls == 0


def test_failing_fallback_reports_both_errors(monkeypatch):
    offline_gtts()

    def broken(self, *args, **kwargs):
        raise EngineError("hỏng")

    monkeypatch.setattr(FakeEngine, "synthesize", broken)
    with pytest.raises(EngineError) as info:
        synthesize(TEXT, language="vi", settings=SpeechSettings(engine="gtts", fallback="fake", retries=1))
    assert "kiểm tra mạng Internet" in str(info.value) and "công cụ dự phòng fake cũng lỗi: hỏng" in str(info.value)


def test_offline_engine_failure_does_not_fall_back(monkeypatch):
    def broken(self, *args, **kwargs):
        raise EngineError("hỏng")

    monkeypatch.setattr(FakeEngine, "synthesize", broken)
    with pytest.raises(EngineError, match="^hỏng$"):
        synthesize(TEXT, language="vi", settings=replace(FAKE, fallback="espeak"))
    assert get_engine("fake").online is False
