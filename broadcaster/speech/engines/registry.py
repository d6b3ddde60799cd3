"""Speech stage, the engine table itself: name → Engine class, and the process-wide instances.

It imports none of the engines, so an engine can look the table up (``base`` for the
engines that read a language, ``auto`` for the engines it chooses from) without an
import cycle; ``speech/engines/__init__.py`` fills the table with the package's engines.
"""
from __future__ import annotations

import threading

from ...errors import EngineError, did_you_mean, valid_list

MESSAGES = {
    "unknown": 'không có công cụ đọc "{name}"{hint}; các công cụ có: {names}',
}

# Filled by speech/engines/__init__.py (the package's engines) and register_engine (engines living elsewhere).
ENGINES: dict[str, type] = {}    # name → a subclass of base.Engine (not imported: base looks this table up)

_instances: dict[str, object] = {}
_lock = threading.Lock()


def get_engine(name: str):
    """The process-wide engine (a base.Engine) called ``name``.

    Raises:
        EngineError: unknown name; the message lists the valid ones.
    """
    cls = ENGINES.get(name)
    if cls is None:
        raise EngineError(MESSAGES["unknown"].format(
            name=name, hint=did_you_mean(name, ENGINES), names=valid_list(ENGINES)))
    with _lock:
        if name not in _instances:
            _instances[name] = cls()
        return _instances[name]


def register_engine(name: str, cls: type) -> None:
    """Add (or replace) the engine class called ``name`` in the table.

    The package's own engines are listed in ``speech/engines/__init__.py``; this is for engines
    that live elsewhere, such as the tests' fake engine (``tests/fake_engine.py``), without entry points.
    """
    with _lock:
        ENGINES[name] = cls
        _instances.pop(name, None)


def set_engine(name: str, engine) -> None:
    """Replace (or with None, forget) the cached instance of ``name``; for tests and shells."""
    with _lock:
        if engine is None:
            _instances.pop(name, None)
        else:
            _instances[name] = engine


def engines_for(language: str) -> list[str]:
    """The names of the engines (in table order) that read ``language`` and that messages may recommend."""
    return [name for name, cls in ENGINES.items() if language in cls.languages and cls.suggested]
