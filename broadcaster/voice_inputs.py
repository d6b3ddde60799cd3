"""Clip key inputs of the voice sources: a clip job → what, besides its spoken text, decides its sound.

The clip manifest (``manifest.clip_key``) asks one question here: which inputs change
this clip (the recording's bytes, the Piper model, the engine list of ``auto``). What audio
a recorded announcement gives is answered by ``recordings.recording_pieces``.
"""
from __future__ import annotations

from .atomic import file_sha256
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
        try:
            return {"recording": file_sha256(job.audio)}
        except OSError:
            return {"recording": None}
    return _engine_inputs(project, job.engine or project.speech.engine, job.voice, job.language)
