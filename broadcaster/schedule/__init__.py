"""Schedule stage: schedules/*.yaml → validated schedules → planned plays → session programmes.

Public entry points (others call these): `inspect_schedules`, `load_schedules`, `expand_plan`.
"""
from __future__ import annotations

from .expand import ITEM_GAP_S, Durations, SessionPlan, estimate_seconds, expand_plan, iter_sessions, session_word
from .check import inspect_schedules, load_schedules
from .load import Schedule, ScheduleItem

__all__ = ["ITEM_GAP_S", "Durations", "Schedule", "ScheduleItem", "SessionPlan", "estimate_seconds",
           "expand_plan", "inspect_schedules", "iter_sessions", "load_schedules", "session_word"]
