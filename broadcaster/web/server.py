"""Web shell, server: turns a working folder into a running HTTP console on one office PC.

Waitress serves the application when it is installed: a pure-Python,
production-grade, multi-threaded WSGI server that installs from a wheel and
runs the same on Windows and Linux, with no compiler and no reverse proxy.
Without it, werkzeug's development server (threaded) still works for one
office PC; it is Flask's own dependency, so it is always there.
"""
from __future__ import annotations

import errno
import ipaddress
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import BroadcasterError, os_error_reason
from .app import LOOPBACK_HOSTS, create_app
from .auth import has_password, read_hash

MESSAGES = {
    "listening": "Bảng điều khiển đang chạy tại {url} — mở địa chỉ này bằng trình duyệt. Nhấn Ctrl+C để dừng.",
    "open_network": ("bảng điều khiển mở cho các máy trong mạng ({host}) và cần đăng nhập bằng mật khẩu; "
                     "từ máy khác, mở bằng một trong các địa chỉ: {urls}"),
    "cannot_bind": "không mở được cổng {port} trên {host}: {detail}",
    "in_use": "cổng đang được chương trình khác dùng (có thể bảng điều khiển đã chạy sẵn) — chọn cổng khác, ví dụ  --port {other}",
    "no_address": "máy này không có địa chỉ {host} — dùng 127.0.0.1 (chỉ máy này), 0.0.0.0 (mọi máy trong mạng) hoặc một địa chỉ IP của máy này",
    "no_permission": "không có quyền mở cổng này (cổng dưới 1024 cần quyền quản trị) — chọn cổng từ 1024 trở lên, ví dụ  --port 8000",
    "other_os": "{reason} — chọn cổng khác, ví dụ  --port {other}",
    "bad_host": 'địa chỉ lắng nghe không hợp lệ "{host}" — dùng 127.0.0.1 (chỉ máy này), 0.0.0.0 (mọi máy trong mạng) hoặc một địa chỉ IP của máy này',
    "bad_port": "cổng không hợp lệ {port} — chọn một số từ 1 đến 65535 (nên từ 1024 trở lên), ví dụ  --port 8000",
    "no_password": ("bảng điều khiển mở cho các máy khác trong mạng ({host}) phải có mật khẩu, mà thư mục này chưa có — "
                    "đặt mật khẩu một lần bằng lệnh:  {command}  rồi chạy lại lệnh serve"),
    "dev_server": "lưu ý: chưa cài waitress, đang dùng máy chủ đơn giản của werkzeug (đủ cho một máy văn phòng)",
}
THREADS = 8
LOOPBACK_NAMES = LOOPBACK_HOSTS
WILDCARDS = ("0.0.0.0", "", "::")
# Documentation addresses (RFC 5737, RFC 3849): connecting a UDP socket to them sends nothing
# but tells which local address the machine would use on its network.
PROBES = ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1"))


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


def _addresses(name: str) -> set[str]:
    """The IP addresses a host name resolves to on this machine (empty when it does not)."""
    try:
        infos = socket.getaddrinfo(name, None)
    except (OSError, UnicodeError):
        return set()
    return {str(info[4][0]).split("%", 1)[0].lower() for info in infos}


def machine_names(bound: str) -> set[str]:
    """The names and addresses by which other computers may reach this machine's console.

    Loopback names, the host name (with its fully qualified and ``.local`` forms),
    the addresses those names resolve to, the address the machine uses on its
    network, and the bound address itself.
    """
    names = {n.lower() for n in LOOPBACK_HOSTS}
    hostname = socket.gethostname()
    try:
        fqdn = socket.getfqdn()
    except OSError:
        fqdn = hostname
    for name in {hostname, fqdn, f"{hostname}.local"}:
        if name:
            names.add(name.lower().rstrip("."))
            names |= _addresses(name)
    for family, probe in PROBES:
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as udp:
                udp.connect((probe, 9))
                names.add(str(udp.getsockname()[0]).split("%", 1)[0].lower())
        except OSError:
            continue
    if bound not in WILDCARDS:
        names.add(bound.lower().strip("[]"))
        names |= _addresses(bound)
    return names


def configured_hosts(root: Path) -> tuple[str, ...]:
    """``web: allowed_hosts`` of the folder's broadcaster.yaml (empty when it cannot be read)."""
    from ..config import inspect_project

    project, _ = inspect_project(root)
    return tuple(getattr(project, "allowed_hosts", ()) or ()) if project is not None else ()


def _bind_error(exc: OSError, host: str, port: int) -> BroadcasterError:
    other = port + 1 if port and port < 65535 else 8001
    if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
        detail = MESSAGES["in_use"].format(other=other)
    elif exc.errno in (errno.EADDRNOTAVAIL, getattr(errno, "WSAEADDRNOTAVAIL", -1)):
        detail = MESSAGES["no_address"].format(host=host)
    elif exc.errno in (errno.EACCES, errno.EPERM, getattr(errno, "WSAEACCES", -1)):
        detail = MESSAGES["no_permission"]
    elif isinstance(exc, socket.gaierror):
        return BroadcasterError(MESSAGES["bad_host"].format(host=host))
    else:
        detail = MESSAGES["other_os"].format(reason=os_error_reason(exc), other=other)
    return BroadcasterError(MESSAGES["cannot_bind"].format(port=port, host=host, detail=detail))


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8000, *, app=None,
                allow_hosts: tuple[str, ...] = (), password_command: str = "broadcaster serve --set-password"
                ) -> RunningServer:
    """Bind the console of ``root`` to host:port (port 0: any free port) without serving yet.

    A console bound beyond loopback asks for the folder's password and answers
    only to this machine's names and addresses, ``web: allowed_hosts`` and ``allow_hosts``.

    Raises:
        BroadcasterError: Bad host or port, the port cannot be opened (in use, no
            permission), or the console would be open to the network without a password.
    """
    if not 0 <= int(port) <= 65535:
        raise BroadcasterError(MESSAGES["bad_port"].format(port=port))
    from ..config import host_problem

    if host not in WILDCARDS and host_problem(host):
        raise BroadcasterError(MESSAGES["bad_host"].format(host=host))
    public = is_public(host)
    if app is None:
        if public and not has_password(root):
            raise BroadcasterError(MESSAGES["no_password"].format(host=host or "0.0.0.0", command=password_command))
        if public:
            read_hash(root, password_command)  # an unreadable or empty file fails now, not at the first sign-in
        hosts = set(LOOPBACK_NAMES) | {h.lower().strip("[]") for h in (*configured_hosts(root), *allow_hosts)}
        if public:
            hosts |= machine_names(host)
        app = create_app(root, allowed_hosts=tuple(sorted(hosts)), login=public, password_command=password_command)
    try:
        try:
            from waitress import create_server
        except ImportError:
            create_server = None
        if create_server is not None:
            try:
                server = create_server(app, host=host, port=port, threads=THREADS, ident="broadcaster")
            except ValueError as exc:  # waitress: "Invalid host/port specified."
                raise BroadcasterError(MESSAGES["bad_host"].format(host=host)) from exc
            bound = server.effective_port
            running = threading.Event()

            def run() -> None:
                running.set()
                server.run()

            def stop() -> None:
                # Closing the sockets from another thread while the loop polls them gives EBADF
                # there; the trigger makes the loop close them itself and end.
                if running.is_set():
                    server.trigger.pull_trigger(server.close)
                else:
                    server.close()
                server.task_dispatcher.shutdown(timeout=2)

            return RunningServer(_url(host, bound), bound, run, stop, "waitress")
        from werkzeug.serving import make_server as werkzeug_server

        server = werkzeug_server(host, port, app, threaded=True)
        bound = server.server_port
        return RunningServer(_url(host, bound), bound, server.serve_forever, server.shutdown, "werkzeug")
    except OSError as exc:
        raise _bind_error(exc, host, port) from exc


def is_public(host: str) -> bool:
    """True when other machines can reach the server at this address."""
    if host in ("localhost", ""):
        return host == ""
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def network_urls(port: int, hosts) -> list[str]:
    """http://ADDRESS:PORT/ for the machine's non-loopback IPv4 addresses, to tell staff."""
    out = []
    for name in sorted(hosts):
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            continue
        if address.version == 4 and not address.is_loopback:
            out.append(f"http://{address}:{port}/")
    return out


def serve(root: Path, host: str, port: int, say: Callable[[str], None], *, allow_hosts: tuple[str, ...] = (),
          password_command: str = "broadcaster serve --set-password") -> None:
    """Serve the console until Ctrl+C; messages for staff go to ``say`` (standard error)."""
    server = make_server(root, host, port, allow_hosts=allow_hosts, password_command=password_command)
    if server.kind != "waitress":
        say(MESSAGES["dev_server"])
    if is_public(host):
        urls = network_urls(server.port, machine_names(host)) or [server.url]
        say(MESSAGES["open_network"].format(host=host or "0.0.0.0", urls=", ".join(urls)))
    say(MESSAGES["listening"].format(url=server.url))
    try:
        server.run()
    finally:
        server.stop()
