"""Clip pipeline helpers for the voice sources: a clip job → what decides its sound, and a recording → its speech piece.

Kept apart from build.py so that the clip pipeline only asks two questions: which
inputs besides the spoken text change this clip (the recording's bytes, the Piper
model, the engine ``auto`` chose), and what audio a recorded announcement gives.
"""
from __future__ import annotations

from .errors import EngineError
from .models import Project


def _engine_inputs(project: Project, engine_name: str, voice: str | None, language: str) -> dict:
    from .speech import voices as store

    if engine_name == "auto":
        # The list, not today's choice: a rebuild without Internet keeps clips an online voice made
        # (their sentences are in the speech cache); installing a Piper voice changes the key.
        order = list(project.speech.auto or ())
        piper = _engine_inputs(project, "piper", voice, language) if "piper" in order else {}
        return {"auto": order, **({} if piper.get("voice_model") is None else piper)}
    if engine_name != "piper":
        return {}
    folder = store.voices_dir(project.root)
    names = store.installed_names(folder)
    name = voice or project.speech.voice
    if name not in names:
        name = names[0] if names and voice is None else name
    if name not in names:
        return {"voice_model": None}
    try:
        return {"voice_model": store.model_hash(folder, name)}
    except EngineError:
        return {"voice_model": None}


def clip_inputs(project: Project, job) -> dict:
    """Extra clip-key entries for ``job`` (a build ClipJob): {} for engines whose name says it all.

    Returns:
        ``{"recording": sha256}`` for a recorded announcement, ``{"voice_model": sha256}`` for
        Piper, ``{"auto": engine, ...}`` for ``engine: auto``.
    """
    if job.audio is not None:
        from .recordings import file_sha256

        try:
            return {"recording": file_sha256(job.audio)}
        except OSError:
            return {"recording": None}
    return _engine_inputs(project, job.engine or project.speech.engine, job.voice, job.language)


def recording_pieces(project: Project, job):
    """The checked, trimmed recording as the clip's single piece.

    Returns:
        ``([(pcm, 0)], "recording", file relative to the root, False)`` like the speech pieces.

    Raises:
        RecordingError: the recording fails a check; the message names the file and every problem.
    """
    from .recordings import recording_for_clip

    pcm, _analysis = recording_for_clip(project, job.clip_id, job.audio, job.repeat, job.chime)
    try:
        name = job.audio.relative_to(project.root).as_posix()
    except ValueError:
        name = job.audio.name
    return [(pcm, 0)], "recording", name, False
