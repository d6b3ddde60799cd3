"""Speech stage, engine table: engine name (from settings or a script) → the Engine that reads the text.

The table and the process-wide instances live in ``registry.py`` (below the engines, so an
engine may consult it); this module fills it with the package's engines. Instances are cached
per process, so eSpeak is initialised once and the online engines keep their configuration.
"""
from __future__ import annotations

from ...errors import EngineError
from .auto_engine import AutoEngine
from .base import Engine
from .edge_engine import EdgeEngine
from .espeak import EspeakEngine
from .gtts_engine import GttsEngine
from .piper_engine import PiperEngine
from .registry import ENGINES, engines_for, get_engine, register_engine, set_engine

ENGINES.update({
    "espeak": EspeakEngine,
    "gtts": GttsEngine,
    "edge": EdgeEngine,
    "piper": PiperEngine,
    "auto": AutoEngine,
})

__all__ = ["ENGINES", "Engine", "EngineError", "engines_for", "get_engine", "register_engine", "set_engine"]
