"""The console on the office network: password, sign-in, Host check, throttling, and serve's Vietnamese errors."""
from __future__ import annotations

import html
import http.client
import io
import os
import re
import socket
import stat
import subprocess
import sys
import threading

import pytest

from broadcaster.cli import main
from conftest import FAKE_CLI
from broadcaster.errors import BroadcasterError
from broadcaster.web import create_app
from broadcaster.web.auth import password_path, set_password
from broadcaster.web.server import machine_names, make_server

PASSWORD = "loa-xa-dai-tam-2024"


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def csrf_of(text: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert found, "form without CSRF token"
    return found.group(1)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def locked(fake_folder):
    """A console that asks for the password (as when bound to 0.0.0.0), with a clock the test moves."""
    set_password(fake_folder, PASSWORD)
    app = create_app(fake_folder, login=True)
    app.config["TESTING"] = True
    clock = Clock()
    app.extensions["broadcaster.auth"]["throttle"].clock = clock
    yield app, clock
    app.extensions["broadcaster"].close()


def sign_in(client, password: str = PASSWORD, address: str = "192.168.1.20", next_url: str = "/"):
    token = csrf_of(client.get("/dang-nhap", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True))
    return client.post("/dang-nhap", data={"csrf_token": token, "password": password, "next": next_url},
                       environ_base={"REMOTE_ADDR": address})


# -- setting the password ---------------------------------------------------------------------------------

def test_public_serve_without_password_is_refused_with_the_command(fake_folder, capsys):
    with pytest.raises(BroadcasterError) as refused:
        make_server(fake_folder, "0.0.0.0", 0)
    assert "phải có mật khẩu" in str(refused.value)
    assert "broadcaster serve --set-password" in str(refused.value)
    assert main(["--project", str(fake_folder), "serve", "--host", "0.0.0.0", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert f'đặt mật khẩu một lần bằng lệnh:  broadcaster --project "{fake_folder}" serve --set-password' in err
    assert not password_path(fake_folder).exists()


def test_set_password_stores_only_a_scrypt_hash_mode_0600(fake_folder, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{PASSWORD}\n{PASSWORD}\n"))
    assert main(["--project", str(fake_folder), "serve", "--set-password"]) == 0
    path = fake_folder / ".broadcaster" / "web-password"
    stored = path.read_text(encoding="ascii")
    assert stored.startswith("scrypt:") and PASSWORD not in stored
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (fake_folder / ".broadcaster" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    err = capsys.readouterr().err
    assert "Đã đặt mật khẩu bảng điều khiển (chỉ lưu dạng băm trong .broadcaster/web-password)" in err
    # Now the console may open to the network.
    server = make_server(fake_folder, "0.0.0.0", 0)
    server.stop()


@pytest.mark.parametrize("typed, message", [
    ("ngan\nngan\n", "mật khẩu quá ngắn — cần ít nhất 8 ký tự"),
    (f"{PASSWORD}\n{PASSWORD}x\n", "hai lần nhập mật khẩu không giống nhau"),
])
def test_bad_new_password_writes_nothing(fake_folder, monkeypatch, capsys, typed, message):
    monkeypatch.setattr(sys, "stdin", io.StringIO(typed))
    assert main(["--project", str(fake_folder), "serve", "--set-password"]) == 1
    assert message in capsys.readouterr().err
    assert not password_path(fake_folder).exists()


# -- signing in ---------------------------------------------------------------------------------------------

def test_every_page_asks_for_the_password_first(locked):
    app, _ = locked
    client = app.test_client()
    for url in ("/", "/kich-ban", "/nhat-ky", "/bao-cao", "/am-thanh/x.mp3"):
        r = client.get(url)
        assert r.status_code == 303 and r.headers["Location"].startswith("/dang-nhap?next="), url
    login = client.get("/dang-nhap")
    text = page(login)
    assert login.status_code == 200 and "<h1>Đăng nhập</h1>" in text and 'type="password"' in text
    assert "Nhật ký phát" not in text  # no navigation before signing in
    assert client.get("/static/style.css").status_code == 200
    # A form sent without signing in (even with a token) changes nothing.
    token = csrf_of(text)
    assert client.post("/build", data={"csrf_token": token}).status_code == 401


def test_right_password_signs_in_with_a_safe_cookie_and_logout_ends_it(locked):
    app, _ = locked
    client = app.test_client()
    r = sign_in(client, next_url="/nhat-ky")
    assert r.status_code == 303 and r.headers["Location"] == "/nhat-ky"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and cookie.startswith("broadcaster_session=")
    overview = client.get("/")
    assert overview.status_code == 200 and "Đăng xuất" in page(overview)
    token = csrf_of(page(overview))
    out = client.post("/dang-xuat", data={"csrf_token": token})
    assert out.status_code == 303 and out.headers["Location"] == "/dang-nhap"
    assert client.get("/").status_code == 303


def test_wrong_or_forged_credentials_do_not_sign_in(locked):
    app, _ = locked
    client = app.test_client()
    r = sign_in(client, password="sai-mat-khau")
    assert r.status_code == 401 and "Mật khẩu không đúng." in page(r)
    assert client.get("/").status_code == 303
    # An unsigned or re-signed cookie is not a session.
    other = create_app(app.extensions["broadcaster"].root, login=True)
    forger = other.test_client()
    sign_in(forger)
    client.set_cookie("broadcaster_session", forger.get_cookie("broadcaster_session").value)
    assert client.get("/").status_code == 303
    # Off-site next addresses are not followed.
    r = sign_in(app.test_client(), next_url="//evil.example/")
    assert r.headers["Location"] == "/"


def test_repeated_wrong_passwords_are_slowed_down_per_address(locked):
    app, clock = locked
    client = app.test_client()
    for _ in range(5):
        assert sign_in(client, password="sai-mat-khau").status_code == 401
    # The sixth try waits 30 seconds, even with the right password.
    r = sign_in(client)
    assert r.status_code == 429 and "Nhập sai quá nhiều lần. Thử lại sau 30 giây." in page(r)
    clock.now += 10
    assert "Thử lại sau 20 giây." in page(sign_in(client))
    # Another computer is not affected.
    assert sign_in(app.test_client(), address="192.168.1.21").status_code == 303
    clock.now += 20
    assert sign_in(client, password="sai-mat-khau").status_code == 401
    r = sign_in(client)
    assert r.status_code == 429 and "Thử lại sau 60 giây." in page(r)  # doubled
    clock.now += 60
    assert sign_in(client).status_code == 303
    # Success forgets the failures.
    assert sign_in(app.test_client(), password="sai-mat-khau").status_code == 401


def test_loopback_console_needs_no_password(fake_folder):
    app = create_app(fake_folder)
    assert app.test_client().get("/").status_code == 200


# -- the Host check -------------------------------------------------------------------------------------------

def test_host_check_is_on_by_default(fake_folder):
    client = create_app(fake_folder).test_client()
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "evil.example:8000"}).status_code == 400
    for host in ("localhost:8000", "127.0.0.1", "[::1]:8000"):
        assert client.get("/", headers={"Host": host}).status_code == 200, host


def ask(port: int, host: str, path: str = "/") -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": f"{host}:{port}"})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        conn.close()


def test_network_console_answers_only_to_this_machine_and_listed_names(fake_folder):
    cfg = fake_folder / "broadcaster.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "\nweb:\n  allowed_hosts: [may-chu.xa-dai-tam.local]\n",
                   encoding="utf-8")
    set_password(fake_folder, PASSWORD)
    server = make_server(fake_folder, "0.0.0.0", 0, allow_hosts=("loa.huyen.vn",))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        status, body = ask(server.port, "evil.example")
        assert status == 400 and "evil.example" in html.unescape(body)
        for name in (socket.gethostname(), "may-chu.xa-dai-tam.local", "loa.huyen.vn", "127.0.0.1"):
            assert ask(server.port, name)[0] == 303, name  # reached: asked to sign in
        status, body = ask(server.port, socket.gethostname(), "/dang-nhap")
        assert status == 200 and "Đăng nhập" in body
    finally:
        server.stop()
        thread.join(timeout=5)


def test_machine_names_include_the_host_name_and_bound_address():
    names = machine_names("0.0.0.0")
    assert socket.gethostname().lower() in names and "127.0.0.1" in names and "0.0.0.0" not in names
    assert "10.1.2.3" in machine_names("10.1.2.3")


@pytest.mark.parametrize("value, line", [("'http://may-chu:8000'", 3), ("'*'", 3)])
def test_allowed_hosts_are_checked(fake_folder, capsys, value, line):
    cfg = fake_folder / "broadcaster.yaml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(f"web:\n  allowed_hosts:\n    - {value}\n" + text, encoding="utf-8")
    assert main(["--project", str(fake_folder), "check"]) == 1
    out = capsys.readouterr().out
    assert f'broadcaster.yaml:{line}: tên máy không hợp lệ "{value.strip(chr(39))}"' in out


def test_allow_host_option_is_checked(fake_folder, capsys):
    assert main(["--project", str(fake_folder), "serve", "--allow-host", "x.vn:80"]) == 1
    assert 'lỗi: --allow-host: tên máy không hợp lệ "x.vn:80"' in capsys.readouterr().err


# -- serve's errors, from a real process ------------------------------------------------------------------------

def run_serve(folder, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([*FAKE_CLI, "--project", str(folder), "serve", *args],
                          capture_output=True, text=True, encoding="utf-8", timeout=60, env=env)


def test_serve_on_a_busy_port_says_so_in_vietnamese(fake_folder):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        done = run_serve(fake_folder, "--port", str(port))
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"lỗi: không mở được cổng {port} trên 127.0.0.1: cổng đang được chương trình khác dùng "
        f"(có thể bảng điều khiển đã chạy sẵn) — chọn cổng khác, ví dụ  --port {port + 1}")
    assert "Traceback" not in done.stderr and "Address already in use" not in done.stderr


@pytest.mark.parametrize("host", ["999.1.1.1", "khong co may"])
def test_serve_on_a_bad_host_says_so_in_vietnamese(fake_folder, host):
    done = run_serve(fake_folder, "--host", host, "--port", "0")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "ValueError" not in done.stderr and "Invalid" not in done.stderr
    assert done.stderr.strip() == (f'lỗi: địa chỉ lắng nghe không hợp lệ "{host}" — dùng 127.0.0.1 (chỉ máy này), '
                                   '0.0.0.0 (mọi máy trong mạng) hoặc một địa chỉ IP của máy này')


def test_serve_on_an_address_of_another_machine(fake_folder):
    set_password(fake_folder, PASSWORD)
    done = run_serve(fake_folder, "--host", "192.0.2.250", "--port", "0")
    assert done.returncode == 1
    assert done.stderr.strip() == ('lỗi: không mở được cổng 0 trên 192.0.2.250: máy này không có địa chỉ 192.0.2.250 — '
                                   'dùng 127.0.0.1 (chỉ máy này), 0.0.0.0 (mọi máy trong mạng) hoặc một địa chỉ IP '
                                   'của máy này')
    assert "Cannot assign" not in done.stderr


def test_an_empty_password_file_is_refused_at_start(fake_folder):
    set_password(fake_folder, PASSWORD)
    password_path(fake_folder).write_text("", encoding="ascii")
    with pytest.raises(BroadcasterError, match="không đọc được tệp mật khẩu .*tệp rỗng — đặt lại bằng lệnh  "
                                               "broadcaster serve --set-password"):
        make_server(fake_folder, "0.0.0.0", 0)
