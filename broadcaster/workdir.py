"""Working-folder tasks behind init, check and normalize: create, load, validate, preview spoken text.

``load_project``/``inspect_project`` here are what the shells load a folder with: the
configuration (``config``, which knows nothing of engines) plus the speech stage's checks of
the engines, voices and languages it names, with the Piper voice table pointed at the
folder's voices/. ``check_folder`` adds the schedule, voice-file and reading checks.
"""
from __future__ import annotations

import shutil
from itertools import islice
from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator

from . import config
from .config import CONFIG_NAME
from .errors import BroadcasterError, Problem
from .models import Project

SAMPLE = ("broadcaster.yaml", "scripts", "schedules", "lexicon.yaml")

MESSAGES = {
    "exists": "thư mục {path} đã có broadcaster.yaml — chọn thư mục khác hoặc sửa tệp hiện có",
    "not_dir": "{path} đã tồn tại và không phải thư mục",
}


def sample_dir() -> Path:
    """The sample working folder shipped inside the package."""
    return Path(str(resources.files("broadcaster") / "defaults" / "sample"))


def init_folder(directory: Path) -> None:
    """Create a new working folder with the sample 2G campaign; refuse to overwrite one."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise BroadcasterError(MESSAGES["not_dir"].format(path=directory))
    if (directory / CONFIG_NAME).exists():
        raise BroadcasterError(MESSAGES["exists"].format(path=directory))
    directory.mkdir(parents=True, exist_ok=True)
    source = sample_dir()
    for name in SAMPLE:
        src = source / name
        if src.is_dir():
            shutil.copytree(src, directory / name, dirs_exist_ok=True)
        elif src.exists():
            shutil.copy2(src, directory / name)
    (directory / "audio_out").mkdir(exist_ok=True)


def inspect_project(root: Path | str) -> tuple[Project | None, list[Problem]]:
    """The folder's project (None when its configuration cannot be read) and every config and speech problem.

    Also tells the Piper voice table that voice names now mean this folder's voices/.
    """
    from .speech.checks import speech_problems
    from .speech.voices import set_voice_folder, voices_dir

    set_voice_folder(voices_dir(Path(root).resolve()))
    project, problems = config.inspect_project(root)
    if project is not None:
        problems += speech_problems(project)
    return project, problems


def load_project(root: Path | str) -> Project:
    """The folder's project, or ProblemsError (MissingConfig without broadcaster.yaml) listing every error."""
    return config.require_project(root, *inspect_project(root))


def check_folder(root: Path) -> tuple[list[Problem], dict]:
    """Every problem of broadcaster.yaml, scripts/ and schedules/, and a summary for the OK line."""
    project, problems = inspect_project(root)
    schedules = []
    if project is not None:
        from .schedule import inspect_schedules

        schedules, schedule_problems = inspect_schedules(project)
        problems = (problems + schedule_problems + voice_source_problems(project, schedules)
                    + uncertain_readings(project))
    summary = {"stations": len(project.stations) if project else 0,
               "scripts": len(project.scripts) if project else 0, "schedules": len(schedules)}
    return problems, summary


def voice_source_problems(project, schedules) -> list[Problem]:
    """Piper voices named but not installed (or broken), and recordings that cannot be broadcast."""
    from .recordings import recording_problems
    from .speech.voices import voice_problems

    return voice_problems(project) + recording_problems(project, schedules)


def uncertain_readings(project, scripts=None) -> list[Problem]:
    """Every place where the normaliser guessed in the scripts' text, as warnings at FILE:LINE.

    Args:
        project: a loaded Project (its dialect and lexicon are used).
        scripts: the scripts to look at (default: all of the project's).

    Returns:
        One warning Problem per distinct guess and script: the written text, the
        reading chosen and the lexicon.yaml line that fixes it.
    """
    from .speech import normalize as norm

    options = norm.NormalizeOptions(dialect=project.speech.dialect, mong=project.speech.mong,
                                    lexicon=dict(project.lexicon))
    found: list[Problem] = []
    for script in project.scripts if scripts is None else scripts:
        if not script.text:  # a recorded announcement without a transcript
            continue
        _spoken, warnings = norm.normalize_detailed(script.text, options)
        if not warnings:
            continue
        source = _file_lines(Path(project.root) / script.file) if script.file else []
        text_line = _text_key_line(source, script.line)
        for warning in warnings:
            line = _line_of(source, text_line, warning.span, warning.line)
            found.append(Problem(script.file, line, warning.message, "warning"))
    return found


def _file_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _text_key_line(source: list[str], default: int | None) -> int | None:
    """1-based line of the script's ``text:`` key."""
    for number, line in enumerate(source, 1):
        if line.startswith("text:") or line.startswith('"text":'):
            return number
    return default


def _line_of(source: list[str], text_line: int | None, span: str, text_offset: int) -> int | None:
    """The file line where `span` is written: searched from the text key, near line `text_offset` of the text."""
    if text_line is None:
        return None
    start = text_line - 1
    guess = start + max(text_offset, 1)
    if 0 <= guess < len(source) and span and span in source[guess]:
        return guess + 1
    for number in range(start, len(source)):
        if span and span in source[number]:
            return number + 1
    return text_line


def normalize_lines(root: Path, lines: Iterable[str]) -> Iterator[tuple[str | None, str]]:
    """(warning, spoken line) per input line, with the folder's dialect and lexicon when it has one."""
    for warnings, spoken in spoken_lines(root, lines):
        yield ("; ".join(warnings) or None), spoken


def spoken_lines(root: Path, lines: Iterable[str]) -> Iterator[tuple[list[str], str]]:
    """(warnings, spoken line) per input line, with the folder's dialect and lexicon when it has one.

    The warnings are per line; the caller merges repeats (see `notices.WarningCollector`).
    """
    from .speech import normalize as norm

    options = norm.NormalizeOptions()
    if (Path(root) / CONFIG_NAME).exists():
        project, problems = inspect_project(root)
        errors = [p for p in problems if p.severity == "error" and p.file in (CONFIG_NAME, "lexicon.yaml")]
        if errors:
            from .errors import ProblemsError

            raise ProblemsError(errors)
        if project is not None:
            options = norm.NormalizeOptions(dialect=project.speech.dialect, mong=project.speech.mong,
                                            lexicon=dict(project.lexicon))
    lines = iter(lines)
    while True:
        # Many lines at a time: the normaliser reads a block in one pass, much faster than line by line.
        block = [line.replace("\r", "") for line in islice(lines, 256)]
        if not block:
            return
        spoken, warnings = norm.normalize_detailed("\n".join(block), options)
        by_line: dict[int, list[str]] = {}
        for warning in warnings:
            # The normaliser reports a guess once per block; count it on every line that has it,
            # so that a run's summary says how often it occurred.
            numbers = [n for n, line in enumerate(block, 1) if warning.span and warning.span in line]
            for number in numbers or [max(warning.line, 1)]:
                by_line.setdefault(number, []).append(warning.message)
        outs = spoken.split("\n")
        for number, out in enumerate(outs[:len(block)], 1):
            yield by_line.get(number, []), out
