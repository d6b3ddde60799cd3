"""Platform helpers shared by every stage: what differs between Linux and the offices' Windows 10/11 PCs.

Each helper hides one POSIX-only assumption that breaks or misbehaves on Windows:

* :func:`pid_alive` — ``os.kill(pid, 0)`` probes a process on POSIX but
  *terminates* it on Windows (``TerminateProcess``); psutil asks the right
  system call on each platform (``OpenProcess`` on Windows).
* :func:`replace` — ``os.replace`` over an existing file fails on Windows with
  "Access is denied" for a moment while an antivirus or the search indexer
  holds the file open; it is retried there for a short while.
* :func:`fsync_fd_flags` — ``os.fsync`` on Windows (``_commit``) needs a handle
  opened for writing; a read-only descriptor gives EBADF.
* :func:`use_utf8_stdio` — a Windows pipe or redirected console writes in the
  ANSI code page (cp1252, cp437…), where Vietnamese letters raise
  ``UnicodeEncodeError``; the CLI switches its streams to UTF-8 (or, when the
  user chose an encoding with ``PYTHONIOENCODING``, keeps it and replaces what
  it cannot show) so output never crashes.
* :func:`drive_root` — ``E:`` on Windows means "the current folder of drive E",
  not the stick's root ``E:\\``.
* :func:`c_path` — a C library that opens files with ``fopen(char *)`` (eSpeak NG)
  reads the path in the ANSI code page on Windows, not UTF-8: a data folder
  under ``C:\\Users\\Nguyễn Văn A`` is passed as its short 8.3 name.
* :func:`windows_reserved` / :func:`file_name_part` — names Linux accepts but
  Windows and FAT sticks refuse (``con.mp3``, ``a:b``, a trailing dot).

Paths written *inside* exported files (playlists, indexes, CSV/JSON) never
come from ``os.sep``: every format builds them with ``/`` itself.
"""
from __future__ import annotations

import io
import os
import re
import sys
import time
from typing import Callable

WINDOWS_REPLACE_TRIES = 8        # ~2.5 s in all: long enough for an antivirus scan of one MP3
WINDOWS_REPLACE_FIRST_WAIT_S = 0.02


def is_windows() -> bool:
    """True on Windows (read each call, so tests can simulate the platform)."""
    return os.name == "nt"


def pid_alive(pid: int) -> bool:
    """Tell whether a process with this id runs, without ever signalling it.

    Args:
        pid: A process id (> 0).

    Returns:
        True when it runs (or may run and we cannot tell), False when it is gone.
    """
    if pid <= 0:
        return False
    import psutil

    try:
        return psutil.pid_exists(pid)
    except (OSError, psutil.Error):  # no way to tell: assume it runs, so its files are kept
        return True


def replace(source: str | os.PathLike, target: str | os.PathLike, *,
            sleep: Callable[[float], None] = time.sleep) -> None:
    """``os.replace`` that survives Windows' short sharing violations.

    On Windows a file that an antivirus, the search indexer or a media player
    has just opened cannot be replaced for a moment (``PermissionError``); the
    rename is retried with growing waits before giving up. On POSIX this is
    ``os.replace`` exactly.

    Raises:
        OSError: The rename failed (after the retries on Windows).
    """
    if not is_windows():
        os.replace(source, target)
        return
    wait = WINDOWS_REPLACE_FIRST_WAIT_S
    for attempt in range(WINDOWS_REPLACE_TRIES):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if attempt == WINDOWS_REPLACE_TRIES - 1:
                raise
            sleep(wait)
            wait *= 2


def fsync_fd_flags() -> int:
    """``os.open`` flags for a descriptor that ``os.fsync`` accepts on this platform.

    POSIX flushes through a read-only descriptor; Windows' ``_commit`` needs
    write access (and binary mode, so nothing is translated).
    """
    if is_windows():
        return os.O_RDWR | getattr(os, "O_BINARY", 0)
    return os.O_RDONLY


def fsync_path(path: str | os.PathLike) -> None:
    """Flush a closed file's data to the device (a file written by another tool).

    Raises:
        OSError: The file cannot be opened or flushed.
    """
    fd = os.open(path, fsync_fd_flags())
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: str | os.PathLike) -> None:
    """Make new or renamed entries of ``folder`` durable (POSIX only; Windows cannot open folders)."""
    if is_windows():
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems (and FUSE drivers) do not sync folders
        pass
    finally:
        os.close(fd)


_DRIVE_ONLY = re.compile(r"^[A-Za-z]:$")


def drive_root(path: str, *, windows: bool | None = None) -> str:
    """Turn a bare drive ``E:`` into its root ``E:\\`` on Windows; anything else is returned unchanged.

    Args:
        path: A path as the user typed it.
        windows: Platform override (default: this machine).
    """
    if (is_windows() if windows is None else windows) and _DRIVE_ONLY.match(path):
        return path + "\\"
    return path


def _short_path(text: str) -> str:  # pragma: no cover - Windows only
    import ctypes

    buffer = ctypes.create_unicode_buffer(32768)
    length = ctypes.windll.kernel32.GetShortPathNameW(text, buffer, len(buffer))
    return buffer.value if 0 < length < len(buffer) else text


def c_path(path: str | os.PathLike, *, windows: bool | None = None, ansi_encoding: str = "mbcs",
           short_path: Callable[[str], str] = _short_path) -> bytes:
    """A path as bytes for a C library's ``char *`` file name.

    POSIX: the file-system encoding (UTF-8). Windows: the ANSI code page, which
    ``fopen`` uses; a path with letters outside it (most Vietnamese ones) is given
    as its 8.3 short name, which is plain ASCII.

    Args:
        path: The path.
        windows: Platform override (default: this machine).
        ansi_encoding: The ANSI code page (``mbcs`` means "the current one"; tests name one).
        short_path: ``GetShortPathNameW`` (tests pass a stand-in).
    """
    text = os.fspath(path)
    if not (is_windows() if windows is None else windows):
        return os.fsencode(text)
    try:
        return text.encode(ansi_encoding)
    except UnicodeEncodeError:
        return short_path(text).encode(ansi_encoding, "replace")


_RESERVED = frozenset(["con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                       *(f"lpt{i}" for i in range(1, 10))])
_NOT_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def windows_reserved(name: str) -> bool:
    """Tell whether Windows refuses ``name`` as a file name even though POSIX accepts it.

    Device names (``CON``, ``PRN``, ``AUX``, ``NUL``, ``COM1``–``COM9``,
    ``LPT1``–``LPT9``) are reserved with any extension (``con.mp3``) on
    Windows 10, and a trailing dot or space is silently dropped (``abc.`` and
    ``abc`` are the same file).
    """
    stem = name.split(".", 1)[0].rstrip(" ").casefold()
    return stem in _RESERVED or name.endswith((".", " "))


def file_name_part(text: str) -> str:
    """``text`` made safe as part of a file name on Windows, FAT sticks and POSIX alike.

    Characters Windows/FAT refuse (``<>:"/\\|?*`` and control characters) become ``-``;
    trailing dots and spaces are dropped. Vietnamese letters stay (NTFS and FAT long names are Unicode).
    """
    cleaned = _NOT_IN_NAMES.sub("-", text).rstrip(". ")
    return cleaned or "-"


def _is_utf8(encoding: str | None) -> bool:
    return (encoding or "").replace("_", "-").lower() in ("utf-8", "utf8", "utf-8-sig")


def use_utf8_stdio(streams: tuple | None = None, *, environ: dict | None = None) -> None:
    """Make the standard streams able to print Vietnamese wherever they point.

    A stream whose encoding is not UTF-8 (a Windows pipe or redirect in
    cp1252/cp437, a POSIX C locale) is switched to UTF-8. When the user set
    ``PYTHONIOENCODING`` explicitly, that encoding is kept and characters it
    cannot show become ``?`` instead of raising ``UnicodeEncodeError``.
    Standard input is read as UTF-8 (a BOM from Notepad is dropped).

    Args:
        streams: ``(stdin, stdout, stderr)``; default the ``sys`` ones.
        environ: Environment to read ``PYTHONIOENCODING`` from (default ``os.environ``).
    """
    env = os.environ if environ is None else environ
    stdin, stdout, stderr = streams if streams is not None else (sys.stdin, sys.stdout, sys.stderr)
    chosen = bool(env.get("PYTHONIOENCODING", "").split(":", 1)[0])
    for stream in (stdout, stderr):
        if not isinstance(stream, io.TextIOWrapper) or _is_utf8(stream.encoding):
            continue
        try:
            if chosen:
                stream.reconfigure(errors="replace")
            else:
                stream.reconfigure(encoding="utf-8", errors="replace")
        except (ValueError, OSError):  # already written to in a way that forbids it: leave it
            pass
    if isinstance(stdin, io.TextIOWrapper) and not chosen and not _is_utf8(stdin.encoding):
        try:
            stdin.reconfigure(encoding="utf-8-sig", errors="replace")
        except (ValueError, OSError):
            pass
