"""Atomic file writing shared by every stage: content in memory or a tool's output becomes a complete file or no file.

A build that is killed half-way must never leave a truncated MP3, report or
playlist where a player or a later build would pick it up. Everything is
written to a hidden temporary name in the destination folder and renamed over
the final name with ``os.replace`` (atomic on POSIX and Windows when both
names are on the same file system, which the same folder guarantees).

The temporary name is ``.NAME.tmp-PID-RANDOM``: it starts with a dot and never
ends with the final extension, so ``*.mp3`` globs and hidden-file-blind tools
never see it. Tools that choose a format from the file name (FFmpeg) must
therefore be told the format explicitly (``-f mp3``).
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from pathlib import Path
from typing import Iterator

from . import portable
from .errors import BroadcasterError, os_error_reason

MESSAGES = {
    "write_failed": "không ghi được tệp {path}: {detail}",
    "write_hint": "kiểm tra thư mục có tồn tại, còn chỗ trống và cho phép ghi không",
}

TEMP_MARK = ".tmp-"


def temp_path_for(path: str | os.PathLike) -> Path:
    """Return a fresh temporary path beside ``path`` that globs for its extension never match.

    Args:
        path: The final destination.

    Returns:
        ``DIR/.NAME.tmp-PID-RANDOM`` in the same folder as ``path``.
    """
    final = Path(path)
    return final.with_name(f".{final.name}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}")


def is_temp_path(path: str | os.PathLike) -> bool:
    """Tell whether ``path`` is a temporary name made by :func:`temp_path_for` (for clean-up tools)."""
    name = Path(path).name
    return name.startswith(".") and TEMP_MARK in name


def _fsync_file(path: Path) -> None:
    # Without fsync a power cut after the rename can leave a renamed but empty
    # file on some file systems (ext4 delayed allocation); the rename must not
    # become durable before the data. Windows needs a writable handle for this.
    portable.fsync_path(path)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; directories cannot be opened on Windows.
    portable.fsync_dir(folder)


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError, PermissionError, IsADirectoryError):
        path.unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, *, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path to write; rename it to ``path`` on success, delete it on failure.

    The caller (or a tool it runs) creates the temporary file. If the block
    raises, or finishes without creating the file, ``path`` is left untouched
    and no temporary file remains.

    Args:
        path: The final destination; its folder must exist.
        durable: fsync the file and folder so the result survives a power cut.

    Yields:
        The temporary path in the same folder.

    Raises:
        BroadcasterError: The rename failed (permissions, missing file).
    """
    final = Path(path)
    temp = temp_path_for(final)
    try:
        yield temp
        if durable:
            _fsync_file(temp)
        portable.replace(temp, final)  # retried on Windows while an antivirus holds the file
    except BaseException as exc:  # also KeyboardInterrupt: a killed build leaves nothing behind
        _remove_quietly(temp)
        if isinstance(exc, OSError):
            raise BroadcasterError(MESSAGES["write_failed"].format(path=final, detail=os_error_reason(exc)),
                                   hint=MESSAGES["write_hint"]) from exc
        raise
    if durable:
        _fsync_dir(final.parent)


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, durable: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically.

    Args:
        path: The final destination; its folder must exist.
        data: The complete content.
        durable: fsync before the rename.

    Returns:
        ``path`` as a Path.

    Raises:
        BroadcasterError: The folder is missing or not writable, or the disk is full.
    """
    final = Path(path)
    with atomic_path(final, durable=durable) as temp:
        # os.open with 0o666 lets the umask decide, unlike mkstemp's 0o600,
        # so the published file has the same mode as a plainly written one.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    return final


def atomic_write_text(path: str | os.PathLike, text: str, *, encoding: str = "utf-8",
                      durable: bool = True) -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8 by default, newlines unchanged).

    Args:
        path: The final destination; its folder must exist.
        text: The complete content.
        encoding: Text encoding.
        durable: fsync before the rename.

    Returns:
        ``path`` as a Path.

    Raises:
        BroadcasterError: The folder is missing or not writable, or the disk is full.
    """
    return atomic_write_bytes(path, text.encode(encoding), durable=durable)


def file_sha256(path: Path | str) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks (a recording's or a voice model's identity)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
