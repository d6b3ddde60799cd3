"""Web shell, server: turns a working folder into a running HTTP console on one office PC.

Waitress serves the application when it is installed: a pure-Python,
production-grade, multi-threaded WSGI server that installs from a wheel and
runs the same on Windows and Linux, with no compiler and no reverse proxy.
Without it, werkzeug's development server (threaded) still works for one
office PC; it is Flask's own dependency, so it is always there.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import BroadcasterError
from .app import create_app

MESSAGES = {
    "listening": "Bảng điều khiển đang chạy tại {url} — mở địa chỉ này bằng trình duyệt. Nhấn Ctrl+C để dừng.",
    "open_network": "cảnh báo: máy chủ mở cho mọi máy trong mạng ({host}) và không có mật khẩu — chỉ dùng trong mạng nội bộ tin cậy",
    "cannot_bind": "không mở được cổng {port} trên {host}: {detail} — có thể cổng đang được dùng; chọn cổng khác, ví dụ  --port {other}",
    "dev_server": "lưu ý: chưa cài waitress, đang dùng máy chủ đơn giản của werkzeug (đủ cho một máy văn phòng)",
}
THREADS = 8
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


@dataclass
class RunningServer:
    """A bound server: its URL, and how to run and stop it."""

    url: str
    port: int
    run: Callable[[], None]
    stop: Callable[[], None]
    kind: str


def _url(host: str, port: int) -> str:
    shown = host
    if host in ("0.0.0.0", "", "::"):
        shown = "127.0.0.1"
    elif ":" in host:
        shown = f"[{host}]"
    return f"http://{shown}:{port}/"


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8000, *, app=None) -> RunningServer:
    """Bind the console of ``root`` to host:port (port 0: any free port) without serving yet.

    Raises:
        BroadcasterError: The port cannot be opened (in use, no permission).
    """
    if app is None:
        app = create_app(root, allowed_hosts=None if is_public(host) else LOOPBACK_NAMES)
    try:
        try:
            from waitress import create_server
        except ImportError:
            create_server = None
        if create_server is not None:
            server = create_server(app, host=host, port=port, threads=THREADS, ident="broadcaster")
            bound = server.effective_port

            def stop() -> None:
                server.close()
                server.task_dispatcher.shutdown(timeout=2)

            return RunningServer(_url(host, bound), bound, server.run, stop, "waitress")
        from werkzeug.serving import make_server as werkzeug_server

        server = werkzeug_server(host, port, app, threaded=True)
        bound = server.server_port
        return RunningServer(_url(host, bound), bound, server.serve_forever, server.shutdown, "werkzeug")
    except OSError as exc:
        raise BroadcasterError(MESSAGES["cannot_bind"].format(
            port=port, host=host, detail=exc.strerror or exc, other=port + 1 if port else 8001)) from exc


def is_public(host: str) -> bool:
    """True when other machines can reach the server at this address."""
    if host in ("localhost", ""):
        return host == ""
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def serve(root: Path, host: str, port: int, say: Callable[[str], None]) -> None:
    """Serve the console until Ctrl+C; messages for staff go to ``say`` (standard error)."""
    server = make_server(root, host, port)
    if server.kind != "waitress":
        say(MESSAGES["dev_server"])
    if is_public(host):
        say(MESSAGES["open_network"].format(host=host))
    say(MESSAGES["listening"].format(url=server.url))
    try:
        server.run()
    finally:
        server.stop()
