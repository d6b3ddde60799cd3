"""The clip manifest: which clips exist, what made each one, and whether each is still current.

`audio_out/clips/manifest.json` records for each finished clip its duration, loudness,
true peak, engine, voice, text hash and clip key (the hash of everything that decides its
sound: spoken text, voice, engine, settings, title, campaign, recording or voice model).
This module reads and writes that file and answers, without synthesising anything,
whether a clip is ``current``, ``stale`` or ``missing`` (`clip_states`).

It sits below both stages that need it: the clip builder (``build.py``) writes records
here after making clips, and planning (``schedule/``) reads durations and states from
here; the player, the web console and the exports ask it before using a clip.
"""
from __future__ import annotations

import functools
import hashlib
import json
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from .atomic import atomic_write_text
from .errors import BroadcasterError, did_you_mean, valid_list
from .identity import IDENTITY_DIR, KINDS, identity_clip_id, identity_text, identity_title
from .models import Project

MANIFEST = "manifest.json"
STATION_DIR = IDENTITY_DIR
# Bumped when the mastering chain changes, so old clips are rebuilt.
PIPELINE_VERSION = 1

MESSAGES = {
    "unknown_script": 'không có kịch bản "{id}"{hint} — các kịch bản hiện có: {valid}',
    "no_scripts": "thư mục scripts/ chưa có kịch bản nào — thêm tệp scripts/TÊN.yaml (xem README)",
    "stale": ("{count} tệp âm thanh đã cũ (nội dung, giọng đọc hoặc thiết lập âm thanh đã sửa sau khi tạo): {clips} "
              "— chạy  {command}  hoặc bấm \"Tạo lại tệp âm thanh\" ở trang Kịch bản của bảng điều khiển"),
    "stale_refused": "không dùng tệp âm thanh cũ: {detail}",
}

# Clip states (see `clip_states`).
CURRENT, STALE, MISSING = "current", "stale", "missing"


@dataclass(frozen=True)
class ClipRecord:
    """What the manifest says about one finished clip."""

    script_id: str
    path: str                  # relative to the project root
    duration_s: float
    loudness_lufs: float
    true_peak_dbtp: float
    engine: str
    voice: str
    wanted_engine: str
    fallback_used: bool
    text_hash: str
    title: str
    campaign: str
    clip_key: str = ""
    size_bytes: int = 0



@dataclass(frozen=True)
class ClipJob:
    """Everything that decides one clip's sound; its hash is the clip key."""

    clip_id: str
    title: str
    campaign: str
    source: str
    text: str
    language: str
    repeat: int
    chime: bool
    engine: str | None
    voice: str | None
    out: Path
    audio: Path | None = None   # a recorded announcement read instead of synthesised speech



def spoken_form(project: Project, text: str) -> tuple[str, list[str]]:
    """The text as it will be spoken, with warnings (e.g. a legacy encoding was converted)."""
    spoken, warnings = _spoken(text, project.speech.dialect, project.speech.mong,
                               tuple(dict(project.lexicon).items()))
    return spoken, list(warnings)


@functools.lru_cache(maxsize=4096)
def _spoken(text: str, dialect: str, mong: bool, lexicon: tuple) -> tuple[str, tuple[str, ...]]:
    # Memoised: pages and plans ask for the keys of every clip on each request.
    from .speech import normalize as norm

    options = norm.NormalizeOptions(dialect=dialect, mong=mong, lexicon=dict(lexicon))
    spoken, warnings = norm.normalize_with_warnings(text, options)
    return spoken, tuple(warnings)



def clip_inputs(project: Project, job: ClipJob) -> dict:
    """What else decides a clip's sound: the recording's bytes, or the Piper model (see voice_inputs)."""
    from .voice_inputs import clip_inputs as inputs

    return inputs(project, job)



def _hash(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def clip_key(project: Project, job: ClipJob, spoken: str) -> str:
    return _hash({
        "v": PIPELINE_VERSION, "spoken": spoken, "language": job.language, "repeat": job.repeat,
        "chime": job.chime, "engine": job.engine or project.speech.engine, "voice": job.voice or project.speech.voice,
        "speech": asdict(project.speech), "audio": asdict(project.audio), "title": job.title,
        "campaign": job.campaign, "source": job.source, "organization": project.organization,
        **clip_inputs(project, job),
    })



def manifest_path(project: Project) -> Path:
    return project.clips_dir / MANIFEST


def read_manifest(project: Project) -> dict[str, ClipRecord]:
    """clip id → record, from audio_out/clips/manifest.json ({} when there is none)."""
    path = manifest_path(project)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    clips = data.get("clips") if isinstance(data, dict) else None
    if not isinstance(clips, dict):  # not ours or damaged: every clip is made again
        return {}
    names = {f for f in ClipRecord.__dataclass_fields__}
    out = {}
    for key, value in clips.items():
        if not isinstance(value, dict):
            continue
        try:
            out[key] = ClipRecord(**{k: v for k, v in value.items() if k in names})
        except TypeError:
            continue
    return out


_manifest_lock = threading.Lock()


def save_manifest(project: Project, updates: dict[str, ClipRecord]) -> None:
    with _manifest_lock:
        current = read_manifest(project)
        current.update(updates)
        payload = {"version": PIPELINE_VERSION, "profile": project.audio.profile,
                   "clips": {k: asdict(v) for k, v in sorted(current.items())}}
        atomic_write_text(manifest_path(project), json.dumps(payload, ensure_ascii=False, indent=2) + "\n")



def script_jobs(project: Project, script_ids: list[str] | None) -> list[ClipJob]:
    scripts = list(project.scripts)
    if script_ids:
        known = {s.id: s for s in scripts}
        for sid in script_ids:
            if sid not in known:
                raise BroadcasterError(MESSAGES["unknown_script"].format(
                    id=sid, hint=did_you_mean(sid, known), valid=valid_list(known)))
        scripts = [known[sid] for sid in dict.fromkeys(script_ids)]
    if not scripts:
        raise BroadcasterError(MESSAGES["no_scripts"])
    jobs = []
    for s in scripts:
        campaign = project.campaign(s.campaign)
        jobs.append(ClipJob(clip_id=s.id, title=s.title, campaign=campaign.name if campaign else s.campaign,
                            source=s.source, text=s.text, language=s.language, repeat=s.repeat,
                            chime=project.audio.chime, engine=s.engine, voice=s.voice,
                            out=project.clips_dir / f"{s.id}.mp3",
                            audio=project.root / s.audio if s.audio else None))
    return jobs


def intact(path: Path, size_bytes: int) -> bool:
    """The clip is there with the size the manifest recorded (a replaced or damaged file is made again)."""
    try:
        return path.is_file() and (not size_bytes or path.stat().st_size == size_bytes)
    except OSError:
        return False



def text_job(project: Project, clip_id: str, title: str, text: str, chime: bool) -> ClipJob:
    return ClipJob(clip_id=f"{STATION_DIR}/{clip_id}", title=title, campaign="", source="", text=text,
                   language="vi", repeat=1, chime=chime and project.audio.chime, engine=None, voice=None,
                   out=project.clips_dir / STATION_DIR / f"{clip_id}.mp3")


def identity_jobs(project: Project) -> list[ClipJob]:
    """Opening and closing clips of every station's sessions (the opening has the chime)."""
    return [text_job(project, identity_clip_id(st, se.name, kind), identity_title(st, se.name, kind),
                      identity_text(st, se.name, kind), kind == "opening")
            for st in project.stations for se in st.sessions for kind in KINDS]



@dataclass(frozen=True)
class ClipState:
    """Whether one clip on disk still matches the files it is made from.

    Attributes:
        clip_id: Script id, or ``_station/ID`` for a station opening/closing clip.
        title: Script title (or identity clip title), for messages.
        state: ``current`` (recorded key = key of the current files, file intact),
            ``stale`` (built, but text, voice, lexicon or settings changed since) or
            ``missing`` (never built, or the file is gone or damaged).
        record: What the manifest holds for the clip (also when stale), or None.
        key: The clip key the current files give.
    """

    clip_id: str
    title: str
    state: str
    record: ClipRecord | None
    key: str

    @property
    def current(self) -> bool:
        return self.state == CURRENT

    @property
    def stale(self) -> bool:
        return self.state == STALE


def clip_states(project: Project, script_ids=None, *, identity: bool = False,
                manifest: dict[str, ClipRecord] | None = None) -> dict[str, ClipState]:
    """The state of script clips (and station identity clips) without synthesising anything.

    The key is computed exactly as a build computes it (normalised text, voice, engine,
    lexicon, speech and audio settings, title, campaign, organisation) and compared with
    the key the manifest recorded; only the text normaliser runs (memoised).

    Args:
        project: The working folder.
        script_ids: Scripts to look at (ids the project does not have are left out);
            None: every script. An empty collection: none (with ``identity``, only those).
        identity: Also give every station's session opening and closing clip, keyed ``_station/ID``.
        manifest: The manifest already read (default: read it).

    Returns:
        Clip id → ClipState, scripts first in the order asked, then identity clips.
    """
    manifest = read_manifest(project) if manifest is None else manifest
    states = {}
    for job in known_jobs(project, script_ids, identity):
        spoken, _ = spoken_form(project, job.text)
        key = clip_key(project, job, spoken)
        record = manifest.get(job.clip_id)
        if record is None or not intact(project.root / record.path, record.size_bytes):
            state = MISSING
        elif record.clip_key != key:
            state = STALE
        else:
            state = CURRENT
        states[job.clip_id] = ClipState(job.clip_id, job.title, state, record, key)
    return states


def known_jobs(project: Project, script_ids, identity: bool) -> list[ClipJob]:
    """Jobs of the given scripts the project has (None: all), plus identity clips when asked."""
    if script_ids is None:
        jobs = script_jobs(project, None) if project.scripts else []
    else:
        known = {s.id for s in project.scripts}
        wanted = [sid for sid in dict.fromkeys(script_ids) if sid in known]
        jobs = script_jobs(project, wanted) if wanted else []
    if identity:
        jobs += identity_jobs(project)
    return jobs



def clip_state(project: Project, clip_id: str, manifest: dict[str, ClipRecord] | None = None) -> ClipState | None:
    """The state of one script clip or station identity clip (``_station/ID``); None for an unknown id."""
    if clip_id.startswith(f"{STATION_DIR}/"):
        return clip_states(project, [], identity=True, manifest=manifest).get(clip_id)
    return clip_states(project, [clip_id], manifest=manifest).get(clip_id)


def stale_message(states) -> str | None:
    """One Vietnamese sentence naming the stale clips and the command that rebuilds them, or None.

    Args:
        states: ClipStates (e.g. the values of `clip_states`).
    """
    stale = [s for s in states if s.state == STALE]
    if not stale:
        return None
    scripts = [s.clip_id for s in stale if not s.clip_id.startswith(f"{STATION_DIR}/")]
    command = "broadcaster build " + " ".join(scripts) if scripts and len(scripts) == len(stale) \
        else "broadcaster build"
    return MESSAGES["stale"].format(count=len(stale), clips=", ".join(s.clip_id for s in stale), command=command)


class StaleClipsError(BroadcasterError):
    """Stale clips would be played, assembled or exported; the message names them and the fix."""

    def __init__(self, states):
        self.states = [s for s in states if s.state == STALE]
        super().__init__(MESSAGES["stale_refused"].format(detail=stale_message(self.states)))

