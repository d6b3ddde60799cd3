"""Recorded announcements (bản ghi âm): a file in recordings/ → checked, trimmed mono PCM for the mastering chain.

A script may give ``audio: recordings/FILE`` (WAV, MP3, M4A, OGG, AMR… from a phone or
the ``record`` command) instead of, or beside, ``text``. FFmpeg decodes the file with
its own sample rate and channels so the checks see what was recorded: not audio, empty,
sample rate under 8 kHz, one silent channel, silence only, clipped (share of samples at
full scale), very noisy (estimated signal-to-noise ratio), and longer than the shortest
session the script is scheduled in. A good recording is mixed to mono and its leading
and trailing silence trimmed; the clip pipeline then adds chime, repeats, high-pass,
loudness and tags exactly as for synthesised speech.
"""
from __future__ import annotations

import logging
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .atomic import atomic_path, file_sha256
from .errors import BroadcasterError, Problem
from .models import CHIME_S, Pcm
from .timeutil import duration_text

RECORDINGS_DIR = "recordings"
EXTENSIONS = (".wav", ".mp3", ".m4a", ".ogg", ".oga", ".opus", ".amr", ".aac", ".3gp", ".flac", ".webm")
MIN_RATE = 8000
FRAME_MS = 20
SILENCE_DBFS = -45.0        # the loudest 20 ms frame below this: nothing was recorded
TRIM_BELOW_PEAK_DB = 40.0   # frames this far under the loudest are leading/trailing silence
TRIM_FLOOR_DBFS = -55.0
KEEP_BEFORE_MS = 100        # keep a breath of room sound around the speech
KEEP_AFTER_MS = 200
FULL_SCALE = 32734          # |sample| at or above this (−0.01 dBFS) counts as clipped
CLIPPED_SHARE_MAX = 0.001   # 0.1 % of samples at full scale is audible distortion
SNR_MIN_DB = 15.0           # speech this close to the noise is hard to follow on a loudspeaker
SILENT_CHANNEL_BELOW_DB = 50.0  # a channel this far under the loudest one is dead

MESSAGES = {
    "empty_path": "audio: chưa ghi tên tệp ghi âm — viết dạng  audio: recordings/TÊN.m4a",
    "outside": "audio: {path} phải là một tệp trong thư mục làm việc (ví dụ recordings/TÊN.m4a), không phải đường dẫn tuyệt đối hay ra ngoài thư mục",
    "extension": "audio: {path} có đuôi không nhận được — dùng tệp {valid}",
    "missing": "audio: không thấy tệp ghi âm {path} — chép tệp vào thư mục recordings/ hoặc ghi âm bằng: broadcaster record {script}",
    "not_audio": ("{name}: không phải tệp âm thanh mà FFmpeg đọc được (có thể là văn bản, hình ảnh, video không có "
                  "tiếng, hoặc tệp bị hỏng) — chọn một tệp ghi âm {valid}, hoặc ghi âm/xuất lại tệp"),
    "empty": "{name}: tệp ghi âm rỗng, không có âm thanh nào — ghi âm lại",
    "rate": "{name}: tần số lấy mẫu {rate} Hz thấp hơn {min} Hz, tiếng sẽ rè và khó nghe — ghi âm lại ở chất lượng cao hơn",
    "silent_channel": "{name}: kênh {channel} (trong {channels} kênh) im lặng, kênh còn lại có tiếng — micro cắm lệch; ghi âm lại, hoặc xuất tệp một kênh (mono) từ kênh có tiếng",
    "silence": "{name}: chỉ có im lặng (mức to nhất {level:.0f} dBFS) — kiểm tra micro rồi ghi âm lại",
    "clipped": "{name}: bị méo do thu quá to — {share:.1f}% số mẫu chạm mức tối đa — để micro xa hơn hoặc giảm mức thu rồi ghi âm lại",
    "noisy": "{name}: quá nhiều tiếng ồn — tiếng nói chỉ to hơn tiếng nền khoảng {snr:.0f} dB (cần ít nhất {min:.0f} dB) — ghi âm lại ở chỗ yên tĩnh, nói gần micro",
    "too_long": "{name}: bản ghi dài {length}, đọc {repeat} lần thành khoảng {total}, dài hơn phiên ngắn nhất được xếp lịch ({station}, phiên {session} {start}–{end}, {session_length}) — ghi âm ngắn hơn, giảm repeat hoặc bỏ kịch bản khỏi phiên này",
    "bad": "bản ghi âm không dùng được: {problems}",
}

_log = logging.getLogger(__name__)
_OUTPUT = re.compile(r"Output #0.*?Audio: pcm_s16le[^,]*, (?P<rate>\d+) Hz, (?P<layout>[^,\n]+)", re.S)
_LAYOUTS = {"mono": 1, "stereo": 2, "2.1": 3, "3.0": 3, "3.0(back)": 3, "quad": 4, "quad(side)": 4, "4.0": 4,
            "5.0": 5, "5.0(side)": 5, "5.1": 6, "5.1(side)": 6, "6.0": 6, "6.1": 7, "7.0": 7, "7.1": 8}


class UndecodableAudio(Exception):
    """FFmpeg's own words (English) on a file it could not decode: the cause behind the Vietnamese
    `RecordingError`, shown only in a ``--debug`` traceback and the debug log, never in a page or an error line."""


class RecordingError(BroadcasterError):
    """A recording that cannot be broadcast; ``problems`` lists every reason found."""

    def __init__(self, problems: list[str], *, file: str | None = None, line: int | None = None):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems), file=file, line=line)


@dataclass(frozen=True)
class Decoded:
    """A recording as FFmpeg decoded it: int16 samples shaped (frames, channels) at ``rate``."""

    samples: np.ndarray
    rate: int

    @property
    def channels(self) -> int:
        return int(self.samples.shape[1]) if self.samples.ndim == 2 else 1

    @property
    def duration_s(self) -> float:
        return self.samples.shape[0] / self.rate if self.rate else 0.0


@dataclass(frozen=True)
class Analysis:
    """What the checks measured on one recording.

    Attributes:
        duration_s: whole file; ``speech_s`` after trimming leading/trailing silence.
        rate: Hz; ``channels`` as recorded.
        peak_dbfs: loudest 20 ms frame RMS (dBFS), -inf for digital silence.
        clipped_share: fraction (0–1) of samples at full scale.
        snr_db: loud frames (95th percentile) over quiet frames (10th percentile), dB.
        silent_channel: 1-based number of a dead channel beside a live one, else 0.
        sha256: of the file bytes (the clip cache key).
        problems: Vietnamese messages, empty for a usable recording.
    """

    duration_s: float
    speech_s: float
    rate: int
    channels: int
    peak_dbfs: float
    clipped_share: float
    snr_db: float
    silent_channel: int
    sha256: str
    problems: tuple[str, ...]


# --- paths ------------------------------------------------------------------------------------------

def script_audio_problem(root: Path, audio: str, script_id: str = "ID") -> str | None:
    """What is wrong with a script's ``audio:`` value as a path (None when the file is there)."""
    if not audio:
        return MESSAGES["empty_path"]
    path = Path(audio)
    if path.is_absolute() or ".." in path.parts:
        return MESSAGES["outside"].format(path=audio)
    if path.suffix.lower() not in EXTENSIONS:
        return MESSAGES["extension"].format(path=audio, valid=", ".join(EXTENSIONS))
    if not (Path(root) / path).is_file():
        return MESSAGES["missing"].format(path=audio, script=script_id)
    return None



# --- decoding ---------------------------------------------------------------------------------------

def _channels(layout: str) -> int | None:
    layout = layout.strip()
    if layout in _LAYOUTS:
        return _LAYOUTS[layout]
    match = re.match(r"(\d+) channels", layout)
    return int(match.group(1)) if match else None


def decode(path: Path | str, name: str | None = None) -> Decoded:
    """Decode the first audio stream of ``path`` keeping its sample rate and channels.

    Raises:
        RecordingError: the file is empty or FFmpeg finds no audio in it.
    """
    from .audio.ffmpeg import ffmpeg_exe

    path = Path(path)
    name = name or path.name
    if path.stat().st_size == 0:
        raise RecordingError([MESSAGES["empty"].format(name=name)])
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", f"file:{path}", "-vn", "-map", "0:a:0",
            "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1"]
    proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stderr = proc.stderr.decode("utf-8", "replace")
    match = _OUTPUT.search(stderr)
    if proc.returncode != 0 or match is None:
        detail = " | ".join(line.strip() for line in stderr.strip().splitlines()[-3:] if line.strip())
        _log.debug("FFmpeg could not decode %s (exit %s): %s", path, proc.returncode, detail)
        raise RecordingError([MESSAGES["not_audio"].format(name=name, valid=", ".join(EXTENSIONS))]) \
            from UndecodableAudio(f"FFmpeg, exit {proc.returncode}: {detail or 'no output'}")
    rate = int(match.group("rate"))
    channels = _channels(match.group("layout"))
    data = proc.stdout
    if channels is None:  # an unusual layout: let FFmpeg mix it to two channels
        args[args.index("-f"):args.index("-f")] = ["-ac", "2"]
        data = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout
        channels = 2
    samples = np.frombuffer(data[: len(data) // (2 * channels) * 2 * channels], dtype="<i2")
    return Decoded(samples.reshape(-1, channels), rate)


# --- measurements -----------------------------------------------------------------------------------

def _db(x: float) -> float:
    return 20 * np.log10(x) if x > 0 else float("-inf")


def frame_rms(mono: np.ndarray, rate: int) -> np.ndarray:
    """RMS (0–1 of full scale) of consecutive FRAME_MS frames of float samples."""
    size = max(1, rate * FRAME_MS // 1000)
    usable = len(mono) // size * size
    if usable == 0:
        return np.array([np.sqrt(np.mean(np.square(mono)))]) if len(mono) else np.zeros(0)
    return np.sqrt(np.mean(np.square(mono[:usable].reshape(-1, size), dtype=np.float64), axis=1))


def to_mono(decoded: Decoded) -> np.ndarray:
    """Float samples in [-1, 1), channels averaged."""
    if decoded.channels == 1:
        return decoded.samples.reshape(-1).astype(np.float32) / np.float32(32768.0)
    return decoded.samples.astype(np.float32).mean(axis=1) / np.float32(32768.0)


def speech_bounds(mono: np.ndarray, rate: int) -> tuple[int, int]:
    """(first, last) sample to keep: the speech with KEEP_BEFORE/AFTER_MS around it."""
    rms = frame_rms(mono, rate)
    if not len(rms) or rms.max() <= 0:
        return 0, 0
    threshold = max(rms.max() * 10 ** (-TRIM_BELOW_PEAK_DB / 20), 10 ** (TRIM_FLOOR_DBFS / 20))
    active = np.nonzero(rms >= threshold)[0]
    if not len(active):
        return 0, 0
    size = max(1, rate * FRAME_MS // 1000)
    first = max(0, active[0] * size - rate * KEEP_BEFORE_MS // 1000)
    last = min(len(mono), (active[-1] + 1) * size + rate * KEEP_AFTER_MS // 1000)
    return int(first), int(last)


def snr_db(mono: np.ndarray, rate: int) -> float:
    """Estimated signal-to-noise ratio: loud frames (95th percentile) over quiet ones (10th), in dB."""
    rms = frame_rms(mono, rate)
    if len(rms) < 5:
        return float("inf")
    noise = max(float(np.percentile(rms, 10)), 1e-5)   # digital silence counts as −100 dBFS of noise
    signal = float(np.percentile(rms, 95))
    return _db(signal / noise) if signal > 0 else 0.0


def analyse(path: Path | str, *, name: str | None = None, max_seconds: float | None = None,
            too_long: dict | None = None, repeat: int = 1, extra_s: float = 0.0) -> Analysis:
    """Decode and check a recording.

    Args:
        path: the file.
        name: how messages name it (default: the file name).
        max_seconds: the shortest session's length it is scheduled in; None skips that check.
        too_long: station, session, start, end, session_length for the too-long message.
        repeat: how many times the script is read (the clip holds the recording that often).
        extra_s: lead-in, chime and repeat pauses the clip adds around the readings.

    Returns:
        The measurements with every problem found (fatal ones stop further checks).

    Raises:
        RecordingError: not audio or empty (nothing else can be measured).
    """
    path = Path(path)
    name = name or path.name
    return _check(decode(path, name), path, name, max_seconds=max_seconds, too_long=too_long, repeat=repeat,
                  extra_s=extra_s)


def _check(decoded: Decoded, path: Path, name: str, *, max_seconds: float | None, too_long: dict | None,
           repeat: int, extra_s: float) -> Analysis:
    sha = file_sha256(path)
    problems: list[str] = []
    if decoded.samples.shape[0] == 0:
        raise RecordingError([MESSAGES["empty"].format(name=name)])
    if decoded.rate < MIN_RATE:
        problems.append(MESSAGES["rate"].format(name=name, rate=decoded.rate, min=MIN_RATE))
    silent_channel = 0
    if decoded.channels > 1:
        levels = [_db(float(np.sqrt(np.mean(np.square(decoded.samples[:, c].astype(np.float64) / 32768.0)))))
                  for c in range(decoded.channels)]
        loudest = max(levels)
        if loudest > SILENCE_DBFS:
            for c, level in enumerate(levels):
                if level < loudest - SILENT_CHANNEL_BELOW_DB:
                    silent_channel = c + 1
                    problems.append(MESSAGES["silent_channel"].format(
                        name=name, channel=c + 1, channels=decoded.channels))
                    break
    mono = to_mono(decoded)
    rms = frame_rms(mono, decoded.rate)
    peak = _db(float(rms.max())) if len(rms) else float("-inf")
    full = int(np.count_nonzero(np.abs(decoded.samples.astype(np.int32)) >= FULL_SCALE))
    clipped = full / decoded.samples.size
    first, last = speech_bounds(mono, decoded.rate)
    speech_s = (last - first) / decoded.rate
    ratio = snr_db(mono, decoded.rate)
    if peak < SILENCE_DBFS:
        problems.append(MESSAGES["silence"].format(name=name, level=max(peak, -99.0)))
    else:
        if clipped > CLIPPED_SHARE_MAX:
            problems.append(MESSAGES["clipped"].format(name=name, share=clipped * 100))
        if ratio < SNR_MIN_DB:
            problems.append(MESSAGES["noisy"].format(name=name, snr=ratio, min=SNR_MIN_DB))
        total = speech_s * max(1, repeat) + extra_s
        if max_seconds is not None and total > max_seconds:
            problems.append(MESSAGES["too_long"].format(
                name=name, length=duration_text(round(speech_s)), repeat=max(1, repeat),
                total=duration_text(round(total)), **(too_long or {})))
    return Analysis(duration_s=decoded.duration_s, speech_s=speech_s, rate=decoded.rate,
                    channels=decoded.channels, peak_dbfs=peak, clipped_share=clipped, snr_db=ratio,
                    silent_channel=silent_channel, sha256=sha, problems=tuple(problems))


def trimmed_pcm(path: Path | str, name: str | None = None, decoded: Decoded | None = None) -> Pcm:
    """The recording as mono 16-bit PCM at its own rate, leading and trailing silence cut."""
    decoded = decoded if decoded is not None else decode(path, name)
    mono = to_mono(decoded)
    first, last = speech_bounds(mono, decoded.rate)
    x = np.clip(np.round(mono[first:last] * 32768.0), -32768, 32767).astype("<i2")
    return Pcm(x.tobytes(), decoded.rate)


# --- scheduling -------------------------------------------------------------------------------------

def shortest_session(project, script_id: str, schedules=None) -> dict | None:
    """The shortest session any schedule plays ``script_id`` in, for the too-long check.

    Returns:
        {"seconds", "station", "session", "start", "end", "session_length"} or None when the
        script is not scheduled (or the schedules do not load).
    """
    if schedules is None:
        try:
            from .schedule.load import read_schedule_files

            schedules, _ = read_schedule_files(project)
        except BroadcasterError:
            return None
    best = None
    for schedule in schedules:
        for item in schedule.items:
            if item.script != script_id:
                continue
            for station_id in schedule.stations:
                station = project.station(station_id)
                if station is None:
                    continue
                names = item.sessions or schedule.sessions or tuple(s.name for s in station.sessions)
                for session_name in names:
                    session = station.session(session_name)
                    if session is not None and (best is None or session.length_s < best[0].length_s):
                        best = (session, station)
    if best is None:
        return None
    session, station = best
    return {"seconds": session.length_s, "station": station.name or station.id, "session": session.name,
            "start": session.start.strftime("%H:%M"), "end": session.end.strftime("%H:%M"),
            "session_length": duration_text(session.length_s)}


def clip_extra_seconds(project, repeat: int, chime: bool) -> float:
    """Seconds a clip adds around the readings: lead-in, chime with its pause, repeat pauses."""
    audio = project.audio
    extra = audio.lead_in_ms / 1000 + (max(1, repeat) - 1) * audio.repeat_pause_ms / 1000
    if chime and audio.chime:
        extra += CHIME_S
    return extra


def check_script_recording(project, script, schedules=None) -> Analysis:
    """Analyse ``script.audio`` against every check, the session length included."""
    longest = shortest_session(project, script.id, schedules)
    return analyse(project.root / script.audio, name=script.audio,
                   max_seconds=longest["seconds"] if longest else None, too_long=longest,
                   repeat=script.repeat, extra_s=clip_extra_seconds(project, script.repeat, True))


def recording_problems(project, schedules=None) -> list[Problem]:
    """`check`: every problem of every script's recording, at the script's ``audio:`` line."""
    problems = []
    for script in project.scripts:
        if not script.audio or script_audio_problem(project.root, script.audio, script.id):
            continue  # a missing file is reported by the script loader
        line = _audio_line(project.root / (script.file or ""), script.line)
        try:
            found = check_script_recording(project, script, schedules).problems
        except RecordingError as error:
            found = tuple(error.problems)
        problems += [Problem(script.file, line, message) for message in found]
    return problems


def _audio_line(path: Path, default: int | None) -> int | None:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("audio:"):
                return number
    except OSError:
        pass
    return default


def recording_for_clip(project, script_id: str, audio: Path, repeat: int, chime: bool) -> tuple[Pcm, Analysis]:
    """A build's recording: checked (RecordingError naming every problem), then trimmed to PCM."""
    longest = shortest_session(project, script_id)
    try:
        name = audio.relative_to(project.root).as_posix()
    except ValueError:
        name = audio.name
    decoded = decode(audio, name)   # once: the checks and the clip read the same samples
    analysis = _check(decoded, audio, name, max_seconds=longest["seconds"] if longest else None,
                      too_long=longest, repeat=repeat, extra_s=clip_extra_seconds(project, repeat, chime))
    if analysis.problems:
        raise RecordingError(list(analysis.problems))
    return trimmed_pcm(audio, name, decoded), analysis


# --- uploads (web console) --------------------------------------------------------------------------

def recording_pieces(project, job):
    """The checked, trimmed recording as the clip's single piece.

    Returns:
        ``([(pcm, 0)], "recording", file relative to the root, False)`` like the speech pieces.

    Raises:
        RecordingError: the recording fails a check; the message names the file and every problem.
    """
    pcm, _analysis = recording_for_clip(project, job.clip_id, job.audio, job.repeat, job.chime)
    try:
        name = job.audio.relative_to(project.root).as_posix()
    except ValueError:
        name = job.audio.name
    return [(pcm, 0)], "recording", name, False


def import_recording(root: Path | str, source: Path | str, name: str | None = None, *,
                     shown: str | None = None) -> tuple[Path, Analysis]:
    """Check an uploaded or copied recording and put it into ``ROOT/recordings/`` (nothing copied when bad).

    Args:
        root: the working folder.
        source: the file as received.
        name: the file name to keep (default: the source's name); only its last part is used.
        shown: the file's name in messages (default: ``name``), e.g. the name the user uploaded it under.

    Returns:
        (the path in recordings/, the measurements).

    Raises:
        RecordingError: the recording fails a check (every problem named); nothing is written.
    """
    source = Path(source)
    name = Path(name or source.name).name
    if Path(name).suffix.lower() not in EXTENSIONS:
        raise RecordingError([MESSAGES["extension"].format(path=name, valid=", ".join(EXTENSIONS))])
    analysis = analyse(source, name=shown or name)
    if analysis.problems:
        raise RecordingError(list(analysis.problems))
    folder = Path(root) / RECORDINGS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    with atomic_path(target) as temp:
        shutil.copyfile(source, temp)
    return target, analysis
