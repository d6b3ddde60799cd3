"""Export stage, drives: the removable drives (USB sticks, SD cards) plugged into this computer, and whether an export may go onto one.

Timer players read FAT16/FAT32 only (DFPlayer class, see :mod:`.usb`); a stick
formatted exFAT or NTFS (large sticks come so from the shop) plays nothing, so
it is refused before anything is written, with how to format it.

Which drives are removable comes from the operating system's mount table
(psutil): on Windows the drive type ("removable"), on Linux the kernel's
``removable`` flag of the disk or a USB bus in its device path, or a mount under
``/media`` or ``/run/media`` (desktop automount), on macOS a volume under
``/Volumes``. Setting `DRIVES_ENV` to mounted folders (separated by
``os.pathsep``) lists exactly those instead: for tests, and for a machine whose
sticks are mounted somewhere else.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import BroadcasterError
from ..timeutil import vn_date
from .folder import scan

DRIVES_ENV = "BROADCASTER_USB_DRIVES"
# File system names of FAT volumes as the mount tables spell them (Linux, FUSE, macOS, Windows).
FAT_TYPES = frozenset({"vfat", "msdos", "fat", "fat12", "fat16", "fat32", "fuse.fusefat", "fusefat", "umsdos"})
AUTOMOUNT_ROOTS = ("/media/", "/run/media/", "/Volumes/")

MESSAGES = {
    "not_listed": ("không thấy thẻ nhớ/USB {path} trong các ổ đang cắm vào máy này — có thể thẻ vừa bị rút; "
                   "cắm lại thẻ rồi tải lại trang"),
    "not_fat": ("thẻ {label} ({path}) đang dùng hệ thống tệp {fstype}, nhưng máy phát hẹn giờ chỉ đọc được FAT32 "
                "(hoặc FAT16) — định dạng lại thẻ thành FAT32 trên máy tính (việc này xóa hết dữ liệu trên thẻ, "
                "chép ra trước những gì cần giữ) rồi thử lại"),
    "unknown_fs": "không rõ hệ thống tệp",
    "foreign": ("thẻ {label} có {count} tệp không do phần mềm này ghi ({files}{more}) — không xóa các tệp này; "
                "dùng thẻ khác, hoặc tự chép các tệp đó ra và xóa khỏi thẻ rồi thử lại"),
    "more": " và {count} tệp khác",
    "previous": ("thẻ {label} đang có bản xuất cũ ({count} tệp{period}) — chọn “Thay bản xuất cũ trên thẻ” "
                 "nếu muốn xóa nó và ghi bản mới"),
    "previous_period": ", từ {first} đến {last}",
}


@dataclass(frozen=True)
class Drive:
    """A mounted removable drive (ổ di động: thẻ nhớ, USB).

    Attributes:
        path: Its mount point (``/media/user/USB``, ``E:\\``).
        label: What staff call it: the last part of the mount point, or the drive letter.
        fstype: The file system as the mount table names it (``vfat``, ``exfat``, ``fuse.fusefat``…), "" if unknown.
        total, free: Bytes; 0 when the driver does not tell (some FUSE file systems).
    """

    path: Path
    label: str
    fstype: str
    total: int = 0
    free: int = 0

    @property
    def is_fat(self) -> bool:
        """True for FAT12/16/32 (what timer players read)."""
        return self.fstype.casefold() in FAT_TYPES


@dataclass(frozen=True)
class Content:
    """What a drive holds, seen as an export target.

    Attributes:
        previous: Files of an earlier export by this program (listed in its marker), in its order.
        foreign: Other files (not the operating system's), sorted.
        period: The earlier export's (first, last) day as written in its marker, or None.
    """

    previous: tuple[str, ...]
    foreign: tuple[str, ...]
    period: tuple[str, str] | None = None

    @property
    def empty(self) -> bool:
        return not self.previous and not self.foreign


def _label(mountpoint: str) -> str:
    """``/media/nv/USB`` → ``USB``, ``E:\\`` → ``E:`` (on every platform, for the tests' tables too)."""
    trimmed = mountpoint.rstrip("\\/")
    return trimmed.replace("\\", "/").rsplit("/", 1)[-1] or mountpoint


def _usage(path: str) -> tuple[int, int]:
    try:
        usage = shutil.disk_usage(path)
    except OSError:
        return 0, 0
    return usage.total, usage.free


def _linux_removable(device: str) -> bool:
    """The kernel's view of a block device: removable flag of its disk, or a USB bus on its path."""
    name = Path(device).name
    node = Path("/sys/class/block") / name
    try:
        real = node.resolve()
    except OSError:
        return False
    if "/usb" in real.as_posix():
        return True
    for candidate in (node / "removable", node.parent / "removable", real.parent / "removable"):
        try:
            return candidate.read_text().strip() == "1"
        except OSError:
            continue
    return False


def _removable(part) -> bool:
    opts = set((part.opts or "").split(","))
    if "removable" in opts:           # Windows drive type
        return True
    if sys.platform.startswith("linux") and part.device.startswith("/dev/") and _linux_removable(part.device):
        return True
    return any(part.mountpoint.startswith(root) for root in AUTOMOUNT_ROOTS)


def _mount_types() -> dict[str, tuple[str, str]]:
    """Mount point → (file system, device) for every mounted file system."""
    import psutil

    try:
        parts = psutil.disk_partitions(all=True)
    except OSError:
        return {}
    return {os.path.normcase(os.path.abspath(p.mountpoint)): (p.fstype, p.device) for p in parts}


def list_drives(only: list[str] | None = None) -> list[Drive]:
    """The removable drives mounted on this computer, by mount point.

    Args:
        only: Mounted folders to list instead of asking the system (default: the
            `DRIVES_ENV` variable when set). Each is listed with its file system
            from the mount table ("" when it is not a mount point).

    Returns:
        Drives in mount-point order.
    """
    if only is None and os.environ.get(DRIVES_ENV):
        only = [p for p in os.environ[DRIVES_ENV].split(os.pathsep) if p]
    drives: list[Drive] = []
    if only is not None:
        types = _mount_types()
        for folder in only:
            key = os.path.normcase(os.path.abspath(folder))
            if not os.path.isdir(key):
                continue
            fstype = types.get(key, ("", ""))[0]
            drives.append(Drive(Path(key), _label(key), fstype, *_usage(key)))
        return sorted(drives, key=lambda d: str(d.path))
    import psutil

    try:
        parts = psutil.disk_partitions(all=False)
    except OSError:
        return []
    for part in parts:
        if part.mountpoint in ("/", "") or not _removable(part):
            continue
        drives.append(Drive(Path(part.mountpoint), _label(part.mountpoint), part.fstype, *_usage(part.mountpoint)))
    return sorted(drives, key=lambda d: str(d.path))


def find_drive(path: str, only: list[str] | None = None) -> Drive:
    """The listed drive mounted at ``path``, checked to be FAT.

    Raises:
        BroadcasterError: Not a listed removable drive (unplugged?), or not FAT (how to format it).
    """
    key = os.path.normcase(os.path.abspath(path)) if path else ""
    drive = next((d for d in list_drives(only) if os.path.normcase(os.path.abspath(d.path)) == key), None)
    if drive is None:
        raise BroadcasterError(MESSAGES["not_listed"].format(path=path or "(chưa chọn)"))
    if not drive.is_fat:
        raise BroadcasterError(MESSAGES["not_fat"].format(label=drive.label, path=drive.path,
                                                          fstype=drive.fstype or MESSAGES["unknown_fs"]))
    return drive


def content(drive: Drive, marker: str) -> Content:
    """What ``drive`` holds: an earlier export of ours (its marker ``marker`` lists it) and other files.

    Operating-system folders and files (``System Volume Information``, ``.Trash-1000``…) count as neither.
    """
    found = scan(drive.path)
    listed: list[str] = []
    period = None
    try:
        doc = json.loads((drive.path / marker).read_text(encoding="utf-8"))
        listed = [str(f) for f in doc.get("files", [])]
        if doc.get("from") and doc.get("until"):
            period = (str(doc["from"]), str(doc["until"]))
    except (OSError, ValueError, AttributeError):
        pass
    present = set(found.files)
    previous = tuple(f for f in listed if f in present)
    foreign = tuple(f for f in found.files if f != marker and f not in set(listed))
    return Content(previous, foreign, period)


def refusal(drive: Drive, found: Content, replace: bool) -> str | None:
    """Why an export may not go onto ``drive`` now (foreign files; an earlier export not to be replaced), or None."""
    if found.foreign:
        more = MESSAGES["more"].format(count=len(found.foreign) - 5) if len(found.foreign) > 5 else ""
        return MESSAGES["foreign"].format(label=drive.label, count=len(found.foreign),
                                          files=", ".join(found.foreign[:5]), more=more)
    if found.previous and not replace:
        period = ""
        if found.period:
            try:
                first, last = (vn_date(date.fromisoformat(d)) for d in found.period)
                period = MESSAGES["previous_period"].format(first=first, last=last)
            except ValueError:
                pass
        return MESSAGES["previous"].format(label=drive.label, count=len(found.previous), period=period)
    return None
