"""Data for the Vietnamese text normaliser: the word tables it reads numbers, units and abbreviations with.

Kept apart from the code in `broadcaster.speech.norm` so that staff and
reviewers can correct a reading without touching a regular expression. The
readings are the ones a commune announcer in the South (Sóc Trăng) uses on
the loudspeaker; the northern variants are listed where the dialects differ.
"""
from __future__ import annotations

from pathlib import Path

_DATA = Path(__file__).parent / "data"


def _table(name: str) -> dict[str, str]:
    """A ``key<TAB>reading`` table from speech/data/NAME.tsv (lines starting with # are comments)."""
    table: dict[str, str] = {}
    with open(_DATA / f"{name}.tsv", encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                key, _, reading = line.partition("\t")
                table[key] = reading
    return table

# --- Numbers -----------------------------------------------------------------

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

# Per dialect: the thousands word, the word for a zero tens digit (105), and the
# units digit 4 after a tens digit of 2..9 (24 -> "hai mươi tư" in the South).
DIALECTS = {
    "south": {"thousand": "ngàn", "zero_tens": "lẻ", "four_after_tens": "tư", "mong": "mùng"},
    "north": {"thousand": "nghìn", "zero_tens": "linh", "four_after_tens": "bốn", "mong": "mồng"},
}

HUNDRED = "trăm"
TEN = "mười"
TENS = "mươi"
ONE_AFTER_TENS = "mốt"     # 21 -> hai mươi mốt
FIVE_AFTER_TENS = "lăm"    # 15 -> mười lăm, 25 -> hai mươi lăm
MILLION = "triệu"
BILLION = "tỷ"
DECIMAL_COMMA = "phẩy"     # 3,5 -> ba phẩy năm
DECIMAL_DOT = "chấm"       # section numbers 2.5 -> hai chấm năm
NEGATIVE = "âm"
FRACTION = "phần"          # 1/2 -> một phần hai
FRACTION_DENOMINATOR_FOUR = "tư"   # 3/4 -> ba phần tư (both dialects)
RANGE_WORD = "đến"
FROM_WORD = "từ"

# Ordinals after "thứ" that differ from the cardinal.
ORDINALS = {1: "nhất", 4: "tư"}

# Month 4 is "tháng tư" everywhere; the rest are cardinals.
MONTH_WORDS = {4: "tư"}

# --- Dates and times -----------------------------------------------------------

DAY_WORD = "ngày"
MONTH_WORD = "tháng"
YEAR_WORD = "năm"
HOUR_WORD = "giờ"
MINUTE_WORD = "phút"
SECOND_WORD = "giây"

# Words after which a bare "d/m" is a date and not a fraction.
DATE_CUES = (
    "ngày", "từ", "đến", "tới", "và", "sáng", "trưa", "chiều", "tối", "đêm", "hôm", "hạn",
    "trước", "sau", "mùng", "mồng", "lúc", "kể", "nay", "đầu", "cuối", "giữa",
)

# Words after which "a/b" is an address or a code, read "a trên b".
SLASH_NUMBER_CUES = ("số", "nhà", "hẻm", "kiệt", "ngõ", "ngách", "lô", "tổ", "phòng")

# --- Phone numbers ---------------------------------------------------------------

PHONE_CUES = (
    "số điện thoại", "điện thoại", "đường dây nóng", "hotline", "tổng đài", "sđt", "đt",
    "di động", "liên hệ", "gọi", "zalo", "fax",
)
PHONE_PLUS = "cộng"

# --- Roman numerals ----------------------------------------------------------------

# Words that announce a Roman numeral right after them (case-insensitive).
ROMAN_CUES = (
    "đại hội", "hội nghị", "khóa", "khoá", "chương", "phần", "mục", "quý", "thế kỷ", "thế kỉ",
    "kỳ", "kì", "đợt", "vòng", "tập", "giai đoạn", "phụ lục", "lần thứ", "thứ", "loại", "hạng",
    "cấp", "nhóm", "bài", "tiết", "học kỳ", "học kì", "quân khu", "vùng", "khu vực", "lần",
    "nhiệm kỳ", "tuần", "trung ương", "kỳ họp", "phiên", "bệnh viện", "khóa học", "mục tiêu",
)
ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}

# --- Units and symbols -----------------------------------------------------------------

# Units read only right after a number (case-sensitive). Longest keys win.
UNITS = _table("units")

# Currency words after a number; all mean the Vietnamese đồng except the dollar ones.
CURRENCIES = {
    "đ": "đồng", "đồng": "đồng", "VNĐ": "đồng", "VND": "đồng", "vnđ": "đồng", "vnd": "đồng",
    "Đ": "đồng", "USD": "đô la Mỹ", "$": "đô la", "usd": "đô la Mỹ",
}

# Per-unit nouns: "50.000 đồng/tháng" -> "... đồng một tháng".
PER_UNIT_NOUNS = (
    "tháng", "ngày", "năm", "giờ", "người", "hộ", "lần", "kg", "con", "ha", "tuần", "buổi",
    "suất", "ca", "chiếc", "cái", "m2", "lít", "tấn", "khẩu", "lượt", "học sinh", "trẻ",
    "sào", "công", "hộp", "chai", "bao", "gói", "liều", "mũi", "chuyến", "xe", "phòng", "lớp", "tiếng", "km",
)
PER_WORD = "một"

SYMBOLS = {
    "&": "và",
    "+": "cộng",
    "=": "bằng",
    "@": "a còng",
    "~": "khoảng",
    "≈": "khoảng",
    "≥": "lớn hơn hoặc bằng",
    "≤": "nhỏ hơn hoặc bằng",
    ">": "lớn hơn",
    "<": "nhỏ hơn",
    "×": "nhân",
    "§": "mục",
    "№": "số",
}
SLASH_BETWEEN_WORDS = "hoặc"   # Nam/Nữ -> nam hoặc nữ
SLASH_IN_CODE = "trên"         # 2482/CVT -> ... trên xê vê tê
DASH_IN_CODE = "gạch"          # CVT-CS -> xê vê tê gạch xê ét

# --- Letters ---------------------------------------------------------------------------

# Names used when an acronym is spelled aloud (the common southern spelling-aloud
# names: "u bê en đê" for UBND). G is "gờ" so that 4G is "bốn gờ".
LETTER_NAMES = {
    "A": "a", "Ă": "á", "Â": "ớ", "B": "bê", "C": "xê", "D": "dê", "Đ": "đê", "E": "e",
    "Ê": "ê", "F": "ép", "G": "gờ", "H": "hát", "I": "i", "J": "gi", "K": "ca", "L": "e lờ",
    "M": "em", "N": "en", "O": "o", "Ô": "ô", "Ơ": "ơ", "P": "pê", "Q": "quy", "R": "e rờ",
    "S": "ét", "T": "tê", "U": "u", "Ư": "ư", "V": "vê", "W": "vê kép", "X": "ích", "Y": "i",
    "Z": "dét",
}

# --- URLs and e-mail ---------------------------------------------------------------------

URL_SYMBOLS = {".": "chấm", "/": "gạch chéo", "-": "gạch ngang", "_": "gạch dưới", ":": "hai chấm",
               "@": "a còng", "?": "hỏi", "=": "bằng", "&": "và", "#": "thăng", "~": "ngã"}
URL_SCHEMES = {"https://": "hát tê tê pê ét", "http://": "hát tê tê pê"}
# Pieces of host names and mailboxes with a known reading.
URL_WORDS = {
    "www": "vê kép vê kép vê kép", "com": "com", "vn": "vê en", "gov": "gờ o vê",
    "edu": "e đu", "org": "o rờ gờ", "net": "nét", "info": "in phô", "gmail": "gờ meo",
    "yahoo": "da hu", "google": "gu gồ", "facebook": "phây búc", "fb": "ép bê", "zalo": "da lô",
    "youtube": "diu túp", "outlook": "ao lúc", "hotmail": "hót meo", "mail": "meo",
    "soctrang": "sóc trăng", "sotttt": "sở tê tê tê tê", "stttt": "ét tê tê tê tê",
    "mic": "em i xê", "dichvucong": "dịch vụ công", "chinhphu": "chính phủ",
    "baochinhphu": "báo chính phủ", "vnpt": "vê en pê tê", "viettel": "vi ét ten",
    "mobifone": "mô bi phôn", "vinaphone": "vi na phôn", "vneid": "vê en e ai đi",
    "thanhnien": "thanh niên", "tuoitre": "tuổi trẻ", "vnexpress": "vê en ếch prét",
    "baosoctrang": "báo sóc trăng", "congan": "công an", "bocongan": "bộ công an",
    "moh": "em o hát", "ubnd": "u bê en đê", "tinh": "tỉnh", "huyen": "huyện", "xa": "xã",
}

# --- Abbreviations ----------------------------------------------------------------------------

# Case-sensitive whole-token abbreviations of administration and daily life.
# A trailing "." in the key is part of the abbreviation (TP. -> thành phố).
ABBREVIATIONS = _table("abbreviations")

# Loanwords and brand names, matched whole-word and case-insensitively.
LOANWORDS = _table("loanwords")

# --- Emoji and other characters dropped before reading --------------------------------------------

EMOJI_RANGES = (
    (0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2B00, 0x2BFF), (0xFE00, 0xFE0F),
    (0x200D, 0x200D), (0x20E3, 0x20E3), (0xE0020, 0xE007F), (0x1F1E6, 0x1F1FF),
)
