"""Speech stage, offline neural engine: normalised Vietnamese text → PCM through a Piper voice (piper-tts, ONNX).

The voices are the working folder's ``voices/NAME.onnx`` files installed by
``broadcaster voice add``. Each model is loaded once per process (keyed by path and
model hash) and shared by the build's threads. The text is phonemised by the eSpeak NG
that ships inside piper-tts (its Vietnamese phonemes are what the voices were trained
on, unlike the system eSpeak's), one clause at a time as the build splits it, with
Piper's per-sentence volume normalisation off: loudness is the mastering stage's job.
"""
from __future__ import annotations

import threading

import numpy as np

from ...errors import EngineError, did_you_mean, valid_list
from ...models import Pcm, SpeechSettings
from .. import voices as store
from .base import Engine

MESSAGES = {
    "no_package": "thiếu gói piper-tts để đọc bằng giọng Piper — cài: pip install piper-tts",
    "load_failed": "không nạp được giọng Piper {name}: {detail} — cài lại giọng: broadcaster voice add ĐƯỜNG_DẪN/{name}.onnx",
    "speaker": 'giọng {name} không có người đọc "{speaker}"{hint}; chọn một trong: {valid}',
    "speaker_range": "giọng {name} có {count} người đọc (số 0–{last}), không có số {speaker}",
    "no_audio": "giọng Piper {name} không tạo ra âm thanh cho đoạn văn bản này (không có âm nào đọc được)",
    "failed": "giọng Piper {name} báo lỗi khi đọc: {detail}",
    "scale": "{key} = {value} không hợp lệ (cần một số dương nhỏ hơn {limit})",
}

NEUTRAL_WPM = 145          # SpeechSettings.rate that keeps the voice's own length scale
SENTENCE_GAP_S = 0.25      # between sentences Piper found inside one clause (rare: we feed clauses)
SCALE_LIMIT = 5.0


class _Loaded:
    """Process-wide loaded voices, keyed by (model path, model hash)."""

    lock = threading.Lock()
    voices: dict[tuple[str, str], object] = {}
    loads = 0  # counted so tests can check "once per process"


def _load(info: store.VoiceInfo):
    key = (str(info.model.resolve()), info.sha256)
    with _Loaded.lock:
        voice = _Loaded.voices.get(key)
        if voice is not None:
            return voice
        try:
            from piper import PiperVoice
        except ImportError as exc:
            raise EngineError(MESSAGES["no_package"]) from exc
        store.quiet_runtime()
        try:
            voice = PiperVoice.load(info.model, config_path=info.config)
        except Exception as exc:  # onnxruntime's own failure classes
            detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
            raise EngineError(MESSAGES["load_failed"].format(name=info.name, detail=detail)) from exc
        _Loaded.voices[key] = voice
        _Loaded.loads += 1
        return voice


def forget_loaded_voices() -> None:
    """Unload every voice (tests, or after a voice was replaced in a long-running console)."""
    with _Loaded.lock:
        _Loaded.voices.clear()


def _scale(key: str, value) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < SCALE_LIMIT:
        raise EngineError(MESSAGES["scale"].format(key=key, value=value, limit=SCALE_LIMIT))
    return float(value)


class PiperEngine(Engine):
    """Piper (offline, neural): natural Vietnamese from a downloaded voice model.

    ``voices`` are the installed voices of the working folder loaded last
    (:func:`broadcaster.speech.voices.set_voice_folder`), so they are an instance property.
    """

    name = "piper"
    online = False
    languages = frozenset({"vi"})
    dynamic_voices = True   # voices live in the working folder, not in the class

    @property
    def voices(self) -> dict[str, str]:  # type: ignore[override]
        return {name: f"Giọng Piper {name}" for name in store.installed_names(store.voice_folder())}

    @property
    def voice_languages(self) -> dict[str, str]:  # type: ignore[override]
        return {name: "vi" for name in self.voices}

    def default_voice(self, language: str) -> str:
        self.require_language(language)
        names = store.installed_names(store.voice_folder())
        if not names:
            raise EngineError(store.not_installed_message(None, []))
        return names[0]

    def resolve_voice(self, voice: str | None, language: str) -> str:
        self.require_language(language)
        if voice is None:
            return self.default_voice(language)
        names = store.installed_names(store.voice_folder())
        if voice not in names:
            raise EngineError(store.not_installed_message(voice, names))
        return voice

    def check_environment(self) -> None:
        """piper-tts (and with it onnxruntime and its eSpeak NG phonemiser) must be importable."""
        try:
            import onnxruntime  # noqa: F401
            import piper  # noqa: F401
        except ImportError as exc:
            raise EngineError(MESSAGES["no_package"]) from exc

    def info(self, voice: str) -> store.VoiceInfo:
        """The installed voice, validated (hash, config)."""
        folder = store.voice_folder()
        if folder is None:
            raise EngineError(store.not_installed_message(voice, []))
        return store.load_voice_info(folder, voice)

    def cache_identity(self, voice: str, settings: SpeechSettings) -> dict:
        """What besides text and voice name changes the sound: the model itself and Piper's scales."""
        info = self.info(voice)
        return {"model_sha256": info.sha256, "length_scale": settings.length_scale,
                "noise_scale": settings.noise_scale, "noise_w": settings.noise_w,
                "speaker": settings.speaker}

    def synthesis_config(self, info: store.VoiceInfo, loaded, settings: SpeechSettings):
        """Piper's SynthesisConfig for ``settings``: speaker, scales, and no volume normalisation."""
        from piper import SynthesisConfig

        length = _scale("length_scale", settings.length_scale)
        if length is None:
            # The pace setting shared with the other engines: 145 wpm keeps the voice's own speed.
            length = loaded.config.length_scale * NEUTRAL_WPM / max(60, min(400, int(settings.rate)))
        return SynthesisConfig(
            speaker_id=self._speaker_id(info, settings.speaker), length_scale=length,
            noise_scale=_scale("noise_scale", settings.noise_scale),
            noise_w_scale=_scale("noise_w", settings.noise_w),
            normalize_audio=False, volume=1.0)

    @staticmethod
    def _speaker_id(info: store.VoiceInfo, speaker) -> int | None:
        if speaker is None or info.num_speakers <= 1:
            return None
        if isinstance(speaker, int) and not isinstance(speaker, bool) or str(speaker).isdigit():
            number = int(speaker)
            if not 0 <= number < info.num_speakers:
                raise EngineError(MESSAGES["speaker_range"].format(
                    name=info.name, count=info.num_speakers, last=info.num_speakers - 1, speaker=number))
            return number
        import json

        mapping = json.loads(info.config.read_text(encoding="utf-8")).get("speaker_id_map") or {}
        if speaker not in mapping:
            raise EngineError(MESSAGES["speaker"].format(
                name=info.name, speaker=speaker, hint=did_you_mean(speaker, mapping), valid=valid_list(mapping)))
        return int(mapping[speaker])

    def synthesize(self, text: str, *, language: str = "vi", voice: str | None = None,
                   settings: SpeechSettings) -> Pcm:
        voice = self.resolve_voice(voice, language)
        text = self.require_text(text)
        info = self.info(voice)
        loaded = _load(info)
        config = self.synthesis_config(info, loaded, settings)
        try:
            chunks = [chunk.audio_float_array for chunk in loaded.synthesize(text, syn_config=config)]
        except EngineError:
            raise
        except Exception as exc:
            detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
            raise EngineError(MESSAGES["failed"].format(name=voice, detail=detail)) from exc
        chunks = [c.reshape(-1) for c in chunks if c.size]
        if not chunks:
            raise EngineError(MESSAGES["no_audio"].format(name=voice))
        rate = info.sample_rate
        gap = np.zeros(int(rate * SENTENCE_GAP_S), dtype=np.float32)
        joined = [chunks[0]]
        for chunk in chunks[1:]:
            joined += [gap, chunk]
        audio = np.clip(np.concatenate(joined), -1.0, 1.0)
        return Pcm((audio * 32767.0).round().astype("<i2").tobytes(), rate)
