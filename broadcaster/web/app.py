"""Web shell, application: builds the console for one working folder — its pages, filters, guards and error pages.

The pages are blueprints in ``web.pages`` (one per page), the state they share
in ``web.state``, the Jinja filters in ``web.filters``. Nothing here counts,
schedules or synthesises on its own: config, workdir, build, schedule, playlog
and report do, exactly as for the ``broadcaster`` commands. Imports point one
way: web → pipeline → stages.
"""
from __future__ import annotations

import secrets
from datetime import date, timedelta
from pathlib import Path

from flask import Flask, g, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from . import csrf
from .filters import filters
from .state import Console, FolderBroken, console
# Names page modules imported from here before the split; new code imports them from web.state / web.filters.
from .filters import WEEKDAYS, week_label  # noqa: F401
from .state import (back_to, choice_arg, content_disposition, day_arg, default_week, load,  # noqa: F401
                    schedules_of)
from .pages.scripts_view import clip_state  # noqa: F401
from ..errors import BroadcasterError, Problem, ProblemsError, error_line, unexpected_message
from ..models import FORMS, LANGUAGES, MEDIA, PRIORITIES, TEXT_LIMITS

MESSAGES = {
    "not_found": "Không tìm thấy trang này.",
    "too_large": "Tệp quá lớn (tối đa {mb} MB).",
    "bad_host": ("Địa chỉ {host} không dùng được cho bảng điều khiển này — mở bằng http://127.0.0.1 hoặc "
                 "http://localhost trên máy chạy bảng điều khiển, hoặc bằng tên hay địa chỉ IP của máy đó; "
                 "tên khác cần khai báo trong broadcaster.yaml (web: allowed_hosts) hoặc bằng serve --allow-host."),
    "need_login": "Phiên đăng nhập đã hết hạn. Đăng nhập lại rồi thử lại.",
    "http": "Không thực hiện được yêu cầu này (mã {code}). Quay lại trang trước và thử lại.",
}
UPLOAD_LIMIT_MB = 50
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
SESSION_HOURS = 12


def _problems_page(problems: list[Problem]):
    g.left_out = []  # the page lists every problem itself
    return render_template("problems.html", problems=problems, root=console().root,
                           errors=sum(p.severity == "error" for p in problems)), 200


def create_app(root: Path | str, *, secret_key: str | None = None, today: date | None = None,
               allowed_hosts: tuple[str, ...] | None = None, login: bool = False,
               password_command: str = "broadcaster serve --set-password") -> Flask:
    """The console for one working folder.

    Args:
        root: The working folder (broadcaster.yaml, scripts/, schedules/).
        secret_key: Signs the session cookie (sign-in, CSRF token, messages); random per start by default.
        today: Fixed "today" (tests); default: the current date in the folder's time zone.
        allowed_hosts: Host names and addresses the browser may use to reach the console
            (default: the loopback names). Every other Host header is refused, so a web page
            that re-points its own domain at this machine (DNS rebinding) cannot read the
            pages or their CSRF token.
        login: Ask for the folder's password (`auth`) before any page; for a console
            reachable from the network.
        password_command: The command that sets the password, named in messages.

    Returns:
        A Flask (WSGI) application.
    """
    from . import auth

    hosts = frozenset(h.lower().strip("[]") for h in (allowed_hosts if allowed_hosts is not None else LOOPBACK_HOSTS))
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_hex(32),
        MAX_CONTENT_LENGTH=UPLOAD_LIMIT_MB * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="broadcaster_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
    )
    app.json.ensure_ascii = False
    app.extensions["broadcaster"] = Console(Path(root), today)
    app.extensions["broadcaster.auth"] = {"root": Path(root), "command": password_command,
                                          "throttle": auth.Throttle(), "login": login}
    app.register_blueprint(auth.bp)
    from . import pages

    pages.register(app)

    from ..scriptfile import ID_LIMIT

    app.jinja_env.globals.update(
        csrf_token=csrf.token, FORMS=FORMS, PRIORITIES=PRIORITIES, MEDIA=MEDIA, LANGUAGES=LANGUAGES,
        TEXT_LIMITS=TEXT_LIMITS, ID_LIMIT=ID_LIMIT,
        csrf_field=lambda: Markup('<input type="hidden" name="{}" value="{}">').format(csrf.FIELD, csrf.token()),
    )
    app.jinja_env.filters.update(filters())
    app.url_build_error_handlers.append(_old_endpoint)
    app.context_processor(lambda: {"left_out": g.get("left_out", []), "login_on": login,
                                   "signed_in": login and auth.signed_in()})

    @app.before_request
    def _guard():
        if host_name(request.host) not in hosts:
            return render_template("error.html", message=MESSAGES["bad_host"].format(host=request.host),
                                   code=400), 400
        if request.method == "POST":
            reason = csrf.problem()
            if reason:
                return render_template("error.html", message=reason, code=403), 403
        if login and not auth.signed_in() and request.endpoint not in ("auth.login", "static"):
            if request.method not in ("GET", "HEAD"):
                return render_template("error.html", message=MESSAGES["need_login"], code=401), 401
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")), 303)
        return None

    @app.after_request
    def _headers(response):
        # Everything is served from this machine: no external scripts, frames or fonts.
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
                                    "style-src 'self'; script-src 'self'; frame-ancestors 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.errorhandler(FolderBroken)
    def _broken(exc: FolderBroken):
        return _problems_page(exc.problems)

    @app.errorhandler(ProblemsError)
    def _problems(exc: ProblemsError):
        return _problems_page(exc.problems)

    @app.errorhandler(BroadcasterError)
    def _error(exc: BroadcasterError):
        return render_template("error.html", message=error_line(exc), code=400), 400

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if exc.code == 404:
            message = exc.description if exc.description and not exc.description.startswith("The requested URL") \
                else MESSAGES["not_found"]
        elif exc.code == 413:
            message = MESSAGES["too_large"].format(mb=UPLOAD_LIMIT_MB)
        else:
            message = MESSAGES["http"].format(code=exc.code)
        return render_template("error.html", message=message, code=exc.code), exc.code

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):  # pragma: no cover - handled above
            return _http(exc)
        app.logger.exception("unexpected error")
        return render_template("error.html", message=unexpected_message(exc), code=500), 500

    return app


def host_name(host: str) -> str:
    """The name or address of a Host header, without port or IPv6 brackets, lower case."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host[1:]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def _old_endpoint(error, endpoint: str, values: dict):
    """Build a URL for an endpoint named before the pages became blueprints (``console.scripts`` →
    ``scripts.scripts``), for templates written against the old names; other names fail as before."""
    new = OLD_ENDPOINTS.get(endpoint)
    if new is None:
        raise error
    return url_for(new, **values)


# The pages' endpoints before the split into blueprints (one ``console`` blueprint) → their names now.
OLD_ENDPOINTS = {
    "console.overview": "overview.overview",
    "console.scripts": "scripts.scripts", "console.script_page": "scripts.script_page",
    "console.build_all": "scripts.build_all", "console.build_one": "scripts.build_one",
    "console.audio": "scripts.audio",
    "console.job_page": "jobs.job_page", "console.job_status": "jobs.job_status",
    "console.plan": "plan.plan",
    "console.log_page": "log.log_page", "console.log_confirm": "log.log_confirm",
    "console.log_import": "log.log_import", "console.log_verify": "log.log_verify",
    "console.report_page": "report.report_page", "console.report_download": "report.report_download",
}

