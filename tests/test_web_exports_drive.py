"""Web console, exports page: the USB export written straight onto a stick plugged into the console's machine.

The sticks are real volumes mounted as in tests/test_usb_stick.py: a FAT32 image
formatted by ``mkfs.vfat`` and mounted through FUSE (``fusefat``), read back from
the image bytes (tests/fatdir.py) for the order a timer player sees; a small
tmpfs for "not FAT" and, standing in for FAT there, for "not enough space"
(fusefat reports no free space). The console lists exactly these mounts through
``BROADCASTER_USB_DRIVES``.
"""
from __future__ import annotations

import html
import json
import re
import subprocess
import time
from datetime import date

import pytest

from broadcaster.config import load_project
from broadcaster.export import MARKER
from broadcaster.export.folder import scan
from fatdir import FatImage
from test_usb_stick import WINDOWS_STICK, fat_stick, small_volume, usb_pieces  # noqa: F401  (fixtures)
from webfixtures import app, client  # noqa: F401  (fixtures shared by the web tests)

STATION = "xa-dai-tam"
PAGE = f"/xuat?station={STATION}&from=2024-08-05&days=2"
FAR = {"REMOTE_ADDR": "192.168.1.20"}


def body_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def token(client, **kw) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/xuat", **kw).get_data(as_text=True)).group(1)


def form(client, drive, **extra) -> dict:
    return {"drive": str(drive), "station": STATION, "from": "2024-08-05", "days": "2",
            "csrf_token": token(client), **extra}


def finished(app, response, timeout: float = 180):
    """The background job a POST started, once it is over."""
    assert response.status_code == 303, body_of(response)
    job_id = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    jobs = app.extensions["broadcaster"].jobs
    deadline = time.monotonic() + timeout
    while jobs.get(job_id).state in ("running", "queued"):
        assert time.monotonic() < deadline, "the stick was not written in time"
        time.sleep(0.1)
    return jobs.get(job_id)


@pytest.fixture
def drives(monkeypatch):
    def use(*paths):
        monkeypatch.setenv("BROADCASTER_USB_DRIVES", ":".join(str(p) for p in paths))
    return use


def test_only_a_browser_on_this_machine_is_offered_the_stick(client, drives, tmp_path, fake_folder):
    stick = tmp_path / "USB"
    stick.mkdir()
    drives(stick)
    here = body_of(client.get(PAGE))
    assert "Ghi thẳng vào thẻ nhớ / USB cắm ở máy này" in here and f'value="{stick}"' in here
    assert "không phải FAT32, máy phát hẹn giờ không đọc được" in here  # a plain folder is no FAT stick
    far = body_of(client.get(PAGE, environ_base=FAR))
    assert "Các phiên phát (4)" in far  # the rest of the page is there
    assert "Ghi thẳng vào thẻ nhớ" not in far and str(stick) not in far
    response = client.post("/xuat/ghi-the", data=form(client, stick), environ_base=FAR)
    assert response.status_code == 404
    assert list(stick.iterdir()) == []


def test_no_stick_plugged_in_says_so(client, drives, tmp_path):
    drives(tmp_path / "khong-co")
    assert "Không thấy thẻ nhớ hoặc USB nào đang cắm vào máy này." in body_of(client.get(PAGE))


def test_write_onto_a_mounted_fat_stick_in_play_order_then_replace_it(app, client, drives, fake_folder, fat_stick):
    image, mount, mounted, unmounted = fat_stick
    mounted()
    drives(mount)
    listed = body_of(client.get(PAGE))
    assert f'value="{mount}"' in listed and "fuse.fusefat" in listed and "không phải FAT32" not in listed
    job = finished(app, client.post("/xuat/ghi-the", data=form(client, mount)))
    assert job.state == "done", job.message
    pieces = usb_pieces(load_project(fake_folder), date(2024, 8, 5), 2)
    files = sum(len(p) for p in pieces) + 1
    assert job.message.startswith(f"Đã ghi {files} tệp (4 phiên, ") and "thẻ USB theo đúng thứ tự phát" in job.message
    assert job.total == files and job.done == files  # the progress counted every file written
    # An earlier export is not replaced without being asked to; nothing is touched.
    before = scan(mount)
    response = client.post("/xuat/ghi-the", data=form(client, mount), follow_redirects=True)
    assert "thẻ USB đang có bản xuất cũ" in body_of(response) and "--force" not in body_of(response)
    assert scan(mount) == before
    unmounted()
    subprocess.run(["fsck.fat", "-n", str(image)], check=True, capture_output=True)
    fat = FatImage(image)
    root = fat.names()
    assert root[0] == "System Volume Information"  # Windows' folder kept, first as it was
    assert [n for n in root if n not in (MARKER, "System Volume Information")] == ["01", "02", "03", "04",
                                                                                    "MUCLUC.TXT"]
    for number, folder_pieces in enumerate(pieces, 1):
        assert fat.names(f"{number:02d}") == [f"{i:03d}.mp3" for i in range(1, len(folder_pieces) + 1)]
        for i, piece in enumerate(folder_pieces, 1):
            assert fat.read(f"{number:02d}/{i:03d}.mp3") == piece.path.read_bytes()
    assert "01/001.mp3    05/08/2024  sang" in fat.read("MUCLUC.TXT").decode("ascii")
    assert json.loads(fat.read(MARKER))["complete"] is True

    # Replacing, confirmed: one day now, still in play order, Windows' folder untouched.
    mounted()
    data = form(client, mount, replace="1", days="1")
    data["from"] = "2024-08-06"
    job = finished(app, client.post("/xuat/ghi-the", data=data))
    assert job.state == "done", job.message
    unmounted()
    fat = FatImage(image)
    assert [n for n in fat.names() if n not in (MARKER, "System Volume Information")] == ["01", "02", "MUCLUC.TXT"]
    for number, folder_pieces in enumerate(usb_pieces(load_project(fake_folder), date(2024, 8, 6), 1), 1):
        assert fat.names(f"{number:02d}") == [f"{i:03d}.mp3" for i in range(1, len(folder_pieces) + 1)]
    assert fat.names("System Volume Information") == ["IndexerVolumeGuid"]


def test_files_that_are_not_ours_are_named_and_kept(app, client, drives, fat_stick):
    image, mount, mounted, unmounted = fat_stick
    mounted()
    (mount / "bai-hat.mp3").write_bytes(b"ID3 nhac")
    drives(mount)
    response = client.post("/xuat/ghi-the", data=form(client, mount, replace="1"), follow_redirects=True)
    assert "thẻ USB có 1 tệp không do phần mềm này ghi (bai-hat.mp3) — không xóa các tệp này" in body_of(response)
    assert sorted(p.name for p in mount.iterdir()) == ["System Volume Information", "bai-hat.mp3"]
    unmounted()


def test_a_stick_that_is_not_fat_is_refused(client, drives, small_volume):
    drives(small_volume)
    assert "tmpfs" in body_of(client.get(PAGE))
    response = client.post("/xuat/ghi-the", data=form(client, small_volume), follow_redirects=True)
    body = body_of(response)
    assert "đang dùng hệ thống tệp tmpfs, nhưng máy phát hẹn giờ chỉ đọc được FAT32" in body
    assert "định dạng lại thẻ thành FAT32" in body
    assert list(small_volume.iterdir()) == []


def test_a_full_stick_is_refused_before_anything_is_written(app, client, drives, small_volume, monkeypatch):
    import shutil

    import broadcaster.export.drives as drive_module

    # tmpfs stands in for a FAT stick here: fusefat reports no free space, a real small volume does.
    monkeypatch.setattr(drive_module, "FAT_TYPES", drive_module.FAT_TYPES | {"tmpfs"})
    filler = small_volume / ".Trash-1000" / "files" / "nhac-cu.mp3"
    filler.parent.mkdir(parents=True)
    filler.write_bytes(b"\0" * (shutil.disk_usage(small_volume).free - 200_000))
    drives(small_volume)
    before = scan(small_volume)
    job = finished(app, client.post("/xuat/ghi-the", data=form(client, small_volume)))
    assert job.state == "failed" and "không đủ chỗ trên" in job.message and "MB" in job.message
    assert scan(small_volume) == before


def test_a_stick_pulled_out_before_writing_is_named(client, drives, tmp_path):
    drives(tmp_path / "khong-co")
    response = client.post("/xuat/ghi-the", data=form(client, tmp_path / "USB"), follow_redirects=True)
    assert "không thấy thẻ nhớ/USB" in body_of(response) and "cắm lại thẻ rồi tải lại trang" in body_of(response)


def test_one_station_per_stick(client, drives, tmp_path):
    drives(tmp_path)
    response = client.post("/xuat/ghi-the", data={**form(client, tmp_path), "station": ""}, follow_redirects=True)
    assert "ghi thẻ nhớ/USB cho một đài mỗi lần" in body_of(response)


@pytest.mark.parametrize("fstype, fat", [("vfat", True), ("FAT32", True), ("msdos", True), ("fuse.fusefat", True),
                                         ("exfat", False), ("NTFS", False), ("ext4", False), ("", False)])
def test_which_file_systems_a_timer_player_reads(fstype, fat, tmp_path):
    from broadcaster.export.drives import Drive

    assert Drive(tmp_path, "USB", fstype).is_fat is fat


def test_removable_drives_as_the_systems_mount_tables_say(monkeypatch):
    from collections import namedtuple

    import psutil

    from broadcaster.export import drives

    part = namedtuple("sdiskpart", "device mountpoint fstype opts")
    table = [part("/dev/vda", "/", "ext4", "rw"),                              # the system disk
             part("/dev/vdb1", "/srv/data", "ext4", "rw"),                     # a fixed data disk
             part("/dev/sdb1", "/media/nv/USB DAI TAM", "vfat", "rw,nosuid"),  # a desktop automount
             part("E:\\", "E:\\", "FAT32", "rw,removable")]                    # Windows: the drive type
    monkeypatch.delenv("BROADCASTER_USB_DRIVES", raising=False)
    monkeypatch.setattr(psutil, "disk_partitions", lambda all=False: table)
    monkeypatch.setattr(drives, "_linux_removable", lambda device: False)
    monkeypatch.setattr(drives, "_usage", lambda path: (8_000_000_000, 7_500_000_000))
    found = {d.label: d for d in drives.list_drives()}
    assert sorted(found) == ["E:", "USB DAI TAM"]
    assert found["USB DAI TAM"].is_fat and found["USB DAI TAM"].free == 7_500_000_000


def test_a_player_limit_on_the_stick_says_the_same_remedy_as_the_download_then_to_write_again(
        app, client, drives, small_volume, monkeypatch):
    import broadcaster.export.drives as drive_module
    from broadcaster.export import usb

    monkeypatch.setattr(drive_module, "FAT_TYPES", drive_module.FAT_TYPES | {"tmpfs"})  # as above
    monkeypatch.setattr(usb, "MAX_FOLDERS", 3)  # 2 days × 2 sessions need 4 folders
    drives(small_volume)
    job = finished(app, client.post("/xuat/ghi-the", data=form(client, small_volume)))
    assert job.state == "failed" and "cần 4 thư mục" in job.message
    # The download page says 'đặt “Số ngày” là 1 hoặc ít hơn rồi tải lại' (test_web_exports.py).
    assert "đặt “Số ngày” là 1 hoặc ít hơn rồi bấm “Ghi vào thẻ nhớ” lần nữa" in job.message
    assert "--days" not in job.message and list(small_volume.iterdir()) == []
