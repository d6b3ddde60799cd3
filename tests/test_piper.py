"""Piper engine, voice store and engine: auto — real inference on a tiny ONNX voice generated here.

The voice (tests/piper_tiny.py) has a Piper VITS voice's inputs and output and Piper's
documented .onnx.json; the text goes through piper-tts's own phonemiser and onnxruntime.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import copy_sample, use_engine
from mutagen.id3 import ID3
from piper_tiny import HOP, RATE, make_voice

from broadcaster.build import build_clips
from broadcaster.cli import main
from broadcaster.workdir import load_project  # the shells' loader: config + speech checks + voices/ folder
from broadcaster.errors import EngineError
from broadcaster.manifest import read_manifest, spoken_form
from broadcaster.models import SpeechSettings
from broadcaster.speech import voices as store
from broadcaster.speech.cache import SynthCache
from broadcaster.speech.engines import get_engine
from broadcaster.speech.engines import piper_engine
from broadcaster.speech.engines.auto_engine import set_probe
from broadcaster.speech.normalize import split_for_speech
from broadcaster.speech.synth import synthesize

NAME = "vi_VN-tiny-x_low"
CARD = "# Model card for tiny (x_low)\n\n* Language: vi_VN\n\n## Dataset\n\n* License: CC BY 4.0 (thử nghiệm)\n"


@pytest.fixture(autouse=True)
def offline_probe():
    """No test here reaches the Internet: online engines count as unreachable unless a test says so."""
    set_probe(lambda host, port: False)
    yield
    set_probe(None)


@pytest.fixture
def download(tmp_path: Path) -> Path:
    """The two files of a downloaded voice (and its model card), outside the working folder."""
    return make_voice(tmp_path / "download", NAME, card=CARD)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return copy_sample(tmp_path / "work")


@pytest.fixture
def piper_folder(folder: Path, download: Path) -> Path:
    """A sample working folder with the tiny voice installed and `engine: piper`."""
    assert main(["--project", str(folder), "voice", "add", str(download)]) == 0
    use_engine(folder, "piper", NAME)
    return folder


def run(folder: Path, *args: str) -> int:
    return main(["--project", str(folder), *args])


def samples_of(pcm) -> np.ndarray:
    return np.frombuffer(pcm.samples, dtype="<i2")


def expected_ids(folder: Path, text: str) -> list[list[int]]:
    """Phoneme ids by sentence from piper-tts's own phonemiser (not the system eSpeak)."""
    from piper import PiperVoice

    voice = PiperVoice.load(folder / "voices" / f"{NAME}.onnx")
    return [voice.phonemes_to_ids(p) for p in voice.phonemize(text)]


# --- voice add / list ---------------------------------------------------------------------------

def test_voice_add_installs_both_files_and_records_the_model_hash(folder, download, capsys):
    assert run(folder, "voice", "add", str(download)) == 0
    err = capsys.readouterr().err
    assert f'Đã cài giọng "{NAME}"' in err and "22050 Hz" in err
    assert "Giấy phép giọng: CC BY 4.0 (thử nghiệm)" in err
    installed = folder / "voices" / f"{NAME}.onnx"
    assert installed.read_bytes() == download.read_bytes()
    assert json.loads((folder / "voices" / f"{NAME}.onnx.json").read_text())["espeak"]["voice"] == "vi"
    index = json.loads((folder / "voices" / "voices.json").read_text())
    assert index[NAME]["sha256"] == hashlib.sha256(download.read_bytes()).hexdigest()
    assert index[NAME]["license"] == "CC BY 4.0 (thử nghiệm)"


def test_voice_list_shows_name_language_quality_rate_size_speakers_licence(piper_folder, tmp_path, capsys):
    second = make_voice(tmp_path / "dl2", "vi_VN-hai-nguoi-low", num_speakers=2, quality="low")
    assert run(piper_folder, "voice", "add", str(second)) == 0
    capsys.readouterr()
    assert run(piper_folder, "voice", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Tên", "Ngôn", "ngữ", "Chất", "lượng", "Tần", "số", "Dung", "lượng", "Người",
                                "đọc", "Giấy", "phép"]
    two = next(line for line in lines if line.startswith("vi_VN-hai-nguoi-low"))
    assert "vi_VN" in two and "low" in two and "22050 Hz" in two and "2 (nguoi-doc-0, nguoi-doc-1)" in two
    tiny = next(line for line in lines if line.startswith(NAME))
    assert "x_low" in tiny and "CC BY 4.0 (thử nghiệm)" in tiny and "kB" in tiny
    assert run(piper_folder, "voice", "list", "--format", "json") == 0
    listed = {v["name"]: v for v in json.loads(capsys.readouterr().out)}
    assert listed[NAME]["sample_rate"] == 22050 and listed[NAME]["num_speakers"] == 1
    assert listed["vi_VN-hai-nguoi-low"]["speakers"] == ["nguoi-doc-0", "nguoi-doc-1"]
    assert listed[NAME]["size_bytes"] == (piper_folder / "voices" / f"{NAME}.onnx").stat().st_size


def test_voice_list_empty_says_how_to_install(folder, capsys):
    assert run(folder, "voice", "list") == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "chưa cài giọng Piper nào" in captured.err and store.DOWNLOAD_URL in captured.err
    assert "broadcaster voice add" in captured.err


def _rejected(folder: Path, model: Path, capsys) -> str:
    assert run(folder, "voice", "add", str(model)) == 1
    assert not (folder / "voices").exists() or not list((folder / "voices").iterdir())
    return capsys.readouterr().err


def test_non_vietnamese_voice_is_refused(folder, tmp_path, capsys):
    model = make_voice(tmp_path / "en", "en_US-tiny-x_low", espeak_voice="en-us")
    err = _rejected(folder, model, capsys)
    assert 'không đọc tiếng Việt (espeak.voice: "en-us"' in err and store.DOWNLOAD_URL in err


def test_corrupt_model_is_refused(folder, tmp_path, download, capsys):
    broken = tmp_path / "broken" / f"{NAME}.onnx"
    broken.parent.mkdir()
    broken.write_bytes(download.read_bytes()[:40] + b"\x00garbage" * 10)
    shutil.copy(download.with_name(download.name + ".json"), broken.with_name(broken.name + ".json"))
    err = _rejected(folder, broken, capsys)
    assert "tệp này không phải giọng Piper dùng được (tệp mô hình giọng bị hỏng" in err and "tải lại tệp .onnx" in err


@pytest.mark.parametrize("content", [b"day la tep van ban, khong phai mo hinh\n", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64])
def test_a_file_that_is_no_model_gets_vietnamese_only_and_the_detail_with_debug(folder, tmp_path, download, capsys,
                                                                                  content):
    # Trial B2: a text file (and a PNG) named .onnx printed ONNX Runtime's English error.
    fake = tmp_path / "fake" / "giong.onnx"
    fake.parent.mkdir()
    fake.write_bytes(content)
    shutil.copy(download.with_name(download.name + ".json"), fake.with_name(fake.name + ".json"))
    err = _rejected(folder, fake, capsys)
    assert f"lỗi: {fake}: tệp này không phải giọng Piper dùng được" in err
    assert "ONNXRuntimeError" not in err and "Protobuf" not in err and "failed" not in err
    assert run(folder, "--debug", "voice", "add", str(fake)) == 1
    assert "ONNXRuntimeError" in capsys.readouterr().err  # the raw detail, for the technical staff


def test_missing_model_config_and_wrong_extension(folder, tmp_path, download, capsys):
    err = _rejected(folder, tmp_path / "khong-co.onnx", capsys)
    assert "không thấy tệp giọng" in err
    download.with_name(download.name + ".json").unlink()
    err = _rejected(folder, download, capsys)
    assert "thiếu tệp cấu hình" in err and ".onnx.json" in err
    err = _rejected(folder, tmp_path / "giong.bin", capsys)
    assert "phải có đuôi .onnx" in err


@pytest.mark.parametrize("change, message", [
    (lambda c: c["audio"].update(sample_rate=4000), "audio.sample_rate = 4000 không hợp lệ"),
    (lambda c: c["phoneme_id_map"].pop("_"), 'thiếu ký hiệu "_"'),
    (lambda c: c.update(num_speakers=0), "num_speakers = 0 không hợp lệ"),
    (lambda c: c.update(phoneme_type="pinyin"), 'bộ phiên âm "pinyin"'),
    (lambda c: c.pop("espeak"), "espeak.voice"),
])
def test_invalid_config_is_refused(folder, download, capsys, change, message):
    config_path = download.with_name(download.name + ".json")
    config = json.loads(config_path.read_text())
    change(config)
    config_path.write_text(json.dumps(config))
    assert message in _rejected(folder, download, capsys)


def test_multi_speaker_model_without_sid_input_is_refused(folder, download, capsys):
    config_path = download.with_name(download.name + ".json")
    config = json.loads(config_path.read_text())
    config["num_speakers"] = 3
    config_path.write_text(json.dumps(config))
    assert "không có các đầu vào của giọng Piper (sid)" in _rejected(folder, download, capsys)


# --- check ----------------------------------------------------------------------------------------

def test_check_reports_a_missing_voice_with_the_install_command(folder, capsys):
    use_engine(folder, "piper", "vi_VN-vais1000-medium")
    assert run(folder, "check") == 1
    out = capsys.readouterr().out
    line = next(n for n, text in enumerate((folder / "broadcaster.yaml").read_text().splitlines(), 1)
                if text.strip().startswith("voice:"))
    assert f'broadcaster.yaml:{line}: chưa cài giọng Piper "vi_VN-vais1000-medium"' in out
    assert store.DOWNLOAD_URL in out
    assert "broadcaster voice add ĐƯỜNG_DẪN/vi_VN-vais1000-medium.onnx" in out


def test_check_passes_with_the_installed_voice_and_flags_a_misspelt_one(piper_folder, capsys):
    assert run(piper_folder, "check") == 0
    cfg = piper_folder / "broadcaster.yaml"
    assert f"voice: {NAME}" in cfg.read_text()
    cfg.write_text(cfg.read_text().replace(f"voice: {NAME}", "voice: vi_VN-tiny-xlow"))
    capsys.readouterr()
    assert run(piper_folder, "check") == 1
    out = capsys.readouterr().out
    assert f'chưa cài giọng Piper "vi_VN-tiny-xlow" (có phải ý bạn là "{NAME}"?)' in out
    assert f"các giọng đã cài: {NAME}" in out


def test_check_reports_a_model_changed_after_install(piper_folder, capsys):
    model = piper_folder / "voices" / f"{NAME}.onnx"
    model.write_bytes(model.read_bytes() + b"\x00")
    assert run(piper_folder, "check") == 1
    assert f"voices/{NAME}.onnx đã bị thay đổi hoặc hỏng" in capsys.readouterr().out


# --- synthesis ------------------------------------------------------------------------------------

def test_engine_reads_with_piper_phonemiser_and_no_volume_normalisation(piper_folder):
    load_project(piper_folder)
    text = "kính thưa bà con"
    pcm = get_engine("piper").synthesize(text, voice=NAME, settings=SpeechSettings(engine="piper", voice=NAME))
    ids = expected_ids(piper_folder, text)
    assert pcm.rate == RATE
    assert len(samples_of(pcm)) == sum(len(s) for s in ids) * HOP
    peak = np.abs(samples_of(pcm)).max() / 32767
    assert 0.3 < peak < 0.45   # the model's own 0.4 amplitude: Piper did not scale it to full range


def test_length_scale_rate_noise_and_speakers(piper_folder, tmp_path):
    second = make_voice(tmp_path / "dl2", "vi_VN-hai-nguoi-low", num_speakers=2)
    assert run(piper_folder, "voice", "add", str(second)) == 0
    load_project(piper_folder)
    engine = get_engine("piper")
    base = SpeechSettings(engine="piper", voice=NAME)
    n = len(samples_of(engine.synthesize("xin chào", voice=NAME, settings=base)))
    slow = engine.synthesize("xin chào", voice=NAME, settings=SpeechSettings(voice=NAME, length_scale=2.0))
    assert len(samples_of(slow)) == 2 * n
    fast = engine.synthesize("xin chào", voice=NAME, settings=SpeechSettings(voice=NAME, rate=290))
    assert len(samples_of(fast)) == n // 2
    with pytest.raises(EngineError, match="noise_scale = -1 không hợp lệ"):
        engine.synthesize("xin chào", voice=NAME, settings=SpeechSettings(voice=NAME, noise_scale=-1))

    two = "vi_VN-hai-nguoi-low"
    first = engine.synthesize("xin chào", voice=two, settings=SpeechSettings(voice=two, speaker="nguoi-doc-0"))
    other = engine.synthesize("xin chào", voice=two, settings=SpeechSettings(voice=two, speaker=1))
    assert len(first.samples) == len(other.samples) and first.samples != other.samples
    with pytest.raises(EngineError, match='không có người đọc "nguoi-doc-9".*nguoi-doc-0, nguoi-doc-1'):
        engine.synthesize("xin chào", voice=two, settings=SpeechSettings(voice=two, speaker="nguoi-doc-9"))
    with pytest.raises(EngineError, match="có 2 người đọc .* không có số 5"):
        engine.synthesize("xin chào", voice=two, settings=SpeechSettings(voice=two, speaker=5))


def test_each_voice_is_loaded_once_per_process(piper_folder):
    load_project(piper_folder)
    piper_engine.forget_loaded_voices()
    before = piper_engine._Loaded.loads
    engine = get_engine("piper")
    for text in ("một", "hai", "ba", "bốn"):
        engine.synthesize(text, voice=NAME, settings=SpeechSettings(voice=NAME))
    assert piper_engine._Loaded.loads == before + 1


def test_missing_voice_at_synthesis_says_how_to_install(folder):
    load_project(folder)
    with pytest.raises(EngineError) as info:
        get_engine("piper").synthesize("xin chào", voice="vi_VN-vais1000-medium", settings=SpeechSettings())
    assert "broadcaster voice add" in str(info.value) and store.DOWNLOAD_URL in str(info.value)


def test_cache_key_includes_the_model_hash(piper_folder, tmp_path):
    load_project(piper_folder)
    cache = SynthCache(tmp_path / "cache")
    settings = SpeechSettings(engine="piper", voice=NAME)
    first = synthesize("xin chào bà con", language="vi", settings=settings, cache=cache)
    again = synthesize("xin chào bà con", language="vi", settings=settings, cache=cache)
    assert not first.cached and again.cached and first.engine == "piper"
    # The same name, another model: the cached audio must not be reused.
    replacement = make_voice(tmp_path / "dl-new", NAME, num_speakers=1, hidden=4, layers=1)
    assert run(piper_folder, "voice", "add", str(replacement)) == 0
    third = synthesize("xin chào bà con", language="vi", settings=settings, cache=cache)
    assert not third.cached


# --- the pipeline: normalised clauses, build, say, cache ------------------------------------------

class Spy:
    """Records what the real Piper engine is asked to read (the engine still runs)."""

    def __init__(self, monkeypatch):
        self.texts: list[str] = []
        real = piper_engine.PiperEngine.synthesize

        def spy(engine, text, **kwargs):
            self.texts.append(text)
            return real(engine, text, **kwargs)

        monkeypatch.setattr(piper_engine.PiperEngine, "synthesize", spy)


def test_say_feeds_normalised_clauses_and_writes_a_mastered_tagged_mp3(piper_folder, tmp_path, monkeypatch, capsys):
    spy = Spy(monkeypatch)
    text = "Từ ngày 15/9, UBND xã thông báo: bà con đổi máy 4G. Xin cảm ơn!"
    out = tmp_path / "thu.mp3"
    assert run(piper_folder, "say", text, "-o", str(out), "--engine", "piper", "--voice", NAME) == 0
    assert "piper/" + NAME in capsys.readouterr().err
    spoken, _ = spoken_form(load_project(piper_folder), text)
    assert spy.texts == [clause for clause, _ in split_for_speech(spoken)]
    assert not any(ch.isdigit() for ch in "".join(spy.texts))   # Piper never sees "15/9"
    assert spy.texts[0].startswith("Từ ngày mười lăm tháng chín")
    assert "ủy ban nhân dân" in " ".join(spy.texts).lower()
    from broadcaster.audio.measure import measure

    m = measure(out)
    assert abs(m.integrated_lufs + 16) <= 1.0 and m.true_peak_dbtp <= -1.0


def test_build_sample_campaign_with_piper_then_cached(piper_folder, monkeypatch):
    spy = Spy(monkeypatch)
    project = load_project(piper_folder)
    result = build_clips(project)
    assert result.synthesized == len(result.records) + len(result.identity) and spy.texts
    manifest = read_manifest(project)
    from broadcaster.audio.measure import measure

    for record in result.records:
        assert record.engine == "piper" and record.voice == NAME and not record.fallback_used
        assert manifest[record.script_id].engine == "piper"
        path = piper_folder / record.path
        m = measure(path)
        assert abs(m.integrated_lufs + 16) <= 1.0 and m.true_peak_dbtp <= -1.0
        tags = ID3(path)
        assert tags["TIT2"].text[0] == record.title
        assert any(record.script_id in str(frame) for frame in tags.values())
    spy.texts.clear()
    again = build_clips(load_project(piper_folder))
    assert again.synthesized == 0 and spy.texts == []


def test_rebuild_after_replacing_the_voice_model(piper_folder, tmp_path):
    project = load_project(piper_folder)
    build_clips(project, ["2g-nhac-nho"])
    replacement = make_voice(tmp_path / "dl-new", NAME, hidden=4, layers=1)
    assert run(piper_folder, "voice", "add", str(replacement)) == 0
    assert build_clips(load_project(piper_folder), ["2g-nhac-nho"]).synthesized == 1


# --- engine: auto ---------------------------------------------------------------------------------

def set_engine_line(folder: Path, engine: str) -> None:
    cfg = folder / "broadcaster.yaml"
    cfg.write_text(cfg.read_text().replace("  engine: piper\n", f"  engine: {engine}\n"))


def test_auto_uses_piper_when_a_voice_is_installed_and_records_it(piper_folder):
    set_engine_line(piper_folder, "auto")
    project = load_project(piper_folder)
    record = build_clips(project, ["2g-nhac-nho"]).records[0]
    assert record.engine == "piper" and record.wanted_engine == "auto" and record.voice == NAME
    assert read_manifest(project)["2g-nhac-nho"].engine == "piper"


def test_auto_falls_to_espeak_offline_without_a_voice(folder):
    use_engine(folder, "auto", "vi-vn-x-south")
    project = load_project(folder)
    record = build_clips(project, ["2g-nhac-nho"]).records[0]
    assert record.engine == "espeak" and record.voice == "vi-vn-x-south" and record.wanted_engine == "auto"


def test_auto_order_and_reachability(tmp_path, piper_folder):
    load_project(copy_sample(tmp_path / "no-voice"))
    auto = get_engine("auto")
    assert auto.choose(SpeechSettings(), "vi")[0].name == "espeak"
    set_probe(lambda host, port: host == "speech.platform.bing.com")
    chosen, fallback = auto.choose(SpeechSettings(), "vi")
    assert chosen.name == "edge" and fallback.name == "espeak"
    load_project(piper_folder)
    assert auto.choose(SpeechSettings(), "vi")[0].name == "piper"
    assert auto.choose(SpeechSettings(auto=("edge", "piper")), "vi")[0].name == "edge"
    set_probe(lambda host, port: False)
    with pytest.raises(EngineError, match="edge: không kết nối được máy chủ"):
        auto.choose(SpeechSettings(auto=("edge",)), "vi")


def test_auto_list_with_an_unknown_engine_is_a_check_error(folder, capsys):
    cfg = folder / "broadcaster.yaml"
    cfg.write_text(cfg.read_text().replace("  engine: espeak\n", "  engine: auto\n  auto: [piper, edg, espeak]\n"))
    assert run(folder, "check") == 1
    assert 'công cụ đọc trong danh sách auto không hợp lệ "edg" (có phải ý bạn là "edge"?)' in capsys.readouterr().out



def test_auto_offline_reuses_what_edge_said_before(tmp_path):
    """edge-tts is the best online voice; its cached sentences survive a rebuild without Internet."""
    from broadcaster.models import Pcm
    from broadcaster.speech.cache import key_for

    load_project(copy_sample(tmp_path / "work"))
    cache = SynthCache(tmp_path / "cache")
    settings = SpeechSettings(engine="auto")
    edge_voice = get_engine("edge").default_voice("vi")
    said = Pcm(np.arange(2400, dtype="<i2").tobytes(), 24000)
    cache.put(key_for("xin chào bà con", "edge", edge_voice, "vi", settings), said)
    result = synthesize("xin chào bà con", language="vi", settings=settings, cache=cache)
    assert (result.engine, result.voice, result.cached, result.pcm) == ("edge", edge_voice, True, said)
    other = synthesize("câu mới chưa có", language="vi", settings=settings, cache=cache)
    assert other.engine == "espeak" and not other.cached


def test_auto_clip_key_follows_the_list_and_the_installed_model(tmp_path, download):
    from broadcaster.manifest import ClipJob
    from broadcaster.voice_inputs import clip_inputs

    work = copy_sample(tmp_path / "work")
    use_engine(work, "auto")
    project = load_project(work)
    job = ClipJob(clip_id="x", title="x", campaign="", source="", text="x", language="vi", repeat=1,
                  chime=False, engine=None, voice=None, out=work / "x.mp3")
    assert clip_inputs(project, job) == {"auto": ["piper", "edge", "espeak"]}
    assert run(work, "voice", "add", str(download)) == 0
    assert clip_inputs(project, job) == {"auto": ["piper", "edge", "espeak"],
                                         "voice_model": hashlib.sha256(download.read_bytes()).hexdigest()}
