"""Speech stage, offline engine: Vietnamese text → PCM through libespeak-ng (espeakng-loader) via ctypes.

eSpeak NG keeps global state and can be initialised only once per process, so the
library is loaded lazily, initialised once, and every call is serialised by one lock.
"""
from __future__ import annotations

import ctypes
import threading

from ...errors import EngineError
from ...portable import c_path
from ...models import Pcm, SpeechSettings
from .base import Engine

MESSAGES = {
    "no_package": "thiếu thư viện eSpeak NG — cài lại gói: pip install espeakng-loader",
    "no_library": "không nạp được thư viện eSpeak NG ({detail}) — cài lại gói: pip install --force-reinstall espeakng-loader",
    "no_data": "không khởi động được eSpeak NG: thiếu dữ liệu giọng đọc tại {path} — cài lại gói espeakng-loader",
    "no_voice": 'eSpeak NG không nạp được giọng "{voice}" (mã lỗi {code}) — dữ liệu giọng tiếng Việt bị thiếu, cài lại gói espeakng-loader',
    "too_long": "văn bản quá dài cho eSpeak NG ({length} ký tự, tối đa {limit}) — hãy chia kịch bản thành nhiều đoạn",
    "synth_failed": "eSpeak NG báo lỗi khi đọc (mã lỗi {code})",
    "no_audio": "eSpeak NG không tạo ra âm thanh nào cho đoạn văn bản này",
}

# espeak_AUDIO_OUTPUT and option flags, from speak_lib.h.
AUDIO_OUTPUT_SYNCHRONOUS = 2
ESPEAK_INITIALIZE_DONT_EXIT = 0x8000
ESPEAK_CHARS_UTF8 = 1
POS_CHARACTER = 1
PARAM_RATE = 1
PARAM_PITCH = 3
EE_OK = 0

# A very long input keeps the lock for a long time, and long digit runs are
# reported to hang eSpeak; normalised scripts are far below this.
MAX_CHARS = 20_000

# Our lower-case voice ids -> the names eSpeak NG 1.52 loads (files lang/aav/*).
VOICE_NAMES = {
    "vi": b"vi",
    "vi-vn-x-central": b"vi-VN-x-central",
    "vi-vn-x-south": b"vi-VN-x-south",
}

_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                                  ctypes.c_void_p)


class _Library:
    """The process-wide libespeak-ng handle; use only while holding ``lock``."""

    lock = threading.Lock()
    _instance: "_Library | None" = None
    initialisations = 0  # counted so tests can check "once per process"

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as exc:
            raise EngineError(MESSAGES["no_package"]) from exc
        try:
            lib = ctypes.CDLL(espeakng_loader.get_library_path())
        except OSError as exc:
            raise EngineError(MESSAGES["no_library"].format(detail=exc)) from exc
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                     ctypes.c_uint, ctypes.c_uint,
                                     ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Synchronize.argtypes = []
        lib.espeak_Synchronize.restype = ctypes.c_int

        data_path = espeakng_loader.get_data_path()
        rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, c_path(data_path),  # Windows: ANSI or 8.3 path
                                     ESPEAK_INITIALIZE_DONT_EXIT)
        if rate <= 0:
            raise EngineError(MESSAGES["no_data"].format(path=data_path))
        _Library.initialisations += 1
        self.lib = lib
        self.rate = rate
        self._parts: list[bytes] = []
        # Keep the ctypes callback object alive for as long as the library may call it.
        self._callback = _SynthCallback(self._collect)
        lib.espeak_SetSynthCallback(self._callback)

    @classmethod
    def get(cls) -> "_Library":
        """The initialised library; call with ``lock`` held."""
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def _collect(self, wav, count, _events) -> int:
        if count > 0 and wav:
            self._parts.append(ctypes.string_at(wav, count * 2))
        return 0  # 0 = continue synthesis

    def set_voice(self, voice: str) -> None:
        code = self.lib.espeak_SetVoiceByName(VOICE_NAMES[voice])
        if code != EE_OK:
            raise EngineError(MESSAGES["no_voice"].format(voice=voice, code=code))

    def speak(self, text: str, *, voice: str, rate_wpm: int, pitch: int) -> bytes:
        # Voice first: selecting a voice may reset the parameters.
        self.set_voice(voice)
        self.lib.espeak_SetParameter(PARAM_RATE, max(80, min(450, int(rate_wpm))), 0)
        self.lib.espeak_SetParameter(PARAM_PITCH, max(0, min(100, int(pitch))), 0)
        data = text.encode("utf-8")
        self._parts = []
        code = self.lib.espeak_Synth(data, len(data) + 1, 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8,
                                     None, None)
        if code != EE_OK:
            raise EngineError(MESSAGES["synth_failed"].format(code=code))
        self.lib.espeak_Synchronize()
        samples, self._parts = b"".join(self._parts), []
        return samples


class EspeakEngine(Engine):
    """eSpeak NG 1.52 (offline, always available): robotic but never needs the network."""

    name = "espeak"
    online = False
    # eSpeak NG 1.52 data has no Khmer voice (no km_dict, no lang/*/km).
    languages = frozenset({"vi"})
    voices = {
        "vi": "Giọng miền Bắc (eSpeak NG)",
        "vi-vn-x-central": "Giọng miền Trung (eSpeak NG)",
        "vi-vn-x-south": "Giọng miền Nam (eSpeak NG)",
    }
    voice_languages = {voice: "vi" for voice in voices}
    dialect_voices = {("vi", "south"): "vi-vn-x-south", ("vi", "north"): "vi"}

    def check_environment(self) -> None:
        """Load and initialise the library, and load every Vietnamese voice once."""
        with _Library.lock:
            library = _Library.get()
            for voice in self.voices:
                library.set_voice(voice)

    @property
    def sample_rate(self) -> int:
        with _Library.lock:
            return _Library.get().rate

    def synthesize(self, text: str, *, language: str = "vi", voice: str | None = None,
                   settings: SpeechSettings) -> Pcm:
        voice = self.resolve_voice(voice, language)
        text = self.require_text(text)
        if len(text) > MAX_CHARS:
            raise EngineError(MESSAGES["too_long"].format(length=len(text), limit=MAX_CHARS))
        with _Library.lock:
            library = _Library.get()
            samples = library.speak(text, voice=voice, rate_wpm=settings.rate, pitch=settings.pitch)
            rate = library.rate
        if not samples:
            raise EngineError(MESSAGES["no_audio"])
        return Pcm(samples, rate)
