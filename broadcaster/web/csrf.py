"""Web shell, request forgery guard: turns each browser session into a secret token that every state-changing form must echo.

Two checks on every POST (build, confirm, import):

1. the form field ``csrf_token`` must equal the token kept in the signed
   session cookie (Flask signs it with the app's secret key, via
   itsdangerous), compared in constant time;
2. when the browser sends ``Origin`` (or, failing that, ``Referer``), its host
   must be the host the console was reached at.

Another web site open in the same browser therefore cannot make the console
build, confirm or import anything. The secret key is random per server start
unless ``SECRET_KEY`` is configured, so a restart simply asks staff to reload
the page.
"""
from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import request, session

FIELD = "csrf_token"
SESSION_KEY = "_csrf"
MESSAGES = {
    "missing": "Biểu mẫu đã hết hạn hoặc không hợp lệ (thiếu mã bảo vệ). Tải lại trang rồi thử lại.",
    "origin": "Yêu cầu đến từ trang khác ({origin}) nên bị từ chối. Hãy thao tác trực tiếp trên bảng điều khiển.",
}


def token() -> str:
    """The session's token, created on first use (templates put it in a hidden field)."""
    value = session.get(SESSION_KEY)
    if not value:
        value = secrets.token_urlsafe(32)
        session[SESSION_KEY] = value
    return value


def problem() -> str | None:
    """Why the current POST must be refused, or None when it is fine."""
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if origin and origin != "null":
        host = urlsplit(origin).netloc
        if host and host != request.host:
            return MESSAGES["origin"].format(origin=host)
    sent = request.form.get(FIELD, "")
    kept = session.get(SESSION_KEY, "")
    if not sent or not kept or not hmac.compare_digest(str(sent), str(kept)):
        return MESSAGES["missing"]
    return None
