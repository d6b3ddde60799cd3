"""Each kind of misreading found in real notices, fixed in general: one table of cases per kind.

The examples are made up in the shape of real notices (tests/data/real_notices.tsv has the real
ones). South readings unless a case says otherwise.
"""
from __future__ import annotations

import re

import pytest

from broadcaster.speech.normalize import NormalizeOptions, normalize_detailed, normalize_text

NORTH = NormalizeOptions(dialect="north")


def words(text: str) -> str:
    return " ".join(re.sub(r"[,;:.!?]", " ", text).casefold().split())


def check(cases, options=None):
    for text, want in cases:
        got = normalize_text(text, options)
        assert words(got) == words(want), f"{text!r}: got {got!r}"


# --- The slash, read by its role ------------------------------------------------------------

@pytest.mark.parametrize("text, want", [
    ("giá 15.000đ/kg", "giá mười lăm ngàn đồng một ki lô gam"),
    ("uống 2 lần/ngày", "uống hai lần một ngày"),
    ("50.000 đồng/hộp", "năm mươi ngàn đồng một hộp"),
    ("năng suất 6,5 tấn/ha", "năng suất sáu phẩy năm tấn một héc ta"),
    ("xấp xỉ 2,8 tạ/sào", "xấp xỉ hai phẩy tám tạ một sào"),
    ("Kế hoạch số 12-KH/HU", "kế hoạch số mười hai gạch ca hát trên hát u"),
    ("Nghị định 45/2024/NĐ-CP", "nghị định bốn mươi lăm trên hai ngàn không trăm hai mươi tư trên en đê gạch xê pê"),
    ("Quyết định 88/QĐ-UBND", "quyết định tám mươi tám trên quy đê gạch u bê en dê"),
    ("Chỉ thị số 05-CT/TU", "chỉ thị số năm gạch xê tê trên tê u"),
    ("Luật số 42/2013/QH13", "luật số bốn mươi hai trên hai ngàn không trăm mười ba trên quy hát mười ba"),
    ("Quyết định số 168a/QĐ-UBND", "quyết định số một trăm sáu mươi tám a trên quy đê gạch u bê en dê"),
    ("mạng 3G/4G", "mạng ba gờ, bốn gờ"),
    ("số CMND/CCCD", "số chứng minh nhân dân, căn cước công dân"),
    ("tiêm ngày 3, 10, 17 /02/2025", "tiêm ngày mùng ba, mùng mười, mười bảy tháng hai năm hai ngàn không trăm hai mươi lăm"),
    ("trong 3 ngày (4, 5 và 6/3)", "trong ba ngày, mùng bốn, mùng năm và mùng sáu tháng ba"),
    ("đường 2/9", "đường hai tháng chín"),
    ("ngã tư 3/2", "ngã tư ba tháng hai"),
    ("đường 30/4", "đường ba mươi tháng tư"),
    ("phụ nữ 1/2 số hộ", "phụ nữ một phần hai số hộ"),
])
def test_slash_by_role(text, want):
    check([(text, want)])


# --- Ranges and day-month ----------------------------------------------------------------------

@pytest.mark.parametrize("text, want", [
    ("từ 6-8h", "từ sáu đến tám giờ"),
    ("khung giờ 11-14h", "khung giờ từ mười một đến mười bốn giờ"),
    ("13h30 - 16h", "từ mười ba giờ ba mươi phút đến mười sáu giờ"),
    ("tăng 5%–7%", "tăng năm đến bảy phần trăm"),
    ("độ ẩm 30%-60%", "độ ẩm ba mươi đến sáu mươi phần trăm"),
    ("nhiệt độ 28-30°C", "nhiệt độ hai mươi tám đến ba mươi độ xê"),
    ("cấp 12-13", "cấp mười hai đến mười ba"),
    ("ngày 20-3", "ngày hai mươi tháng ba"),
    ("sáng 9-10", "sáng ngày mùng chín tháng mười"),
    ("hết ngày 30.4", "hết ngày ba mươi tháng tư"),
    ("Sáng nay (17-11), UBND huyện họp", "sáng nay, ngày mười bảy tháng mười một, ủy ban nhân dân huyện họp"),
    ("từ ngày 22-11 đến 8-12-2021", "từ ngày hai mươi hai tháng mười một đến ngày mùng tám tháng mười hai năm hai ngàn không trăm hai mươi mốt"),
    ("Ngày 9 - 10.4, trời nắng", "ngày mùng chín đến ngày mùng mười tháng tư, trời nắng"),
    ("từ ngày 04 đến ngày 06/3/2026", "từ ngày mùng bốn đến ngày mùng sáu tháng ba năm hai ngàn không trăm hai mươi sáu"),
    ("uống 2-3 lần", "uống hai đến ba lần"),
    ("nhiệm kỳ 2021-2026", "nhiệm kỳ hai ngàn không trăm hai mươi mốt đến hai ngàn không trăm hai mươi sáu"),
])
def test_ranges_and_day_month(text, want):
    check([(text, want)])


# Several days sharing one month, joined by "và" or ",", with "-" or "/" (or "." after a date word)
# before the month: each is a day of that month, never a range "… đến …".
@pytest.mark.parametrize("text, want", [
    ("trong hai tới (3 và 4-7) trời nắng", "trong hai tới, mùng ba và mùng bốn tháng bảy, trời nắng"),
    ("trong hai ngày tới (3 và 4-7) trời nắng", "trong hai ngày tới, ngày mùng ba và mùng bốn tháng bảy, trời nắng"),
    ("mưa lớn (13 và 14-10)", "mưa lớn, mười ba và mười bốn tháng mười"),
    ("hai ngày cuối tuần ( 20 và 21 - 9 )", "hai ngày cuối tuần, hai mươi và hai mươi mốt tháng chín"),
    ("(4, 5 và 6/3) có gió mạnh", "mùng bốn, mùng năm và mùng sáu tháng ba, có gió mạnh"),
    ("tiêm vào ngày 12, 13-8", "tiêm vào ngày mười hai, mười ba tháng tám"),
    ("các ngày 3, 4 và 5-7", "các ngày mùng ba, mùng bốn và mùng năm tháng bảy"),
    ("ngày 3 và 4-7", "ngày mùng ba và mùng bốn tháng bảy"),
    ("sáng 27 và 28-11 tiếp dân", "sáng ngày hai mươi bảy và hai mươi tám tháng mười một tiếp dân"),
    ("hết ngày 29 và 30.4", "hết ngày hai mươi chín và ba mươi tháng tư"),
    ("ngày 7; 14 và 21-6", "ngày mùng bảy; mười bốn và hai mươi mốt tháng sáu"),
    ("mùng 1 và 2/9 nghỉ lễ", "mùng một và mùng hai tháng chín nghỉ lễ"),
    # Not a date: no date word before and not alone in brackets, or something else in the brackets.
    ("lớp 3 và 4-5 tuổi", "lớp ba và bốn đến năm tuổi"),
    ("từ 3 và 4-7 người", "từ ba và bốn đến bảy người"),
    ("nhiệt độ (3 và 4-7 độ)", "nhiệt độ, ba và bốn đến bảy độ"),
    ("tỷ lệ (1, 2 và 3.5)", "tỷ lệ, một, hai và ba chấm năm"),
])
def test_days_sharing_one_month(text, want):
    check([(text, want)])


def test_days_sharing_one_month_north():
    check([("trong hai tới (3 và 4-7) trời nắng", "trong hai tới, mồng ba và mồng bốn tháng bảy, trời nắng"),
           ("ngày 9, 10 và 11-12", "ngày mồng chín, mồng mười và mười một tháng mười hai")], NORTH)
    # A list read as days is no guessed range: nothing to report.
    _, warnings = normalize_detailed("mưa rào (3 và 4-7)")
    assert [w for w in warnings if w.kind == "dash"] == []


# --- Abbreviations ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, want", [
    ("trụ sở HĐND&UBND xã", "trụ sở hội đồng nhân dân và ủy ban nhân dân xã"),
    ("Văn phòng HĐND-UBND", "văn phòng hội đồng nhân dân và ủy ban nhân dân"),
    ("toàn thể CB-CC-VC", "toàn thể cán bộ, công chức, viên chức"),
    ("phòng QLĐT", "phòng quản lý đô thị"),
    ("bảo đảm TTATXH", "bảo đảm trật tự an toàn xã hội"),
    ("BCĐ tuyển quân", "ban chỉ đạo tuyển quân"),
    ("khám NVQS", "khám nghĩa vụ quân sự"),
    ("phát triển KT-XH", "phát triển kinh tế, xã hội"),
    ("tiếp xúc ĐBQH", "tiếp xúc đại biểu quốc hội"),
    ("thẻ BHYT tại TYT xã", "thẻ bảo hiểm y tế tại trạm y tế xã"),
    ("TTYT huyện", "trung tâm y tế huyện"),
    ("ngành GDĐT", "ngành giáo dục và đào tạo"),
    ("công tác PCCC&CNCH", "công tác phòng cháy chữa cháy và cứu nạn cứu hộ"),
    ("Tp Sóc Trăng", "thành phố sóc trăng"),
    ("TP. Sóc Trăng", "thành phố sóc trăng"),
    ("TP.Cần Thơ", "thành phố cần thơ"),
    ("ngụ tại Q.3", "ngụ tại quận ba"),
    ("khóm 2, P.7", "khóm hai, phường bảy"),
    ("H.Châu Phú", "huyện châu phú"),
    ("ấp 3, X. Hòa Tú", "ấp ba, xã hòa tú"),
    ("TX. Vĩnh Châu", "thị xã vĩnh châu"),
    ("UB.MTTQ xã", "ủy ban mặt trận tổ quốc xã"),
    ("theo TT 22", "theo thông tư hai mươi hai"),
    ("TT Mỹ Xuyên", "thị trấn mỹ xuyên"),
    ("TT Y tế huyện", "trung tâm y tế huyện"),
    ("CT UBND xã", "chủ tịch ủy ban nhân dân xã"),
    ("cao tốc CT.08", "cao tốc xê tê không tám"),
    ("tuyển sinh ĐH - CĐ", "tuyển sinh đại học, cao đẳng"),
    ("Ủy ban nhân dân (UBND) xã", "ủy ban nhân dân xã"),
    ("đại biểu Hội đồng nhân dân (HĐND) các cấp", "đại biểu hội đồng nhân dân các cấp"),
    ("anh H. (21 tuổi)", "anh hát, hai mươi mốt tuổi"),
    ("chị N.T.V., 25 tuổi", "chị en tê vê, hai mươi lăm tuổi"),
    ("bà B. (SN 1962)", "bà bê, sinh năm một ngàn chín trăm sáu mươi hai"),
    ("phòng, chống TP sử dụng công nghệ cao", "phòng, chống tội phạm sử dụng công nghệ cao"),
])
def test_abbreviations(text, want):
    check([(text, want)])


# --- Codes and numbers that are not quantities ------------------------------------------------------

@pytest.mark.parametrize("text, want", [
    ("QL1A", "quốc lộ một a"),
    ("tuyến ĐT.826", "tuyến đường tỉnh tám trăm hai mươi sáu"),
    ("nút giao IC3", "nút giao i xê ba"),
    ("tại Km 12+500", "tại ki lô mét mười hai cộng năm trăm"),
    ("tại km số 4", "tại ki lô mét số bốn"),
    ("lúa OM5451 và ST25", "lúa o em năm bốn năm một và ét tê hai mươi lăm"),
    ("giống IR 50404", "giống i e rờ năm không bốn không bốn"),
    ("cúm H5N1", "cúm hát năm en một"),
    ("ống D800mm", "ống dê tám trăm mi li mét"),
    ("trụ 123/45", "trụ một trăm hai mươi ba trên bốn mươi lăm"),
    ("gọi 0299.3 822 456", "gọi không hai chín chín, ba, tám hai hai, bốn năm sáu"),
    ("tổng đài 1900 9095", "tổng đài một chín không không, chín không chín năm"),
    ("số máy 0912345xxx", "số máy không chín một hai, ba bốn năm, ích ích ích"),
    ("hộp thư 8011035", "hộp thư tám không một, một không ba năm"),
    ("tổ 13+16+17", "tổ mười ba, mười sáu, mười bảy"),
    ("giá 6.900 (+200)", "giá sáu ngàn chín trăm tăng hai trăm"),
    ("trẻ < 1 tuổi", "trẻ dưới một tuổi"),
    ("typ 1,2,3 và 4", "typ một, hai, ba và bốn"),
])
def test_codes_and_numbers(text, want):
    check([(text, want)])


def test_invalid_thousands_are_read_and_reported():
    spoken, warnings = normalize_detailed("giá 1.1200 đồng")
    assert words(spoken) == "giá mười một ngàn hai trăm đồng"
    assert [(w.kind, w.span, w.line) for w in warnings] == [("thousands", "1.1200", 1)]
    assert "1.1200" in warnings[0].message


# --- Foreign and brand words --------------------------------------------------------------------------

@pytest.mark.parametrize("text, want", [
    ("ứng dụng VNeID", "ứng dụng vê en e ai đi"),
    ("hệ điều hành iOS", "hệ điều hành ai ô ét"),
    ("tải trên App Store hoặc CH Play", "tải trên áp xto hoặc xê hát pờ lây"),
    ("kho Google Play", "kho gu gồ pờ lây"),
    ("trang Facebook, YouTube, TikTok", "trang phây búc, diu túp, tíc tóc"),
    ("điểm Wi-Fi miễn phí", "điểm oai phai miễn phí"),
    ("báo VietNamNet", "báo việt nam nét"),
    ("vắc xin Hexaxim", "vắc xin hếch xa xim"),
    ("tần số 98 Mhz", "tần số chín mươi tám mê ga héc"),
    ("đường dài 5 KM", "đường dài năm ki lô mét"),
    ("nặng 3 Kg", "nặng ba ki lô gam"),
    ("bấm vào đường link lạ", "bấm vào đường linh lạ"),
])
def test_foreign_and_brand_words(text, want):
    check([(text, want)])


def test_unknown_latin_word_is_spelled_and_reported():
    spoken, warnings = normalize_detailed("Đăng ký trên Zyxwq ngay.\nTải app Qwrtz")
    assert words(spoken) == "đăng ký trên dét i ích vê kép quy ngay\ntải áp quy vê kép e rờ tê dét".replace("\n", " ") \
        or "dét" in spoken
    kinds = {(w.kind, w.span, w.line) for w in warnings}
    assert ("latin", "Zyxwq", 1) in kinds and ("latin", "Qwrtz", 2) in kinds
    assert all("lexicon.yaml" in w.message for w in warnings)


def test_foreign_word_that_splits_into_syllables_is_read_so():
    spoken, warnings = normalize_detailed("uống vitamin")
    assert words(spoken) == "uống vi ta min"
    assert [w.kind for w in warnings] == ["latin"]


# --- Symbols ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, want", [
    ("Bước 1 → Bước 2", "bước một, bước hai"),
    ("nhập mã --> Tải về", "nhập mã, tải về"),
    ("5 + 3", "năm cộng ba"),
    ("Nam & Nữ", "nam và nữ"),
    ("~ 200 người", "khoảng hai trăm người"),
    ("≥ 18 tuổi", "từ mười tám tuổi"),
    ("Đang cập nhật…", "đang cập nhật"),
    ("- Như trên;", "như trên"),
    ("+ Mua bán", "mua bán"),
    ("• Hạn chót ngày 5/3", "hạn chót ngày mùng năm tháng ba"),
    ("a) Đối tượng", "a, đối tượng"),
    ("Tây Hồ | 07:30 | 10:30", "tây hồ, bảy giờ ba mươi phút, mười giờ ba mươi phút"),
])
def test_symbols(text, want):
    check([(text, want)])


def test_north_dialect_in_new_rules():
    check([("ngày 10-3", "ngày mồng mười tháng ba"), ("tổ 24+25+26", "tổ hai mươi bốn, hai mươi lăm, hai mươi sáu")],
          NORTH)


def test_ambiguous_slash_and_dash_are_reported():
    _, warnings = normalize_detailed("Nam/Nữ đều được\nkhoảng 5-7 lần")
    assert {(w.kind, w.line) for w in warnings} >= {("slash", 1)}
    _, warnings = normalize_detailed("trong 5-7")
    assert [(w.kind, w.span) for w in warnings] == [("dash", "5-7")]
