"""Web console in a real browser (Playwright driving Debian's Chromium): what a new staff member does, step by step.

Playwright's own browser download does not work on the build machines, so the
tests use the system Chromium (``apt-get install chromium``; .ci/run installs it).
Screenshots of every page at 1366×768 and 390 px wide are written to
``docs/screens/`` when BROADCASTER_SCREENS=1 (otherwise to the test's temporary folder).
"""
from __future__ import annotations

import os
import shutil
import threading
from datetime import date, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from broadcaster.config import load_project
from broadcaster.web import create_app
from broadcaster.web.server import make_server
from test_usb_stick import fat_stick  # noqa: F401  (a FAT32 image mounted through FUSE)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# --lang=vi: the browser's own widgets (date fields dd/mm/yyyy, file pickers) in Vietnamese, as staff see them;
# the contexts' locale="vi-VN" sets what the pages are told (navigator.language, Accept-Language).
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", "--lang=vi"]
REPO = Path(__file__).resolve().parent.parent
TODAY = date(2024, 8, 20)


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Chromium is required: apt-get install chromium"
    locales = Path(CHROMIUM).resolve().parent.parent / "lib" / "chromium" / "locales"
    assert not locales.is_dir() or (locales / "vi.pak").exists(), \
        "Chromium's Vietnamese widgets are missing (English date fields in screenshots): apt-get install chromium-l10n"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True,
                                     env={**os.environ, "LANG": "vi_VN.UTF-8", "LANGUAGE": "vi"})
        yield chromium
        chromium.close()


def serve(folder, today, now=None):
    """The console on ``folder`` served on a free local port in a thread, as if it were ``today``; yields the server."""
    app = create_app(folder, today=today)
    if now is not None:
        app.config["BROADCASTER_NOW"] = now
    running = make_server(folder, "127.0.0.1", 0, app=app)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    yield running
    running.stop()
    thread.join(timeout=5)
    app.extensions["broadcaster"].close()


@pytest.fixture
def server(fake_folder):
    yield from serve(fake_folder, TODAY, datetime(2024, 8, 20, 12, 0))


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN",
                                  base_url=server.url.rstrip("/"))
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()


def screens_dir(tmp_path: Path) -> Path:
    folder = REPO / "docs" / "screens" if os.environ.get("BROADCASTER_SCREENS") else tmp_path / "screens"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_create_a_script_see_its_preview_build_it_and_hear_it(page, fake_folder):
    page.goto("/kich-ban")
    page.get_by_role("link", name="Thêm kịch bản").click()
    page.get_by_label("Tiêu đề").fill("Thông báo lịch tiêm phòng dại")
    # The id follows the title (no diacritics, dashes) while it has not been edited.
    expect(page.get_by_label("Mã kịch bản (tên tệp)")).to_have_value("thong-bao-lich-tiem-phong-dai")
    page.get_by_label("Chiến dịch").select_option("dung-2g")
    page.get_by_label("Hình thức").select_option("thong-bao")
    page.get_by_label("Nội dung").fill("Trạm thú y tiêm phòng lúc 7h30 ngày 15/8/2024.")
    # The spoken form, from the server's normaliser, while typing.
    preview = page.locator('#xem-truoc [data-out="spoken"]')
    expect(preview).to_contain_text("bảy giờ ba mươi")
    expect(preview).to_contain_text("tháng tám")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu kịch bản Thông báo lịch tiêm phòng dại")).to_be_visible()
    assert load_project(fake_folder).script("thong-bao-lich-tiem-phong-dai").text.startswith("Trạm thú y")
    page.get_by_role("button", name="Tạo âm thanh").click()
    # Progress page, then back to the form with the player.
    player = page.get_by_label("Nghe thử: Thông báo lịch tiêm phòng dại")
    expect(player).to_be_visible(timeout=120_000)
    duration = page.evaluate("""() => new Promise((ok, fail) => {
        const a = document.querySelector('audio');
        const done = () => ok(a.duration);
        if (a.readyState >= 1) { done(); } else { a.addEventListener('loadedmetadata', done); a.addEventListener('error', () => fail('audio error')); a.load(); }
    })""")
    assert duration > 1.0


def test_inline_errors_keep_the_file(page, fake_folder):
    path = fake_folder / "scripts" / "2g-nhac-nho.yaml"
    before = path.read_bytes()
    page.goto("/kich-ban/2g-nhac-nho/sua")
    page.get_by_label("Hiệu lực từ ngày").fill("2024-10-01")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("#e-valid_from, #e-valid_until").get_by_text("trước ngày bắt đầu")).to_be_visible()
    expect(page.get_by_label("Hiệu lực từ ngày")).to_have_value("2024-10-01")
    assert path.read_bytes() == before


def test_download_the_usb_zip_in_play_order(page, tmp_path):
    import zipfile

    page.goto("/")
    page.get_by_role("link", name="Xuất").click()
    page.locator("#x-station").select_option("xa-dai-tam")
    page.get_by_label("Từ ngày").fill("2024-08-19")
    page.get_by_label("Số ngày").fill("2")
    page.get_by_role("button", name="Xem các phiên").click()
    expect(page.get_by_text("Các phiên phát (4)")).to_be_visible()
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="Thẻ nhớ / USB (máy phát hẹn giờ) (.zip)").click()
    path = tmp_path / "usb.zip"
    info.value.save_as(path)
    names = zipfile.ZipFile(path).namelist()
    assert names[0] == "01/001.mp3" and names[-1] == "MUCLUC.TXT"
    assert names[:-1] == sorted(names[:-1])


def test_confirm_a_finished_session(page):
    page.goto("/")
    page.get_by_role("link", name="Hôm nay").click()
    page.get_by_role("button", name="Xác nhận đã phát: Đài truyền thanh xã Đại Tâm, phiên sáng").click()
    expect(page.get_by_text("Đã xác nhận đài xa-dai-tam ngày 20/08/2024 phiên sang")).to_be_visible()
    expect(page.locator('[data-session="xa-dai-tam:sang"] .tag')).to_have_text("Đã xác nhận")
    expect(page.locator('[data-session="xa-dai-tam:chieu"] .tag')).to_have_text("Chưa đến giờ")


def test_schedule_a_script_for_a_week(page, fake_folder):
    page.goto("/")
    page.get_by_role("link", name="Lịch phát").click()
    page.get_by_label("Kịch bản", exact=True).select_option("2g-nhac-nho")
    page.get_by_label("Thêm vào lịch").select_option("")
    page.get_by_label("Từ ngày").fill("2024-08-26")
    page.get_by_label("Đến ngày").fill("2024-09-01")
    page.get_by_label("Đài truyền thanh xã Tham Đôn", exact=True).check()
    page.get_by_label("sáng", exact=True).check()
    page.get_by_role("button", name="Thêm vào lịch").click()
    expect(page.get_by_text("Đã thêm “Nhắc nhở chuyển đổi điện thoại 2G” vào lịch “Nhắc nhở chuyển đổi điện thoại 2G”; "
                            "mục này phát ở Đài truyền thanh xã Tham Đôn.")).to_be_visible()
    assert (fake_folder / "schedules" / "2g-nhac-nho-2024-08-26.yaml").is_file()
    # The calendar now shows the week the script was added to (the staff's trial saw an older week).
    expect(page.get_by_role("heading", level=1)).to_have_text("Lịch phát: 26/08/2024 – 01/09/2024")
    monday = page.locator("#d-2024-08-26").locator("xpath=..")
    session = monday.locator(".session", has_text="Đài truyền thanh xã Tham Đôn").filter(has_text="phiên sáng")
    expect(session.get_by_text("Nhắc nhở chuyển đổi điện thoại 2G")).to_be_visible()


def test_report_numbers_match_the_log_after_confirming(page, fake_folder):
    import re

    from broadcaster.playlog.store import open_store

    page.goto("/hom-nay")
    page.get_by_role("button", name="Xác nhận đã phát: Đài truyền thanh xã Đại Tâm, phiên sáng").click()
    expect(page.get_by_text("Đã xác nhận đài xa-dai-tam")).to_be_visible()
    page.get_by_role("button", name="Xác nhận đã phát: Đài truyền thanh xã Ngọc Tố, phiên sáng").click()
    expect(page.get_by_text("Đã xác nhận đài xa-ngoc-to")).to_be_visible()
    store = open_store(load_project(fake_folder))
    try:
        rows = store.list_plays()
    finally:
        store.close()
    played = [r for r in rows if r["status"] == "played"]
    assert len(played) > 0
    page.get_by_role("link", name="Báo cáo").click()
    totals = page.locator("p.totals").inner_text()
    found = re.match(r"Tổng: (\d+) lượt đã phát \(([\d,]+) phút\)", totals)
    assert found, totals
    assert int(found[1]) == len(played)
    minutes = sum(r["duration_s"] for r in played) / 60
    assert abs(float(found[2].replace(",", ".")) - minutes) < 0.1


def test_void_an_entry_then_the_report_leaves_it_out(page, fake_folder, tmp_path):
    """Log corrections: void a mistaken confirmation with a reason; the report's numbers against the log exclude it."""
    import re

    from broadcaster.playlog.store import open_store

    page.goto("/hom-nay")
    page.get_by_role("button", name="Xác nhận đã phát: Đài truyền thanh xã Đại Tâm, phiên sáng").click()
    expect(page.get_by_text("Đã xác nhận đài xa-dai-tam")).to_be_visible()
    page.get_by_role("button", name="Xác nhận đã phát: Đài truyền thanh xã Ngọc Tố, phiên sáng").click()
    expect(page.get_by_text("Đã xác nhận đài xa-ngoc-to")).to_be_visible()
    page.get_by_role("link", name="Nhật ký phát").click()
    row = page.locator("tr[data-row]").first
    victim = int(row.get_attribute("data-row"))
    row.get_by_text("Hủy lượt phát").click()
    row.get_by_label(f"Lý do hủy lượt {victim}").fill("Xác nhận nhầm: loa hỏng, phiên sáng không phát")
    row.get_by_role("button", name="Xác nhận hủy").click()
    expect(page.get_by_text(f"Đã hủy lượt phát mã {victim}")).to_be_visible()
    voided = page.locator(f'tr[data-row="{victim}"]')
    expect(voided.locator(".tag")).to_have_text("Đã hủy")
    expect(voided).to_contain_text("Lý do: Xác nhận nhầm: loa hỏng, phiên sáng không phát")
    folder = screens_dir(tmp_path)
    page.screenshot(path=str(folder / "nhat-ky-huy-1366.png"), full_page=True,
                    clip={"x": 0, "y": 0, "width": 1366, "height": 1400})
    # At 390 px the table scrolls inside its box and the page itself never scrolls sideways; the open void
    # form is a sheet along the bottom of the screen, wholly visible, saying that voiding is final.
    page.set_viewport_size({"width": 390, "height": 844})
    other = page.locator(f'tr[data-row]:not([data-row="{victim}"])').first
    other.get_by_text("Hủy lượt phát").click()
    form = other.locator("form.void-form")
    expect(form.get_by_text("Hủy là vĩnh viễn, không hoàn tác được")).to_be_visible()
    for part in (form, form.get_by_role("textbox"), form.get_by_role("button", name="Xác nhận hủy"),
                 form.get_by_role("button", name="Thôi, không hủy")):
        box = part.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["y"] + box["height"] <= 844, box
    page.screenshot(path=str(folder / "nhat-ky-huy-390.png"))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    form.get_by_role("button", name="Thôi, không hủy").click()
    expect(form).to_be_hidden()
    page.set_viewport_size({"width": 1366, "height": 768})
    other.get_by_text("Hủy lượt phát").click()  # on a computer the form opens in its table cell
    expect(form.get_by_text("Hủy là vĩnh viễn, không hoàn tác được")).to_be_visible()
    page.locator("div.scroll").last.screenshot(path=str(folder / "nhat-ky-huy-mo-1366.png"))
    store = open_store(load_project(fake_folder))
    try:
        rows = store.list_plays()
    finally:
        store.close()
    assert [r["void_reason"] for r in rows if r["id"] == victim] == \
        ["Xác nhận nhầm: loa hỏng, phiên sáng không phát"]
    counted = [r for r in rows if r["status"] == "played" and r["voided_by"] is None]
    assert 0 < len(counted) < len([r for r in rows if r["status"] == "played"])
    page.get_by_role("link", name="Báo cáo").click()
    totals = page.locator("p.totals").inner_text()
    found = re.match(r"Tổng: (\d+) lượt đã phát \(([\d,]+) phút\)", totals)
    assert found, totals
    assert int(found[1]) == len(counted)
    minutes = sum(r["duration_s"] for r in counted) / 60
    assert abs(float(found[2].replace(",", ".")) - minutes) < 0.1
    expect(page.get_by_text("Số lượt đã hủy: 1 lượt phát ghi nhầm")).to_be_visible()
    page.screenshot(path=str(folder / "bao-cao-huy-1366.png"), full_page=True,
                    clip={"x": 0, "y": 0, "width": 1366, "height": 1000})


PAGES = [("tong-quan", "/"), ("hom-nay", "/hom-nay"), ("kich-ban", "/kich-ban"), ("kich-ban-them", "/kich-ban/them"),
         ("kich-ban-sua", "/kich-ban/2g-thong-bao/sua"), ("kich-ban-xem", "/kich-ban/2g-thong-bao"),
         ("lich-phat", "/lich-phat?date=2024-08-19"),
         ("lich-phat-chuyen", "/lich-phat/chuyen?schedule=schedules/2g.yaml&index=1"), ("ke-hoach", "/ke-hoach"), ("thiet-lap", "/thiet-lap"), ("giong-doc", "/giong-doc"), ("xuat", "/xuat?station=xa-dai-tam&from=2024-08-19&days=2"), ("nhat-ky", "/nhat-ky"), ("bao-cao", "/bao-cao")]


@pytest.mark.parametrize("name,url", PAGES, ids=[p[0] for p in PAGES])
def test_page_fits_390_px_and_is_screenshotted(browser, server, tmp_path, name, url):
    folder = screens_dir(tmp_path)
    for width, height in ((1366, 768), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
        tab = context.new_page()
        tab.goto(server.url.rstrip("/") + url)
        tall = min(tab.evaluate("() => document.documentElement.scrollHeight"), 2 * height)
        tab.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True,
                       clip={"x": 0, "y": 0, "width": width, "height": tall})
        if width == 390:
            overflow = tab.evaluate("() => document.documentElement.scrollWidth")
            wide = tab.evaluate("""() => Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > 391 || e.getBoundingClientRect().left < -1)
                .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
            assert overflow <= 390, f"{url} scrolls sideways at 390 px ({overflow} px wide): {wide}"
        # Every input has an accessible name (label or aria-label).
        unnamed = tab.evaluate("""() => Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
            .map(e => e.name || e.id)""")
        assert unnamed == [], f"{url}: inputs without a label: {unnamed}"
        context.close()


def test_skip_link_is_the_first_tab_stop(page):
    page.goto("/kich-ban")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent")
    assert focused == "Bỏ qua, đến nội dung chính"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "noi-dung"


def test_move_a_schedule_item_after_seeing_the_check(page, fake_folder, tmp_path):
    page.goto("/lich-phat")
    page.get_by_role("link", name="Chuyển 2g-huong-dan trong Lịch phát truyền thông dừng công nghệ di động 2G").click()
    heading = "Chuyển mục lịch: Hướng dẫn chuyển đổi sang máy điện thoại 4G"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_label("sáng", exact=True)).to_be_checked()  # filled with how the item plays now
    page.get_by_label("sáng", exact=True).uncheck()
    page.get_by_label("chiều", exact=True).check()
    page.get_by_label("Từ ngày").fill("2024-08-19")
    page.get_by_label("Đến ngày").fill("2024-08-25")
    page.get_by_role("button", name="Kiểm tra").click()
    # The check is shown before anything is saved: no overflow, how full the sessions get.
    expect(page.get_by_text("Đã kiểm tra: lịch sau khi chuyển không có lỗi")).to_be_visible()
    expect(page.get_by_text("Mục này phát trong 12 phiên.")).to_be_visible()  # 4 stations × mon, wed, fri
    assert "2g-huong-dan, sessions: [chieu]" not in (fake_folder / "schedules" / "2g.yaml").read_text(encoding="utf-8")
    page.screenshot(path=str(screens_dir(tmp_path) / "lich-phat-chuyen-kiem-tra-1366.png"), full_page=True)
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.get_by_text("Đã chuyển 2g-huong-dan sang 2g.yaml.")).to_be_visible()
    assert ("{script: 2g-huong-dan, sessions: [chieu], days: [mon, wed, fri], from: 2024-08-19, until: 2024-08-25}"
            in (fake_folder / "schedules" / "2g.yaml").read_text(encoding="utf-8"))
    page.goto("/lich-phat?station=xa-dai-tam&date=2024-08-19")
    monday = page.locator("#d-2024-08-19").locator("xpath=..")
    expect(monday.locator(".session").nth(1).get_by_text("Hướng dẫn chuyển đổi sang máy điện thoại 4G")).to_be_visible()
    expect(monday.locator(".session").first.get_by_text("Hướng dẫn chuyển đổi sang máy điện thoại 4G")).to_have_count(0)


def test_write_the_usb_export_onto_a_plugged_in_stick(page, fake_folder, fat_stick, monkeypatch, tmp_path):
    from broadcaster.export import MARKER
    from fatdir import FatImage
    from test_usb_stick import usb_pieces

    image, mount, mounted, unmounted = fat_stick
    mounted()
    monkeypatch.setenv("BROADCASTER_USB_DRIVES", str(mount))  # the stick the console lists (same process)
    page.goto("/xuat")
    page.locator("#x-station").select_option("xa-dai-tam")
    page.get_by_label("Từ ngày").fill("2024-08-05")
    page.get_by_label("Số ngày").fill("2")
    page.get_by_role("button", name="Xem các phiên").click()
    expect(page.get_by_text("Ghi thẳng vào thẻ nhớ / USB cắm ở máy này")).to_be_visible()
    import re

    page.get_by_role("radio", name=re.compile(r"^USB ")).check()
    page.screenshot(path=str(screens_dir(tmp_path) / "xuat-ghi-the-1366.png"), full_page=True)
    page.get_by_role("button", name="Ghi vào thẻ nhớ").click()
    expect(page.get_by_text("vào thẻ USB theo đúng thứ tự phát")).to_be_visible(timeout=180_000)
    unmounted()
    fat = FatImage(image)
    assert [n for n in fat.names() if n not in (MARKER, "System Volume Information")] == ["01", "02", "03", "04",
                                                                                          "MUCLUC.TXT"]
    for number, pieces in enumerate(usb_pieces(load_project(fake_folder), date(2024, 8, 5), 2), 1):
        assert fat.names(f"{number:02d}") == [f"{i:03d}.mp3" for i in range(1, len(pieces) + 1)]
