"""Speech stage, the folder check's part: engines, voices and languages named in broadcaster.yaml and scripts.

``config`` reads the names as written (and where: ``Project.speech_lines``, ``Script.lines``);
whether an engine exists, has a voice or reads a language is the engine table's fact, so it is
checked here and called by the folder check (``workdir``), as the schedule checks are.
"""
from __future__ import annotations

from collections.abc import Mapping

from ..errors import Problem, did_you_mean, valid_list
from ..models import LANGUAGES, Project, Script, SpeechSettings
from ..yamlfile import MESSAGES as FILE_MESSAGES
from .engines.registry import ENGINES, engines_for

CONFIG_FILE = "broadcaster.yaml"

MESSAGES = {
    "engine": FILE_MESSAGES["choice"],
    "language": ('công cụ đọc "{engine}" không đọc được {language} ({code}) — thêm  engine: {able}  vào kịch bản '
                 '(cần Internet), hoặc đổi ngôn ngữ'),
    "voice_other": 'giọng "{voice}" không thuộc công cụ {engine}, sẽ dùng giọng mặc định của {engine} — chọn một trong: {valid}',
}


def _line(lines: Mapping[str, int], key: str) -> int | None:
    """The line of ``key`` (``""``: the mapping's own line when the key is not written)."""
    return lines.get(key, lines.get(""))


def settings_problems(speech: SpeechSettings, lines: Mapping[str, int], file: str = CONFIG_FILE) -> list[Problem]:
    """broadcaster.yaml's ``speech:`` section: engine, fallback, auto list and voice.

    Args:
        speech: the settings as config read them.
        lines: key → line in ``file`` (``Project.speech_lines``; ``""`` the section's line).
        file: the name shown in the problems.

    Returns:
        An error per unknown engine name or misspelt voice, a warning for another engine's voice.
    """
    names = sorted(ENGINES)
    found: list[Problem] = []
    for key in ("engine", "fallback"):
        value = getattr(speech, key)
        if value is not None and value not in names:
            found.append(Problem(file, _line(lines, key), MESSAGES["engine"].format(
                what=f"công cụ đọc ({key})", value=value, hint=did_you_mean(value, names), valid=valid_list(names))))
    found += voice_problems(speech.voice, speech.engine, file, _line(lines, "voice"))
    for value in speech.auto if isinstance(speech.auto, (list, tuple)) else [speech.auto]:
        if str(value) not in names or value == "auto":
            found.append(Problem(file, _line(lines, "auto"), MESSAGES["engine"].format(
                what="công cụ đọc trong danh sách auto", value=value, hint=did_you_mean(str(value), names),
                valid=valid_list(n for n in names if n != "auto"))))
    return found


def voice_problems(voice: str | None, engine: str | None, file: str | None, line: int | None) -> list[Problem]:
    """A voice no engine has is a misspelling (error); another engine's voice means that engine's default (warning).

    Piper voices live in the working folder, so they are checked by ``speech.voices.voice_problems``.
    """
    cls = ENGINES.get(engine or "")
    if voice is None or cls is None or getattr(cls, "dynamic_voices", False) or voice in cls.voices:
        return []
    if not any(voice in c.voices for c in ENGINES.values() if not getattr(c, "dynamic_voices", False)):
        return [Problem(file, line, MESSAGES["engine"].format(
            what=f"giọng đọc (voice) của công cụ {engine}", value=voice, hint=did_you_mean(voice, cls.voices),
            valid=valid_list(cls.voices)))]
    return [Problem(file, line, MESSAGES["voice_other"].format(voice=voice, engine=engine, valid=valid_list(cls.voices)),
                    "warning")]


def script_problems(script: Script, speech: SpeechSettings) -> list[Problem]:
    """One script's ``engine``, ``language`` and ``voice`` against the engine table, at their lines.

    Args:
        script: a script as config read it (``Script.lines`` gives key → line).
        speech: the folder's settings (default engine and fallback).

    Returns:
        An error for an unknown engine, a language the engine (and the fallback) cannot read or a
        misspelt voice; a warning for another engine's voice.
    """
    lines = script.lines
    if script.engine is not None and script.engine not in ENGINES:
        names = sorted(ENGINES)
        return [Problem(script.file, _line(lines, "engine"), MESSAGES["engine"].format(
            what="công cụ đọc (engine)", value=script.engine, hint=did_you_mean(script.engine, names),
            valid=valid_list(names)))]
    found: list[Problem] = []
    name = script.engine or speech.engine
    cls, fallback = ENGINES.get(name), ENGINES.get(speech.fallback or "")
    language = script.language
    readable = cls is None or language in cls.languages or (fallback is not None and language in fallback.languages)
    if not readable:
        found.append(Problem(script.file, _line(lines, "language"), MESSAGES["language"].format(
            engine=name, language=LANGUAGES.get(language, language), code=language,
            able=", ".join(sorted(engines_for(language))) or "(chưa có)")))
    if script.voice is not None:
        found += voice_problems(script.voice, name, script.file, _line(lines, "voice"))
    return found


def speech_problems(project: Project) -> list[Problem]:
    """Every engine, voice and language problem of the folder's settings and scripts (see above)."""
    found = settings_problems(project.speech, project.speech_lines)
    for script in project.scripts:
        found += script_problems(script, project.speech)
    return found
