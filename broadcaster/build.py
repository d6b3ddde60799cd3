"""The clip pipeline: a script's text → spoken text → speech pieces → a mastered, tagged MP3.

It ties the stages together (normalise, synthesise with cache and fallback, lay out with
chime and pauses, master, tag) and keeps `audio_out/clips/manifest.json`, which records for
each clip its duration, loudness, true peak, engine, voice and text hash. A clip whose
inputs have not changed is neither synthesised nor mastered again.

Whether a clip is still current (its recorded key equals the key the current files give)
is answered by `clip_states`, without synthesising; every stage that shows, plays,
assembles or exports a clip asks it.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import threading
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from . import portable
from .atomic import TEMP_MARK, atomic_write_text, is_temp_path
from .errors import BroadcasterError, did_you_mean, valid_list
from .identity import IDENTITY_DIR, KINDS, identity_clip_id, identity_text, identity_title
from .models import PROFILES, Project

MANIFEST = "manifest.json"
STATION_DIR = IDENTITY_DIR
# Bumped when the mastering chain changes, so old clips are rebuilt.
PIPELINE_VERSION = 1

MESSAGES = {
    "unknown_script": 'không có kịch bản "{id}"{hint} — các kịch bản hiện có: {valid}',
    "no_scripts": "thư mục scripts/ chưa có kịch bản nào — thêm tệp scripts/TÊN.yaml (xem README)",
    "empty_spoken": "{what}: sau khi chuẩn hóa không còn chữ nào để đọc — kiểm tra nội dung text",
    "bad_output": "tệp ra phải có đuôi .mp3: {path}",
    "summary": "Đã tạo {count} tệp âm thanh kịch bản{identity} ({fresh} tổng hợp mới, {cached} dùng lại từ bộ nhớ đệm).",
    "summary_identity": " và {count} tệp mở đầu/kết thúc phiên",
    "fallback": ("cảnh báo: công cụ {wanted} không dùng được; {count} tệp âm thanh đã đọc bằng công cụ dự phòng "
                 "(fallback) {engine}, giọng {voice}: {clips}"),
    "stale_one": "tệp âm thanh đã cũ",
    "stale": ("{count} tệp âm thanh đã cũ (nội dung, giọng đọc hoặc thiết lập âm thanh đã sửa sau khi tạo): {clips} "
              "— chạy  {command}  hoặc bấm \"Tạo lại tệp âm thanh\" ở trang Kịch bản của bảng điều khiển"),
    "stale_refused": "không dùng tệp âm thanh cũ: {detail}",
    "worker_died": ("một tiến trình phụ tạo tệp âm thanh đã dừng đột ngột (thiếu bộ nhớ?) — chạy lại lệnh; "
                    "nếu vẫn lỗi, đặt biến môi trường {env}=1 để tạo lần lượt từng tệp"),
}

# How many clips are made at once: BROADCASTER_JOBS, else one per core; 1 = one after the other.
JOBS_ENV = "BROADCASTER_JOBS"

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


@dataclass
class BuildResult:
    """The clips a build produced and how much real work it did."""

    records: list[ClipRecord] = field(default_factory=list)    # one per script, in the order asked
    identity: list[ClipRecord] = field(default_factory=list)   # station openings and closings
    synthesized: int = 0       # clips that needed new synthesis or mastering
    cached: int = 0            # clips reused untouched

    def summary(self) -> str:
        """One Vietnamese sentence for staff: what was made and how much was reused."""
        identity = MESSAGES["summary_identity"].format(count=len(self.identity)) if self.identity else ""
        return MESSAGES["summary"].format(count=len(self.records), identity=identity,
                                          fresh=self.synthesized, cached=self.cached)

    def fallback_warnings(self) -> list[str]:
        """One Vietnamese warning per (wanted engine, fallback engine, voice) naming every clip read by the fallback.

        Station opening and closing clips are named too, with the scripts, and counted.
        """
        return fallback_warnings(self.records + self.identity)


def fallback_warnings(records: list[ClipRecord]) -> list[str]:
    """Warnings for the clips of ``records`` that the fallback engine read (see `BuildResult.fallback_warnings`)."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for rec in records:
        if rec.fallback_used:
            groups.setdefault((rec.wanted_engine, rec.engine, rec.voice), []).append(rec.script_id)
    return [MESSAGES["fallback"].format(wanted=wanted, engine=engine, voice=voice, count=len(ids),
                                        clips=", ".join(ids))
            for (wanted, engine, voice), ids in groups.items()]


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


def recording_pieces(project: Project, job: ClipJob):
    """A recorded announcement as the one piece of its clip → ([(pcm, 0)], "recording", file, False)."""
    from .voice_inputs import recording_pieces as pieces

    return pieces(project, job)


def _hash(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _clip_key(project: Project, job: ClipJob, spoken: str) -> str:
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


def _save_manifest(project: Project, updates: dict[str, ClipRecord]) -> None:
    with _manifest_lock:
        current = read_manifest(project)
        current.update(updates)
        payload = {"version": PIPELINE_VERSION, "profile": project.audio.profile,
                   "clips": {k: asdict(v) for k, v in sorted(current.items())}}
        atomic_write_text(manifest_path(project), json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


class _Renderer:
    """Makes clips for one project: shared synthesis cache, chime and profile."""

    def __init__(self, project: Project):
        from .speech.cache import SynthCache

        self.project = project
        self.cache = SynthCache(project.out_dir / "cache" / "speech")
        self.rate = PROFILES[project.audio.profile]["rate"]
        self._chime = None

    def chime(self):
        if self._chime is None:
            from .audio.chime import chime

            self._chime = chime(self.rate)
        return self._chime

    def speech_pieces(self, job: ClipJob, spoken: str):
        """Synthesise each clause (cached) → ([(pcm, pause_ms)], engine, voice, fallback_used)."""
        from .speech.normalize import split_for_speech
        from .speech.synth import synthesize

        pieces, engines, voices, fallback = [], [], [], False
        for clause, pause in split_for_speech(spoken):
            result = synthesize(clause, language=job.language, settings=self.project.speech,
                                engine=job.engine, voice=job.voice, cache=self.cache)
            pieces.append((result.pcm, pause))
            engines.append(result.engine)
            voices.append(result.voice)
            fallback = fallback or result.fallback_used
        if not pieces:
            raise BroadcasterError(MESSAGES["empty_spoken"].format(what=job.clip_id))
        return pieces, max(set(engines), key=engines.count), max(set(voices), key=voices.count), fallback

    def render(self, job: ClipJob, spoken: str, key: str) -> ClipRecord:
        return self.finish(job, spoken, key, self.pieces(job, spoken))

    def pieces(self, job: ClipJob, spoken: str):
        """The clip's speech (or its recording) → (pieces, engine, voice, fallback_used)."""
        return (recording_pieces(self.project, job) if job.audio is not None
                else self.speech_pieces(job, spoken))

    def finish(self, job: ClipJob, spoken: str, key: str, made) -> ClipRecord:
        """Lay out, master and tag the clip from what `pieces` gave; the record of the finished file."""
        from .audio.assemble import assemble, clip_layout
        from .audio.master import master_to_mp3
        from .audio.tags import ClipTags

        pieces, engine, voice, fallback = made
        layout = clip_layout(pieces, job.repeat, self.project.audio, self.chime() if job.chime else None)
        pcm = assemble(layout, self.rate)
        text_hash = hashlib.sha256(spoken.encode()).hexdigest()[:16]
        tags = ClipTags(title=job.title, campaign=job.campaign, organization=self.project.organization,
                        source=job.source, script_id=job.clip_id, text_hash=text_hash)
        job.out.parent.mkdir(parents=True, exist_ok=True)
        info = master_to_mp3(pcm, job.out, self.project.audio, tags)
        try:
            path = job.out.relative_to(self.project.root).as_posix()
        except ValueError:  # `say` may write outside the working folder
            path = str(job.out)
        return ClipRecord(
            script_id=job.clip_id, path=path,
            duration_s=round(info.duration_s, 3), loudness_lufs=round(info.loudness_lufs, 2),
            true_peak_dbtp=round(info.true_peak_dbtp, 2), engine=engine, voice=voice,
            wanted_engine=job.engine or self.project.speech.engine, fallback_used=fallback,
            text_hash=text_hash, title=job.title, campaign=job.campaign, clip_key=key,
            size_bytes=info.size_bytes)


def _script_jobs(project: Project, script_ids: list[str] | None) -> list[ClipJob]:
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


def _intact(path: Path, size_bytes: int) -> bool:
    """The clip is there with the size the manifest recorded (a replaced or damaged file is made again)."""
    try:
        return path.is_file() and (not size_bytes or path.stat().st_size == size_bytes)
    except OSError:
        return False


def remove_stale_temps(folder: Path) -> None:
    """Delete temporary files left in ``folder`` (and one level below) by builds that were killed.

    Only names made by :func:`broadcaster.atomic.temp_path_for` whose process no longer runs are
    removed, so a build running beside this one keeps its files.
    """
    if not folder.is_dir():
        return
    for path in list(folder.glob(".*")) + list(folder.glob("*/.*")):
        if not is_temp_path(path):
            continue
        try:
            pid = int(path.name.rsplit(TEMP_MARK, 1)[1].split("-")[0])
        except (IndexError, ValueError):
            continue
        if pid == os.getpid() or _process_alive(pid):
            continue
        with contextlib.suppress(OSError):
            path.unlink()


def _process_alive(pid: int) -> bool:
    # Never os.kill(pid, 0): on Windows that terminates the other build.
    return portable.pid_alive(pid)


def build_jobs(jobs: int | None = None) -> int:
    """How many clips a build makes at once.

    Args:
        jobs: Asked for explicitly (≥ 1); None: the BROADCASTER_JOBS environment variable,
            else the number of cores (os.cpu_count()).

    Returns:
        At least 1; 1 means one clip after the other in this process.
    """
    if jobs is None:
        try:
            jobs = int(os.environ.get(JOBS_ENV, "") or 0)
        except ValueError:
            jobs = 0
        jobs = jobs or os.cpu_count() or 1
    return max(1, int(jobs))


# One renderer per worker process, made once by `_init_worker`: it holds the chime and the
# profile; workers lay out, master and tag clips, they never synthesise (see `_render_all`).
_worker_renderer: _Renderer | None = None


def _init_worker(project: Project) -> None:
    global _worker_renderer
    _worker_renderer = _Renderer(project)


def _finish_in_worker(job: ClipJob, spoken: str, key: str, made) -> ClipRecord:
    try:
        return _worker_renderer.finish(job, spoken, key, made)
    except BroadcasterError as exc:
        raise _portable_error(exc) from None


def _portable_error(exc: BroadcasterError) -> BroadcasterError:
    """``exc`` if it survives the trip back to the parent process unchanged, else a plain copy of its text."""
    try:
        back = pickle.loads(pickle.dumps(exc))
        if type(back) is type(exc) and str(back) == str(exc):
            return exc
    except Exception:  # noqa: BLE001 - whatever fails to pickle: send the text instead
        pass
    return BroadcasterError(exc.message, file=exc.file, line=exc.line, hint=exc.hint)


def _render_all(project: Project, todo: list[tuple[ClipJob, str, str]], jobs: int,
                progress: Callable | None) -> dict[str, ClipRecord]:
    """Render the clips of ``todo``; clip id → record. Files and records do not depend on ``jobs``.

    One job (or one clip): one clip after the other in this process. Otherwise this process
    synthesises every clip's speech in script order, exactly as the serial build does (eSpeak NG
    carries state from one utterance to the next, so the order of synthesis decides the samples),
    and ``jobs`` worker processes lay out, master, encode and tag the clips meanwhile — the FFmpeg
    passes, which are nearly all of a cold build's time. Progress counts finished clips. The first
    failing clip in script order raises its own error; the manifest is written by the caller.
    """
    fresh: dict[str, ClipRecord] = {}

    def done(job: ClipJob, record: ClipRecord) -> None:
        fresh[job.clip_id] = record
        if progress:
            progress.advance(job.title)

    renderer = _Renderer(project)
    if jobs == 1 or len(todo) == 1:
        for job, spoken, key in todo:
            done(job, renderer.render(job, spoken, key))
        return fresh
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool

    workers = min(jobs, len(todo))
    order = {job.clip_id: i for i, (job, _, _) in enumerate(todo)}
    futures: dict = {}
    pending: set = set()
    failed: list = []

    def collect(return_when) -> None:
        nonlocal pending
        finished, pending = wait(pending, return_when=return_when)
        for fut in sorted(finished, key=lambda f: order[futures[f].clip_id]):
            if fut.exception() is not None:
                failed.append(fut)
            else:
                done(futures[fut], fut.result())

    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(project,))
    with pool:
        try:
            for job, spoken, key in todo:
                made = renderer.pieces(job, spoken)        # synthesis: here, in script order
                while len(pending) >= 2 * workers and not failed:   # bounded PCM in flight
                    collect(FIRST_COMPLETED)
                if failed:
                    break
                fut = pool.submit(_finish_in_worker, job, spoken, key, made)
                futures[fut] = job
                pending.add(fut)
            while pending and not failed:
                collect(FIRST_COMPLETED)
        finally:
            for fut in pending:
                fut.cancel()
        if pending:
            collect(ALL_COMPLETED)
        if failed:
            first = min(failed, key=lambda f: order[futures[f].clip_id]).exception()
            if isinstance(first, BrokenProcessPool):
                raise BroadcasterError(MESSAGES["worker_died"].format(env=JOBS_ENV)) from first
            raise first
    return fresh


def _run_jobs(project: Project, jobs: list[ClipJob], progress: Callable | None = None, *,
              workers: int | None = None) -> BuildResult:
    """Build the jobs whose clip key changed; reuse the rest (``workers``: see `build_jobs`)."""
    remove_stale_temps(project.clips_dir)
    manifest = read_manifest(project)
    result = BuildResult()
    todo: list[tuple[ClipJob, str, str]] = []
    records: dict[str, ClipRecord] = {}
    for job in jobs:
        spoken, _warnings = spoken_form(project, job.text)
        key = _clip_key(project, job, spoken)
        old = manifest.get(job.clip_id)
        if old and old.clip_key == key and _intact(project.root / old.path, old.size_bytes):
            records[job.clip_id] = old
            result.cached += 1
        else:
            todo.append((job, spoken, key))
    if progress:
        progress.start(len(jobs), done=result.cached)
    fresh: dict[str, ClipRecord] = {}
    if todo:
        fresh = _render_all(project, todo, build_jobs(workers), progress)
        _save_manifest(project, fresh)
    records.update(fresh)
    result.synthesized = len(fresh)
    for job in jobs:
        target = result.identity if job.clip_id.startswith(f"{STATION_DIR}/") else result.records
        target.append(records[job.clip_id])
    return result


def _text_job(project: Project, clip_id: str, title: str, text: str, chime: bool) -> ClipJob:
    return ClipJob(clip_id=f"{STATION_DIR}/{clip_id}", title=title, campaign="", source="", text=text,
                   language="vi", repeat=1, chime=chime and project.audio.chime, engine=None, voice=None,
                   out=project.clips_dir / STATION_DIR / f"{clip_id}.mp3")


def _identity_jobs(project: Project) -> list[ClipJob]:
    """Opening and closing clips of every station's sessions (the opening has the chime)."""
    return [_text_job(project, identity_clip_id(st, se.name, kind), identity_title(st, se.name, kind),
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
    for job in _known_jobs(project, script_ids, identity):
        spoken, _ = spoken_form(project, job.text)
        key = _clip_key(project, job, spoken)
        record = manifest.get(job.clip_id)
        if record is None or not _intact(project.root / record.path, record.size_bytes):
            state = MISSING
        elif record.clip_key != key:
            state = STALE
        else:
            state = CURRENT
        states[job.clip_id] = ClipState(job.clip_id, job.title, state, record, key)
    return states


def _known_jobs(project: Project, script_ids, identity: bool) -> list[ClipJob]:
    """Jobs of the given scripts the project has (None: all), plus identity clips when asked."""
    if script_ids is None:
        jobs = _script_jobs(project, None) if project.scripts else []
    else:
        known = {s.id for s in project.scripts}
        wanted = [sid for sid in dict.fromkeys(script_ids) if sid in known]
        jobs = _script_jobs(project, wanted) if wanted else []
    if identity:
        jobs += _identity_jobs(project)
    return jobs


def refresh_clips(project: Project, script_ids=None, *, identity: bool = False,
                  progress=None, jobs: int | None = None) -> tuple[dict[str, ClipState], BuildResult]:
    """Build the clips among these that are stale or missing, so what follows uses current audio only.

    Args:
        project: The working folder.
        script_ids: As for `clip_states`.
        identity: Also the station opening and closing clips.
        progress: A `Progress` (or None) for the build.
        jobs: Clips made at once (see `build_jobs`; None: BROADCASTER_JOBS or one per core).

    Returns:
        The states found before building (stale ones are the ones remade) and the build result.

    Raises:
        BroadcasterError: A clip could not be built (nothing stale is used then).
    """
    states = clip_states(project, script_ids, identity=identity)
    todo = {cid for cid, st in states.items() if not st.current}
    todo_jobs = [job for job in _known_jobs(project, script_ids, identity) if job.clip_id in todo]
    return states, (_run_jobs(project, todo_jobs, progress, workers=jobs) if todo_jobs else BuildResult())


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


def build_clips(project: Project, script_ids: list[str] | None = None, *, progress=None,
                jobs: int | None = None) -> BuildResult:
    """Finished clips for all (or the named) scripts in audio_out/clips/, reusing unchanged ones.

    A build of everything also makes each station's session opening and closing clips,
    so that plans show exact times and programmes need no further synthesis. Clips are
    made ``jobs`` at a time (see `build_jobs`); the files and the manifest are the same
    byte for byte whatever ``jobs`` is, and only this process writes the manifest.
    """
    clip_jobs = _script_jobs(project, script_ids)
    if not script_ids:
        clip_jobs += _identity_jobs(project)
    return _run_jobs(project, clip_jobs, progress, workers=jobs)


def build_text_clip(project: Project, clip_id: str, title: str, text: str, *, chime: bool = False) -> ClipRecord:
    """A clip from free text (station identity: "Đây là Đài truyền thanh xã …"), cached like scripts."""
    return _run_jobs(project, [_text_job(project, clip_id, title, text, chime)]).identity[0]


def say_text(project: Project, text: str, output: Path, *, engine: str | None = None,
             voice: str | None = None, name: str | None = None) -> tuple[ClipRecord, str]:
    """One finished clip from TEXT at OUTPUT with the folder's audio settings; returns (record, spoken).

    ``name`` is how messages call the input (e.g. "đầu vào chuẩn (-)"); default: the output's stem.
    """
    if output.suffix.lower() != ".mp3":
        raise BroadcasterError(MESSAGES["bad_output"].format(path=output))
    if engine is not None:
        from .speech.engines import get_engine

        get_engine(engine)  # unknown name → error listing the valid ones
    spoken, _ = spoken_form(project, text)
    from .speech.normalize import split_for_speech

    if not any(clause.strip() for clause, _pause in split_for_speech(spoken)):
        raise BroadcasterError(MESSAGES["empty_spoken"].format(what=name or output.stem))
    output = output.resolve()
    job = ClipJob(clip_id=output.stem, title=text[:60], campaign="", source="", text=text, language="vi",
                  repeat=1, chime=project.audio.chime, engine=engine, voice=voice, out=output)
    record = _Renderer(project).render(job, spoken, _clip_key(project, job, spoken))
    return record, spoken
