"""Web shell, the console's pages: one blueprint per page, registered by ``register``.

Each module turns one page's requests and forms into calls of the same stage
functions the CLI uses and hands plain values to its template; the templates
only show them. Shared state and query-string readers are in ``web.state``,
the Jinja filters in ``web.filters``.
"""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register every page blueprint on the console application."""
    from . import (exports, exports_drive, jobs_view, log_export, log_view, overview, plan_view, report_view, schedules,
                   schedules_move, scripts_edit, scripts_view, settings, today, voices)

    for module in (overview, scripts_view, plan_view, log_view, report_view, jobs_view, scripts_edit, schedules,
                   schedules_move, exports, exports_drive, today, voices, settings, log_export):
        app.register_blueprint(module.bp)
