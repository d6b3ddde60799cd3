"""The clip pipeline: a script's text → spoken text → speech pieces → a mastered, tagged MP3.

It ties the stages together (normalise, synthesise with cache and fallback, lay out with
chime and pauses, master, tag) in one job run (`_run_jobs`): every clip whose key changed is
made, the rest reused, and each finished clip is recorded in the clip manifest
(`broadcaster.manifest`, `audio_out/clips/manifest.json`). A clip whose inputs have not
changed is neither synthesised nor mastered again.

Whether a clip is still current is answered by `manifest.clip_states`, without
synthesising; `build_clips` (the `build` command), `refresh_clips` (the player) and
`build_programme_clips` (the clips session programmes play) are the three ways in.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import portable
from .atomic import TEMP_MARK, is_temp_path
from .errors import BroadcasterError
from .identity import KINDS, identity_clip_id, identity_text, identity_title
from .manifest import (STATION_DIR, ClipJob, ClipRecord, ClipState, clip_key, clip_states, identity_jobs, intact,
                       known_jobs, read_manifest, save_manifest, script_jobs, spoken_form, text_job)
from .models import PROFILES, Project

MESSAGES = {
    "empty_spoken": "{what}: sau khi chuẩn hóa không còn chữ nào để đọc — kiểm tra nội dung text",
    "bad_output": "tệp ra phải có đuôi .mp3: {path}",
    "summary": "Đã tạo {count} tệp âm thanh kịch bản{identity} ({fresh} tổng hợp mới, {cached} dùng lại từ bộ nhớ đệm).",
    "summary_identity": " và {count} tệp mở đầu/kết thúc phiên",
    "fallback": ("cảnh báo: công cụ {wanted} không dùng được; {count} tệp âm thanh đã đọc bằng công cụ dự phòng "
                 "(fallback) {engine}, giọng {voice}: {clips}"),
    "worker_died": ("một tiến trình phụ tạo tệp âm thanh đã dừng đột ngột (thiếu bộ nhớ?) — chạy lại lệnh; "
                    "nếu vẫn lỗi, đặt biến môi trường {env}=1 để tạo lần lượt từng tệp"),
    "clip_missing": 'không tạo được tệp âm thanh cho kịch bản "{script}" — chạy  broadcaster build {script}  để xem lỗi',
    "rebuilt": "đã tạo lại {count} tệp âm thanh cũ (nội dung hoặc thiết lập đã sửa sau khi tạo): {clips}",
    "still_stale": "tệp âm thanh của {clip} vẫn chưa khớp nội dung hiện tại sau khi tạo lại — chạy  broadcaster build  rồi thử lại",
}

# How many clips are made at once: BROADCASTER_JOBS, else one per core; 1 = one after the other.
JOBS_ENV = "BROADCASTER_JOBS"




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



def recording_pieces(project: Project, job: ClipJob):
    """A recorded announcement as the one piece of its clip → ([(pcm, 0)], "recording", file, False)."""
    from .recordings import recording_pieces as pieces

    return pieces(project, job)



class _Renderer:
    """Makes clips for one project: shared synthesis cache, chime and profile."""

    def __init__(self, project: Project):
        from .speech.cache import SynthCache

        self.project = project
        self.cache = SynthCache(project.out_dir / "cache" / "speech")
        self._chimes: dict = {}

    def chime(self, rate: int):
        """The chime at ``rate`` (computed, so it needs no resampling at any rate)."""
        if rate not in self._chimes:
            from .audio.chime import chime

            self._chimes[rate] = chime(rate)
        return self._chimes[rate]

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
        # The clip is laid out at its speech's own rate; mastering resamples it to the profile's.
        rate = next((pcm.rate for pcm, _ in pieces if pcm.samples), PROFILES[self.project.audio.profile]["rate"])
        layout = clip_layout(pieces, job.repeat, self.project.audio, self.chime(rate) if job.chime else None)
        pcm = assemble(layout, rate)
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
    # Import the mastering stage (numpy, the MP3 decoder) now, while the parent synthesises the
    # first clip, rather than when that clip arrives.
    import miniaudio  # noqa: F401

    from .audio import master  # noqa: F401


def _worker_ready() -> None:
    """Nothing: submitted once per worker so that every worker starts (and imports) at once."""


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
        for _ in range(workers):
            pool.submit(_worker_ready)
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
        key = clip_key(project, job, spoken)
        old = manifest.get(job.clip_id)
        if old and old.clip_key == key and intact(project.root / old.path, old.size_bytes):
            records[job.clip_id] = old
            result.cached += 1
        else:
            todo.append((job, spoken, key))
    if progress:
        progress.start(len(jobs), done=result.cached)
    fresh: dict[str, ClipRecord] = {}
    if todo:
        fresh = _render_all(project, todo, build_jobs(workers), progress)
        save_manifest(project, fresh)
    records.update(fresh)
    result.synthesized = len(fresh)
    for job in jobs:
        target = result.identity if job.clip_id.startswith(f"{STATION_DIR}/") else result.records
        target.append(records[job.clip_id])
    return result



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
    todo_jobs = [job for job in known_jobs(project, script_ids, identity) if job.clip_id in todo]
    return states, (_run_jobs(project, todo_jobs, progress, workers=jobs) if todo_jobs else BuildResult())



def build_clips(project: Project, script_ids: list[str] | None = None, *, progress=None,
                jobs: int | None = None) -> BuildResult:
    """Finished clips for all (or the named) scripts in audio_out/clips/, reusing unchanged ones.

    A build of everything also makes each station's session opening and closing clips,
    so that plans show exact times and programmes need no further synthesis. Clips are
    made ``jobs`` at a time (see `build_jobs`); the files and the manifest are the same
    byte for byte whatever ``jobs`` is, and only this process writes the manifest.
    """
    clip_jobs = script_jobs(project, script_ids)
    if not script_ids:
        clip_jobs += identity_jobs(project)
    return _run_jobs(project, clip_jobs, progress, workers=jobs)


@dataclass
class ProgrammeClips:
    """The finished, current clips that a set of session programmes plays.

    Attributes:
        scripts: Script id → record of its clip.
        identity: (station id, session name, ``opening``/``closing``) → record of the identity clip
            (none for relay sessions, which have no identity clips).
        notes: Vietnamese notes for staff: which stale clips were rebuilt, which clips the
            fallback speech engine read.
    """

    scripts: dict[str, ClipRecord]
    identity: dict[tuple[str, str, str], ClipRecord]
    notes: list[str]


def build_programme_clips(project: Project, plans, *, progress=None, jobs: int | None = None) -> ProgrammeClips:
    """Build every missing or stale clip that ``plans`` play, in one job run, and check the result.

    Args:
        project: The working folder.
        plans: `schedule.SessionPlan` values (one station, day and session each).
        progress: A `Progress` (or None) for the build; it counts scripts and identity clips.
        jobs: Clips made at once (see `build_jobs`).

    Returns:
        The clip records of the scripts and identity clips the plans play, and the notes.

    Raises:
        BroadcasterError: A clip could not be built, or is still stale after the build
            (nothing old is ever handed on).
    """
    needed = sorted({e.script.id for plan in plans for e in plan.entries if e.relay is None})
    wanted: dict[tuple[str, str, str], ClipJob] = {}
    for plan in plans:
        if plan.session.relay:  # a relay session has no identity clips
            continue
        st, name = plan.station, plan.session.name
        for kind in KINDS:
            if (st.id, name, kind) not in wanted:
                wanted[(st.id, name, kind)] = text_job(project, identity_clip_id(st, name, kind),
                                                       identity_title(st, name, kind),
                                                       identity_text(st, name, kind), kind == "opening")
    before = clip_states(project, needed, identity=True)
    result = _run_jobs(project, (script_jobs(project, needed) if needed else []) + list(wanted.values()),
                       progress, workers=jobs)
    scripts = {rec.script_id: rec for rec in result.records}
    identity = dict(zip(wanted, result.identity))
    for sid in needed:
        if sid not in scripts or not (project.root / scripts[sid].path).exists():
            raise BroadcasterError(MESSAGES["clip_missing"].format(script=sid))
    used = needed + [job.clip_id for job in wanted.values()]
    after = clip_states(project, needed, identity=True)
    for clip_id in used:
        if clip_id in after and not after[clip_id].current:  # the build left it old: never assemble it
            raise BroadcasterError(MESSAGES["still_stale"].format(clip=clip_id))
    notes = []
    rebuilt = [clip_id for clip_id in used if clip_id in before and before[clip_id].stale]
    if rebuilt:
        notes.append(MESSAGES["rebuilt"].format(count=len(rebuilt), clips=", ".join(rebuilt)))
    notes += fallback_warnings(list(scripts.values()) + list(identity.values()))
    return ProgrammeClips(scripts, identity, notes)


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
    record = _Renderer(project).render(job, spoken, clip_key(project, job, spoken))
    return record, spoken
