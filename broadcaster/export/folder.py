"""Export stage, folder writing: an export's files reach a folder or a USB stick's root one by one, in play order.

Every format first lists what it will write as :class:`ExportEntry` values
(relative ``/`` path + a source file or the bytes), in writing order, without
touching the disk. This module then writes them.

Why the order matters: many timer players play files in the order of the FAT
directory, which is the order the entries were *created*, not their names. A
new entry takes the first free slot of its directory; while entries are only
added (nothing deleted in between), each new one lands after the previous, so
creating ``01``, ``01/001.mp3``, ``01/002.mp3``, ``02`` … in that order gives
that order on the stick. Copying a finished folder by hand (Explorer,
``cp -r``, ``mcopy -s``) creates them in whatever order the tool lists them.

Operating-system folders and files found on sticks straight from the shop or
from another computer (`OS_ROOT_NAMES`, `OS_ROOT_PATTERNS`, `OS_FILE_NAMES`,
AppleDouble ``._*`` files) are not the user's files and not ours: they never
make a folder "not empty", never count as foreign, and are never deleted —
except AppleDouble/``.DS_Store`` files *inside a folder of our previous
export*, which macOS made for our own files and which a DFPlayer would
otherwise count as tracks.

Writing in place (a stick's root cannot be renamed): the old export is removed
first (so the new entries fill the directory in order), a marker listing every
file about to be written goes first, then the files, each flushed; on failure
the files just written are removed again and the error says what is left and
how to write the stick again.
"""
from __future__ import annotations

import fnmatch
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .. import portable
from ..errors import BroadcasterError, os_error_reason

# Folders that Windows, Linux desktops, macOS, Android and CHKDSK create at the root of a volume
# (compared case-insensitively: FAT names are).
OS_ROOT_NAMES = frozenset(name.casefold() for name in (
    "System Volume Information", "$RECYCLE.BIN", "RECYCLER", "RECYCLED", ".Trash", ".Trashes",
    ".Spotlight-V100", ".fseventsd", ".TemporaryItems", ".DocumentRevisions-V100", "LOST.DIR",
    ".android_secure", "lost+found",
))
OS_ROOT_PATTERNS = (".trash-*", "found.[0-9][0-9][0-9]")   # .Trash-1000 (freedesktop), FOUND.000 (CHKDSK)
# Metadata files that desktops drop in any folder they have shown.
OS_FILE_NAMES = frozenset(name.casefold() for name in (".DS_Store", "Thumbs.db", "desktop.ini",
                                                        ".metadata_never_index"))
APPLEDOUBLE_PREFIX = "._"
COPY_CHUNK = 1024 * 1024

MESSAGES = {
    "no_space": ("không đủ chỗ trên {path}: bản xuất cần khoảng {need} MB nhưng chỉ còn {free} MB "
                 "(kể cả phần bản xuất cũ sẽ được xóa) — xóa bớt tệp trên thẻ, dùng thẻ lớn hơn hoặc xuất ít ngày hơn"),
    "stopped": "ghi vào {path} bị dừng sau {done}/{total} tệp ({last}): {detail}",
    "stopped_first": "ghi vào {path} bị dừng trước tệp đầu tiên: {detail}",
    "old_removed": "bản xuất cũ trên đó đã được xóa trước khi ghi (để các tệp mới nằm đúng thứ tự phát)",
    "cleaned": "đã xóa các tệp vừa ghi, thư mục không còn bản xuất dở — cắm lại thẻ (nếu đã rút) và chạy lại đúng lệnh trên",
    "old_left": ("không xóa được {count} mục của bản xuất cũ trên {path} ({items}) — kiểm tra thẻ không bị khóa ghi "
                 "(công tắc LOCK) và không có chương trình nào đang mở tệp trên thẻ, rồi xuất lại và cho phép thay bản "
                 "xuất trước đó"),
    "left": ("còn lại {count} tệp của bản xuất dở (liệt kê trong {marker}) — cắm lại thẻ rồi xuất lại và cho phép "
             "thay bản xuất trước đó để ghi lại từ đầu; đừng dùng thẻ này cho máy phát trước khi ghi xong"),
}


# What an `ExportError` asks the user to change; each shell says it in its own words (the CLI names its flag).
REPLACE, ONE_STATION, FEWER_DAYS = "replace", "station", "days"


class ExportError(BroadcasterError):
    """An export refused or stopped, with what the user may change to succeed.

    Stage messages never name a command-line flag (web users never see flags); the shell
    adds its own hint from ``remedy``.

    Attributes:
        remedy: `REPLACE` (allow replacing a previous export), `ONE_STATION` (choose one
            station), `FEWER_DAYS` (export fewer days; ``values["days"]`` suggests how many), or None.
        values: What the shell's hint may name (e.g. ``days``).
    """

    def __init__(self, message: str, *, remedy: str | None = None, **values):
        self.remedy = remedy
        self.values = values
        super().__init__(message)


@dataclass(frozen=True)
class ExportEntry:
    """One file of an export, before it is written.

    Attributes:
        rel: Path inside the export folder, ``/``-separated on every platform (``01/001.mp3``).
        source: A file to copy (a clip), or None.
        data: The complete content (playlists, indexes), or None.
    """

    rel: str
    source: Path | None = None
    data: bytes | None = None

    def size(self) -> int:
        """Bytes this entry will take (before cluster rounding)."""
        if self.data is not None:
            return len(self.data)
        return self.source.stat().st_size if self.source is not None else 0


# --- what is on the target ----------------------------------------------------------------------

def is_os_entry(rel: str) -> bool:
    """Tell whether a path inside an export folder belongs to the operating system, not to a user.

    Args:
        rel: ``/``-separated path relative to the export folder.

    Examples:
        ``System Volume Information/IndexerVolumeGuid``, ``.Trash-1000/info/x``,
        ``$RECYCLE.BIN/S-1-5-21/desktop.ini``, ``01/._001.mp3`` → True;
        ``ghi-chu.txt``, ``01/001.mp3`` → False.
    """
    parts = [p for p in rel.split("/") if p]
    if not parts:
        return False
    top = parts[0].casefold()
    if top in OS_ROOT_NAMES or any(fnmatch.fnmatchcase(top, pattern) for pattern in OS_ROOT_PATTERNS):
        return True
    return is_os_file_name(parts[-1])


def is_os_file_name(name: str) -> bool:
    """``.DS_Store``, ``Thumbs.db``, ``desktop.ini`` or an AppleDouble ``._NAME`` file."""
    return name.casefold() in OS_FILE_NAMES or name.startswith(APPLEDOUBLE_PREFIX)


@dataclass(frozen=True)
class FolderContent:
    """What a folder holds, split into the operating system's entries and everything else."""

    files: tuple[str, ...]      # non-OS files, ``/``-separated, sorted
    os_entries: tuple[str, ...]  # top-level OS folders/files, and OS files deeper down


def scan(folder: Path) -> FolderContent:
    """List ``folder`` without entering operating-system folders (Windows may forbid reading them)."""
    files: list[str] = []
    os_entries: list[str] = []
    for current, dirs, names in os.walk(folder):
        base = Path(current).relative_to(folder).as_posix()
        prefix = "" if base == "." else base + "/"
        for d in list(dirs):
            if is_os_entry(prefix + d) or os.path.islink(os.path.join(current, d)):
                dirs.remove(d)
                if is_os_entry(prefix + d):
                    os_entries.append(prefix + d)
                else:
                    files.append(prefix + d)  # a link to a folder: not ours, never followed
        for name in names:
            (os_entries if is_os_entry(prefix + name) else files).append(prefix + name)
    return FolderContent(tuple(sorted(files)), tuple(sorted(os_entries)))


def is_mount_point(folder: Path) -> bool:
    """True for the root of a mounted volume (``/media/STICK``, ``E:\\``): it cannot be renamed."""
    try:
        return os.path.ismount(folder)
    except OSError:
        return False


# --- writing --------------------------------------------------------------------------------------

def _target(folder: Path, rel: str) -> Path:
    return folder.joinpath(*rel.split("/"))


def _copy_flushed(entry: ExportEntry, target: Path) -> None:
    # "xb": never overwrite; the folder was checked empty of our names beforehand.
    with open(target, "xb") as dst:
        if entry.data is not None:
            dst.write(entry.data)
        else:
            with open(entry.source, "rb") as src:
                shutil.copyfileobj(src, dst, COPY_CHUNK)
        dst.flush()
        os.fsync(dst.fileno())


def write_entries(folder: Path, entries: Iterable[ExportEntry], *,
                  written: list[str] | None = None, made: list[str] | None = None,
                  on_written: Callable[[str], None] | None = None) -> list[str]:
    """Create the entries under ``folder`` one by one, in the given order, each flushed to the device.

    A missing folder on an entry's path is created just before the entry, so
    folders appear in the order of their first file.

    Args:
        folder: An existing folder.
        entries: In writing (play) order.
        written: Filled with each file's ``rel`` once it is complete (for clean-up after a failure).
        made: Filled with each folder's ``rel`` once created.
        on_written: Called with each file's ``rel`` once it is complete (progress).

    Returns:
        The files written, in order.

    Raises:
        OSError: A write failed; what was complete is in ``written``/``made``.
    """
    written = [] if written is None else written
    made = [] if made is None else made
    for entry in entries:
        parts = entry.rel.split("/")
        for depth in range(1, len(parts)):
            rel_dir = "/".join(parts[:depth])
            path = _target(folder, rel_dir)
            if not path.is_dir():
                path.mkdir()
                made.append(rel_dir)
                portable.fsync_dir(path.parent)
        target = _target(folder, entry.rel)
        try:
            _copy_flushed(entry, target)
        except FileExistsError:
            raise  # not ours: never removed
        except BaseException:
            try:  # the half-written file is ours (created with "x"): do not leave it behind
                target.unlink()
            except OSError:
                pass
            raise
        written.append(entry.rel)
        portable.fsync_dir(target.parent)
        if on_written is not None:
            on_written(entry.rel)
    return written


def needed_bytes(entries: Iterable[ExportEntry], cluster: int) -> int:
    """Bytes the entries take on a volume with ``cluster``-byte allocation units (folders included)."""
    total, folders = 0, set()
    for entry in entries:
        total += -(-entry.size() // cluster) * cluster
        parts = entry.rel.split("/")
        folders.update("/".join(parts[:d]) for d in range(1, len(parts)))
    return total + len(folders) * cluster


def cluster_size(folder: Path) -> int:
    """The volume's allocation unit (FAT cluster) where known, else 32 KiB (a large FAT32 cluster)."""
    try:
        return max(512, os.statvfs(folder).f_frsize)
    except (AttributeError, OSError):  # Windows has no statvfs
        return 32 * 1024


def check_space(dest: Path, entries: list[ExportEntry], reclaimed: int = 0) -> None:
    """Refuse before writing anything when the volume holding ``dest`` is too small.

    Args:
        dest: The export folder or its nearest existing parent's volume.
        entries: What will be written.
        reclaimed: Bytes the old export frees before the new one is written.

    Raises:
        BroadcasterError: Not enough free space (sizes in MB).
    """
    probe = dest
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    try:
        usage = shutil.disk_usage(probe)
    except OSError:
        return
    if usage.total == 0:  # the driver does not tell (some FUSE and network file systems): cannot check
        return
    free = usage.free
    need = needed_bytes(entries, cluster_size(probe))
    if need > free + reclaimed:
        raise BroadcasterError(MESSAGES["no_space"].format(path=dest, need=_mb(need), free=_mb(free + reclaimed)))


def _mb(count: int) -> str:
    return f"{count / 1e6:.1f}".replace(".", ",")


def previous_size(dest: Path, files: Iterable[str]) -> int:
    """Bytes held by the listed files of a previous export (missing ones count 0)."""
    total = 0
    for rel in files:
        try:
            total += _target(dest, rel).stat().st_size
        except OSError:
            pass
    return total


def remove_export(dest: Path, files: Iterable[str], folders: Iterable[str] = (), marker: str | None = None) -> list[str]:
    """Delete an export's files (and the OS shadows of them), then its now-empty folders and the marker.

    Only listed files, OS metadata files *inside the listed files' folders*, and
    folders left empty are removed; anything else stays.

    Returns:
        What could not be removed (``/`` paths).
    """
    left: list[str] = []
    files = list(files)
    for rel in reversed(files):
        path = _target(dest, rel)
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            left.append(rel)
    parents = {"/".join(rel.split("/")[:d]) for rel in files for d in range(1, len(rel.split("/")))}
    parents.update(folders)
    for rel_dir in sorted(parents, key=lambda r: (-r.count("/"), r)):
        path = _target(dest, rel_dir)
        try:
            for child in path.iterdir():
                if child.is_file() and is_os_file_name(child.name):
                    child.unlink()
            path.rmdir()
        except FileNotFoundError:
            pass
        except OSError:
            left.append(rel_dir + "/")
    if marker is not None and not left:  # the marker stays while anything it lists remains
        try:
            _target(dest, marker).unlink()
        except FileNotFoundError:
            pass
        except OSError:
            left.append(marker)
    portable.fsync_dir(dest)
    return left


def write_in_place(dest: Path, entries: list[ExportEntry], marker: str, marker_doc: dict, *,
                   previous: list[str] | None = None,
                   write: Callable[..., list[str]] = write_entries) -> list[str]:
    """Write an export straight into ``dest`` (a stick's root, or a folder holding OS folders) in play order.

    Steps: remove the previous export (``previous``: its listed files), write the
    marker (``"complete": false``, listing every file to come), write the
    entries, then mark the export complete.

    Args:
        dest: An existing folder.
        entries: In play order.
        marker: The marker's file name.
        marker_doc: The marker's content (``files`` and ``complete`` are set here).
        previous: Files of the export being replaced, or None.
        write: The entry writer (tests pass a failing one).

    Returns:
        The files written, in order.

    Raises:
        BroadcasterError: Writing stopped half-way; says what was removed, what is left and how to redo it.
    """
    old_removed = False
    if previous is not None:
        left = remove_export(dest, previous, marker=marker)
        old_removed = True
        if left:  # nothing new written yet; the marker still lists what remains
            raise ExportError(MESSAGES["old_left"].format(count=len(left), path=dest, items=", ".join(left[:5])),
                              remedy=REPLACE)
    doc = dict(marker_doc, files=[e.rel for e in entries], complete=False)
    marker_bytes = (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    written: list[str] = []
    made: list[str] = []
    try:
        write_entries(dest, [ExportEntry(marker, data=marker_bytes)])
        write(dest, entries, written=written, made=made)
        doc["complete"] = True
        from ..atomic import atomic_write_bytes

        atomic_write_bytes(_target(dest, marker), (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    except BaseException as exc:
        left = remove_export(dest, written, made, marker)
        detail = os_error_reason(exc) if isinstance(exc, OSError) else (str(exc) or type(exc).__name__)
        if isinstance(exc, KeyboardInterrupt):
            detail = "Ctrl+C"
        if written:
            head = MESSAGES["stopped"].format(path=dest, done=len(written), total=len(entries), last=written[-1],
                                              detail=detail)
        else:
            head = MESSAGES["stopped_first"].format(path=dest, detail=detail)
        parts = [head]
        if old_removed:
            parts.append(MESSAGES["old_removed"])
        parts.append(MESSAGES["left"].format(count=len(left), marker=marker) if left else MESSAGES["cleaned"])
        if isinstance(exc, KeyboardInterrupt) and not left and not old_removed:
            raise
        raise ExportError("; ".join(parts), remedy=REPLACE if left else None) from exc
    return written
