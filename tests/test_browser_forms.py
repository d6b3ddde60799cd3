"""Web console in a real browser: every action button acts on the fields as they are on screen, and a form's
result message is in view where the page lands (1366 px and 390 px wide).

Staff change a field and click a download or "Ghi vào thẻ nhớ" straight away, without pressing "Xem" again;
the file must be the one for what they see. Uses the fixtures of ``test_browser`` (Debian's Chromium).
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from urllib.parse import unquote

import pytest
from playwright.sync_api import expect

from test_browser import browser, page, screens_dir, serve, server  # noqa: F401  (fixtures)
from test_usb_stick import fat_stick  # noqa: F401  (a FAT32 image mounted through FUSE)

WIDTHS = ((1366, 768), (390, 844))


def in_view(tab, selector: str) -> bool:
    """The element is wholly inside the viewport (the user sees it without scrolling) once the page has
    settled at its landing position (the browser scrolls to the address's #fragment after loading; up to
    5 s are allowed for that on a loaded machine)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        tab.wait_for_function("""s => { const e = document.querySelector(s); if (!e) return false;
            const r = e.getBoundingClientRect();
            return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }""", arg=selector, timeout=5000)
        return True
    except PlaywrightTimeout:
        return False


def download(tab, button, tmp_path, name: str):
    """Click ``button``; (the file name the server gives the download, the saved file).

    The name is read from the response's ``filename*`` (what a browser saves the file as): headless Chromium
    reports "download" as the suggested name of a download answered to a form POST.
    """
    with tab.expect_download(timeout=180_000) as info, \
            tab.expect_response(lambda r: "filename*=" in (r.headers.get("content-disposition") or ""),
                                timeout=180_000) as answer:
        button.click()
    path = tmp_path / name
    info.value.save_as(path)
    header = answer.value.headers["content-disposition"]
    return unquote(header.split("filename*=UTF-8''", 1)[1]), path


@pytest.fixture
def october(fake_folder):
    """The console on 15/10/2024 (September is over, so its report can be made), with an empty play log."""
    from broadcaster.config import load_project
    from broadcaster.playlog.store import open_store

    open_store(load_project(fake_folder)).close()
    yield from serve(fake_folder, date(2024, 10, 15))


def test_export_downloads_use_the_station_and_dates_on_screen_not_the_last_view(page, tmp_path):
    page.goto("/xuat")  # the default view: every station, the week from 20/08/2024
    expect(page.get_by_text("Các phiên phát (")).to_be_visible()
    page.locator("#x-station").select_option("xa-dai-tam")
    page.get_by_label("Từ ngày").fill("2024-08-05")
    page.get_by_label("Số ngày").fill("1")
    # No "Xem các phiên": straight to the CSV button (the trial's clicks).
    name, path = download(page, page.get_by_role("button", name="Bảng CSV cho loa IP (.zip)"), tmp_path, "csv.zip")
    assert name == "Xuất CSV xa-dai-tam 05-08-2024–05-08-2024.zip"
    archive = zipfile.ZipFile(path)
    table = [n for n in archive.namelist() if n.endswith(".csv")]
    rows = list(csv.DictReader(io.StringIO(archive.read(table[0]).decode("utf-8-sig"))))
    assert rows and all("2024-08-05" in " ".join(r.values()) for r in rows), rows[:2]
    assert not any("xa-ngoc-to" in " ".join(r.values()) or "Ngọc Tố" in " ".join(r.values()) for r in rows)
    # Change again, still without viewing: each button follows the fields.
    page.get_by_label("Từ ngày").fill("2024-08-19")
    page.get_by_label("Số ngày").fill("2")
    for label, short in (("Danh sách phát M3U8", "M3U8"), ("Tệp JSON cho loa IP", "JSON"),
                         ("Thẻ nhớ / USB (máy phát hẹn giờ)", "USB")):
        name, _ = download(page, page.get_by_role("button", name=f"{label} (.zip)"), tmp_path, f"{short}.zip")
        assert name == f"Xuất {short} xa-dai-tam 19-08-2024–20-08-2024.zip"


def test_export_download_refused_shows_the_reason_by_the_buttons_in_view(browser, server, tmp_path):
    for width, height in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                      base_url=server.url.rstrip("/"))
        tab = context.new_page()
        tab.goto("/xuat?station=xa-dai-tam&from=2024-08-19&days=2")
        tab.locator("#x-station").select_option("")  # all stations: a stick is for one station
        tab.get_by_role("button", name="Thẻ nhớ / USB (máy phát hẹn giờ) (.zip)").click()
        message = tab.locator("#tb-h-tai .msg.error")
        expect(message).to_contain_text("bản xuất cho thẻ nhớ/USB là cho một đài — chọn một đài ở ô “Đài”")
        assert in_view(tab, "#tb-h-tai .msg.error"), f"{width} px: the refusal is off-screen"
        expect(tab.locator("#x-from")).to_have_value("2024-08-19")
        tab.screenshot(path=str(screens_dir(tmp_path) / f"xuat-tai-tu-choi-{width}.png"))
        context.close()


def test_stick_write_uses_the_dates_on_screen_and_its_result_is_in_view(browser, server, fake_folder, fat_stick,
                                                                        monkeypatch, tmp_path):
    from fatdir import FatImage

    image, mount, mounted, unmounted = fat_stick
    mounted()
    monkeypatch.setenv("BROADCASTER_USB_DRIVES", str(mount))
    folder = screens_dir(tmp_path)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN",
                                  base_url=server.url.rstrip("/"))
    tab = context.new_page()
    tab.goto("/xuat?station=xa-dai-tam&from=2024-08-05&days=3")
    # The trial's clicks: change the dates, tick "Thay", write — without "Xem các phiên".
    tab.get_by_label("Từ ngày").fill("2024-08-19")
    tab.get_by_label("Số ngày").fill("2")
    tab.get_by_role("radio", name=re.compile(r"^USB ")).check()
    tab.get_by_label(re.compile("Thay bản xuất cũ trên thẻ")).check()
    tab.get_by_role("button", name="Ghi vào thẻ nhớ").click()
    done = tab.locator("#tb-h-the .msg.success")
    expect(done).to_contain_text("của Đài truyền thanh xã Đại Tâm", timeout=180_000)
    expect(done).to_contain_text("19/08/2024 – 20/08/2024")
    assert in_view(tab, "#tb-h-the .msg.success"), "the stick's success message is off-screen"
    tab.screenshot(path=str(folder / "xuat-ghi-the-xong-1366.png"))
    # A second write without "Thay": refused, the refusal in view (both widths), the stick unchanged.
    for width, height in WIDTHS:
        tab.set_viewport_size({"width": width, "height": height})
        tab.goto("/xuat?station=xa-dai-tam&from=2024-08-05&days=1")
        tab.get_by_role("radio", name=re.compile(r"^USB ")).check()
        tab.get_by_role("button", name="Ghi vào thẻ nhớ").click()
        refused = tab.locator("#tb-h-the .msg.error")
        expect(refused).to_contain_text("đang có bản xuất cũ")
        assert in_view(tab, "#tb-h-the .msg.error"), f"{width} px: the stick's refusal is off-screen"
        tab.screenshot(path=str(folder / f"xuat-ghi-the-tu-choi-{width}.png"))
    context.close()
    unmounted()
    index = FatImage(image).read("MUCLUC.TXT").decode("ascii")
    assert "19/08/2024" in index and "20/08/2024" in index and "05/08/2024" not in index


def test_report_downloads_use_the_month_and_station_on_screen(browser, october, tmp_path):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN",
                                  base_url=october.url.rstrip("/"))
    page = context.new_page()
    page.goto("/bao-cao")
    expect(page.get_by_label("Tháng")).to_have_value("07/2024")  # campaigns over: the page opens on the last one
    # The trial's clicks: type the month, choose a station, click CSV — without "Xem báo cáo".
    page.get_by_label("Tháng").fill("09/2024")
    page.get_by_label("Đài").select_option("xa-dai-tam")
    name, path = download(page, page.get_by_role("button", name="CSV", exact=True), tmp_path, "bao-cao.csv")
    assert name == "Báo cáo tháng 9-2024 - xa-dai-tam.csv"
    assert path.read_text(encoding="utf-8-sig").startswith("campaign,form,medium,station,plays")
    page.get_by_label("Tháng").fill("8/2024")
    name, path = download(page, page.get_by_role("button", name="Word (.docx)"), tmp_path, "bao-cao.docx")
    assert name == "Báo cáo tháng 8-2024 - xa-dai-tam.docx"
    from docx import Document

    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "kết quả truyền thông về dừng công nghệ di động 2G tháng 8/2024" in text and "tháng 9/2024" not in text
    # A month that cannot be read: no file, the page with the month as typed and the reason.
    page.get_by_label("Tháng").fill("13/2024")
    page.get_by_role("button", name="Excel (.xlsx)").click()
    expect(page.get_by_role("alert")).to_contain_text('tháng không hợp lệ "13/2024"')
    expect(page.get_by_label("Tháng")).to_have_value("13/2024")
    assert in_view(page, ".msg.error")
    context.close()


def test_log_downloads_use_the_filters_on_screen(page, fake_folder, tmp_path):
    from broadcaster.config import load_project
    from broadcaster.playlog.store import open_store

    open_store(load_project(fake_folder)).close()
    page.goto("/hom-nay")  # one confirmed session of each station, so the list has rows to filter
    page.get_by_role("button", name="Xác nhận đã phát: Đài truyền thanh xã Đại Tâm, phiên sáng").click()
    expect(page.get_by_text("Đã xác nhận đài xa-dai-tam")).to_be_visible()
    page.get_by_role("button", name="Xác nhận đã phát: Đài truyền thanh xã Ngọc Tố, phiên sáng").click()
    expect(page.get_by_text("Đã xác nhận đài xa-ngoc-to")).to_be_visible()
    page.goto("/nhat-ky")
    page.get_by_label("Từ ngày").fill("19/08/2024")
    page.get_by_label("Đến ngày").fill("20/08/2024")
    page.locator("#loc-nhat-ky select[name=station]").select_option("xa-ngoc-to")
    name, path = download(page, page.get_by_role("button", name="CSV", exact=True), tmp_path, "nhat-ky.csv")
    assert name == "Nhật ký phát xa-ngoc-to 2024-08-19 2024-08-20.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows and all(r["station"] == "xa-ngoc-to" and r["started_at"][:10] in ("2024-08-19", "2024-08-20")
                        for r in rows)
    name, _ = download(page, page.get_by_role("button", name="Excel", exact=True), tmp_path, "nhat-ky.xlsx")
    assert name == "Nhật ký phát xa-ngoc-to 2024-08-19 2024-08-20.xlsx"


@pytest.mark.parametrize("width,height", WIDTHS, ids=[str(w) for w, _ in WIDTHS])
def test_station_save_and_refusal_are_said_next_to_the_form_in_view(browser, server, fake_folder, tmp_path,
                                                                    width, height):
    folder = screens_dir(tmp_path)
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                  base_url=server.url.rstrip("/"))
    tab = context.new_page()
    tab.goto("/thiet-lap")
    form = tab.locator("#dai-xa-ngoc-to")
    form.get_by_label("Tên đài").fill("Đài xã Ngọc Tố (sửa)")
    for field in ("session_name", "session_start", "session_end"):  # the trial: empty every session row
        cells = form.locator(f'input[name="{field}"]')
        for i in range(cells.count()):
            cells.nth(i).fill("")
    form.get_by_role("button", name=re.compile("^Lưu đài")).click()
    refused = "#loi-dai-xa-ngoc-to"
    expect(tab.locator(refused)).to_contain_text("Chưa lưu đài Đài xã Ngọc Tố (sửa)")
    assert in_view(tab, refused), f"{width} px: the refusal is off-screen"
    expect(tab.locator("#loi-dai-xa-ngoc-to-sessions")).to_contain_text("chưa có phiên phát nào")
    form = tab.locator("#dai-xa-ngoc-to")
    expect(form.get_by_label("Tên đài")).to_have_value("Đài xã Ngọc Tố (sửa)")  # the edits are kept
    assert all(v == "" for v in form.locator('input[name="session_name"]').evaluate_all("l => l.map(e => e.value)"))
    tab.screenshot(path=str(folder / f"thiet-lap-dai-tu-choi-{width}.png"))
    assert "Đài xã Ngọc Tố (sửa)" not in (fake_folder / "broadcaster.yaml").read_text(encoding="utf-8")
    # Fill a session again and save: the success message, in view at the form.
    form.locator('input[name="session_name"]').first.fill("sang")
    form.locator('input[name="session_start"]').first.fill("05:30")
    form.locator('input[name="session_end"]').first.fill("06:00")
    form.get_by_role("button", name=re.compile("^Lưu đài")).click()
    saved = "#tb-dai-xa-ngoc-to .msg.success"
    expect(tab.locator(saved)).to_have_text("Đã lưu đài Đài xã Ngọc Tố (sửa) vào broadcaster.yaml.")
    assert in_view(tab, saved), f"{width} px: the success message is off-screen"
    tab.screenshot(path=str(folder / f"thiet-lap-dai-da-luu-{width}.png"))
    context.close()


@pytest.mark.parametrize("width,height", WIDTHS, ids=[str(w) for w, _ in WIDTHS])
def test_lexicon_refusal_and_save_are_said_at_the_table_in_view(browser, server, fake_folder, tmp_path, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                  base_url=server.url.rstrip("/"))
    tab = context.new_page()
    tab.goto("/giong-doc")
    tab.get_by_label("Từ viết mới").fill("QL1A")  # no reading: refused
    tab.get_by_role("button", name="Lưu từ điển").click()
    expect(tab.locator("#loi-h-tu-dien")).to_contain_text('cách đọc của "QL1A" đang để trống')
    assert in_view(tab, "#loi-h-tu-dien"), f"{width} px: the refusal is off-screen"
    expect(tab.locator('input[name="written"][value="QL1A"]')).to_have_count(1)  # what was typed is kept
    tab.screenshot(path=str(screens_dir(tmp_path) / f"giong-doc-tu-dien-tu-choi-{width}.png"))
    tab.locator('input[name="written"][value="QL1A"]').locator("xpath=../..").locator('input[name="spoken"]').fill(
        "quốc lộ một a")
    tab.get_by_role("button", name="Lưu từ điển").click()
    expect(tab.locator("#tb-h-tu-dien .msg.success")).to_contain_text("Đã lưu từ điển đọc")
    assert in_view(tab, "#tb-h-tu-dien .msg.success"), f"{width} px: the success message is off-screen"
    context.close()


def test_today_confirm_uses_the_day_on_screen(page, fake_folder):
    from broadcaster.config import load_project
    from broadcaster.playlog.store import open_store

    page.goto("/hom-nay")
    page.get_by_label("Ngày").fill("2024-08-19")  # changed, not viewed
    page.get_by_role("button", name="Xác nhận đã phát: Đài truyền thanh xã Đại Tâm, phiên sáng").click()
    expect(page.get_by_text("Đã xác nhận đài xa-dai-tam")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("19/08/2024")
    assert in_view(page, ".flashes .msg")
    store = open_store(load_project(fake_folder))
    try:
        assert {(r["station"], r["started_at"].date()) for r in store.list_plays()} == {("xa-dai-tam", date(2024, 8, 19))}
    finally:
        store.close()


def test_without_javascript_the_buttons_still_follow_the_screen_and_refusals_land_in_view(browser, server, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", java_script_enabled=False,
                                  base_url=server.url.rstrip("/"))
    tab = context.new_page()
    tab.goto("/xuat")
    tab.locator("#x-station").select_option("xa-dai-tam")
    tab.get_by_label("Từ ngày").fill("2024-08-05")
    tab.get_by_label("Số ngày").fill("1")
    name, _ = download(tab, tab.get_by_role("button", name="Bảng CSV cho loa IP (.zip)"), tmp_path, "csv.zip")
    assert name == "Xuất CSV xa-dai-tam 05-08-2024–05-08-2024.zip"
    tab.goto("/thiet-lap")
    form = tab.locator("#dai-xa-dai-tam")
    form.locator('input[name="session_name"]').first.fill("")  # a row with times but no name: refused
    form.get_by_role("button", name=re.compile("^Lưu đài")).click()
    expect(tab.locator("#loi-dai-xa-dai-tam-sessions")).to_contain_text("phiên thứ 1 có giờ")
    assert in_view(tab, "#loi-dai-xa-dai-tam"), "without JavaScript the refusal is off-screen"
    context.close()
