"""Shared fixtures of the web console tests: the console on the fake-engine sample folder, a client, page text.

Registered as a plugin in conftest.py. A test module that needs another day or clock defines its
own ``app`` fixture, which takes precedence over this one.
"""
from __future__ import annotations

import html
import re
from datetime import date

import pytest

from broadcaster.web import create_app

CONSOLE_DAY = date(2024, 8, 20)   # inside the sample campaign (15/07–30/09/2024)


@pytest.fixture
def app(fake_folder):
    """The console on the fake-engine sample folder, its "today" fixed at CONSOLE_DAY."""
    application = create_app(fake_folder, today=CONSOLE_DAY)
    application.config["TESTING"] = True
    yield application
    application.extensions["broadcaster"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def page(response) -> str:
    """The response body with HTML entities resolved."""
    return html.unescape(response.get_data(as_text=True))


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on the page at ``url``."""
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)
