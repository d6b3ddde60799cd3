"""Windows 10/11 in the offices: the POSIX-only assumptions that break there, found and made portable.

Windows cannot run here. Where a branch only runs on Windows, the platform test
(`broadcaster.portable.is_windows`) is switched on for a pure function, and the
system call that cannot fail on Linux the way it fails on Windows (a sharing
violation on rename) is replaced by one that does. Everything else runs for
real: processes, files, subprocesses with a non-UTF-8 standard output.
"""
from __future__ import annotations

import ast
import io
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from broadcaster import portable
from broadcaster.build import remove_stale_temps
from broadcaster.export.m3u import playlist_name
from broadcaster.progress import Progress
from conftest import copy_sample

PACKAGE = Path(portable.__file__).resolve().parent


def _sources() -> list[tuple[Path, ast.AST]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in sorted(PACKAGE.rglob("*.py"))]


# --- processes ------------------------------------------------------------------------------------

def test_pid_alive_sees_a_running_process_without_harming_it_and_a_finished_one_as_gone():
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        assert portable.pid_alive(child.pid) is True
        assert portable.pid_alive(child.pid) is True
        assert child.poll() is None  # still running: nothing was sent to it
    finally:
        child.stdin.close()
        child.wait()
    assert portable.pid_alive(child.pid) is False
    assert portable.pid_alive(os.getpid()) is True
    assert portable.pid_alive(0) is False and portable.pid_alive(-1) is False


def test_stale_temp_files_of_a_running_build_are_kept_and_of_a_dead_one_removed(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        alive_temp = tmp_path / f".a.mp3.tmp-{child.pid}-0a0b0c0d"
        dead_temp = tmp_path / f".b.mp3.tmp-{dead.pid}-0a0b0c0d"
        alive_temp.write_bytes(b"half")
        dead_temp.write_bytes(b"half")
        remove_stale_temps(tmp_path)
        assert alive_temp.exists() and not dead_temp.exists()
        assert child.poll() is None  # the other build was not killed by the check (os.kill on Windows would)
    finally:
        child.stdin.close()
        child.wait()


FORBIDDEN_CALLS = {("os", "kill"), ("os", "killpg"), ("os", "getuid"), ("os", "geteuid"), ("os", "getgid"),
                   ("os", "fork"), ("os", "setsid"), ("os", "chown"), ("os", "getpgid"), ("os", "sync")}
FORBIDDEN_MODULES = {"fcntl", "signal", "pwd", "grp", "termios", "resource", "pty"}


def test_no_posix_only_calls_in_the_package():
    found = []
    for path, tree in _sources():
        rel = path.relative_to(PACKAGE).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if (node.value.id, node.attr) in FORBIDDEN_CALLS:
                    found.append(f"{rel}:{node.lineno} {node.value.id}.{node.attr}")
                if (node.value.id, node.attr) == ("os", "rename") and rel != "export/__init__.py":
                    found.append(f"{rel}:{node.lineno} os.rename (use portable.replace over files)")
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                found += [f"{rel}:{node.lineno} import {n}" for n in names if n.split(".")[0] in FORBIDDEN_MODULES]
            elif isinstance(node, ast.keyword) and node.arg == "shell":
                found.append(f"{rel}:{node.lineno} shell=")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "/dev/null" in node.value:
                found.append(f"{rel}:{node.lineno} /dev/null")
    assert found == []


def test_exports_write_bytes_never_platform_text_mode():
    """Text mode would turn \\n into \\r\\n on Windows: exports build their bytes themselves."""
    found = []
    for path, tree in _sources():
        rel = path.relative_to(PACKAGE).as_posix()
        if not rel.startswith("export/"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "write_text":
                found.append(f"{rel}:{node.lineno}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
                modes = [a.value for a in node.args[1:2] if isinstance(a, ast.Constant)]
                if modes and "b" not in modes[0]:
                    found.append(f"{rel}:{node.lineno} open({modes[0]!r})")
    assert found == []


# --- files ----------------------------------------------------------------------------------------

def test_replace_on_windows_retries_a_sharing_violation(tmp_path, monkeypatch):
    source, target = tmp_path / "new.mp3", tmp_path / "clip.mp3"
    source.write_bytes(b"new")
    target.write_bytes(b"old")
    real_replace = os.replace
    failures = [PermissionError(13, "Access is denied")] * 2

    def held_by_antivirus(a, b):
        if failures:
            raise failures.pop()
        real_replace(a, b)

    waits: list[float] = []
    monkeypatch.setattr(portable, "is_windows", lambda: True)
    monkeypatch.setattr(os, "replace", held_by_antivirus)
    portable.replace(source, target, sleep=waits.append)
    assert target.read_bytes() == b"new" and not source.exists()
    assert waits == [0.02, 0.04]


def test_replace_on_windows_gives_up_after_its_tries_and_posix_never_retries(tmp_path, monkeypatch):
    def always_held(a, b):
        raise PermissionError(13, "Access is denied")

    waits: list[float] = []
    monkeypatch.setattr(os, "replace", always_held)
    monkeypatch.setattr(portable, "is_windows", lambda: True)
    with pytest.raises(PermissionError):
        portable.replace(tmp_path / "a", tmp_path / "b", sleep=waits.append)
    assert len(waits) == portable.WINDOWS_REPLACE_TRIES - 1
    monkeypatch.setattr(portable, "is_windows", lambda: False)
    waits.clear()
    with pytest.raises(PermissionError):
        portable.replace(tmp_path / "a", tmp_path / "b", sleep=waits.append)
    assert waits == []


def test_fsync_uses_a_writable_handle_on_windows_and_works_on_a_read_only_file_here(tmp_path, monkeypatch):
    path = tmp_path / "clip.mp3"
    path.write_bytes(b"ID3")
    path.chmod(0o444)
    portable.fsync_path(path)  # POSIX: a read-only descriptor is enough
    assert portable.fsync_fd_flags() == os.O_RDONLY
    monkeypatch.setattr(portable, "is_windows", lambda: True)
    assert portable.fsync_fd_flags() & os.O_RDWR  # Windows' _commit refuses read-only handles (EBADF)


@pytest.mark.parametrize("typed, windows, expected", [
    ("E:", True, "E:\\"), ("e:", True, "e:\\"), ("E:\\", True, "E:\\"), ("E:\\usb", True, "E:\\usb"),
    ("E:", False, "E:"), ("/media/USB", False, "/media/USB"),
])
def test_a_bare_drive_means_its_root(typed, windows, expected):
    assert portable.drive_root(typed, windows=windows) == expected


def test_c_library_paths_use_the_ansi_code_page_or_the_short_name_on_windows():
    shorts = {r"C:\Users\Nguyễn Văn A\venv\espeak-ng-data": r"C:\Users\NGUYNV~1\venv\ESPEAK~1"}
    assert portable.c_path(r"C:\Users\Hà\espeak-ng-data", windows=True, ansi_encoding="cp1252",
                           short_path=shorts.get) == "C:\\Users\\Hà\\espeak-ng-data".encode("cp1252")
    assert portable.c_path(r"C:\Users\Nguyễn Văn A\venv\espeak-ng-data", windows=True, ansi_encoding="cp1252",
                           short_path=shorts.get) == rb"C:\Users\NGUYNV~1\venv\ESPEAK~1"
    assert portable.c_path("/home/nguyễn/espeak-ng-data", windows=False) == "/home/nguyễn/espeak-ng-data".encode()


@pytest.mark.parametrize("name, reserved", [
    ("con", True), ("CON", True), ("con.mp3", True), ("nul", True), ("Aux", True), ("com1", True), ("lpt9", True),
    ("thong-bao.", True), ("con-vat", False), ("console", False), ("com10", False), ("2g-thong-bao", False),
])
def test_windows_reserved_names(name, reserved):
    assert portable.windows_reserved(name) is reserved


def test_check_refuses_a_script_id_windows_cannot_store(tmp_path):
    from broadcaster.workdir import check_folder

    folder = copy_sample(tmp_path / "work")
    text = (folder / "scripts" / "2g-nhac-nho.yaml").read_text(encoding="utf-8")
    (folder / "scripts" / "con.yaml").write_text(text.replace("id: 2g-nhac-nho", "id: con"), encoding="utf-8")
    problems, _ = check_folder(folder)
    messages = [str(p) for p in problems if p.severity == "error"]
    assert any("con.yaml:1" in m and 'mã "con"' in m and "Windows" in m for m in messages), messages


def test_check_refuses_ids_that_differ_only_in_case(tmp_path):
    from broadcaster.workdir import check_folder

    folder = copy_sample(tmp_path / "work")
    text = (folder / "scripts" / "2g-nhac-nho.yaml").read_text(encoding="utf-8")
    (folder / "scripts" / "2G-Nhac-Nho.yaml").write_text(text.replace("id: 2g-nhac-nho", "id: 2G-Nhac-Nho"),
                                                          encoding="utf-8")
    problems, _ = check_folder(folder)
    messages = [str(p) for p in problems if p.severity == "error"]
    assert messages[0] == ('scripts/2g-nhac-nho.yaml:1: mã "2g-nhac-nho" trùng với "2G-Nhac-Nho" ở '
                           'scripts/2G-Nhac-Nho.yaml — chỉ khác chữ hoa/thường nhưng trên Windows và thẻ nhớ USB '
                           'vẫn là cùng một tệp; đổi một trong hai mã'), messages


@pytest.mark.parametrize("session, expected", [
    ("sang", "2024-08-05_xa-dai-tam_sang.m3u8"),
    ("sáng", "2024-08-05_xa-dai-tam_sáng.m3u8"),
    ("ca 1/2: tối", "2024-08-05_xa-dai-tam_ca 1-2- tối.m3u8"),
    ('trưa "đặc biệt"?', "2024-08-05_xa-dai-tam_trưa -đặc biệt--.m3u8"),
    ("chiều.", "2024-08-05_xa-dai-tam_chiều.m3u8"),
])
def test_playlist_names_are_valid_on_windows_and_fat(session, expected):
    from datetime import date

    programme = SimpleNamespace(date=date(2024, 8, 5), station=SimpleNamespace(id="xa-dai-tam"),
                                session=SimpleNamespace(name=session))
    assert playlist_name(programme) == expected


# --- consoles and pipes ---------------------------------------------------------------------------

def _run_cli(args: list[str], env_changes: dict[str, str], stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8", "LC_ALL", "LANG")}
    env.update(env_changes)
    return subprocess.run([sys.executable, "-m", "broadcaster", *args], input=stdin, capture_output=True, env=env,
                          timeout=300)


NON_UTF8_LOCALE = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}


def test_the_simulated_console_really_cannot_print_vietnamese():
    """The environment of the next tests breaks a plain print (so they can fail)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING",)}
    env.update(NON_UTF8_LOCALE)
    proc = subprocess.run([sys.executable, "-c", "print('năm')"], capture_output=True, env=env)
    assert proc.returncode != 0 and b"UnicodeEncodeError" in proc.stderr
    env.pop("LC_ALL"), env.pop("LANG"), env.pop("PYTHONUTF8"), env.pop("PYTHONCOERCECLOCALE")
    env["PYTHONIOENCODING"] = "cp1252"
    proc = subprocess.run([sys.executable, "-c", "print('năm')"], capture_output=True, env=env)
    assert proc.returncode != 0 and b"UnicodeEncodeError" in proc.stderr


def test_cli_prints_vietnamese_to_a_non_utf8_pipe_as_utf8(tmp_path):
    folder = copy_sample(tmp_path / "work")
    # The text comes on standard input: POSIX decodes argv with the C locale, Windows passes it as Unicode.
    proc = _run_cli(["--project", str(folder), "normalize", "-"], NON_UTF8_LOCALE,
                    stdin="Ngày 05/08/2024 lúc 17h30\n".encode("utf-8"))
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in proc.stderr and b"UnicodeEncodeError" not in proc.stderr
    assert proc.stdout.decode("utf-8") == ("Ngày mùng năm tháng tám năm hai ngàn không trăm hai mươi tư "
                                           "lúc mười bảy giờ ba mươi phút\n")
    missing = _run_cli(["--project", str(tmp_path / "khong-co"), "check"], NON_UTF8_LOCALE)
    assert missing.returncode == 1 and b"Traceback" not in missing.stderr
    assert missing.stderr.decode("utf-8") == "Có 1 lỗi, 0 cảnh báo.\n"
    assert "broadcaster.yaml" in missing.stdout.decode("utf-8")


def test_cli_reads_utf8_standard_input_with_a_notepad_bom_in_a_non_utf8_locale(tmp_path):
    folder = copy_sample(tmp_path / "work")
    proc = _run_cli(["--project", str(folder), "normalize", "-"], NON_UTF8_LOCALE,
                    stdin="\ufeffThứ Hai, 05/08/2024\n".encode("utf-8"))
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert proc.stdout.decode("utf-8").startswith("Thứ Hai, ngày mùng năm tháng tám")  # the BOM is gone


def test_cli_with_a_chosen_cp1252_encoding_replaces_instead_of_crashing(tmp_path):
    folder = copy_sample(tmp_path / "work")
    proc = _run_cli(["--project", str(folder), "normalize", "Ngày 05/08/2024"], {"PYTHONIOENCODING": "cp1252"})
    assert proc.returncode == 0, proc.stderr
    assert b"UnicodeEncodeError" not in proc.stderr and b"Traceback" not in proc.stderr
    out = proc.stdout.decode("cp1252")
    assert out == "Ngày mùng n?m tháng tám n?m hai ngàn không tr?m hai m??i t?\n"  # cp1252 has à ù á ô, not ă ư ơ
    bad = _run_cli(["--project", str(tmp_path / "khong-co"), "check"], {"PYTHONIOENCODING": "cp1252"})
    assert bad.returncode == 1 and b"Traceback" not in bad.stderr
    bad.stderr.decode("cp1252")


def test_use_utf8_stdio_on_a_windows_like_pipe():
    raw_out, raw_err = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(raw_out, encoding="cp1252")
    err = io.TextIOWrapper(raw_err, encoding="cp437")
    stdin = io.TextIOWrapper(io.BytesIO("\ufeffĐài truyền thanh\n".encode("utf-8")), encoding="cp1252")
    portable.use_utf8_stdio((stdin, out, err), environ={})
    out.write("Đã xuất usb: 4 chương trình\n")
    err.write("lỗi: thẻ nhớ đầy\n")
    out.flush(), err.flush()
    assert raw_out.getvalue().decode("utf-8") == "Đã xuất usb: 4 chương trình\n"
    assert raw_err.getvalue().decode("utf-8") == "lỗi: thẻ nhớ đầy\n"
    assert stdin.read() == "Đài truyền thanh\n"


def test_progress_bar_on_a_console_uses_no_ansi_escape():
    class Console(io.StringIO):
        def isatty(self):
            return True

    console = Console()
    with Progress("Đang tạo tệp âm thanh", stream=console) as progress:
        progress.start(2)
        progress.advance("Thông báo dừng công nghệ di động 2G rất dài")
        progress.advance("Nhắc nhở")
    text = console.getvalue()
    assert "\x1b" not in text
    first, second = text.split("\r")[1:3]
    assert len(second) >= len(first)  # the shorter line blanks the rest of the longer one
    assert second.rstrip().endswith("Nhắc nhở")
