"""Speech stage, engine table: engine name (from settings or a script) → the Engine that reads the text.

Instances are cached per process, so eSpeak is initialised once and the online
engines keep their configuration.
"""
from __future__ import annotations

import threading

from ...errors import EngineError, did_you_mean, valid_list
from .auto_engine import AutoEngine
from .base import Engine
from .edge_engine import EdgeEngine
from .espeak import EspeakEngine
from .gtts_engine import GttsEngine
from .piper_engine import PiperEngine

MESSAGES = {
    "unknown": 'không có công cụ đọc "{name}"{hint}; các công cụ có: {names}',
}

ENGINES: dict[str, type[Engine]] = {
    "espeak": EspeakEngine,
    "gtts": GttsEngine,
    "edge": EdgeEngine,
    "piper": PiperEngine,
    "auto": AutoEngine,
}

_instances: dict[str, Engine] = {}
_lock = threading.Lock()


def get_engine(name: str) -> Engine:
    """The process-wide engine called ``name``.

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


def register_engine(name: str, cls: type[Engine]) -> None:
    """Add (or replace) the engine class called ``name`` in the table.

    The package's own engines are listed above; this is for engines that live elsewhere,
    such as the tests' fake engine (``tests/fake_engine.py``), without entry points.
    """
    with _lock:
        ENGINES[name] = cls
        _instances.pop(name, None)


def set_engine(name: str, engine: Engine | None) -> None:
    """Replace (or with None, forget) the cached instance of ``name``; for tests and shells."""
    with _lock:
        if engine is None:
            _instances.pop(name, None)
        else:
            _instances[name] = engine


__all__ = ["ENGINES", "Engine", "EngineError", "get_engine", "register_engine", "set_engine"]
