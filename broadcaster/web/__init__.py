"""Web shell: the office console (bảng điều khiển) that turns HTTP requests into calls of the same pipeline functions as the CLI.

`create_app(root)` builds the Flask application for one working folder; the
``serve`` command (``broadcaster.commands.web_cmds``) runs it.
"""
from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
