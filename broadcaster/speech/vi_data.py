"""Data for the Vietnamese text normaliser: the word tables it reads numbers, units and abbreviations with.

Kept apart from the code in `broadcaster.speech.normalize` so that staff and
reviewers can correct a reading without touching a regular expression. The
readings are the ones a commune announcer in the South (Sóc Trăng) uses on
the loudspeaker; the northern variants are listed where the dialects differ.
"""
from __future__ import annotations

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
QUARTER_WORD = "quý"
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
EMERGENCY_NUMBERS = ("111", "112", "113", "114", "115")

# --- Roman numerals ----------------------------------------------------------------

# Words that announce a Roman numeral right after them (case-insensitive).
ROMAN_CUES = (
    "đại hội", "hội nghị", "khóa", "khoá", "chương", "phần", "mục", "quý", "thế kỷ", "thế kỉ",
    "kỳ", "kì", "đợt", "vòng", "tập", "giai đoạn", "phụ lục", "lần thứ", "thứ", "loại", "hạng",
    "cấp", "nhóm", "bài", "tiết", "học kỳ", "học kì", "quân khu", "vùng", "khu vực", "lần",
    "nhiệm kỳ", "tuần",
)
ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}

# --- Units and symbols -----------------------------------------------------------------

# Units read only right after a number (case-sensitive). Longest keys win.
UNITS = {
    "km/h": "ki lô mét trên giờ",
    "km2": "ki lô mét vuông",
    "km²": "ki lô mét vuông",
    "km": "ki lô mét",
    "cm2": "xen ti mét vuông",
    "cm": "xen ti mét",
    "mm": "mi li mét",
    "m2": "mét vuông",
    "m²": "mét vuông",
    "m3": "mét khối",
    "m³": "mét khối",
    "m/s": "mét trên giây",
    "m": "mét",
    "ha": "héc ta",
    "kg": "ki lô gam",
    "g": "gam",
    "mg": "mi li gam",
    "ml": "mi li lít",
    "l": "lít",
    "°C": "độ xê",
    "ºC": "độ xê",
    "oC": "độ xê",
    "độ C": "độ xê",
    "°": "độ",
    "kWh": "ki lô oát giờ",
    "kW": "ki lô oát",
    "MW": "mê ga oát",
    "W": "oát",
    "kV": "ki lô vôn",
    "V": "vôn",
    "MHz": "mê ga héc",
    "GHz": "gi ga héc",
    "Hz": "héc",
    "GB": "gi ga bai",
    "MB": "mê ga bai",
    "Mbps": "mê ga bít trên giây",
    "ppm": "phần triệu",
    "mm/h": "mi li mét trên giờ",
    "%": "phần trăm",
    "‰": "phần ngàn",
    "k": "ngàn",          # 50k -> năm mươi ngàn (đồng), daily-life shorthand
    "tr": "triệu",        # 2tr -> hai triệu
}

MONEY_WORD = "đồng"
# Currency words after a number; all mean the Vietnamese đồng except the dollar ones.
CURRENCIES = {
    "đ": "đồng", "đồng": "đồng", "VNĐ": "đồng", "VND": "đồng", "vnđ": "đồng", "vnd": "đồng",
    "Đ": "đồng", "USD": "đô la Mỹ", "$": "đô la", "usd": "đô la Mỹ",
}

# Per-unit nouns: "50.000 đồng/tháng" -> "... đồng một tháng".
PER_UNIT_NOUNS = (
    "tháng", "ngày", "năm", "giờ", "người", "hộ", "lần", "kg", "con", "ha", "tuần", "buổi",
    "suất", "ca", "chiếc", "cái", "m2", "lít", "tấn", "khẩu", "lượt", "học sinh", "trẻ",
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
ABBREVIATIONS = {
    # State and Party bodies
    "UBND": "ủy ban nhân dân",
    "HĐND": "hội đồng nhân dân",
    "UB": "ủy ban",
    "MTTQ": "mặt trận tổ quốc",
    "MTTQVN": "mặt trận tổ quốc việt nam",
    "UBMTTQ": "ủy ban mặt trận tổ quốc",
    "UBMTTQVN": "ủy ban mặt trận tổ quốc việt nam",
    "UBKT": "ủy ban kiểm tra",
    "BCH": "ban chấp hành",
    "BTV": "ban thường vụ",
    "BCĐ": "ban chỉ đạo",
    "BQL": "ban quản lý",
    "BTC": "ban tổ chức",
    "BGĐ": "ban giám đốc",
    "BGH": "ban giám hiệu",
    "BCT": "bộ chính trị",
    "QH": "quốc hội",
    "ĐBQH": "đại biểu quốc hội",
    "ĐB": "đại biểu",
    "TW": "trung ương",
    "TƯ": "trung ương",
    "T.Ư": "trung ương",
    "ĐCSVN": "đảng cộng sản việt nam",
    "ĐCS": "đảng cộng sản",
    "ĐU": "đảng ủy",
    "HU": "huyện ủy",
    "TU": "tỉnh ủy",
    "XHCN": "xã hội chủ nghĩa",
    "CHXHCN": "cộng hòa xã hội chủ nghĩa",
    "CHXHCNVN": "cộng hòa xã hội chủ nghĩa việt nam",
    "VN": "việt nam",
    "LHQ": "liên hợp quốc",
    "QLNN": "quản lý nhà nước",
    "CCHC": "cải cách hành chính",
    "TTHC": "thủ tục hành chính",
    "HCC": "hành chính công",
    "TTPVHCC": "trung tâm phục vụ hành chính công",
    "DVC": "dịch vụ công",
    "DVCTT": "dịch vụ công trực tuyến",
    "NSNN": "ngân sách nhà nước",
    "KT-XH": "kinh tế, xã hội",
    "KTXH": "kinh tế xã hội",
    "VH-XH": "văn hóa, xã hội",
    "VHXH": "văn hóa xã hội",
    "QP-AN": "quốc phòng, an ninh",
    "ANQP": "an ninh quốc phòng",
    "ANTT": "an ninh trật tự",
    "TTATXH": "trật tự an toàn xã hội",
    "CNH-HĐH": "công nghiệp hóa, hiện đại hóa",
    "NTM": "nông thôn mới",
    "XDNTM": "xây dựng nông thôn mới",
    # Ministries, departments, offices
    "TT&TT": "thông tin và truyền thông",
    "TTTT": "thông tin và truyền thông",
    "TTTTT": "trung tâm thông tin và truyền thông",
    "STTTT": "sở thông tin và truyền thông",
    "BTTTT": "bộ thông tin và truyền thông",
    "CVT": "cục viễn thông",
    "GD&ĐT": "giáo dục và đào tạo",
    "GDĐT": "giáo dục và đào tạo",
    "PGD&ĐT": "phòng giáo dục và đào tạo",
    "SGD&ĐT": "sở giáo dục và đào tạo",
    "NN&PTNT": "nông nghiệp và phát triển nông thôn",
    "NNPTNT": "nông nghiệp và phát triển nông thôn",
    "BNN&PTNT": "bộ nông nghiệp và phát triển nông thôn",
    "TN&MT": "tài nguyên và môi trường",
    "TNMT": "tài nguyên và môi trường",
    "LĐTB&XH": "lao động, thương binh và xã hội",
    "LĐTBXH": "lao động, thương binh và xã hội",
    "VHTTDL": "văn hóa, thể thao và du lịch",
    "VH-TT": "văn hóa, thông tin",
    "VHTT": "văn hóa thông tin",
    "KH&ĐT": "kế hoạch và đầu tư",
    "KHĐT": "kế hoạch và đầu tư",
    "KH&CN": "khoa học và công nghệ",
    "KHCN": "khoa học công nghệ",
    "GTVT": "giao thông vận tải",
    "CNTT": "công nghệ thông tin",
    "CĐS": "chuyển đổi số",
    "TTĐT": "thông tin điện tử",
    "CTTĐT": "cổng thông tin điện tử",
    "TTXVN": "thông tấn xã việt nam",
    "PT-TH": "phát thanh, truyền hình",
    "PTTH": "phát thanh truyền hình",
    "VTV": "vê tê vê",
    "VOV": "vê ô vê",
    "VP": "văn phòng",
    "TTr": "thanh tra",
    "KTTV": "khí tượng thủy văn",
    "TTYT": "trung tâm y tế",
    "TYT": "trạm y tế",
    "BV": "bệnh viện",
    "BVĐK": "bệnh viện đa khoa",
    "PKĐK": "phòng khám đa khoa",
    "KCB": "khám chữa bệnh",
    "TCMR": "tiêm chủng mở rộng",
    "NHNN": "ngân hàng nhà nước",
    "NHCSXH": "ngân hàng chính sách xã hội",
    "NHNo&PTNT": "ngân hàng nông nghiệp và phát triển nông thôn",
    "KBNN": "kho bạc nhà nước",
    # Mass organisations
    "ĐTN": "đoàn thanh niên",
    "TNCS": "thanh niên cộng sản",
    "ĐTNCS": "đoàn thanh niên cộng sản",
    "TƯĐ": "trung ương đoàn",
    "CCB": "cựu chiến binh",
    "HCCB": "hội cựu chiến binh",
    "HLHPN": "hội liên hiệp phụ nữ",
    "LHPN": "liên hiệp phụ nữ",
    "HPN": "hội phụ nữ",
    "HND": "hội nông dân",
    "HCTĐ": "hội chữ thập đỏ",
    "CTĐ": "chữ thập đỏ",
    "LĐLĐ": "liên đoàn lao động",
    "CĐ": "công đoàn",
    "CLB": "câu lạc bộ",
    "NCT": "người cao tuổi",
    "HNCT": "hội người cao tuổi",
    # Security, army, disasters
    "CA": "công an",
    "CAND": "công an nhân dân",
    "CAX": "công an xã",
    "CSGT": "cảnh sát giao thông",
    "CSKV": "cảnh sát khu vực",
    "QĐND": "quân đội nhân dân",
    "BĐBP": "bộ đội biên phòng",
    "BCHQS": "ban chỉ huy quân sự",
    "QS": "quân sự",
    "DQTV": "dân quân tự vệ",
    "NVQS": "nghĩa vụ quân sự",
    "PCCC": "phòng cháy chữa cháy",
    "CNCH": "cứu nạn cứu hộ",
    "PCCC&CNCH": "phòng cháy chữa cháy và cứu nạn cứu hộ",
    "PCTT": "phòng chống thiên tai",
    "TKCN": "tìm kiếm cứu nạn",
    "PCTT&TKCN": "phòng chống thiên tai và tìm kiếm cứu nạn",
    "ATNĐ": "áp thấp nhiệt đới",
    "ATGT": "an toàn giao thông",
    "ATTP": "an toàn thực phẩm",
    "VSATTP": "vệ sinh an toàn thực phẩm",
    "ATVSLĐ": "an toàn vệ sinh lao động",
    # Documents and titles
    "QĐ": "quyết định",
    "NĐ": "nghị định",
    "NQ": "nghị quyết",
    "CV": "công văn",
    "KH": "kế hoạch",
    "TB": "thông báo",
    "BC": "báo cáo",
    "HD": "hướng dẫn",
    "CT": "chủ tịch",
    "PCT": "phó chủ tịch",
    "BT": "bí thư",
    "PBT": "phó bí thư",
    "GĐ": "giám đốc",
    "PGĐ": "phó giám đốc",
    "PTP": "phó trưởng phòng",
    "KT.": "ký thay",
    "TM.": "thay mặt",
    "TL.": "thừa lệnh",
    "TUQ.": "thừa ủy quyền",
    "V/v": "về việc",
    "v/v": "về việc",
    "Đ/c": "đồng chí",
    "đ/c": "đồng chí",
    "STT": "số thứ tự",
    "SL": "số lượng",
    "ĐVT": "đơn vị tính",
    "TT": "thông tin",
    "NXB": "nhà xuất bản",
    "GS": "giáo sư",
    "PGS": "phó giáo sư",
    "TS": "tiến sĩ",
    "ThS": "thạc sĩ",
    "BS": "bác sĩ",
    "KS": "kỹ sư",
    "NSND": "nghệ sĩ nhân dân",
    "NSƯT": "nghệ sĩ ưu tú",
    "NGND": "nhà giáo nhân dân",
    "NGƯT": "nhà giáo ưu tú",
    "CBCC": "cán bộ, công chức",
    "CBCCVC": "cán bộ, công chức, viên chức",
    "CBCNV": "cán bộ công nhân viên",
    "CNVC": "công nhân viên chức",
    "NLĐ": "người lao động",
    "VĐV": "vận động viên",
    "HLV": "huấn luyện viên",
    "TDTT": "thể dục thể thao",
    # Places
    "TP.HCM": "thành phố hồ chí minh",
    "TP HCM": "thành phố hồ chí minh",
    "TPHCM": "thành phố hồ chí minh",
    "TP. HCM": "thành phố hồ chí minh",
    "HCM": "hồ chí minh",
    "TP.": "thành phố",
    "Tp.": "thành phố",
    "TP": "thành phố",
    "TX.": "thị xã",
    "TX": "thị xã",
    "TT.": "thị trấn",
    "HN": "hà nội",
    "ĐBSCL": "đồng bằng sông cửu long",
    "ĐBSH": "đồng bằng sông hồng",
    "QL": "quốc lộ",
    "TL": "tỉnh lộ",
    "KCN": "khu công nghiệp",
    "CCN": "cụm công nghiệp",
    "KDC": "khu dân cư",
    "KP": "khu phố",
    "TDP": "tổ dân phố",
    "HGĐ": "hộ gia đình",
    # Schools
    "THCS": "trung học cơ sở",
    "THPT": "trung học phổ thông",
    "TH": "tiểu học",
    "MN": "mầm non",
    "GDTX": "giáo dục thường xuyên",
    "GDNN": "giáo dục nghề nghiệp",
    "ĐH": "đại học",
    "HS": "học sinh",
    "SV": "sinh viên",
    "GV": "giáo viên",
    "GVCN": "giáo viên chủ nhiệm",
    # Daily life, papers, money
    "BHYT": "bảo hiểm y tế",
    "BHXH": "bảo hiểm xã hội",
    "BHTN": "bảo hiểm thất nghiệp",
    "CMND": "chứng minh nhân dân",
    "CCCD": "căn cước công dân",
    "GPLX": "giấy phép lái xe",
    "ĐKKD": "đăng ký kinh doanh",
    "GCN": "giấy chứng nhận",
    "QSDĐ": "quyền sử dụng đất",
    "GCNQSDĐ": "giấy chứng nhận quyền sử dụng đất",
    "BĐS": "bất động sản",
    "DN": "doanh nghiệp",
    "DNTN": "doanh nghiệp tư nhân",
    "HTX": "hợp tác xã",
    "TNHH": "trách nhiệm hữu hạn",
    "MTV": "một thành viên",
    "CP": "cổ phần",
    "TCT": "tổng công ty",
    "MST": "mã số thuế",
    "GTGT": "giá trị gia tăng",
    "TNCN": "thu nhập cá nhân",
    "VAT": "vê a tê",
    "ATM": "a tê em",
    "ĐT": "điện thoại",
    "SĐT": "số điện thoại",
    "ĐTDĐ": "điện thoại di động",
    "NCC": "người có công",
    "XKLĐ": "xuất khẩu lao động",
    "VNĐ": "đồng",
    "VND": "đồng",
    "USD": "đô la mỹ",
    "COVID": "cô vít",
    "HIV": "hát i vê",
    "HIV/AIDS": "hát i vê ết",
    "AIDS": "ết",
    "WHO": "tổ chức y tế thế giới",
    "ASEAN": "a xê an",
    "UNICEF": "u ni xép",
    # Telecoms and technology (spelled the way staff say them)
    "VNPT": "vê en pê tê",
    "SIM": "sim",
    "OTP": "ô tê pê",
    "QR": "kiu a",
    "GPS": "gờ pê ét",
    "USB": "u ét bê",
    "SMS": "ét em ét",
    "TV": "ti vi",
    "IT": "ai ti",
    "PC": "pê xê",
    "ID": "ai đi",
    "VNeID": "vê en e ai đi",
    "eKYC": "e ca i xê",
    "2G": "hai gờ",
    "3G": "ba gờ",
    "4G": "bốn gờ",
    "5G": "năm gờ",
    "4G LTE": "bốn gờ e lờ tê e",
    "LTE": "e lờ tê e",
    "OK": "ô kê",
}

# Loanwords and brand names, matched whole-word and case-insensitively.
LOANWORDS = {
    "wifi": "oai phai",
    "wi-fi": "oai phai",
    "zalo": "da lô",
    "facebook": "phây búc",
    "internet": "in tơ nét",
    "viettel": "vi ét ten",
    "mobifone": "mô bi phôn",
    "vinaphone": "vi na phôn",
    "vietnamobile": "việt nam mô bai",
    "gmobile": "gờ mô bai",
    "youtube": "diu túp",
    "tiktok": "tíc tóc",
    "google": "gu gồ",
    "gmail": "gờ meo",
    "email": "i meo",
    "e-mail": "i meo",
    "iphone": "ai phôn",
    "android": "an đờ roi",
    "smartphone": "smát phôn",
    "online": "on lai",
    "offline": "óp lai",
    "only": "ôn li",
    "website": "oép sai",
    "web": "oép",
    "app": "áp",
    "livestream": "lai strim",
    "bluetooth": "blu tút",
    "hotline": "hót lai",
    "mobile money": "mô bai mơ ni",
    "vaccine": "vắc xin",
    "covid": "cô vít",
    "agribank": "a gờ ri banh",
    "vietcombank": "việt com banh",
    "momo": "mô mô",
    "sim": "sim",
}

# --- Emoji and other characters dropped before reading --------------------------------------------

EMOJI_RANGES = (
    (0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2B00, 0x2BFF), (0xFE00, 0xFE0F),
    (0x200D, 0x200D), (0x20E3, 0x20E3), (0xE0020, 0xE007F), (0x1F1E6, 0x1F1FF),
)
