"""Tests for the speech engines: table, chunking, gTTS against a local fake, edge-tts with a fake, eSpeak for real."""
from __future__ import annotations

import asyncio
import socket
import threading
import unicodedata

import numpy as np
import pytest

from broadcaster.errors import EngineError
from broadcaster.models import SpeechSettings
from broadcaster.speech.engines import ENGINES, get_engine
from broadcaster.speech.engines.base import ServiceFailure, call_with_retries
from broadcaster.speech.engines.edge_engine import EdgeEngine, pitch_hertz, rate_percent
from broadcaster.speech.engines.espeak import MAX_CHARS, EspeakEngine, _Library
from fake_engine import FakeEngine
from broadcaster.speech.engines.gtts_engine import GttsEngine, parse_batchexecute, split_chunks
from fake_gtts_server import FakeGoogle, batchexecute_body, tiny_mp3

SENTENCE = ("Ủy ban nhân dân xã thông báo: sáng mai toàn thể bà con đến nhà văn hóa ấp "
            "để họp về phòng chống dịch bệnh.")
LONG_TEXT = (
    "Thực hiện kế hoạch của Ủy ban nhân dân huyện, từ ngày mười lăm tháng bảy đến hết ngày "
    "ba mươi tháng bảy năm hai nghìn không trăm hai mươi tư, các hộ gia đình chăn nuôi gia súc "
    "gia cầm trên địa bàn xã đăng ký tiêm phòng miễn phí tại trạm thú y; mỗi hộ mang theo sổ "
    "theo dõi đàn vật nuôi. Mọi thắc mắc xin liên hệ cán bộ thú y ấp, hoặc gọi số điện thoại "
    "không chín một hai, ba bốn năm, sáu bảy tám! Xin cảm ơn bà con đã lắng nghe."
)


class Sleeps(list):
    """Records the waits an engine asks for instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _no_proxy_for_localhost(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv("BROADCASTER_GTTS_URL", raising=False)


def gtts_engine(url: str, sleeps: Sleeps | None = None, **kwargs) -> GttsEngine:
    return GttsEngine(base_url=url, sleep=sleeps if sleeps is not None else Sleeps(),
                      base_delay=1.0, chunk_pause_s=0.0, jitter=lambda: 0.0, **kwargs)


# --- engine table --------------------------------------------------------------------------

def test_table_names_match_engines():
    assert set(ENGINES) == {"espeak", "gtts", "edge", "fake", "piper", "auto"}
    for name, cls in ENGINES.items():
        assert cls.name == name
        if getattr(cls, "dynamic_voices", False):  # voices live in the working folder (test_piper.py)
            continue
        assert set(cls.voice_languages) == set(cls.voices)
        assert set(cls.voice_languages.values()) == set(cls.languages)
    assert get_engine("espeak") is get_engine("espeak")


def test_unknown_engine_lists_valid_ones():
    with pytest.raises(EngineError) as info:
        get_engine("gtt")
    message = str(info.value)
    assert 'có phải ý bạn là "gtts"' in message
    assert "auto, edge, espeak, fake, gtts, piper" in message


@pytest.mark.parametrize("name", sorted(n for n, c in ENGINES.items() if not getattr(c, "dynamic_voices", False)))
def test_unknown_voice_lists_voices(name):
    engine = ENGINES[name]() if name != "espeak" else get_engine("espeak")
    with pytest.raises(EngineError) as info:
        engine.synthesize("xin chào", voice="khong-co", settings=SpeechSettings())
    for voice in engine.voices:
        assert voice in str(info.value)


def test_online_flags():
    assert {n for n, c in ENGINES.items() if c.online} == {"gtts", "edge"}


# --- retry helper --------------------------------------------------------------------------

def test_retry_helper_backs_off_then_succeeds():
    sleeps, outcomes = Sleeps(), [ServiceFailure("rate_limited"), ServiceFailure("server"), "ok"]

    def attempt():
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert call_with_retries(attempt, tries=4, base_delay=2.0, sleep=sleeps, jitter=lambda: 0.5) == "ok"
    assert sleeps == [2.25, 4.5]  # 2 s and 4 s plus 12.5 % jitter


def test_retry_helper_does_not_retry_permanent_causes():
    calls = []

    def attempt():
        calls.append(1)
        raise ServiceFailure("token", "HTTP 403")

    with pytest.raises(ServiceFailure):
        call_with_retries(attempt, tries=5, base_delay=1.0, sleep=Sleeps())
    assert len(calls) == 1


# --- chunking ------------------------------------------------------------------------------

def test_chunks_fit_and_keep_every_word():
    chunks = split_chunks(LONG_TEXT)
    assert len(chunks) > 3
    assert all(0 < len(c) <= 100 for c in chunks)
    assert " ".join(chunks) == " ".join(LONG_TEXT.split())  # nothing lost, no word cut


def test_chunks_prefer_sentence_then_comma_boundaries():
    first = "Bà con chú ý lắng nghe thông báo khẩn của Ủy ban nhân dân xã về cơn bão số ba."
    second = "Các hộ ven sông cần gia cố nhà cửa, chằng chống mái tôn trước chiều nay."
    assert split_chunks(f"{first} {second}") == [first, second]
    chunks = split_chunks("a" * 30 + ", " + "b" * 60 + ", " + "c" * 60)
    assert chunks == ["a" * 30 + ", " + "b" * 60 + ",", "c" * 60]


def test_chunks_are_nfc_and_counted_in_nfc():
    nfd = unicodedata.normalize("NFD", LONG_TEXT)
    assert len(nfd) > len(LONG_TEXT)
    chunks = split_chunks(nfd)
    assert chunks == split_chunks(LONG_TEXT)
    assert all(unicodedata.is_normalized("NFC", c) and len(c) <= 100 for c in chunks)


def test_chunks_never_split_numbers():
    text = ("Số tiền hỗ trợ là 1 500 000 đồng cho mỗi hộ, họp lúc 10:30 tại hội trường, "
            "mức đóng 500.000 đồng mỗi người, " + "đề nghị bà con có mặt đúng giờ " * 3)
    chunks = split_chunks(text)
    assert all(len(c) <= 100 for c in chunks)
    joined = "|".join(chunks)
    for number in ("1 500 000", "10:30", "500.000"):
        assert number in joined
    for before, after in zip(chunks, chunks[1:]):
        assert not (before[-1].isdigit() and after[0].isdigit())
    digits = " ".join(["123 456 789"] * 12)  # a space between digits is not a place to cut
    assert all(not c[0].isspace() for c in split_chunks(digits))


def test_chunks_without_punctuation_split_at_spaces():
    text = " ".join(["truyền thanh"] * 40)
    chunks = split_chunks(text)
    assert all(len(c) <= 100 for c in chunks)
    assert " ".join(chunks) == text


def test_khmer_sentences_split_after_khan():
    sentence = "សូមបងប្អូនប្រជាពលរដ្ឋចូលរួមប្រជុំនៅសាលាឃុំនៅព្រឹកស្អែក។"
    chunks = split_chunks(sentence * 4)
    assert chunks and all(len(c) <= 100 for c in chunks)
    assert all(c.endswith("។") for c in chunks)
    assert "".join(c.replace(" ", "") for c in chunks) == sentence * 4


def test_short_text_is_one_chunk_and_empty_is_none():
    assert split_chunks("  Xin   chào  ") == ["Xin chào"]
    assert split_chunks("   ") == []


# --- gTTS against the local fake ----------------------------------------------------------

def test_fake_server_answer_is_what_gtts_itself_parses(monkeypatch):
    import gtts.tts
    from gtts import gTTS

    with FakeGoogle() as server:
        monkeypatch.setattr(gtts.tts, "_translate_url", lambda tld, path: f"{server.url}/{path}")
        audio = b"".join(gTTS("xin chào", lang="vi", lang_check=False).stream())
    assert audio == tiny_mp3()
    assert parse_batchexecute(batchexecute_body(tiny_mp3()), "jQ1olc") == tiny_mp3()
    assert parse_batchexecute(batchexecute_body(None), "jQ1olc") is None


def test_gtts_success_decodes_and_joins_chunks():
    with FakeGoogle() as server:
        pcm = gtts_engine(server.url).synthesize(LONG_TEXT, settings=SpeechSettings())
    chunks = split_chunks(LONG_TEXT)
    assert server.texts == chunks
    assert set(server.languages) == {"vi"}
    assert pcm.rate == 24000
    assert pcm.duration_s == pytest.approx(0.3 * len(chunks), abs=0.06 * len(chunks))


def test_gtts_url_from_environment(monkeypatch):
    with FakeGoogle() as server:
        monkeypatch.setenv("BROADCASTER_GTTS_URL", server.url)
        engine = GttsEngine(sleep=Sleeps(), chunk_pause_s=0)
        engine.check_environment()
        engine.synthesize("xin chào", settings=SpeechSettings())
    assert server.calls == 1


def test_gtts_pauses_between_chunks():
    sleeps = Sleeps()
    with FakeGoogle() as server:
        GttsEngine(base_url=server.url, sleep=sleeps, chunk_pause_s=0.5).synthesize(
            LONG_TEXT, settings=SpeechSettings())
    assert sleeps == [0.5] * (server.calls - 1)


def test_gtts_retries_429_then_succeeds():
    sleeps = Sleeps()
    with FakeGoogle([429, 429]) as server:
        pcm = gtts_engine(server.url, sleeps).synthesize("xin chào bà con", settings=SpeechSettings(retries=4))
    assert server.calls == 3
    assert sleeps == [1.0, 2.0]
    assert pcm.duration_s > 0.2


def test_gtts_jitter_spreads_waits():
    sleeps = Sleeps()
    with FakeGoogle([503, 503, 503]) as server:
        GttsEngine(base_url=server.url, sleep=sleeps, base_delay=2.0, chunk_pause_s=0,
                   jitter=lambda: 1.0).synthesize("xin chào", settings=SpeechSettings(retries=4))
    assert sleeps == [2.5, 5.0, 10.0]


@pytest.mark.parametrize("status, calls, words", [
    (429, 3, ["Google đang giới hạn số lượt yêu cầu (429)", "fallback: espeak", "đã thử 3 lần"]),
    (503, 3, ["máy chủ Google đang gặp lỗi (HTTP 503)", "đã thử 3 lần"]),
    (403, 1, ["Google từ chối yêu cầu (403)", "pip install -U gTTS"]),
    (400, 1, ["HTTP 400"]),
])
def test_gtts_final_failure_names_the_cause(status, calls, words):
    sleeps = Sleeps()
    with FakeGoogle(always=status) as server:
        with pytest.raises(EngineError) as info:
            gtts_engine(server.url, sleeps).synthesize("xin chào", settings=SpeechSettings(retries=3))
    assert server.calls == calls
    assert len(sleeps) == calls - 1
    for word in words:
        assert word in str(info.value)


def test_gtts_connection_refused_means_no_network():
    sleeps = Sleeps()
    engine = gtts_engine(f"http://127.0.0.1:{closed_port()}", sleeps)
    with pytest.raises(EngineError) as info:
        engine.synthesize("xin chào", settings=SpeechSettings(retries=2))
    assert "không kết nối được tới máy chủ Google — kiểm tra mạng Internet" in str(info.value)
    assert sleeps == [1.0]
    with pytest.raises(EngineError, match="kiểm tra mạng Internet"):
        engine.check_environment()


def test_gtts_timeout_is_retried_and_named():
    sleeps = Sleeps()
    with FakeGoogle(always="stall", stall_s=1.0) as server:
        with pytest.raises(EngineError) as info:
            gtts_engine(server.url, sleeps).synthesize(
                "xin chào", settings=SpeechSettings(retries=2, timeout_s=0.2))
    assert "không trả lời trong 0.2 giây" in str(info.value)
    assert server.calls == 2


def test_gtts_answer_without_audio_is_not_retried():
    with FakeGoogle(audio=False) as server:
        with pytest.raises(EngineError, match="không có âm thanh"):
            gtts_engine(server.url).synthesize("xin chào", settings=SpeechSettings())
    assert server.calls == 1


def test_gtts_khmer_goes_to_google_as_km():
    with FakeGoogle() as server:
        gtts_engine(server.url).synthesize("សួស្តី", language="km", settings=SpeechSettings())
    assert server.languages == ["km"]


@pytest.mark.net
def test_gtts_real_google():
    pcm = GttsEngine().synthesize("Xin chào bà con.", settings=SpeechSettings())
    assert pcm.duration_s > 0.5


# --- edge-tts with an injected communicator ------------------------------------------------

class FakeCommunicate:
    """Stands in for edge_tts.Communicate: fails with the queued exceptions, then streams MP3."""

    def __init__(self, failures=()):
        self.failures = list(failures)
        self.calls: list[dict] = []

    def __call__(self, text, voice, **kwargs):
        self.calls.append(dict(text=text, voice=voice, **kwargs))
        failure = self.failures.pop(0) if self.failures else None
        return _Stream(failure)


class _Stream:
    def __init__(self, failure):
        self.failure = failure

    async def stream(self):
        if self.failure is not None:
            raise self.failure
        mp3 = tiny_mp3()
        yield {"type": "SentenceBoundary", "offset": 0, "duration": 1, "text": "x"}
        yield {"type": "audio", "data": mp3[:500]}
        await asyncio.sleep(0)
        yield {"type": "audio", "data": mp3[500:]}


def edge_engine(communicate, sleeps=None) -> EdgeEngine:
    return EdgeEngine(communicate=communicate, sleep=sleeps if sleeps is not None else Sleeps(),
                      base_delay=1.0, jitter=lambda: 0.0)


def handshake_error(status: int):
    import aiohttp

    return aiohttp.WSServerHandshakeError(request_info=None, history=(), status=status, message="x")


def test_edge_success_passes_rate_pitch_timeout():
    communicate = FakeCommunicate()
    pcm = edge_engine(communicate).synthesize(
        "xin chào", voice="vi-VN-NamMinhNeural", settings=SpeechSettings(rate=116, pitch=60, timeout_s=7.4))
    assert pcm.rate == 24000 and 0.28 < pcm.duration_s < 0.42  # MP3 adds encoder padding
    call = communicate.calls[0]
    assert call["voice"] == "vi-VN-NamMinhNeural"
    assert (call["rate"], call["pitch"], call["receive_timeout"]) == ("-20%", "+10Hz", 7)


def test_edge_default_voice_and_khmer():
    communicate = FakeCommunicate()
    engine = edge_engine(communicate)
    engine.synthesize("xin chào", settings=SpeechSettings())
    engine.synthesize("សួស្តី", language="km", settings=SpeechSettings())
    assert [c["voice"] for c in communicate.calls] == ["vi-VN-HoaiMyNeural", "km-KH-SreymomNeural"]


@pytest.mark.parametrize("wpm, expected", [(145, "+0%"), (116, "-20%"), (174, "+20%"), (20, "-50%"), (900, "+100%")])
def test_rate_mapping(wpm, expected):
    assert rate_percent(wpm) == expected


def test_pitch_mapping():
    assert [pitch_hertz(p) for p in (50, 0, 100, 35)] == ["+0Hz", "-50Hz", "+50Hz", "-15Hz"]


def test_edge_retries_429_then_succeeds():
    sleeps = Sleeps()
    communicate = FakeCommunicate([handshake_error(429), handshake_error(429)])
    pcm = edge_engine(communicate, sleeps).synthesize("xin chào", settings=SpeechSettings(retries=4))
    assert len(communicate.calls) == 3 and sleeps == [1.0, 2.0] and pcm.duration_s > 0.2


@pytest.mark.parametrize("make_error, words, calls", [
    (lambda: handshake_error(429), "Microsoft đang giới hạn số lượt yêu cầu (429)", 3),
    (lambda: handshake_error(503), "máy chủ Microsoft đang gặp lỗi (HTTP 503)", 3),
    (lambda: handshake_error(403), "Microsoft từ chối yêu cầu (403)", 1),
    (lambda: __import__("aiohttp").ClientConnectionError("refused"), "kiểm tra mạng Internet", 3),
    (lambda: asyncio.TimeoutError(), "không trả lời trong 15 giây", 3),
])
def test_edge_final_failure_names_the_cause(make_error, words, calls):
    communicate = FakeCommunicate([make_error() for _ in range(5)])
    with pytest.raises(EngineError) as info:
        edge_engine(communicate).synthesize("xin chào", settings=SpeechSettings(retries=3))
    assert words in str(info.value)
    assert len(communicate.calls) == calls


def test_edge_works_inside_a_running_event_loop():
    async def main():
        return edge_engine(FakeCommunicate()).synthesize("xin chào", settings=SpeechSettings())

    assert asyncio.run(main()).duration_s > 0.2


def test_edge_missing_package_says_how_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "edge_tts", None)
    with pytest.raises(EngineError, match=r"pip install 'broadcaster\[edge\]'"):
        EdgeEngine().synthesize("xin chào", settings=SpeechSettings())
    with pytest.raises(EngineError, match="broadcaster\\[edge\\]"):
        EdgeEngine().check_environment()


@pytest.mark.net
def test_edge_real_service():
    pcm = EdgeEngine().synthesize("Xin chào bà con.", settings=SpeechSettings())
    assert pcm.duration_s > 0.5


# --- fake engine ---------------------------------------------------------------------------

def test_fake_engine_is_deterministic_and_counts_calls():
    FakeEngine.reset()
    engine = FakeEngine()
    one = engine.synthesize("xin chào", settings=SpeechSettings())
    two = engine.synthesize("xin chào", settings=SpeechSettings())
    km = engine.synthesize("សួស្តី", language="km", settings=SpeechSettings())
    assert one == two and FakeEngine.calls == 3 and FakeEngine.texts[-1] == "សួស្តី"
    assert one.duration_s == pytest.approx(0.06 * len("xin chào"), abs=0.001)
    assert km.duration_s > 0
    samples = np.frombuffer(one.samples, "<i2").astype(float)
    assert 3000 < np.sqrt(np.mean(samples ** 2)) < 12000


# --- real eSpeak ----------------------------------------------------------------------------

def _loud_seconds(pcm) -> float:
    samples = np.frombuffer(pcm.samples, "<i2").astype(float)
    frames = samples[: len(samples) // 441 * 441].reshape(-1, 441)  # 20 ms at 22050 Hz
    return float((np.sqrt((frames ** 2).mean(axis=1)) > 300).sum() * 0.02)


@pytest.mark.parametrize("voice", ["vi", "vi-vn-x-central", "vi-vn-x-south"])
def test_espeak_voices_speak_vietnamese(voice):
    engine = get_engine("espeak")
    engine.check_environment()
    pcm = engine.synthesize(SENTENCE, voice=voice, settings=SpeechSettings())
    assert pcm.rate == 22050
    assert pcm.duration_s > 1.0
    assert _loud_seconds(pcm) > 1.0


def test_espeak_dialects_sound_different_and_rate_changes_length():
    engine = get_engine("espeak")
    north = engine.synthesize(SENTENCE, voice="vi", settings=SpeechSettings())
    south = engine.synthesize(SENTENCE, voice="vi-vn-x-south", settings=SpeechSettings())
    assert north.samples != south.samples
    slow = engine.synthesize(SENTENCE, settings=SpeechSettings(rate=110))
    fast = engine.synthesize(SENTENCE, settings=SpeechSettings(rate=220))
    assert slow.duration_s > 1.5 * fast.duration_s


def test_espeak_initialises_once_and_serves_two_threads():
    engine = get_engine("espeak")
    expected = engine.synthesize(SENTENCE, settings=SpeechSettings())
    results, errors = {}, []

    def work(index):
        try:
            results[index] = get_engine("espeak").synthesize(SENTENCE, settings=SpeechSettings())
        except Exception as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert len(results) == 2
    for result in results.values():  # eSpeak's voice "flutter" makes runs differ slightly
        assert result.duration_s == pytest.approx(expected.duration_s, rel=0.05)
        assert _loud_seconds(result) > 1.0
    assert _Library.initialisations == 1
    assert isinstance(get_engine("espeak"), EspeakEngine)


def test_espeak_has_no_khmer():
    with pytest.raises(EngineError) as info:
        get_engine("espeak").synthesize("សួស្តី", language="km", settings=SpeechSettings())
    assert str(info.value) == ("công cụ espeak không đọc được tiếng Khmer (km); "
                               "các công cụ đọc được: edge, gtts")


def test_espeak_refuses_huge_text_and_empty_text():
    engine = get_engine("espeak")
    with pytest.raises(EngineError, match="quá dài"):
        engine.synthesize("a " * (MAX_CHARS // 2 + 1), settings=SpeechSettings())
    with pytest.raises(EngineError, match="không có chữ nào"):
        engine.synthesize("   ", settings=SpeechSettings())


def test_espeak_long_digit_run_finishes():
    pcm = get_engine("espeak").synthesize("số " + "1" * 500, settings=SpeechSettings())
    assert pcm.duration_s > 0
