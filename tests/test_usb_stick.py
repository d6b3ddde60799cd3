"""Exports onto USB sticks as they come from the shop or another computer, and the play order on a real FAT volume.

Sticks formatted by Windows carry ``System Volume Information/IndexerVolumeGuid``,
Linux desktops leave ``.Trash-1000``, macOS ``.Spotlight-V100``/``.fseventsd``/
``.Trashes`` and ``._*`` files: none of them may block an export or be deleted.

The order test formats a real FAT32 image with ``mkfs.vfat``, mounts it with
the FUSE FAT driver ``fusefat`` (the sandbox's kernel has no vfat module for a
loop mount), exports onto the mount point with the real CLI, unmounts, and
reads the raw directory entries back from the image bytes (tests/fatdir.py):
the order a timer player's firmware sees.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest

from broadcaster.cli import main
from broadcaster.config import load_project
from broadcaster.errors import BroadcasterError
from broadcaster.export import MARKER, REPLACE, ExportError, export
from broadcaster.export.folder import is_os_entry, is_mount_point, scan
from broadcaster.schedule import load_schedules
from broadcaster.export.programme import prepare_programmes
from conftest import copy_sample, use_engine
from fatdir import FatImage

DAY = date(2024, 8, 5)
STATION = "xa-dai-tam"

WINDOWS_STICK = {
    "System Volume Information/IndexerVolumeGuid": "{6A2D1C3E-9B7F-4E21-8C55-0D3F7A9B1E42}".encode("utf-16-le"),
    "System Volume Information/WPSettings.dat": b"\x0c\x00\x00\x00\x01\x00\x00\x00",
}
RECYCLE_STICK = {
    "$RECYCLE.BIN/S-1-5-21-1004336348-1177238915-682003330-512/desktop.ini":
        b"[.ShellClassInfo]\r\nCLSID={645FF040-5081-101B-9F08-00AA002F954E}\r\n",
}
LINUX_STICK = {
    ".Trash-1000/info/cu.mp3.trashinfo": b"[Trash Info]\nPath=/media/u/USB/cu.mp3\n",
    ".Trash-1000/files/cu.mp3": b"ID3old",
}
MAC_STICK = {
    ".Spotlight-V100/Store-V2/8C2A/psid.db": b"\x00" * 16,
    ".fseventsd/fseventsd-uuid": b"5E0C2D7A",
    ".Trashes/501/.keep": b"",
    "._.Trashes": b"\x00\x05\x16\x07",
    ".DS_Store": b"\x00\x00\x00\x01Bud1",
}
STICKS = {"windows": WINDOWS_STICK, "recycle-bin": RECYCLE_STICK, "linux": LINUX_STICK, "mac": MAC_STICK}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    work = copy_sample(tmp_path_factory.mktemp("sample") / "work")
    use_engine(work, "fake", "fake")
    from broadcaster.build import build_clips

    build_clips(load_project(work))
    return work


@pytest.fixture
def project(folder):
    return load_project(folder)


def make_stick(root: Path, layout: dict[str, bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rel, data in layout.items():
        path = root.joinpath(*rel.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def assert_untouched(root: Path, layout: dict[str, bytes]) -> None:
    for rel, data in layout.items():
        assert root.joinpath(*rel.split("/")).read_bytes() == data, rel


def usb_pieces(project, first: date, days: int) -> list[list]:
    programmes = prepare_programmes(project, load_schedules(project), first,
                                    date.fromordinal(first.toordinal() + days - 1), STATION)
    programmes.sort(key=lambda p: (p.date, p.session.start))
    return [[piece for piece in p.pieces if piece.kind != "gap"] for p in programmes]


# --- operating-system folders ------------------------------------------------------------------

@pytest.mark.parametrize("rel, expected", [
    ("System Volume Information/IndexerVolumeGuid", True),
    ("system volume information", True),
    ("$RECYCLE.BIN/S-1-5-21-1/desktop.ini", True),
    (".Trash-1000/files/x.mp3", True),
    (".Trash-0", True),
    (".Spotlight-V100/Store-V2/x", True),
    (".fseventsd/fseventsd-uuid", True),
    (".Trashes/501", True),
    ("FOUND.000/FILE0000.CHK", True),
    ("lost+found", True),
    ("LOST.DIR/1234", True),
    ("01/._001.mp3", True),
    (".DS_Store", True),
    ("audio/Thumbs.db", True),
    ("ghi-chu.txt", False),
    ("01/001.mp3", False),
    ("Trash-1000", False),
    ("audio/System Volume Information", False),   # only at the top of the stick
    (MARKER, False),
])
def test_os_entries(rel, expected):
    assert is_os_entry(rel) is expected


@pytest.mark.parametrize("fmt", ["usb", "m3u", "csv", "json"])
@pytest.mark.parametrize("kind", list(STICKS))
def test_export_onto_a_stick_with_os_folders(project, tmp_path, kind, fmt):
    layout = STICKS[kind]
    stick = make_stick(tmp_path / "STICK", layout)
    result = export(project, load_schedules(project), fmt, DAY, 1, stick, STATION)  # no --force needed
    assert_untouched(stick, layout)
    content = scan(stick)
    assert set(content.files) == set(result.files) | {MARKER}
    marker = json.loads((stick / MARKER).read_text(encoding="utf-8"))
    assert marker["complete"] is True and marker["files"] == list(result.files)
    assert [p.name for p in tmp_path.iterdir()] == ["STICK"]  # no staging folder beside it


def test_force_replaces_own_export_and_keeps_os_folders(project, tmp_path):
    stick = make_stick(tmp_path / "STICK", {**WINDOWS_STICK, **LINUX_STICK})
    schedules = load_schedules(project)
    export(project, schedules, "usb", DAY, 2, stick, STATION)
    assert sorted(p.name for p in stick.iterdir() if p.name[0].isdigit()) == ["01", "02", "03", "04"]
    (stick / "03" / "._001.mp3").write_bytes(b"\x00\x05\x16\x07")  # macOS shadow of our own file
    with pytest.raises(ExportError, match="không trống .*cho phép thay bản xuất trước đó") as info:
        export(project, schedules, "usb", DAY, 1, stick, STATION)
    assert info.value.remedy == REPLACE
    result = export(project, schedules, "usb", DAY, 1, stick, STATION, force=True)
    assert sorted(p.name for p in stick.iterdir() if p.name[0].isdigit()) == ["01", "02"]
    assert not (stick / "03").exists()  # the shadow went with our folder
    assert_untouched(stick, {**WINDOWS_STICK, **LINUX_STICK})
    assert set(scan(stick).files) == set(result.files) | {MARKER}


def test_foreign_file_still_refused_and_only_it_is_named(project, tmp_path):
    stick = make_stick(tmp_path / "STICK", {**WINDOWS_STICK, **MAC_STICK})
    schedules = load_schedules(project)
    export(project, schedules, "usb", DAY, 1, stick, STATION)
    (stick / "bai-hat.mp3").write_bytes(b"ID3")
    before = scan(stick)
    with pytest.raises(BroadcasterError) as info:
        export(project, schedules, "usb", DAY, 1, stick, STATION, force=True)
    message = str(info.value)
    assert "(bai-hat.mp3)" in message
    assert "System Volume Information" not in message and ".DS_Store" not in message
    assert scan(stick) == before


def test_cli_export_usb_to_windows_stick(folder, tmp_path, capsys):
    stick = make_stick(tmp_path / "E", WINDOWS_STICK)
    code = main(["--project", str(folder), "export", "usb", "--date", "05/08/2024", "--station", STATION,
                 "--to", str(stick)])
    assert code == 0, capsys.readouterr().err
    assert (stick / "01" / "001.mp3").is_file() and (stick / "MUCLUC.TXT").is_file()
    assert_untouched(stick, WINDOWS_STICK)


# --- stopping half-way while writing in place ---------------------------------------------------

def _full_after(monkeypatch, count: int) -> list[str]:
    import broadcaster.export.folder as writer

    real = writer._copy_flushed
    calls: list[str] = []

    def copy(entry, target):
        calls.append(entry.rel)
        if len(calls) > count:
            target.write_bytes(b"ID3 half")
            raise OSError(errno.ENOSPC, "No space left on device")
        real(entry, target)

    monkeypatch.setattr(writer, "_copy_flushed", copy)
    return calls


def test_failure_half_way_removes_what_was_written_and_says_how_to_redo(project, tmp_path, monkeypatch):
    stick = make_stick(tmp_path / "STICK", WINDOWS_STICK)
    calls = _full_after(monkeypatch, 5)  # the marker, then 4 clips
    with pytest.raises(BroadcasterError) as info:
        export(project, load_schedules(project), "usb", DAY, 1, stick, STATION)
    message = str(info.value)
    total = sum(len(p) for p in usb_pieces(project, DAY, 1)) + 1
    assert f"bị dừng sau 4/{total} tệp (01/004.mp3)" in message
    assert "đĩa đã đầy" in message
    assert "chạy lại đúng lệnh" in message and "đã xóa bản xuất cũ" not in message
    assert len(calls) == 6
    assert scan(stick).files == ()  # only the OS folder is left
    assert_untouched(stick, WINDOWS_STICK)


def test_ctrl_c_half_way_cleans_the_stick(folder, tmp_path, monkeypatch, capsys):
    import broadcaster.export.folder as writer

    stick = make_stick(tmp_path / "STICK", WINDOWS_STICK)
    real = writer._copy_flushed
    calls: list[str] = []

    def interrupted(entry, target):
        calls.append(entry.rel)
        if len(calls) == 4:
            raise KeyboardInterrupt
        real(entry, target)

    monkeypatch.setattr(writer, "_copy_flushed", interrupted)
    code = main(["--project", str(folder), "export", "usb", "--date", "2024-08-05", "--station", STATION,
                 "--to", str(stick)])
    assert code == 130 and "không tệp nào bị ghi dở" in capsys.readouterr().err
    assert scan(stick).files == ()
    assert_untouched(stick, WINDOWS_STICK)


def test_failure_over_old_export_says_the_old_one_is_gone(project, tmp_path, monkeypatch):
    stick = make_stick(tmp_path / "STICK", WINDOWS_STICK)
    schedules = load_schedules(project)
    export(project, schedules, "usb", DAY, 1, stick, STATION)
    _full_after(monkeypatch, 2)
    with pytest.raises(BroadcasterError, match="bản xuất cũ trên đó đã được xóa trước khi ghi"):
        export(project, schedules, "usb", DAY, 2, stick, STATION, force=True)
    assert scan(stick).files == ()


def test_old_export_that_cannot_be_removed_is_named_and_nothing_new_is_written(project, tmp_path, monkeypatch):
    stick = make_stick(tmp_path / "STICK", WINDOWS_STICK)
    schedules = load_schedules(project)
    first = export(project, schedules, "usb", DAY, 1, stick, STATION)
    real_unlink = Path.unlink

    def locked(self, missing_ok=False):  # a write-protected stick (LOCK switch)
        if stick in self.parents:
            raise PermissionError(errno.EROFS, "Read-only file system")
        return real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", locked)
    with pytest.raises(ExportError, match=r"không xóa được \d+ mục của bản xuất cũ .*LOCK.*cho phép thay") as info:
        export(project, schedules, "usb", date(2024, 8, 6), 1, stick, STATION, force=True)
    assert info.value.remedy == REPLACE and "--force" not in str(info.value)
    monkeypatch.undo()
    assert set(scan(stick).files) == set(first.files) | {MARKER}  # the old export as it was, marker included


def test_failure_when_the_stick_is_pulled_leaves_a_marker_and_force_redoes_it(project, tmp_path, monkeypatch):
    stick = make_stick(tmp_path / "STICK", WINDOWS_STICK)
    schedules = load_schedules(project)
    _full_after(monkeypatch, 3)
    real_unlink = Path.unlink

    def unlink(self, missing_ok=False):  # the stick is gone: nothing can be removed either
        if stick in self.parents:
            raise OSError(errno.EIO, "Input/output error")
        return real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    with pytest.raises(BroadcasterError) as info:
        export(project, schedules, "usb", DAY, 1, stick, STATION)
    assert "còn lại" in str(info.value) and "cho phép thay" in str(info.value) and MARKER in str(info.value)
    assert isinstance(info.value, ExportError) and info.value.remedy == REPLACE and "--force" not in str(info.value)
    marker = json.loads((stick / MARKER).read_text(encoding="utf-8"))
    assert marker["complete"] is False and "MUCLUC.TXT" in marker["files"]
    monkeypatch.undo()
    result = export(project, schedules, "usb", DAY, 1, stick, STATION, force=True)
    assert set(scan(stick).files) == set(result.files) | {MARKER}
    pieces = usb_pieces(project, DAY, 1)
    assert (stick / "01" / "001.mp3").read_bytes() == pieces[0][0].path.read_bytes()


# --- a real FAT volume, mounted -----------------------------------------------------------------

def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


@pytest.fixture
def fat_stick(tmp_path):
    """A 48 MB FAT32 image formatted like a Windows stick, mounted through FUSE at a real mount point."""
    for tool in ("mkfs.vfat", "mmd", "mcopy", "fusefat", "fsck.fat"):
        assert shutil.which(tool), f"{tool} is missing: apt-get install dosfstools mtools fusefat (see .ci/run)"
    fusermount = shutil.which("fusermount") or shutil.which("fusermount3")
    assert fusermount, "fusermount is missing (package fuse or fuse3, a dependency of fusefat)"
    image = tmp_path / "stick.img"
    # No volume label: fusefat (unlike the kernel and Windows) would show it as a file.
    _run("mkfs.vfat", "-C", "-F", "32", str(image), str(48 * 1024))
    guid = tmp_path / "IndexerVolumeGuid"
    guid.write_bytes(WINDOWS_STICK["System Volume Information/IndexerVolumeGuid"])
    _run("mmd", "-i", str(image), "::/System Volume Information")
    _run("mcopy", "-i", str(image), str(guid), "::/System Volume Information/IndexerVolumeGuid")
    mount = tmp_path / "media" / "USB"
    mount.mkdir(parents=True)
    state = {"proc": None}

    def mounted() -> None:
        proc = subprocess.Popen(["fusefat", "-f", "-o", "rw+", str(image), str(mount)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not os.path.ismount(mount):
            assert proc.poll() is None and time.monotonic() < deadline, "fusefat could not mount the image"
            time.sleep(0.05)
        state["proc"] = proc

    def unmounted() -> None:
        proc = state["proc"]
        if proc is None:
            return
        subprocess.run([fusermount, "-u", str(mount)], check=False, capture_output=True)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        state["proc"] = None

    try:
        yield image, mount, mounted, unmounted
    finally:
        unmounted()


def test_export_onto_mounted_fat_stick_writes_in_play_order(folder, project, fat_stick, capsys):
    image, mount, mounted, unmounted = fat_stick
    mounted()
    assert is_mount_point(mount)  # the root of a volume: it cannot be renamed, the export writes in place
    code = main(["--project", str(folder), "export", "usb", "--date", "2024-08-05", "--days", "2",
                 "--station", STATION, "--to", str(mount)])
    assert code == 0, capsys.readouterr().err
    unmounted()
    subprocess.run(["fsck.fat", "-n", str(image)], check=True, capture_output=True)

    fat = FatImage(image)
    root = fat.names()
    assert root[0] == "System Volume Information"  # Windows' folder kept, first as it was
    assert [n for n in root if n not in (MARKER, "System Volume Information")] == ["01", "02", "03", "04",
                                                                                    "MUCLUC.TXT"]
    assert fat.names("System Volume Information") == ["IndexerVolumeGuid"]
    pieces = usb_pieces(project, DAY, 2)
    for number, folder_pieces in enumerate(pieces, 1):
        names = fat.names(f"{number:02d}")
        assert names == [f"{i:03d}.mp3" for i in range(1, len(folder_pieces) + 1)]  # directory order = play order
        for i, piece in enumerate(folder_pieces, 1):
            assert fat.read(f"{number:02d}/{i:03d}.mp3") == piece.path.read_bytes()
    index = fat.read("MUCLUC.TXT").decode("ascii")
    assert "01/001.mp3    05/08/2024  sang" in index
    assert json.loads(fat.read(MARKER))["complete"] is True

    # A week later: the same stick, a new export over the old one (--force), still in play order.
    mounted()
    code = main(["--project", str(folder), "export", "usb", "--date", "2024-08-06", "--station", STATION,
                 "--to", str(mount), "--force"])
    assert code == 0, capsys.readouterr().err
    unmounted()
    subprocess.run(["fsck.fat", "-n", str(image)], check=True, capture_output=True)
    fat = FatImage(image)
    root = fat.names()
    assert [n for n in root if n not in (MARKER, "System Volume Information")] == ["01", "02", "MUCLUC.TXT"]
    pieces = usb_pieces(project, date(2024, 8, 6), 1)
    for number, folder_pieces in enumerate(pieces, 1):
        assert fat.names(f"{number:02d}") == [f"{i:03d}.mp3" for i in range(1, len(folder_pieces) + 1)]
        for i, piece in enumerate(folder_pieces, 1):
            assert fat.read(f"{number:02d}/{i:03d}.mp3") == piece.path.read_bytes()
    assert "06/08/2024" in fat.read("MUCLUC.TXT").decode("ascii")


@pytest.fixture
def small_volume(tmp_path):
    """A real 4 MB volume mounted at its own mount point (tmpfs; fusefat does not report free space)."""
    mount = tmp_path / "media" / "SMALL"
    mount.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], check=True, capture_output=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False, capture_output=True)


def test_full_stick_is_refused_before_anything_is_written(folder, small_volume, capsys):
    mount = small_volume
    assert is_mount_point(mount)
    free = shutil.disk_usage(mount).free
    # Files deleted on a Linux desktop stay in .Trash-1000 and keep the stick full but for ~200 KB.
    filler = mount / ".Trash-1000" / "files" / "nhac-cu.mp3"
    filler.parent.mkdir(parents=True)
    filler.write_bytes(b"\0" * (free - 200_000))
    before = scan(mount)
    code = main(["--project", str(folder), "export", "usb", "--date", "2024-08-05", "--days", "2",
                 "--station", STATION, "--to", str(mount)])
    err = capsys.readouterr().err
    assert code == 1 and "không đủ chỗ trên" in err and "MB" in err
    assert scan(mount) == before and sorted(p.name for p in mount.iterdir()) == [".Trash-1000"]


@pytest.mark.parametrize("fmt, last", [("m3u", "2024-08-05_xa-dai-tam_sang.m3u8"), ("json", "schedule.json")])
def test_other_formats_onto_a_mounted_stick_root(folder, fat_stick, capsys, fmt, last):
    image, mount, mounted, unmounted = fat_stick
    mounted()
    code = main(["--project", str(folder), "export", fmt, "--date", "2024-08-05", "--station", STATION,
                 "--to", str(mount)])
    assert code == 0, capsys.readouterr().err
    unmounted()
    fat = FatImage(image)
    root = [n for n in fat.names() if n not in (MARKER, "System Volume Information")]
    assert root[0] == "audio" and last in root
    files = json.loads(fat.read(MARKER))["files"]
    assert fat.names("audio") == [f.split("/", 1)[1] for f in files if f.startswith("audio/")]  # writing order
    assert [n for n in root if n != "audio"] == [f for f in files if "/" not in f]
    assert fat.names("System Volume Information") == ["IndexerVolumeGuid"]
