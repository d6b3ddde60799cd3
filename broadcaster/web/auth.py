"""Web shell, sign-in: turns the office password into a signed session, for a console reachable from the network.

A console bound to 127.0.0.1 serves only this machine and needs no password.
Bound to another address (``serve --host 0.0.0.0``) every other computer in the
office network can reach it, so it refuses to start until a password is set
(``broadcaster serve --set-password``) and asks for it once per browser session.

* The password is kept only as a salted hash (werkzeug's ``scrypt``), in
  ``.broadcaster/web-password`` inside the working folder, mode 0600, next to
  a ``.gitignore`` so it is never committed with the folder.
* A correct password marks the Flask session (a cookie signed with the app's
  secret key, HttpOnly, SameSite=Lax) as signed in; "Đăng xuất" clears it.
* Wrong passwords are slowed down per client address: after `FREE_TRIES`
  failures each further try waits twice as long as the last (capped).
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Callable

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from ..atomic import atomic_path
from ..errors import BroadcasterError

STATE_DIR = ".broadcaster"
PASSWORD_FILE = "web-password"
HASH_METHOD = "scrypt"
MIN_LENGTH = 8
FREE_TRIES = 5
FIRST_WAIT_S = 30.0
MAX_WAIT_S = 15 * 60.0
SESSION_KEY = "_signed_in"

MESSAGES = {
    "title": "Đăng nhập",
    "wrong": "Mật khẩu không đúng.",
    "empty": "Chưa nhập mật khẩu.",
    "wait": "Nhập sai quá nhiều lần. Thử lại sau {seconds} giây.",
    "signed_out": "Đã đăng xuất.",
    "too_short": "mật khẩu quá ngắn — cần ít nhất {n} ký tự",
    "unreadable": "không đọc được tệp mật khẩu {path}: {detail} — đặt lại bằng lệnh  {command}",
}

bp = Blueprint("auth", __name__)


def password_path(root: Path) -> Path:
    """Where the console's password hash is kept in a working folder."""
    return Path(root) / STATE_DIR / PASSWORD_FILE


def has_password(root: Path) -> bool:
    """Tell whether a password was set for the console of this folder."""
    return password_path(root).is_file()


def set_password(root: Path, password: str) -> Path:
    """Store the hash of ``password`` (never the password) for the folder's console.

    Returns:
        The file written (``.broadcaster/web-password``, mode 0600).

    Raises:
        BroadcasterError: The password is shorter than `MIN_LENGTH`, or the file cannot be written.
    """
    if len(password) < MIN_LENGTH:
        raise BroadcasterError(MESSAGES["too_short"].format(n=MIN_LENGTH))
    path = password_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = path.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Dữ liệu riêng của máy này (mật khẩu bảng điều khiển) — không đưa lên kho mã.\n*\n",
                          encoding="utf-8")
    with atomic_path(path) as temp:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write((generate_password_hash(password, method=HASH_METHOD) + "\n").encode("ascii"))
    os.chmod(path, 0o600)
    return path


def read_hash(root: Path, command: str) -> str:
    """The stored hash; BroadcasterError naming ``command`` when it cannot be read."""
    path = password_path(root)
    try:
        value = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise BroadcasterError(MESSAGES["unreadable"].format(
            path=path, detail=getattr(exc, "strerror", None) or exc, command=command)) from exc
    if not value:
        raise BroadcasterError(MESSAGES["unreadable"].format(path=path, detail="tệp rỗng", command=command))
    return value


class Throttle:
    """Per-address count of wrong passwords, and how long the address must wait before the next try.

    Args:
        clock: Seconds, monotonic (tests pass their own clock).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._failures: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def wait_s(self, address: str) -> float:
        """Seconds ``address`` must still wait (0 when it may try now)."""
        with self._lock:
            count, last = self._failures.get(address, (0, 0.0))
        if count < FREE_TRIES:
            return 0.0
        delay = min(MAX_WAIT_S, FIRST_WAIT_S * 2 ** (count - FREE_TRIES))
        return max(0.0, last + delay - self.clock())

    def failed(self, address: str) -> None:
        with self._lock:
            count, _ = self._failures.get(address, (0, 0.0))
            self._failures[address] = (count + 1, self.clock())

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)


def signed_in() -> bool:
    """Tell whether this browser session has signed in."""
    return session.get(SESSION_KEY) is True


def _settings() -> dict:
    return current_app.extensions["broadcaster.auth"]


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login():
    """Đăng nhập: one password for the office; a correct one signs the browser session in."""
    target = request.values.get("next") or ""
    if not (target.startswith("/") and not target.startswith("//") and "\\" not in target):
        target = url_for("overview.overview")
    if request.method == "GET":
        if signed_in():
            return redirect(target, 303)
        return render_template("login.html", next=target, error=None)
    throttle: Throttle = _settings()["throttle"]
    address = request.remote_addr or "?"
    wait = throttle.wait_s(address)
    if wait > 0:
        return render_template("login.html", next=target,
                               error=MESSAGES["wait"].format(seconds=int(wait + 0.999))), 429
    password = request.form.get("password") or ""
    if not password:
        return render_template("login.html", next=target, error=MESSAGES["empty"]), 400
    if not check_password_hash(read_hash(_settings()["root"], _settings()["command"]), password):
        throttle.failed(address)
        return render_template("login.html", next=target, error=MESSAGES["wrong"]), 401
    throttle.succeeded(address)
    session.clear()  # a fresh session (and CSRF token) after signing in
    session.permanent = True
    session[SESSION_KEY] = True
    return redirect(target, 303)


@bp.post("/dang-xuat")
def logout():
    """Đăng xuất: forget this browser session."""
    session.clear()
    flash(MESSAGES["signed_out"], "info")
    return redirect(url_for("auth.login"), 303)
