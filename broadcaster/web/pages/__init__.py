"""Web shell, the console's newer pages: one blueprint per page, registered by ``register``.

Each module turns one page's forms into calls of the same stage functions the
CLI uses (config, scriptfile, build, export, playlog) and hands plain values to
its template; the templates only show them.
"""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register every page blueprint on the console application."""
    from . import exports, log_export, schedules, scripts_edit, settings, today, voices

    for module in (scripts_edit, schedules, exports, today, voices, settings, log_export):
        app.register_blueprint(module.bp)
