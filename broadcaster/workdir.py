"""Working-folder tasks behind init, check and normalize: create, validate, preview spoken text."""
from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator

from .config import CONFIG_NAME, inspect_project
from .errors import BroadcasterError, Problem

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


def check_folder(root: Path) -> tuple[list[Problem], dict]:
    """Every problem of broadcaster.yaml, scripts/ and schedules/, and a summary for the OK line."""
    project, problems = inspect_project(root)
    schedules = []
    if project is not None:
        from .schedule import inspect_schedules

        schedules, schedule_problems = inspect_schedules(project)
        problems = problems + schedule_problems
    summary = {"stations": len(project.stations) if project else 0,
               "scripts": len(project.scripts) if project else 0, "schedules": len(schedules)}
    return problems, summary


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
    for line in lines:
        spoken, warnings = norm.normalize_with_warnings(line, options)
        # One line out per line in, even if a rule produced a newline.
        yield list(warnings), spoken.replace("\n", " ")
