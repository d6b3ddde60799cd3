"""Speech stage, voice store: Piper voice files (.onnx + .onnx.json) → installed, validated voices in ``voices/``.

A station downloads a public Vietnamese Piper voice once (two files) and installs it
with ``broadcaster voice add FILE.onnx``; from then on the neural engine works offline.
The store checks the voice's configuration (sample rate, Vietnamese phonemiser voice,
phoneme map, speakers) and the model itself before copying anything, and records the
model's SHA-256 in ``voices/voices.json`` so that the synthesis cache follows the
model, not just its name.
"""
from __future__ import annotations

import json
import logging
import re
import shutil
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from ..atomic import atomic_path, atomic_write_text, file_sha256
from ..errors import BroadcasterError, EngineError, Problem, did_you_mean, valid_list

_log = logging.getLogger(__name__)
VOICES_DIR = "voices"
INDEX = "voices.json"
CARD_SUFFIX = ".MODEL_CARD"
# Where the public Vietnamese Piper voices are (each is a .onnx file with its .onnx.json).
DOWNLOAD_URL = "https://huggingface.co/rhasspy/piper-voices/tree/main/vi/vi_VN"
EXAMPLE_VOICE = "vi_VN-vais1000-medium"
SAMPLE_RATE_RANGE = (8000, 48000)
REQUIRED_INPUTS = ("input", "input_lengths", "scales")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")
_LICENSE = re.compile(r"^[\s*\-#]*licen[cs]e\s*[:：]\s*(?P<value>.+?)\s*$", re.I | re.M)

MESSAGES = {
    "not_onnx": "{path}: tệp giọng Piper phải có đuôi .onnx (kèm tệp .onnx.json cùng tên bên cạnh)",
    "no_model": "không thấy tệp giọng {path} — kiểm tra đường dẫn",
    "no_config": "thiếu tệp cấu hình {path} bên cạnh tệp giọng — tải cả hai tệp .onnx và .onnx.json của giọng tại " + DOWNLOAD_URL,
    "bad_json": "{path}: tệp cấu hình giọng không đọc được ({detail}) — tải lại tệp .onnx.json của giọng",
    "bad_name": 'tên giọng "{name}" chỉ được gồm chữ không dấu, số, dấu chấm, gạch ngang và gạch dưới — đổi tên tệp .onnx',
    "field": "{path}: thiếu hoặc sai trường {field} ({detail}) — tệp cấu hình không phải của giọng Piper, tải lại tệp .onnx.json",
    "rate": "{path}: tần số lấy mẫu audio.sample_rate = {value} không hợp lệ (cần từ {lo} đến {hi} Hz)",
    "not_vi": '{path}: giọng này không đọc tiếng Việt (espeak.voice: "{voice}", ngôn ngữ {language}) — chọn một giọng vi_VN tại ' + DOWNLOAD_URL,
    "phoneme_type": '{path}: giọng dùng bộ phiên âm "{value}", không phải espeak — không dùng được cho tiếng Việt',
    "id_map": "{path}: bảng phoneme_id_map không hợp lệ ({detail}) — tải lại tệp .onnx.json của giọng",
    "speakers": "{path}: num_speakers = {value} không hợp lệ (cần một số nguyên từ 1 trở lên)",
    "corrupt": ("{path}: tệp này không phải giọng Piper dùng được (tệp mô hình giọng bị hỏng, tải chưa hết, hoặc "
                "không phải mô hình ONNX) — tải lại tệp .onnx của giọng tại " + DOWNLOAD_URL + " rồi cài lại"),
    "inputs": "{path}: mô hình không có các đầu vào của giọng Piper ({missing}) — không phải tệp giọng Piper",
    "no_runtime": "thiếu gói piper-tts (kèm onnxruntime) để kiểm tra và dùng giọng Piper — cài: pip install piper-tts",
    "not_installed": 'chưa cài giọng Piper "{name}"{hint} (thư mục voices/{installed}) — tải giọng tiếng Việt (tệp .onnx và .onnx.json) tại {url}, rồi chạy: broadcaster voice add ĐƯỜNG_DẪN/{example}.onnx',
    "none_installed": "chưa cài giọng Piper nào (thư mục voices/ trống) — tải giọng tiếng Việt (tệp .onnx và .onnx.json) tại {url}, rồi chạy: broadcaster voice add ĐƯỜNG_DẪN/{example}.onnx",
    "changed": 'tệp giọng voices/{name}.onnx đã bị thay đổi hoặc hỏng sau khi cài (mã băm khác) — cài lại: broadcaster voice add ĐƯỜNG_DẪN/{name}.onnx',
    "installed_list": "các giọng đã cài: {names}",
}


@dataclass(frozen=True)
class VoiceInfo:
    """An installed (or about to be installed) Piper voice.

    Attributes:
        name: the voice id used in settings (the file stem, e.g. vi_VN-vais1000-medium).
        model: path of the .onnx file; ``config`` the .onnx.json beside it.
        language: language code from the config ("vi_VN"), or the eSpeak voice.
        espeak_voice: the phonemiser voice ("vi").
        quality: x_low | low | medium | high, or "".
        sample_rate: Hz of the audio the model makes.
        size_bytes: size of the .onnx file.
        num_speakers: 1 for single-speaker voices.
        speakers: speaker names of a multi-speaker voice (speaker_id_map keys).
        license: the licence line of the model card, or "".
        sha256: hex digest of the .onnx file.
    """

    name: str
    model: Path
    config: Path
    language: str
    espeak_voice: str
    quality: str
    sample_rate: int
    size_bytes: int
    num_speakers: int
    speakers: tuple[str, ...]
    license: str
    sha256: str

    def as_dict(self) -> dict:
        """JSON-ready form (for the web console and `voice list --format json`)."""
        data = asdict(self)
        data["model"], data["config"] = str(self.model), str(self.config)
        data["speakers"] = list(self.speakers)
        return data


# --- the working folder whose voices the engine uses ----------------------------------------------

_folder: Path | None = None
_folder_lock = threading.Lock()


def set_voice_folder(folder: Path | str | None) -> None:
    """Use ``folder`` (a working folder's voices/) for voice names from now on (one folder per process)."""
    global _folder
    with _folder_lock:
        _folder = Path(folder) if folder is not None else None


def voice_folder() -> Path | None:
    """The voices/ folder of the working folder loaded last, or None."""
    with _folder_lock:
        return _folder


def voices_dir(root: Path | str) -> Path:
    """``ROOT/voices``."""
    return Path(root) / VOICES_DIR


# --- validation --------------------------------------------------------------------------------------

def is_vietnamese(espeak_voice: str) -> bool:
    """True for the eSpeak voices that read Vietnamese: vi, vi-vn-x-central, vi-vn-x-south."""
    voice = (espeak_voice or "").lower()
    return voice == "vi" or voice.startswith("vi-")



def read_config(path: Path) -> dict:
    """Read and validate a Piper voice config (.onnx.json) for Vietnamese.

    Returns:
        The parsed JSON.

    Raises:
        EngineError: unreadable JSON, a missing or wrong field, a rate out of range, a
            phonemiser voice that is not Vietnamese, a broken phoneme map or speaker count.
    """
    if not path.is_file():
        raise EngineError(MESSAGES["no_config"].format(path=path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise EngineError(MESSAGES["bad_json"].format(path=path, detail=exc)) from exc
    if not isinstance(data, dict):
        raise EngineError(MESSAGES["bad_json"].format(path=path, detail="không phải một bảng JSON"))

    def field(name: str, value, ok: bool, detail: str):
        if not ok:
            raise EngineError(MESSAGES["field"].format(path=path, field=name, detail=detail))
        return value

    audio = data.get("audio")
    field("audio", audio, isinstance(audio, dict), "cần một bảng có sample_rate")
    rate = audio.get("sample_rate")
    field("audio.sample_rate", rate, isinstance(rate, int) and not isinstance(rate, bool), "cần một số nguyên")
    if not SAMPLE_RATE_RANGE[0] <= rate <= SAMPLE_RATE_RANGE[1]:
        raise EngineError(MESSAGES["rate"].format(path=path, value=rate, lo=SAMPLE_RATE_RANGE[0],
                                                  hi=SAMPLE_RATE_RANGE[1]))
    phoneme_type = data.get("phoneme_type", "espeak")
    if phoneme_type != "espeak":
        raise EngineError(MESSAGES["phoneme_type"].format(path=path, value=phoneme_type))
    espeak = data.get("espeak")
    field("espeak.voice", espeak, isinstance(espeak, dict) and isinstance(espeak.get("voice"), str),
          'cần dạng "espeak": {"voice": "vi"}')
    if not is_vietnamese(espeak["voice"]):
        language = (data.get("language") or {}).get("code", "?") if isinstance(data.get("language"), dict) else "?"
        raise EngineError(MESSAGES["not_vi"].format(path=path, voice=espeak["voice"], language=language))
    id_map = data.get("phoneme_id_map")
    if not isinstance(id_map, dict) or not id_map:
        raise EngineError(MESSAGES["id_map"].format(path=path, detail="thiếu hoặc trống"))
    for key in ("_", "^", "$"):
        if key not in id_map:
            raise EngineError(MESSAGES["id_map"].format(path=path, detail=f'thiếu ký hiệu "{key}"'))
    highest = -1
    for key, ids in id_map.items():
        if (not isinstance(ids, list) or not ids
                or not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in ids)):
            raise EngineError(MESSAGES["id_map"].format(path=path, detail=f'mã của "{key}" phải là danh sách số nguyên không âm'))
        highest = max(highest, *ids)
    symbols = data.get("num_symbols")
    if symbols is not None and (not isinstance(symbols, int) or symbols <= highest):
        raise EngineError(MESSAGES["id_map"].format(
            path=path, detail=f"num_symbols = {symbols} nhưng có mã {highest}"))
    speakers = data.get("num_speakers", 1)
    if isinstance(speakers, bool) or not isinstance(speakers, int) or speakers < 1:
        raise EngineError(MESSAGES["speakers"].format(path=path, value=speakers))
    return data


def quiet_runtime() -> None:
    """Keep onnxruntime's graph-optimiser warnings off the staff's terminal (errors still raise)."""
    try:
        import onnxruntime

        onnxruntime.set_default_logger_severity(3)
    except (ImportError, AttributeError):
        pass


def check_model(path: Path, num_speakers: int) -> None:
    """Load the ONNX model once to prove it is a Piper voice model.

    Raises:
        EngineError: onnxruntime is missing, the file is not a loadable ONNX model, or it lacks
            Piper's inputs (input, input_lengths, scales, and sid for several speakers).
    """
    try:
        import onnxruntime
    except ImportError as exc:
        raise EngineError(MESSAGES["no_runtime"]) from exc
    quiet_runtime()
    try:
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own Fail/InvalidProtobuf classes
        # onnxruntime's own English words go to the debug log only (shown with the CLI's debug option).
        _log.debug("onnxruntime refused %s: %s: %s", path, type(exc).__name__, str(exc).strip())
        raise EngineError(MESSAGES["corrupt"].format(path=path)) from exc
    names = {i.name for i in session.get_inputs()}
    wanted = list(REQUIRED_INPUTS) + (["sid"] if num_speakers > 1 else [])
    missing = [n for n in wanted if n not in names]
    if missing:
        raise EngineError(MESSAGES["inputs"].format(path=path, missing=", ".join(missing)))


def _license_of(card: Path | None) -> str:
    if card is None:
        return ""
    try:
        match = _LICENSE.search(card.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return ""
    return match.group("value") if match else ""


def _card_beside(model: Path) -> Path | None:
    for candidate in (model.with_name(model.name + CARD_SUFFIX), model.with_name(model.stem + CARD_SUFFIX),
                      model.with_name("MODEL_CARD")):
        if candidate.is_file():
            return candidate
    return None


def _info(name: str, model: Path, config: Path, data: dict, sha256: str, license_text: str) -> VoiceInfo:
    language = data.get("language")
    code = language.get("code", "") if isinstance(language, dict) else ""
    speaker_map = data.get("speaker_id_map")
    return VoiceInfo(
        name=name, model=model, config=config, language=code or data["espeak"]["voice"],
        espeak_voice=data["espeak"]["voice"], quality=str((data.get("audio") or {}).get("quality") or ""),
        sample_rate=int(data["audio"]["sample_rate"]), size_bytes=model.stat().st_size,
        num_speakers=int(data.get("num_speakers", 1)),
        speakers=tuple(speaker_map) if isinstance(speaker_map, dict) else (), license=license_text,
        sha256=sha256)


# --- the store -------------------------------------------------------------------------------------

def _read_index(folder: Path) -> dict:
    try:
        data = json.loads((folder / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def install_voice(root: Path | str, model: Path | str) -> VoiceInfo:
    """Validate a downloaded Piper voice and copy it into ``ROOT/voices/`` under its file stem.

    Args:
        root: the working folder.
        model: the .onnx file; its .onnx.json must be beside it (a MODEL_CARD beside it is kept too).

    Returns:
        The installed voice.

    Raises:
        EngineError: the file is missing, not .onnx, its config is invalid or not Vietnamese, or
            the model is corrupt. Nothing is written in any of these cases.
    """
    model = Path(model)
    if model.suffix.lower() != ".onnx":
        raise EngineError(MESSAGES["not_onnx"].format(path=model))
    if not model.is_file():
        raise EngineError(MESSAGES["no_model"].format(path=model))
    name = model.stem
    if not _SAFE_NAME.match(name):
        raise EngineError(MESSAGES["bad_name"].format(name=name))
    config = model.with_name(model.name + ".json")
    data = read_config(config)
    check_model(model, int(data.get("num_speakers", 1)))
    card = _card_beside(model)
    sha256 = file_sha256(model)

    folder = voices_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.onnx"
    with atomic_path(target) as temp:
        shutil.copyfile(model, temp)
    atomic_write_text(folder / f"{name}.onnx.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    if card is not None and card.resolve() != (folder / f"{name}{CARD_SUFFIX}").resolve():
        atomic_write_text(folder / f"{name}{CARD_SUFFIX}", card.read_text(encoding="utf-8", errors="replace"))
    license_text = _license_of(card)
    index = _read_index(folder)
    stat = target.stat()
    index[name] = {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                   "source": str(model.resolve()), "license": license_text}
    atomic_write_text(folder / INDEX, json.dumps(index, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return _info(name, target, folder / f"{name}.onnx.json", data, sha256, license_text)


def installed_names(folder: Path | None) -> list[str]:
    """Names of the voices in ``folder`` that have both files (not validated)."""
    if folder is None or not folder.is_dir():
        return []
    return sorted(p.name[:-len(".onnx")] for p in folder.glob("*.onnx")
                  if p.with_name(p.name + ".json").is_file() and not p.name.startswith("."))


def model_hash(folder: Path, name: str) -> str:
    """The model's SHA-256: the recorded one while the file is unchanged (size, time), else computed."""
    model = folder / f"{name}.onnx"
    entry = _read_index(folder).get(name)
    try:
        stat = model.stat()
    except OSError as exc:
        raise EngineError(MESSAGES["not_installed"].format(
            name=name, hint="", installed="", url=DOWNLOAD_URL, example=EXAMPLE_VOICE)) from exc
    if isinstance(entry, dict) and entry.get("size") == stat.st_size and entry.get("mtime_ns") == stat.st_mtime_ns \
            and isinstance(entry.get("sha256"), str):
        return entry["sha256"]
    return file_sha256(model)


def load_voice_info(folder: Path, name: str) -> VoiceInfo:
    """The installed voice ``name`` in ``folder``, its config validated.

    Raises:
        EngineError: the voice is not installed (the message says how to install one), its
            config is invalid, or its model no longer matches the recorded hash.
    """
    model = folder / f"{name}.onnx"
    if not model.is_file() or not model.with_name(model.name + ".json").is_file():
        raise EngineError(not_installed_message(name, installed_names(folder)))
    data = read_config(model.with_name(model.name + ".json"))
    sha256 = model_hash(folder, name)
    entry = _read_index(folder).get(name)
    if isinstance(entry, dict) and entry.get("sha256") not in (None, sha256):
        raise EngineError(MESSAGES["changed"].format(name=name))
    license_text = entry.get("license", "") if isinstance(entry, dict) else ""
    if not license_text:
        license_text = _license_of(_card_beside(model))
    return _info(name, model, model.with_name(model.name + ".json"), data, sha256, license_text)


def list_voices(root: Path | str) -> tuple[list[VoiceInfo], list[str]]:
    """Every installed voice of a working folder, with a message for each broken one.

    Returns:
        (voices in name order, Vietnamese messages about voices that could not be read).
    """
    folder = voices_dir(root)
    voices, broken = [], []
    for name in installed_names(folder):
        try:
            voices.append(load_voice_info(folder, name))
        except EngineError as error:
            broken.append(error.message)
    return voices, broken


def not_installed_message(name: str | None, installed: list[str]) -> str:
    """What to tell staff when voice ``name`` (or any voice, for None) is not installed."""
    if name is None:
        return MESSAGES["none_installed"].format(url=DOWNLOAD_URL, example=EXAMPLE_VOICE)
    listed = f"; {MESSAGES['installed_list'].format(names=valid_list(installed))}" if installed else " trống"
    return MESSAGES["not_installed"].format(name=name, hint=did_you_mean(name, installed), installed=listed,
                                            url=DOWNLOAD_URL, example=EXAMPLE_VOICE)


def voice_problems(project) -> list[Problem]:
    """`check`: a Piper voice named in broadcaster.yaml or a script that is not installed or broken.

    Args:
        project: the loaded Project (its root, speech settings and scripts).

    Returns:
        One error per missing or unusable voice, at the line that names it.
    """
    folder = voices_dir(project.root)
    wanted: list[tuple[str | None, str, int | None]] = []   # (voice, file, line)
    if project.speech.engine == "piper":
        lines = project.speech_lines
        wanted.append((project.speech.voice, "broadcaster.yaml", lines.get("voice", lines.get("engine", lines.get("")))))
    for script in project.scripts:
        if script.engine == "piper" and not getattr(script, "audio", None):
            wanted.append((script.voice or project.speech.voice, script.file or "", script.line))
    problems, seen = [], set()
    installed = installed_names(folder)
    for voice, file, line in wanted:
        if (voice, file) in seen:
            continue
        seen.add((voice, file))
        if voice not in installed:
            problems.append(Problem(file, line, not_installed_message(voice, installed)))
            continue
        try:
            load_voice_info(folder, voice)
        except EngineError as error:
            problems.append(Problem(file, line, error.message))
    return problems


def require_voice_name(name: str, folder: Path | None) -> None:
    """Raise BroadcasterError when ``name`` is not an installed voice of ``folder``."""
    if name not in installed_names(folder):
        raise BroadcasterError(not_installed_message(name, installed_names(folder)))
